import { SigningError } from '../errors'
import { advanceOf, glyphContours, loadOutlines } from './outlines'
import { InkCanvas, ring, type Contour } from './raster'

/** Seal red (Decree 30/2020 Appendix I: the seal's image is red). */
const RED = [200, 16, 30] as const

function star(cx: number, cy: number, outer: number): Contour {
  const out: Contour = []
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : outer * 0.382
    const a = -Math.PI / 2 + (i * Math.PI) / 5
    out.push(cx + r * Math.cos(a), cy + r * Math.sin(a))
  }
  return out
}

/**
 * Text set along a circle, centred on the top, reading clockwise with the letters' feet toward the
 * centre, as seals carry the agency's name. Shrunk to fit `maxAngle` radians.
 */
function textOnRing(
  text: string,
  cx: number,
  cy: number,
  baseline: number,
  capHeight: number,
  maxAngle: number,
): Contour[] {
  const { unitsPerEm } = loadOutlines()
  const capUnits = 0.72 * unitsPerEm
  const tracking = 0.08 * unitsPerEm
  const chars = [...text.normalize('NFC')]
  const units = advanceOf(text) + tracking * (chars.length - 1)
  const scale = Math.min(capHeight / capUnits, (maxAngle * baseline) / units)
  let angle = -(units * scale) / baseline / 2
  const out: Contour[] = []
  for (const ch of chars) {
    const start = angle
    const glyph = glyphContours(ch, (x, y) => {
      const theta = start + (x * scale) / baseline
      const r = baseline + y * scale
      return [cx + r * Math.sin(theta), cy - r * Math.cos(theta)]
    })
    out.push(...(glyph?.contours ?? []))
    angle += ((glyph?.advance ?? 0.3 * unitsPerEm) * scale + tracking * scale) / baseline
  }
  return out
}

export interface AgencySealOptions {
  /** The agency's name, around the ring (upper case is used, as seals are cut). */
  name: string
  /** Image size in pixels (default 480: about 340 dpi for a 36 mm seal). */
  diameterPx?: number
}

/**
 * A round red seal for a demo agency, drawn in code: an outer ring, the agency's name around it
 * between two thin rings, a star at the bottom of the ring and another in the centre, and room
 * under the centre where the signature's appearance prints the signing time. Transparent
 * elsewhere. A demo image, recognisably generated: real seals are the agency's own.
 *
 * @example
 * writeFileSync('seal.png', generateAgencySealPng({ name: 'Sở Khoa học và Công nghệ' }))
 */
export function generateAgencySealPng(opts: AgencySealOptions): Buffer {
  const d = opts.diameterPx ?? 480
  if (!Number.isInteger(d) || d < 64 || d > 4000)
    throw new SigningError('BAD_OPTION', 'diameterPx must be an integer from 64 to 4000')
  if (typeof opts.name !== 'string' || opts.name.trim().length === 0)
    throw new SigningError('BAD_OPTION', 'name is required')
  const canvas = new InkCanvas(d, d)
  const c = d / 2
  const R = d / 2
  const shapes: Contour[] = [
    ...ring(c, c, 0.925 * R, 0.985 * R),
    ...ring(c, c, 0.875 * R, 0.89 * R),
    ...ring(c, c, 0.555 * R, 0.575 * R),
    star(c, c + 0.72 * R, 0.07 * R),
    star(c, c - 0.25 * R, 0.17 * R),
  ]
  // The name over about 290 degrees of the band between the rings; the star closes the gap.
  const text = opts.name.normalize('NFC').toUpperCase().replace(/\s+/g, ' ').trim()
  shapes.push(...textOnRing(text, c, c, 0.64 * R, 0.17 * R, (290 * Math.PI) / 180))
  canvas.fill(shapes, RED)
  return canvas.toPng()
}
