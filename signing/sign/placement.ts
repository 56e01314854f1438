import type { PdfDocument } from '../pdf/document'
import { PdfDict, PdfName, PdfRef, type PdfValue } from '../pdf/objects'

export type Rect = { x: number; y: number; width: number; height: number }

/** Margin from the page edge for default placement, in points (about 1.3 cm). */
const MARGIN = 36
const GAP = 8

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

/** The visible page box (CropBox, else MediaBox, else US Letter) as a rectangle. */
export function pageBox(doc: PdfDocument, page: PdfDict): Rect {
  const box = inherited(doc, page, 'CropBox') ?? inherited(doc, page, 'MediaBox')
  if (Array.isArray(box) && box.length === 4) {
    const n = box.map((v) => (typeof doc.resolve(v) === 'number' ? (doc.resolve(v) as number) : 0))
    const [x1, y1, x2, y2] = n as [number, number, number, number]
    return { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) }
  }
  return { x: 0, y: 0, width: 612, height: 792 }
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
    const r = doc.resolve(w.get('Rect'))
    if (!Array.isArray(r) || r.length !== 4 || !r.every((v) => typeof v === 'number')) continue
    const [x1, y1, x2, y2] = r as [number, number, number, number]
    const rect = { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) }
    if (rect.width > 0 && rect.height > 0) out.push(rect)
  }
  return out
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/**
 * Default place for a new signature at the bottom of the page: successive signers side by side
 * from the right, then in rows above, never overlapping an earlier signature. A seal that follows
 * a personal signature overlaps about a third of it, on its left (Decree 30/2020, Appendix I).
 */
export function defaultRect(box: Rect, taken: Rect[], size: { width: number; height: number }, isSeal: boolean): Rect {
  const previous = taken[taken.length - 1]
  if (isSeal && previous) {
    const x = previous.x + previous.width / 3 - size.width
    const y = previous.y + (previous.height - size.height) / 2
    if (x >= box.x) return { x, y: Math.max(box.y, y), ...size }
  }
  for (let y = box.y + MARGIN; y + size.height <= box.y + box.height - MARGIN; y += size.height + GAP) {
    for (let x = box.x + box.width - MARGIN - size.width; x >= box.x + MARGIN - 0.001; x -= size.width + GAP) {
      const r = { x, y, ...size }
      if (!taken.some((t) => overlaps(t, r))) return r
    }
  }
  return { x: box.x + MARGIN, y: box.y + MARGIN, ...size }
}

export function isRef(v: PdfValue | undefined): v is PdfRef {
  return v instanceof PdfRef
}
