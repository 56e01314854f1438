import type { PdfRef, PdfValue } from '../pdf/objects'
import { glyphsFor, loadFace, measure, type FaceName } from './assets'
import { FormBuilder } from './form'
import type { PlacedText } from './layout'

/** A piece of text set into a blank of a line: its x range within the form, and how it sits there. */
export interface BlankText {
  text: string
  /** The blank, form x from and to (the form starts at the widget's left edge). */
  from: number
  to: number
  /** 'right': against what follows (the number before "/QĐ-…"); 'center': between two words. */
  align: 'right' | 'center'
}

/** Narrowest horizontal scaling accepted to fit a blank (below this the text stays at 60%). */
const MIN_SCALE = 60

/**
 * Places a text in its blank at the document's own size, in Tinos (Times New Roman's metrics):
 * a space's width kept from the words around it when there is room; condensed (Tz) only when the
 * blank is narrower than the text. Answers whether it had to be condensed.
 */
function place(
  b: BlankText,
  size: number,
  baseline: number,
  faceName: FaceName,
): { line: PlacedText; condensed: boolean } {
  const face = loadFace(faceName)
  const glyphs = glyphsFor(face, b.text)
  const width = measure(face, glyphs, size)
  const room = b.to - b.from
  const space = 0.25 * size
  const pads = b.align === 'right' ? space : 2 * space
  const scale =
    width + pads <= room ? 100 : Math.max(MIN_SCALE, Math.floor((100 * Math.max(room - pads / 2, 0)) / width))
  const shown = (width * scale) / 100
  // An italic line's last letter leans past its advance ("ngày"): the text sits a little right.
  const lean =
    faceName === 'serif-italic' && b.align === 'center' ? Math.min(0.08 * size, (room - shown) / 2) : 0
  const x = b.align === 'right' ? b.to - shown : b.from + (room - shown) / 2 + lean
  return {
    line: { face, size, x, y: baseline, glyphs, ...(scale < 100 && { hScale: scale }) },
    condensed: scale < 100,
  }
}

/**
 * The appearance of a form field that prints into the document's own line (issue 13: the number
 * after "Số:", the day and month of the date line, italic as Appendix I sets that line): black text
 * at the line's size with its baseline
 * 0.25 em above the widget's bottom (the slot's box starts 0.25 em under the baseline). The form is
 * transparent, so the words between the blanks stay the page's own.
 */
export function buildBlankTextAppearance(
  spec: {
    width: number
    height: number
    size: number
    texts: BlankText[]
    italic?: boolean
    matrix?: readonly number[]
  },
  add: (v: PdfValue) => PdfRef,
): { ap: PdfRef; condensed: boolean } {
  const form = new FormBuilder(spec.width, spec.height, add)
  const face: FaceName = spec.italic ? 'serif-italic' : 'serif'
  const placed = spec.texts.map((t) => place(t, spec.size, 0.25 * spec.size, face))
  form.text(
    placed.map((p) => p.line),
    0,
  )
  return { ap: form.finish(spec.matrix), condensed: placed.some((p) => p.condensed) }
}

/**
 * Lines of a signature without an image, in the document's typeface (Decree 30/2020, Appendix I:
 * an attachment's or an electronic copy's organisation signature, Times New Roman 10, black): the
 * first line bold, left-aligned from the top, each line shrunk (Tz) if it is wider than the box.
 */
export function buildTextLinesAppearance(
  spec: { width: number; height: number; size: number; lines: string[]; matrix?: readonly number[] },
  add: (v: PdfValue) => PdfRef,
): PdfRef {
  const form = new FormBuilder(spec.width, spec.height, add)
  const lead = 1.2 * spec.size
  const placed = spec.lines.map((text, i): PlacedText => {
    const face = loadFace(i === 0 ? 'serif-bold' : 'serif')
    const glyphs = glyphsFor(face, text)
    const width = measure(face, glyphs, spec.size)
    const room = spec.width - 4
    const scale = width <= room ? 100 : Math.max(MIN_SCALE, Math.floor((100 * room) / width))
    const y = spec.height - 2 - (i + 1) * lead + 0.25 * spec.size
    return { face, size: spec.size, x: 2, y, glyphs, ...(scale < 100 && { hScale: scale }) }
  })
  form.text(placed, 0)
  return form.finish(spec.matrix)
}

/** Height a stack of `n` such lines needs at `size`. */
export const textLinesHeight = (n: number, size: number): number => n * 1.2 * size + 4

/** Width the widest of `lines` needs at `size` (the first in bold). */
export function textLinesWidth(lines: readonly string[], size: number): number {
  return (
    Math.max(
      ...lines.map((t, i) => {
        const face = loadFace(i === 0 ? 'serif-bold' : 'serif')
        return measure(face, glyphsFor(face, t), size)
      }),
    ) + 4
  )
}
