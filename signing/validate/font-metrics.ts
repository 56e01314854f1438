import type { PdfDocument } from '../pdf/document'
import { type PdfDict, PdfName, type PdfValue } from '../pdf/objects'

/** What a text box needs from a font: how far a string advances, and how high glyphs reach. */
export interface FontMetrics {
  /** Horizontal displacement in text space of showing `bytes` (ISO 32000-2 §9.4.4), before Tz. */
  advance(bytes: Buffer, size: number, charSpacing: number, wordSpacing: number): number
  /** Glyph extent above and below the baseline, in units of the font size. */
  ascent: number
  descent: number
}

/**
 * Used when a font gives no width: wider than most Latin glyphs, so that a text box errs on the
 * side of covering more of the page, never less.
 */
const DEFAULT_WIDTH = 650
const isNum = (v: PdfValue | undefined): v is number => typeof v === 'number' && Number.isFinite(v)

/**
 * Widths and vertical extent of a font dictionary: simple fonts by /FirstChar and /Widths
 * (§9.6.2), composite fonts by their descendant's /W and /DW with two-byte codes (§9.7.4.3,
 * the Identity encodings nearly all of them use), Type 3 through /FontMatrix (§9.6.4).
 */
export function fontMetrics(doc: PdfDocument, font: PdfDict): FontMetrics {
  const subtype = font.get('Subtype')
  const composite = subtype instanceof PdfName && subtype.name === 'Type0'
  const descendants = doc.resolve(font.get('DescendantFonts'))
  const cid = composite && Array.isArray(descendants) ? doc.dict(descendants[0]) : undefined
  const descriptor = doc.dict((cid ?? font).get('FontDescriptor'))
  const ascentV = descriptor?.get('Ascent')
  const descentV = descriptor?.get('Descent')
  const ascent = isNum(ascentV) && ascentV >= 500 && ascentV <= 1500 ? ascentV / 1000 : 0.9
  const descent = isNum(descentV) && descentV <= 0 && descentV >= -600 ? descentV / 1000 : -0.25
  const matrix = doc.resolve(font.get('FontMatrix'))
  const unit = Array.isArray(matrix) && isNum(matrix[0]) && matrix[0] > 0 ? matrix[0] : 0.001
  const width = composite ? cidWidths(doc, cid) : simpleWidths(doc, font, descriptor)
  return {
    ascent,
    descent,
    advance(bytes, size, charSpacing, wordSpacing) {
      let total = 0
      const step = composite ? 2 : 1
      for (let i = 0; i < bytes.length; i += step) {
        const code =
          step === 2 ? ((bytes[i] as number) << 8) | ((bytes[i + 1] ?? 0) as number) : (bytes[i] as number)
        // §9.3.3: word spacing applies to the single-byte code 32 only.
        total += width(code) * unit * size + charSpacing + (step === 1 && code === 32 ? wordSpacing : 0)
      }
      return total
    },
  }
}

function simpleWidths(
  doc: PdfDocument,
  font: PdfDict,
  descriptor: PdfDict | undefined,
): (code: number) => number {
  const first = font.get('FirstChar')
  const widths = doc.resolve(font.get('Widths'))
  const missingV = descriptor?.get('MissingWidth')
  const missing = isNum(missingV) && missingV > 0 ? missingV : DEFAULT_WIDTH
  if (!isNum(first) || !Array.isArray(widths)) return () => DEFAULT_WIDTH
  return (code) => {
    const w = doc.resolve(widths[code - first])
    return isNum(w) && w > 0 ? w : missing
  }
}

/** /W: `c [w1 w2 ...]` or `cFirst cLast w` runs (§9.7.4.3); /DW otherwise (default 1000). */
function cidWidths(doc: PdfDocument, cid: PdfDict | undefined): (code: number) => number {
  const dwV = cid?.get('DW')
  const dw = isNum(dwV) && dwV > 0 ? dwV : 1000
  const w = doc.resolve(cid?.get('W'))
  const table = new Map<number, number>()
  if (Array.isArray(w)) {
    for (let i = 0; i < w.length && table.size < 70_000; ) {
      const a = doc.resolve(w[i])
      const b = doc.resolve(w[i + 1])
      if (isNum(a) && Array.isArray(b)) {
        b.forEach((x, j) => isNum(x) && table.set(a + j, x))
        i += 2
      } else if (isNum(a) && isNum(b) && isNum(w[i + 2])) {
        for (let c = a; c <= b && c - a < 70_000; c++) table.set(c, w[i + 2] as number)
        i += 3
      } else break
    }
  }
  return (code) => table.get(code) ?? dw
}
