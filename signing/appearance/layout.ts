import { glyphsFor, measure, type FontFace, type ShapedGlyph } from './assets'

/** A rectangle in form space (points, origin bottom left). */
export interface Box {
  x: number
  y: number
  width: number
  height: number
}

/** A paragraph: `scale` is its size relative to the block's base size, `gap` the space above it in ems. */
export interface TextItem {
  kind: 'text'
  text: string
  face: FontFace
  scale: number
  gap?: number
}

/** A picture slot that takes the height the text leaves, but at least `minShare` of the box. */
export interface ImageItem {
  kind: 'image'
  aspect: number
  minShare: number
}

export type StackItem = TextItem | ImageItem

export interface PlacedText {
  face: FontFace
  size: number
  x: number
  /** Baseline. */
  y: number
  glyphs: ShapedGlyph[]
  /** Horizontal scaling in percent (Tz, ISO 32000-2 §9.3.4) for text condensed into a blank. */
  hScale?: number
}

export type Align = 'left' | 'center' | 'right'

/** Where a run of `width` starts in `box` for the alignment. */
const startX = (box: Box, width: number, align: Align): number =>
  align === 'left' ? box.x : align === 'right' ? box.x + box.width - width : box.x + (box.width - width) / 2

export interface StackLayout {
  texts: PlacedText[]
  images: Box[]
}

/**
 * Greedy word wrap by measured width. A word longer than the line is broken between letters and
 * `broken` is set, so the caller can try a smaller size first (a time like 2024-07-25T09:15:30+07:00
 * split in two reads badly).
 */
export function wrap(
  face: FontFace,
  text: string,
  size: number,
  maxWidth: number,
): { lines: ShapedGlyph[][]; broken: boolean } {
  const fits = (s: string): boolean => measure(face, glyphsFor(face, s), size) <= maxWidth
  const lines: string[] = []
  let line = ''
  let broken = false
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word
    if (fits(candidate)) {
      line = candidate
      continue
    }
    if (line) lines.push(line)
    line = ''
    for (const ch of word) {
      if (line && !fits(line + ch)) {
        broken = true
        lines.push(line)
        line = ''
      }
      line += ch
    }
  }
  if (line) lines.push(line)
  return { lines: lines.map((l) => glyphsFor(face, l)), broken }
}

const lineHeight = (face: FontFace, size: number): number => ((face.ascent - face.descent) * size) / 1000
/** Vietnamese stacks two marks on capitals (Ẩ, Ỗ): the first line needs room above the ascender. */
const headroom = (face: FontFace, size: number): number => ((face.maxAscent - face.ascent) * size) / 1000

interface Measured {
  lines: ShapedGlyph[][]
  item: StackItem
  height: number
  broken: boolean
}

function measureAll(items: readonly StackItem[], base: number, width: number): Measured[] {
  return items.map((item, i) => {
    if (item.kind === 'image') return { item, lines: [], height: 0, broken: false }
    const size = base * item.scale
    const { lines, broken } = wrap(item.face, item.text, size, width)
    const top = i === 0 ? headroom(item.face, size) : (item.gap ?? 0) * size
    return { item, lines, broken, height: top + lines.length * lineHeight(item.face, size) }
  })
}

/**
 * Stacks paragraphs and at most one picture slot top to bottom inside `box`, at the largest base
 * font size from `maxSize` down (5% steps) that fits without breaking a word, never below
 * `minSize` (the form's /BBox clips whatever still overflows). Without a picture, the text block
 * is centred vertically; with one, the picture takes all the height the text leaves.
 */
export function layoutStack(
  items: readonly StackItem[],
  box: Box,
  opts: { maxSize: number; minSize: number; align: Align },
): StackLayout {
  const image = items.find((i): i is ImageItem => i.kind === 'image')
  const minImage = image ? image.minShare * box.height : 0
  let base = opts.maxSize
  let measured = measureAll(items, base, box.width)
  const textHeight = (): number => measured.reduce((sum, m) => sum + m.height, 0)
  const fits = (): boolean => textHeight() + minImage <= box.height && !measured.some((m) => m.broken)
  while (base * 0.95 >= opts.minSize && !fits()) {
    base *= 0.95
    measured = measureAll(items, base, box.width)
  }
  const slack = box.height - textHeight()
  let top = box.y + box.height - (image ? 0 : Math.max(0, slack) / 2)
  const layout: StackLayout = { texts: [], images: [] }
  measured.forEach(({ item, lines }, i) => {
    if (item.kind === 'image') {
      const slot = Math.max(slack, 0)
      const height = Math.min(slot, box.width / item.aspect)
      const width = height * item.aspect
      layout.images.push({
        x: startX(box, width, opts.align),
        y: top - slot + (slot - height) / 2,
        width,
        height,
      })
      top -= slot
      return
    }
    const size = base * item.scale
    top -= i === 0 ? headroom(item.face, size) : (item.gap ?? 0) * size
    for (const glyphs of lines) {
      const width = measure(item.face, glyphs, size)
      const baseline = top - (item.face.ascent * size) / 1000
      layout.texts.push({ face: item.face, size, x: startX(box, width, opts.align), y: baseline, glyphs })
      top -= lineHeight(item.face, size)
    }
  })
  return layout
}
