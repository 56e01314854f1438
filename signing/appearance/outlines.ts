import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Contour } from './raster'

/** What scripts/build-assets.ts writes: glyph outlines of the bold face, in font units. */
export interface OutlinesFile {
  unitsPerEm: number
  ascent: number
  descent: number
  glyphs: Record<string, { advance: number; path: Array<[string, ...number[]]> }>
}

export const OUTLINES_FILE = 'be-vietnam-pro-bold-outlines.json'
const FILE = path.join(__dirname, '../../assets/fonts', OUTLINES_FILE)

let loaded: OutlinesFile | undefined
export function loadOutlines(): OutlinesFile {
  if (loaded) return loaded
  try {
    loaded = JSON.parse(readFileSync(FILE, 'utf8')) as OutlinesFile
  } catch (err) {
    throw new Error(`${FILE} missing: run \`npm run build\``, { cause: err })
  }
  return loaded
}

/** Maps a point of a glyph (font units, y up, from its origin) to the image. */
export type GlyphTransform = (x: number, y: number) => [number, number]

/** Segments per curve when outlines are flattened: plenty at the sizes a seal draws. */
const STEPS = 8

/**
 * A glyph's outline as polygons under `place`: quadratic (TrueType) and cubic segments flattened.
 * Undefined for a character the outline file lacks.
 */
export function glyphContours(
  ch: string,
  place: GlyphTransform,
): { contours: Contour[]; advance: number } | undefined {
  const glyph = loadOutlines().glyphs[ch]
  if (!glyph) return undefined
  const contours: Contour[] = []
  let current: Contour = []
  let px = 0
  let py = 0
  const to = (x: number, y: number): void => {
    const [u, v] = place(x, y)
    current.push(u, v)
    px = x
    py = y
  }
  for (const [op, ...a] of glyph.path) {
    const n = (i: number): number => a[i] ?? 0
    if (op === 'moveTo') {
      if (current.length >= 6) contours.push(current)
      current = []
      to(n(0), n(1))
    } else if (op === 'lineTo') to(n(0), n(1))
    else if (op === 'quadraticCurveTo') {
      const [x0, y0] = [px, py]
      for (let s = 1; s <= STEPS; s++) {
        const t = s / STEPS
        const m = 1 - t
        to(m * m * x0 + 2 * m * t * n(0) + t * t * n(2), m * m * y0 + 2 * m * t * n(1) + t * t * n(3))
      }
    } else if (op === 'bezierCurveTo') {
      const [x0, y0] = [px, py]
      for (let s = 1; s <= STEPS; s++) {
        const t = s / STEPS
        const m = 1 - t
        const x = m * m * m * x0 + 3 * m * m * t * n(0) + 3 * m * t * t * n(2) + t * t * t * n(4)
        const y = m * m * m * y0 + 3 * m * m * t * n(1) + 3 * m * t * t * n(3) + t * t * t * n(5)
        to(x, y)
      }
    } else if (op === 'closePath') {
      if (current.length >= 6) contours.push(current)
      current = []
    }
  }
  if (current.length >= 6) contours.push(current)
  return { contours, advance: glyph.advance }
}

/** The advance of a text in font units (unknown characters count as a space). */
export function advanceOf(text: string): number {
  const { glyphs } = loadOutlines()
  let sum = 0
  for (const ch of text.normalize('NFC')) sum += glyphs[ch]?.advance ?? glyphs[' ']?.advance ?? 250
  return sum
}
