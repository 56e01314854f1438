import type { PdfDocument } from '../pdf/document'
import { type PdfDict, PdfName, PdfRef, type PdfValue } from '../pdf/objects'
import type { Box } from './content-boxes'

/** ISO 32000-2 §12.5.3 annotation flags that keep an annotation from being shown. */
const HIDDEN = 1 << 1
const NO_VIEW = 1 << 5

export function subtypeOf(d: PdfDict | undefined): string | undefined {
  const s = d?.get('Subtype')
  return s instanceof PdfName ? s.name : undefined
}

/** The annotation's /Rect, normalised (§12.5.2: any two opposite corners), or null. */
export function rectOf(doc: PdfDocument, d: PdfDict): Box | null {
  const r = doc.resolve(d.get('Rect'))
  if (!Array.isArray(r) || r.length !== 4) return null
  const n = r.map((v) => doc.resolve(v))
  if (!n.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) return null
  const [a, b, c, e] = n as [number, number, number, number]
  return [Math.min(a, c), Math.min(b, e), Math.max(a, c), Math.max(b, e)]
}

/** Shown on screen: not Hidden or NoView, not a Popup (shown only when opened), of some size. */
export function isVisible(doc: PdfDocument, d: PdfDict): boolean {
  const f = doc.resolve(d.get('F'))
  if (typeof f === 'number' && (f & (HIDDEN | NO_VIEW)) !== 0) return false
  if (subtypeOf(d) === 'Popup') return false
  const r = rectOf(doc, d)
  return r !== null && r[2] - r[0] > 0 && r[3] - r[1] > 0
}

/** Object numbers of the annotations of page `pageNum` in `doc`. */
export function annotationsOn(doc: PdfDocument, pageNum: number): Set<number> {
  const out = new Set<number>()
  const annots = doc.resolve(doc.dict(new PdfRef(pageNum, 0))?.get('Annots'))
  if (Array.isArray(annots)) for (const a of annots) if (a instanceof PdfRef) out.add(a.num)
  return out
}

/**
 * Whether an annotation of a later revision shows over what the signed revision's page draws
 * (text or images, content-boxes.ts): the one kind of added comment that can hide or fake
 * signed content, so it fails the signature where other comments only warn.
 */
export class SignedContent {
  private readonly boxes = new Map<number, Box[]>()

  constructor(
    private readonly before: PdfDocument,
    private readonly pages: readonly number[],
  ) {}

  covers(after: PdfDocument, annotation: PdfValue | undefined, pageIndex: number): boolean {
    const d = after.dict(annotation)
    if (!d || !isVisible(after, d)) return false
    const rect = rectOf(after, d)
    // Loaded on first use: only a page with an added or changed comment needs its content read.
    const { overlaps } = require('./content-boxes') as typeof import('./content-boxes')
    return rect !== null && this.boxesOf(pageIndex).some((b) => overlaps(rect, b))
  }

  private boxesOf(pageIndex: number): Box[] {
    let list = this.boxes.get(pageIndex)
    if (list) return list
    const num = this.pages[pageIndex]
    const page = num !== undefined ? this.before.dict(new PdfRef(num, 0)) : undefined
    try {
      const { contentBoxes } = require('./content-boxes') as typeof import('./content-boxes')
      list = page ? contentBoxes(this.before, page) : []
    } catch {
      // Content that cannot be read is taken to fill the page: never a reason to pass.
      list = [[-1e9, -1e9, 1e9, 1e9]]
    }
    this.boxes.set(pageIndex, list)
    return list
  }
}
