import { SigningError } from '../errors'
import { decodePng, loadPngJs, type Raster } from './png-image'

export type InkColour = 'blue' | 'red' | 'black' | 'other'

export interface PngInspection {
  width: number
  height: number
  /** Whether any pixel is transparent (Decree 30/2020 Appendix I asks for a transparent background). */
  transparent: boolean
  /** The dominant colour of the visible pixels (their average, weighted by opacity). */
  ink: InkColour
  /** Bounds of the pixels that are not fully transparent: [x, y, width, height]. */
  inkBox: [number, number, number, number]
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function inkOf(r: number, g: number, b: number): InkColour {
  const max = Math.max(r, g, b)
  const min = Math.min(r, g, b)
  if (max < 90 && max - min < 40) return 'black'
  if (max - min < 30) return 'other'
  if (b === max && b - r > 25) return 'blue'
  if (r === max && r - g > 60 && r - b > 40) return 'red'
  return 'other'
}

/** Reads a PNG for the checks an upload gets: decodable, its size, transparency, ink colour. */
export function inspectPng(png: Buffer): { raster: Raster; info: PngInspection } {
  if (!Buffer.isBuffer(png) || png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new SigningError('IMAGE_UNREADABLE', 'the image is not a PNG')
  }
  const raster = decodePng(png)
  const { width, height, rgba } = raster
  let transparent = false
  let [x0, y0, x1, y1] = [width, height, -1, -1]
  let sr = 0
  let sg = 0
  let sb = 0
  let sa = 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4
      const a = rgba[p + 3] ?? 255
      if (a < 255) transparent = true
      if (a === 0) continue
      // Near-white pixels are background, not ink (an opaque scan's paper).
      const r = rgba[p] ?? 0
      const g = rgba[p + 1] ?? 0
      const b = rgba[p + 2] ?? 0
      if (r > 235 && g > 235 && b > 235) continue
      x0 = Math.min(x0, x)
      y0 = Math.min(y0, y)
      x1 = Math.max(x1, x)
      y1 = Math.max(y1, y)
      sr += r * a
      sg += g * a
      sb += b * a
      sa += a
    }
  }
  const ink = sa > 0 ? inkOf(sr / sa, sg / sa, sb / sa) : 'other'
  const inkBox: [number, number, number, number] =
    x1 >= x0 ? [x0, y0, x1 - x0 + 1, y1 - y0 + 1] : [0, 0, width, height]
  return { raster, info: { width, height, transparent, ink, inkBox } }
}

/**
 * The image cropped to its ink plus `margin` pixels, re-encoded (transparent margins around a
 * signature would shrink it inside the space placement found for it). Only when transparent.
 */
export function cropToInk(
  raster: Raster,
  box: [number, number, number, number],
  margin: number,
): { png: Buffer; width: number; height: number } {
  const x0 = Math.max(0, box[0] - margin)
  const y0 = Math.max(0, box[1] - margin)
  const x1 = Math.min(raster.width, box[0] + box[2] + margin)
  const y1 = Math.min(raster.height, box[1] + box[3] + margin)
  const { PNG } = loadPngJs()
  const out = new PNG({ width: x1 - x0, height: y1 - y0 })
  for (let y = y0; y < y1; y++)
    raster.rgba.copy(
      out.data,
      (y - y0) * (x1 - x0) * 4,
      (y * raster.width + x0) * 4,
      (y * raster.width + x1) * 4,
    )
  return { png: PNG.sync.write(out, { colorType: 6 }), width: x1 - x0, height: y1 - y0 }
}
