import { loadPngJs } from './png-image'

/** A closed outline: x0, y0, x1, y1, ... in pixels (y down). */
export type Contour = number[]

/** Vertical samples per pixel row; horizontal coverage is computed exactly per span. */
const SUBROWS = 5

/**
 * A small anti-aliased rasteriser for the images Kyso generates (demo seals with their ring text,
 * demo signatures): fills outlines with the non-zero winding rule (ISO 32000-2 §8.5.3.3.2, as
 * glyph outlines need), one ink colour per layer, into RGBA with a transparent background.
 */
export class InkCanvas {
  readonly rgba: Buffer

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgba = Buffer.alloc(width * height * 4)
  }

  /** Fills the union of `contours` in `ink` (0-255 RGB), at `opacity`. */
  fill(contours: readonly Contour[], ink: readonly [number, number, number], opacity = 1): void {
    const cover = new Float32Array(this.width * this.height)
    const edges: Array<[number, number, number, number, number]> = []
    let minY = Infinity
    let maxY = -Infinity
    for (const c of contours) {
      for (let i = 0; i + 1 < c.length; i += 2) {
        const j = (i + 2) % c.length
        const x0 = c[i] as number
        const y0 = c[i + 1] as number
        const x1 = c[j] as number
        const y1 = c[j + 1] as number
        if (y0 === y1) continue
        edges.push(y0 < y1 ? [x0, y0, x1, y1, 1] : [x1, y1, x0, y0, -1])
        minY = Math.min(minY, y0, y1)
        maxY = Math.max(maxY, y0, y1)
      }
    }
    const rowFrom = Math.max(0, Math.floor(minY))
    const rowTo = Math.min(this.height, Math.ceil(maxY))
    // Edges sorted by their top; an active list holds those the current sub-row crosses.
    edges.sort((a, b) => a[1] - b[1])
    let next = 0
    let active: Array<[number, number, number, number, number]> = []
    const crossings: Array<[number, number]> = []
    for (let row = rowFrom; row < rowTo; row++) {
      for (let s = 0; s < SUBROWS; s++) {
        const y = row + (s + 0.5) / SUBROWS
        while (next < edges.length && (edges[next] as [number, number, number, number, number])[1] <= y)
          active.push(edges[next++] as [number, number, number, number, number])
        active = active.filter((e) => e[3] > y)
        crossings.length = 0
        for (const [x0, y0, x1, y1, dir] of active) {
          if (y < y0) continue
          crossings.push([x0 + ((y - y0) / (y1 - y0)) * (x1 - x0), dir])
        }
        crossings.sort((a, b) => a[0] - b[0])
        let winding = 0
        for (let k = 0; k + 1 < crossings.length; k++) {
          winding += (crossings[k] as [number, number])[1]
          if (winding !== 0)
            this.span(
              cover,
              row,
              (crossings[k] as [number, number])[0],
              (crossings[k + 1] as [number, number])[0],
            )
        }
      }
    }
    this.composite(cover, ink, opacity)
  }

  /** Adds one sub-row's coverage of [xa, xb) to the pixels of `row`, fractional at both ends. */
  private span(cover: Float32Array, row: number, xa: number, xb: number): void {
    const a = Math.max(0, xa)
    const b = Math.min(this.width, xb)
    if (b <= a) return
    const base = row * this.width
    const first = Math.floor(a)
    const last = Math.floor(b)
    const w = 1 / SUBROWS
    if (first === last) {
      cover[base + first] = (cover[base + first] ?? 0) + (b - a) * w
      return
    }
    cover[base + first] = (cover[base + first] ?? 0) + (first + 1 - a) * w
    for (let x = first + 1; x < last && x < this.width; x++) cover[base + x] = (cover[base + x] ?? 0) + w
    if (last < this.width) cover[base + last] = (cover[base + last] ?? 0) + (b - last) * w
  }

  /** Paints a coverage layer over what is there ("over" compositing, one colour). */
  private composite(cover: Float32Array, ink: readonly [number, number, number], opacity: number): void {
    for (let i = 0; i < cover.length; i++) {
      const a = Math.min(1, cover[i] ?? 0) * opacity
      if (a <= 0) continue
      const p = i * 4
      const below = (this.rgba[p + 3] ?? 0) / 255
      const out = a + below * (1 - a)
      for (let k = 0; k < 3; k++) {
        const mixed = (ink[k] as number) * a + (this.rgba[p + k] ?? 0) * below * (1 - a)
        this.rgba[p + k] = Math.round(mixed / out)
      }
      this.rgba[p + 3] = Math.round(out * 255)
    }
  }

  /**
   * The image as PNG; with `trim`, cropped to the ink plus that many pixels, so that the image's
   * bounds are the signature's and it sits where placement puts it.
   */
  toPng(opts: { trim?: number } = {}): Buffer {
    const { PNG } = loadPngJs()
    let [x0, y0, x1, y1] = [0, 0, this.width, this.height]
    if (opts.trim !== undefined) {
      ;[x0, y0, x1, y1] = [this.width, this.height, 0, 0]
      for (let y = 0; y < this.height; y++) {
        for (let x = 0; x < this.width; x++) {
          if ((this.rgba[(y * this.width + x) * 4 + 3] ?? 0) === 0) continue
          x0 = Math.min(x0, x)
          y0 = Math.min(y0, y)
          x1 = Math.max(x1, x + 1)
          y1 = Math.max(y1, y + 1)
        }
      }
      if (x1 <= x0) [x0, y0, x1, y1] = [0, 0, 1, 1]
      x0 = Math.max(0, x0 - opts.trim)
      y0 = Math.max(0, y0 - opts.trim)
      x1 = Math.min(this.width, x1 + opts.trim)
      y1 = Math.min(this.height, y1 + opts.trim)
    }
    const png = new PNG({ width: x1 - x0, height: y1 - y0 })
    for (let y = y0; y < y1; y++)
      this.rgba.copy(png.data, (y - y0) * (x1 - x0) * 4, (y * this.width + x0) * 4, (y * this.width + x1) * 4)
    return PNG.sync.write(png, { colorType: 6 })
  }
}

/** A circle as a polygon (counter-clockwise on screen), `n` sides. */
export function circle(cx: number, cy: number, r: number, n = 96, clockwise = false): Contour {
  const out: Contour = []
  for (let i = 0; i < n; i++) {
    const t = ((clockwise ? -1 : 1) * 2 * Math.PI * i) / n
    out.push(cx + r * Math.cos(t), cy + r * Math.sin(t))
  }
  return out
}

/** A ring (annulus): the outer circle one way round, the inner the other, so non-zero leaves a hole. */
export function ring(cx: number, cy: number, inner: number, outer: number): Contour[] {
  return [circle(cx, cy, outer), circle(cx, cy, inner, 96, true)]
}

/** A stroke of a polyline with width varying along it: quads per segment and round joints. */
export function stroke(
  points: ReadonlyArray<readonly [number, number]>,
  width: (t: number) => number,
): Contour[] {
  const out: Contour[] = []
  const n = points.length
  for (let i = 0; i + 1 < n; i++) {
    const [x0, y0] = points[i] as readonly [number, number]
    const [x1, y1] = points[i + 1] as readonly [number, number]
    const len = Math.hypot(x1 - x0, y1 - y0)
    if (len === 0) continue
    const w0 = width(i / (n - 1)) / 2
    const w1 = width((i + 1) / (n - 1)) / 2
    const nx = -(y1 - y0) / len
    const ny = (x1 - x0) / len
    out.push([
      x0 + nx * w0,
      y0 + ny * w0,
      x1 + nx * w1,
      y1 + ny * w1,
      x1 - nx * w1,
      y1 - ny * w1,
      x0 - nx * w0,
      y0 - ny * w0,
    ])
    out.push(circle(x1, y1, w1, 12))
  }
  return out.map((c) => (signedArea(c) < 0 ? reverse(c) : c))
}

function signedArea(c: Contour): number {
  let a = 0
  for (let i = 0; i + 1 < c.length; i += 2) {
    const j = (i + 2) % c.length
    a += (c[i] as number) * (c[j + 1] as number) - (c[j] as number) * (c[i + 1] as number)
  }
  return a / 2
}

function reverse(c: Contour): Contour {
  const out: Contour = []
  for (let i = c.length - 2; i >= 0; i -= 2) out.push(c[i] as number, c[i + 1] as number)
  return out
}
