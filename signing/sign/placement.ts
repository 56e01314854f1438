import {
  displaySize,
  normaliseRotation,
  overlapArea,
  overlaps,
  rectToDisplay,
  rectToUser,
  type PageGeometry,
  type Rect,
} from '../layout/geometry'
import type { PdfDocument } from '../pdf/document'
import { type PdfDict, PdfName, PdfRef, type PdfValue } from '../pdf/objects'

export type { Rect } from '../layout/geometry'

/** A page attribute that may be inherited from the page tree (§7.7.3.4), with loop protection. */
export function inherited(doc: PdfDocument, page: PdfDict, key: string): PdfValue | undefined {
  let node: PdfDict | undefined = page
  for (let i = 0; node && i < 64; i++) {
    const v = node.get(key)
    if (v !== undefined) return doc.resolve(v)
    node = doc.dict(node.get('Parent'))
  }
  return undefined
}

function boxOf(doc: PdfDocument, v: PdfValue | undefined): Rect | undefined {
  if (!Array.isArray(v) || v.length !== 4) return undefined
  const n = v.map((x) => doc.resolve(x))
  if (!n.every((x): x is number => typeof x === 'number' && Number.isFinite(x))) return undefined
  const [x1, y1, x2, y2] = n as [number, number, number, number]
  const r = { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) }
  return r.width > 0 && r.height > 0 ? r : undefined
}

/**
 * The page as a reader sees it: the crop box clipped to the media box (ISO 32000-2 §14.11.2: what
 * lies outside the media box is never shown; US Letter when neither is usable), and /Rotate.
 */
export function pageGeometry(doc: PdfDocument, page: PdfDict): PageGeometry {
  const media = boxOf(doc, inherited(doc, page, 'MediaBox')) ?? { x: 0, y: 0, width: 612, height: 792 }
  const crop = boxOf(doc, inherited(doc, page, 'CropBox'))
  let view = media
  if (crop) {
    const x = Math.max(crop.x, media.x)
    const y = Math.max(crop.y, media.y)
    const width = Math.min(crop.x + crop.width, media.x + media.width) - x
    const height = Math.min(crop.y + crop.height, media.y + media.height) - y
    if (width > 0 && height > 0) view = { x, y, width, height }
  }
  return { view, rotate: normaliseRotation(inherited(doc, page, 'Rotate')) }
}

/** Rectangles of the visible signature widgets already on the page, in /Annots order. */
export function signatureRects(doc: PdfDocument, page: PdfDict): Rect[] {
  const annots = doc.resolve(page.get('Annots'))
  if (!Array.isArray(annots)) return []
  const out: Rect[] = []
  for (const a of annots) {
    const w = doc.dict(a)
    if (!w || (w.get('Subtype') as PdfName | undefined)?.name !== 'Widget') continue
    const ft = w.get('FT') ?? doc.dict(w.get('Parent'))?.get('FT')
    if (!(ft instanceof PdfName) || ft.name !== 'Sig') continue
    const rect = boxOf(doc, doc.resolve(w.get('Rect')))
    if (rect) out.push(rect)
  }
  return out
}

/** Scales tried, largest first, when the page has no room at the wanted size. */
const SCALES = [1, 0.8, 0.64, 0.5, 0.4, 0.32, 0.25]

/**
 * Default place for a new signature when the caller gives none (the library and `kyso sign`; the
 * service plans from the document's text, signing/layout): at the bottom of the page as the
 * reader sees it (rotation applied), successive signers side by side from the right, then in
 * rows above, never overlapping an earlier signature and always inside the crop box, shrinking
 * on a page too small for the wanted size. A seal after a personal signature overlaps about a
 * third of it, on its left (Decree 30/2020, Appendix I). Returns user space.
 */
export function defaultRect(
  g: PageGeometry,
  takenUser: Rect[],
  want: { width: number; height: number },
  isSeal: boolean,
): Rect {
  const page = displaySize(g)
  const mx = Math.min(36, page.width * 0.06)
  const my = Math.min(36, page.height * 0.06)
  const gap = Math.min(8, page.width * 0.02)
  const box = { x: mx, y: my, width: page.width - 2 * mx, height: page.height - 2 * my }
  const taken = takenUser.map((r) => rectToDisplay(g, r))
  // At most half the usable height, so that a small page still takes a second and a third signer.
  const fit = Math.min(1, box.width / want.width, box.height / 2 / want.height)
  const size = { width: want.width * fit, height: want.height * fit }
  const inside = (r: Rect): boolean =>
    r.x >= box.x - 0.01 &&
    r.y >= box.y - 0.01 &&
    r.x + r.width <= box.x + box.width + 0.01 &&
    r.y + r.height <= box.y + box.height + 0.01
  const previous = taken[taken.length - 1]
  if (isSeal && previous) {
    const y = Math.min(
      Math.max(previous.y + (previous.height - size.height) / 2, box.y),
      box.y + box.height - size.height,
    )
    const r = { x: previous.x + previous.width / 3 - size.width, y, ...size }
    if (inside(r) && !taken.slice(0, -1).some((t) => overlaps(t, r))) return rectToUser(g, r)
  }
  // Bottom row first, from the right; then in small steps, so a gap left of (or above) earlier
  // signatures is found too.
  const step = Math.max(2, gap / 2)
  for (const scale of SCALES) {
    const s = { width: size.width * scale, height: size.height * scale }
    for (let y = box.y; y + s.height <= box.y + box.height + 0.01; y += step) {
      for (let x = box.x + box.width - s.width; x >= box.x - 0.01; x -= step) {
        const r = { x, y, ...s }
        if (!taken.some((t) => overlaps(t, r, gap))) return rectToUser(g, r)
      }
    }
  }
  // No free place at any size (a page covered by earlier widgets): the smallest size where it
  // covers the least of what is there.
  const last = SCALES[SCALES.length - 1] as number
  const s = { width: size.width * last, height: size.height * last }
  let best = { x: box.x + box.width - s.width, y: box.y, ...s }
  let least = Infinity
  for (let y = box.y; y + s.height <= box.y + box.height + 0.01; y += step) {
    for (let x = box.x + box.width - s.width; x >= box.x - 0.01; x -= step) {
      const r = { x, y, ...s }
      const covered = taken.reduce((sum, t) => sum + overlapArea(t, r), 0)
      if (covered < least) [best, least] = [r, covered]
    }
  }
  return rectToUser(g, best)
}

export function isRef(v: PdfValue | undefined): v is PdfRef {
  return v instanceof PdfRef
}
