import { drawnAreas } from './drawn-areas'
import { displaySize, normaliseRotation, rectToDisplay, type PageGeometry, type Rect } from './geometry'
import { openWithPdfJs, loadPdfJs, type PdfJsDocument, type PdfJsPage } from './pdfjs'
import { findIssuanceSlots, type IssuanceSlots } from './issuance-slots'
import { readability, textLinesOf, textRowsOf, type TextLine } from './text-lines'

/** The text of one page, as `findTextLines` gives it. */
export interface PageText extends PageGeometry {
  /** 1-based. */
  page: number
  /** Displayed size (rotation applied). */
  width: number
  height: number
  lines: TextLine[]
  /** 'ok', or why the text cannot be used: 'no-text' (a scan), 'unreadable' (no usable text mapping). */
  readable: 'ok' | 'no-text' | 'unreadable'
}

/** A page's text and what else it draws: what placement needs to find free space. */
export interface PageLayout extends PageText {
  /** Boxes (display space) of paths, images, shadings and visible annotations. */
  drawn: Rect[]
}

export type PageSelection = 'all' | 'first' | 'last' | number[]

/** Pages beyond this many are not read by one call (a bound for hostile or huge documents). */
const MAX_PAGES = 50

function pagesOf(selection: PageSelection, count: number): number[] {
  if (selection === 'first') return count > 0 ? [1] : []
  if (selection === 'last') return count > 0 ? [count] : []
  if (selection === 'all') return Array.from({ length: Math.min(count, MAX_PAGES) }, (_, i) => i + 1)
  return [...new Set(selection)]
    .filter((n) => Number.isInteger(n) && n >= 1 && n <= count)
    .slice(0, MAX_PAGES)
}

function geometryOf(page: PdfJsPage): PageGeometry {
  const [x1 = 0, y1 = 0, x2 = 612, y2 = 792] = page.view
  return {
    view: { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) },
    rotate: normaliseRotation(page.rotate),
  }
}

async function pageText(page: PdfJsPage, n: number): Promise<PageText> {
  const g = geometryOf(page)
  // pdf.js's own normalisation (NFKC) would turn TCVN3's µ into Greek μ before we can decode it;
  // text-lines.ts normalises (NFC, ligatures) after decoding instead.
  const { items } = await page.getTextContent({ disableNormalization: true })
  const lines = textLinesOf(items, g)
  return { page: n, ...g, ...displaySize(g), lines, readable: readability(lines) }
}

/** Annotation flags (ISO 32000-2 §12.5.3): Hidden 2, NoView 32. */
const INVISIBLE = 2 | 32

async function pageLayout(page: PdfJsPage, n: number): Promise<PageLayout> {
  const text = await pageText(page, n)
  const lib = await loadPdfJs()
  const list = await page.getOperatorList({
    intent: 'print',
    annotationMode: lib.AnnotationMode.DISABLE ?? 0,
  })
  const drawn = drawnAreas(list, lib.OPS, text.view).map((r) => rectToDisplay(text, r))
  for (const a of await page.getAnnotations({ intent: 'print' })) {
    const r = a.rect
    if (
      !Array.isArray(r) ||
      r.length !== 4 ||
      ((a.annotationFlags ?? 0) & INVISIBLE) !== 0 ||
      a.subtype === 'Link' ||
      a.subtype === 'Popup'
    )
      continue
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = r
    if (x2 - x1 > 0 && y2 - y1 > 0)
      drawn.push(rectToDisplay(text, { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }))
  }
  return { ...text, drawn }
}

async function withDocument<T>(pdf: Uint8Array, fn: (doc: PdfJsDocument) => Promise<T>): Promise<T> {
  const doc = await openWithPdfJs(pdf)
  try {
    return await fn(doc)
  } finally {
    await doc.destroy()
  }
}

/**
 * The lines of text of some pages, with their boxes, font sizes and encodings: what the signer
 * block search uses here, and what finding the "Số:" and date lines to print the number on will
 * use (issue 13). Runs the parser in this thread: for untrusted files use `analyseLayoutIsolated`.
 *
 * @example
 * const [first] = await findTextLines(pdf, 'first')
 * const numberLine = first?.lines.find((l) => /^Số\s*:/.test(l.text))
 */
export async function findTextLines(pdf: Uint8Array, selection: PageSelection = 'all'): Promise<PageText[]> {
  return withDocument(pdf, async (doc) => {
    const out: PageText[] = []
    for (const n of pagesOf(selection, doc.numPages)) {
      const page = await doc.getPage(n)
      out.push(await pageText(page, n))
      page.cleanup()
    }
    return out
  })
}

/** Text and drawn areas of some pages (1-based numbers), and the document's page count. */
export async function readPageLayouts(
  pdf: Uint8Array,
  pick: (pageCount: number) => number[],
): Promise<{ pageCount: number; pages: PageLayout[] }> {
  return withDocument(pdf, async (doc) => {
    const pages: PageLayout[] = []
    for (const n of pagesOf(pick(doc.numPages), doc.numPages)) {
      const page = await doc.getPage(n)
      pages.push(await pageLayout(page, n))
      page.cleanup()
    }
    return { pageCount: doc.numPages, pages }
  })
}

/** The number's and the date's blanks on the first page (issue 13; issuance-slots.ts). */
export async function readIssuanceSlots(pdf: Uint8Array): Promise<IssuanceSlots> {
  return withDocument(pdf, async (doc) => {
    if (doc.numPages < 1) return { notes: ['the document has no page'] }
    const page = await doc.getPage(1)
    const g = geometryOf(page)
    const { items } = await page.getTextContent({ disableNormalization: true })
    page.cleanup()
    return findIssuanceSlots(textRowsOf(items, g), 1, g, displaySize(g).height)
  })
}
