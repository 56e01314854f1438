import { SigningError } from '../errors'
import { loadPngJs, type Raster } from './png-image'

/** Seal ink red; Decree 30/2020 Appendix I asks for the organisation's seal in red. */
const RED = [206, 22, 32] as const
const SUPERSAMPLE = 4
/** About 190 dpi for a seal drawn at 100 pt (35 mm): sharp on screen and on an office printer. */
export const DEMO_SEAL_PX = 300

/** Math.hypot is several times slower in V8 and this runs per sample. */
const length = (dx: number, dy: number): number => Math.sqrt(dx * dx + dy * dy)

/** A five-pointed star, pointing up (y down): its 10-vertex outline (x0, y0, x1, y1, ...) and bounds. */
interface Star {
  poly: Float64Array
  min: [number, number]
  max: [number, number]
}

function star(cx: number, cy: number, outer: number): Star {
  const poly = new Float64Array(20)
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : outer * 0.382
    const angle = -Math.PI / 2 + (i * Math.PI) / 5
    poly[2 * i] = cx + r * Math.cos(angle)
    poly[2 * i + 1] = cy + r * Math.sin(angle)
  }
  return { poly, min: [cx - outer - 1, cy - outer - 1], max: [cx + outer + 1, cy + outer + 1] }
}

const inBounds = (s: Star, x: number, y: number): boolean =>
  x >= s.min[0] && x <= s.max[0] && y >= s.min[1] && y <= s.max[1]

/** Even-odd crossing test; the star outline is a simple polygon, so this is exact. */
function inside(s: Star, x: number, y: number): boolean {
  const poly = s.poly
  let hit = false
  for (let i = 0, j = poly.length - 2; i < poly.length; j = i, i += 2) {
    const xi = poly[i] ?? 0
    const yi = poly[i + 1] ?? 0
    const xj = poly[j] ?? 0
    const yj = poly[j + 1] ?? 0
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit
  }
  return hit
}

/** Whether (x, y) lies within `d` of the star's outline. */
function nearOutline(s: Star, x: number, y: number, d: number): boolean {
  const poly = s.poly
  for (let i = 0, j = poly.length - 2; i < poly.length; j = i, i += 2) {
    const ax = poly[j] ?? 0
    const ay = poly[j + 1] ?? 0
    const dx = (poly[i] ?? 0) - ax
    const dy = (poly[i + 1] ?? 0) - ay
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    if (length(x - ax - t * dx, y - ay - t * dy) < d) return true
  }
  return false
}

interface SealShape {
  R: number
  /** Inner and outer radius of each ring, in pixels: [a0, b0, a1, b1, ...]. */
  rings: Float64Array
  stars: Star[]
}

function covers(shape: SealShape, x: number, y: number): boolean {
  const r = length(x - shape.R, y - shape.R)
  const rings = shape.rings
  for (let i = 0; i < rings.length; i += 2) if (r >= (rings[i] ?? 0) && r <= (rings[i + 1] ?? 0)) return true
  for (const s of shape.stars) if (inBounds(s, x, y) && inside(s, x, y)) return true
  return false
}

/** Whether a pixel can be partly covered: only those are supersampled. */
function isEdge(shape: SealShape, px: number, py: number): boolean {
  const x = px + 0.5
  const y = py + 0.5
  const r = length(x - shape.R, y - shape.R)
  for (const edge of shape.rings) if (Math.abs(r - edge) < 0.75) return true
  for (const s of shape.stars) if (inBounds(s, x, y) && nearOutline(s, x, y, 0.75)) return true
  return false
}

/**
 * The demo CA's seal: a thick outer ring, a thin ring inside it, an inner ring, a large star in the
 * centre and two small stars where a real seal separates the agency names. Transparent elsewhere,
 * anti-aliased by supersampling.
 */
export function sealRaster(diameterPx: number): Raster {
  const size = diameterPx
  const R = size / 2
  const shape: SealShape = {
    R,
    rings: new Float64Array([0.915, 0.985, 0.85, 0.875, 0.56, 0.585].map((f) => f * R)),
    stars: [star(R, R * 1.04, 0.38 * R), star(R * 0.285, R, 0.075 * R), star(R * 1.715, R, 0.075 * R)],
  }
  const rgba = Buffer.alloc(size * size * 4)
  const step = 1 / SUPERSAMPLE
  const outside = 0.985 * R + 1
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      if (length(px + 0.5 - R, py + 0.5 - R) > outside) continue
      let coverage = 0
      if (!isEdge(shape, px, py)) {
        coverage = covers(shape, px + 0.5, py + 0.5) ? 1 : 0
      } else {
        for (let sy = step / 2; sy < 1; sy += step) {
          for (let sx = step / 2; sx < 1; sx += step)
            if (covers(shape, px + sx, py + sy)) coverage += step * step
        }
      }
      if (coverage === 0) continue
      const p = (py * size + px) * 4
      rgba[p] = RED[0]
      rgba[p + 1] = RED[1]
      rgba[p + 2] = RED[2]
      rgba[p + 3] = Math.round(255 * coverage)
    }
  }
  return { width: size, height: size, rgba }
}

/**
 * A round red seal image with a transparent background, for the demo CA when an organisation has
 * no seal image of its own. No text: it is a placeholder, not an imitation of a real seal.
 *
 * @example
 * writeFileSync('seal.png', generateSealPng({ diameterPx: 400 }))
 */
export function generateSealPng(opts: { diameterPx?: number } = {}): Buffer {
  const diameter = opts.diameterPx ?? DEMO_SEAL_PX
  if (!Number.isInteger(diameter) || diameter < 16 || diameter > 4000) {
    throw new SigningError('BAD_OPTION', 'diameterPx must be an integer from 16 to 4000')
  }
  const { PNG } = loadPngJs()
  const raster = sealRaster(diameter)
  const png = new PNG({ width: raster.width, height: raster.height })
  raster.rgba.copy(png.data)
  return PNG.sync.write(png, { colorType: 6 })
}
