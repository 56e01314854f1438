import { createHash } from 'node:crypto'
import { SigningError } from '../errors'
import { InkCanvas, stroke } from './raster'

/** Decree 30/2020 Appendix I: the competent person's signature image is blue. */
const BLUE = [24, 52, 158] as const

/** A small deterministic generator (mulberry32), seeded from the name: one name, one signature. */
function random(seed: string): () => number {
  let a = createHash('sha256').update(seed).digest().readUInt32BE(0)
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Point = readonly [number, number]

/**
 * The capital, one of three hands picked by the name: a tall looped stem, a wide oval swept from
 * its top, or a zigzag of three strokes.
 */
function capital(x: number, base: number, h: number, rnd: () => number): Point[] {
  const out: Point[] = []
  const kind = Math.floor(rnd() * 3)
  const lean = 0.2 + rnd() * 0.15
  for (let t = 0; t <= 1; t += 0.01) {
    const a = Math.PI * 2 * t
    if (kind === 0) {
      const r = h * (0.5 - 0.15 * t)
      out.push([
        x + lean * h * t + r * 0.45 * Math.sin(a),
        base - h * Math.sin(Math.PI * t) * 0.9 - r * 0.2 * (1 - Math.cos(a)),
      ])
    } else if (kind === 1) {
      const sweep = Math.PI * 2.15 * t - Math.PI / 2
      out.push([
        x + h * 0.42 + h * 0.45 * Math.cos(sweep) + lean * h * t,
        base - h * 0.48 + h * 0.46 * Math.sin(sweep),
      ])
    } else {
      const leg = Math.min(2, Math.floor(t * 3))
      const u = t * 3 - leg
      const up = leg % 2 === 0
      out.push([
        x + h * 0.28 * (leg + u) + lean * h * t,
        base - h * 0.92 * (up ? u : 1 - u) * (leg === 1 ? 0.75 : 1),
      ])
    }
  }
  return out
}

/**
 * The running letters: a prolate cycloid (loops like a cursive "e" or "l"), each loop its own
 * height, the line rising a little as hands do.
 */
function body(x0: number, y0: number, x1: number, h: number, loops: number, rnd: () => number): Point[] {
  const out: Point[] = []
  const turns = loops * 2 * Math.PI
  const advance = (x1 - x0) / turns
  const loopX = advance * (1.2 + rnd() * 0.6)
  const heights = Array.from({ length: loops + 1 }, () => 0.45 + rnd() * 0.7)
  const rise = h * (0.1 + rnd() * 0.25)
  for (let t = 0; t <= turns; t += 0.04) {
    const k = t / (2 * Math.PI)
    const i = Math.floor(k)
    const f = k - i
    const height = (heights[i] ?? 1) * (1 - f) + (heights[i + 1] ?? 1) * f
    const y = y0 - (t / turns) * rise - h * height * 0.5 * (1 - Math.cos(t))
    out.push([x0 + advance * t - loopX * Math.sin(t), y])
  }
  return out
}

/** The flourish: from the end of the name back under it, a long shallow curve. */
function flourish(x0: number, x1: number, y: number, rnd: () => number): Point[] {
  const out: Point[] = []
  const dip = 8 + rnd() * 10
  for (let t = 0; t <= 1; t += 0.01) out.push([x1 - (x1 - x0) * t, y + dip * Math.sin(Math.PI * t) - 14 * t])
  return out
}

export interface SignatureImageOptions {
  /** The person's name: it seeds the strokes (the same name always gives the same signature). */
  name: string
  width?: number
  height?: number
}

/**
 * A demo handwritten-signature image in blue ink on a transparent background (PNG), drawn in code
 * from strokes seeded by the person's name: a capital, running loops, a flourish. For the demo
 * signers only; real users upload their own (PUT /api/me/signature-image).
 */
export function generateSignaturePng(opts: SignatureImageOptions): Buffer {
  const width = opts.width ?? 480
  const height = opts.height ?? 200
  if (typeof opts.name !== 'string' || opts.name.trim().length === 0)
    throw new SigningError('BAD_OPTION', 'name is required')
  if (!(width >= 64 && width <= 4000 && height >= 32 && height <= 4000))
    throw new SigningError('BAD_OPTION', 'size out of range')
  const rnd = random(opts.name.normalize('NFC'))
  const given = opts.name.trim().split(/\s+/).pop() ?? opts.name
  const base = height * 0.66
  const canvas = new InkCanvas(width, height)
  const pen = width / 160
  const pressure = (t: number): number => pen * (0.7 + 0.6 * Math.sin(Math.PI * Math.min(1, t * 1.1)))
  const loops = Math.min(5, Math.max(3, Math.round([...given].length * 0.8)))
  const start = width * 0.08
  const cap = capital(start, base, height * 0.55, rnd)
  const last = cap[cap.length - 1] as Point
  // The pen runs on from where the capital ended down to the line of the small letters.
  const run = [
    last,
    ...body(last[0] + width * 0.02, base, width * (0.72 + rnd() * 0.12), height * 0.38, loops, rnd),
  ]
  const end = run[run.length - 1] as Point
  const sweep = flourish(width * (0.08 + rnd() * 0.1), end[0] + width * 0.06, base + height * 0.12, rnd)
  canvas.fill(
    [...stroke(cap, pressure), ...stroke(run, pressure), ...stroke(sweep, (t) => pen * (1.1 - 0.7 * t))],
    BLUE,
  )
  return canvas.toPng({ trim: Math.round(pen * 2) })
}
