import { intersect, type Rect } from './geometry'

/**
 * Where a page draws something other than text: painted paths (rules, tables, boxes, logos),
 * images and shadings, as bounding boxes in user space. Computed from pdf.js's operator list, the
 * page's content interpreted by a well-kept parser (forms, inline images and broken streams
 * included), rather than by rasterising: the service has no canvas, and boxes are what the free-
 * space search needs. A path filled white (a page background, a table cell's fill) draws nothing
 * a signature could cover, so it does not count; clipping is followed, so what a clip hides is
 * not counted either.
 */

type Matrix = [number, number, number, number, number, number]

interface GraphicsState {
  ctm: Matrix
  clip: Rect | undefined
  fillWhite: boolean
  fillAlpha: number
}

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0]

/** outer ∘ inner: what `cm` does to the CTM (ISO 32000-2 §8.4.4). */
function compose(o: Matrix, i: Matrix): Matrix {
  return [
    o[0] * i[0] + o[2] * i[1],
    o[1] * i[0] + o[3] * i[1],
    o[0] * i[2] + o[2] * i[3],
    o[1] * i[2] + o[3] * i[3],
    o[0] * i[4] + o[2] * i[5] + o[4],
    o[1] * i[4] + o[3] * i[5] + o[5],
  ]
}

function asMatrix(v: unknown): Matrix | undefined {
  if (!v || typeof v !== 'object' || !('length' in v)) return undefined
  const a = Array.from(v as ArrayLike<unknown>)
  return a.length === 6 && a.every((n) => typeof n === 'number' && Number.isFinite(n))
    ? (a as Matrix)
    : undefined
}

/** The bounding box of [x0, y0, x1, y1] (in the CTM's source space) on the page. */
function boxUnder(m: Matrix, x0: number, y0: number, x1: number, y1: number): Rect | undefined {
  if (![x0, y0, x1, y1].every(Number.isFinite)) return undefined
  const pts = [
    [x0, y0],
    [x1, y0],
    [x0, y1],
    [x1, y1],
  ].map(([x = 0, y = 0]) => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]] as const)
  const xs = pts.map((p) => p[0])
  const ys = pts.map((p) => p[1])
  const x = Math.min(...xs)
  const y = Math.min(...ys)
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y }
}

function numbers(v: unknown): number[] {
  return v && typeof v === 'object' && 'length' in v
    ? Array.from(v as ArrayLike<unknown>).filter((n): n is number => typeof n === 'number')
    : []
}

const isWhite = (hex: unknown): boolean =>
  typeof hex === 'string' && /^#f[a-f0-9]f[a-f0-9]f[a-f0-9]$/i.test(hex)

export interface OperatorList {
  fnArray: number[]
  argsArray: unknown[]
}

/**
 * Boxes of everything painted by an operator list (user space), clipped to what is visible.
 * `ops` is pdf.js's OPS table; `view` the crop box (the first clip).
 */
export function drawnAreas(
  list: OperatorList,
  ops: Record<string, number>,
  view: Rect,
  budget = 200_000,
): Rect[] {
  const op = (name: string): number => ops[name] ?? -1
  const PAINT = new Set(
    [
      'stroke',
      'closeStroke',
      'fill',
      'eoFill',
      'fillStroke',
      'eoFillStroke',
      'closeFillStroke',
      'closeEOFillStroke',
    ].map(op),
  )
  const FILL_ONLY = new Set([op('fill'), op('eoFill')])
  const IMAGES = new Set(
    [
      'paintImageXObject',
      'paintInlineImageXObject',
      'paintImageMaskXObject',
      'paintImageXObjectRepeat',
      'paintImageMaskXObjectRepeat',
      'paintSolidColorImageMask',
      'paintInlineImageXObjectGroup',
      'paintImageMaskXObjectGroup',
    ].map(op),
  )
  const out: Rect[] = []
  const stack: GraphicsState[] = []
  let gs: GraphicsState = { ctm: IDENTITY, clip: view, fillWhite: false, fillAlpha: 1 }
  let clipNext = false
  const push = (): void => void stack.push({ ...gs })
  const pop = (): void => {
    gs = stack.pop() ?? gs
  }
  const paint = (box: Rect | undefined): void => {
    const visible = box && gs.clip ? intersect(box, gs.clip) : box
    if (visible) out.push(visible)
  }
  const n = Math.min(list.fnArray.length, budget)
  for (let i = 0; i < n; i++) {
    const fn = list.fnArray[i]
    const args = list.argsArray[i]
    const arg = (k: number): unknown => (Array.isArray(args) ? args[k] : undefined)
    if (fn === op('save')) push()
    else if (fn === op('restore')) pop()
    else if (fn === op('transform')) {
      const m = asMatrix(args)
      if (m) gs.ctm = compose(gs.ctm, m)
    } else if (fn === op('paintFormXObjectBegin') || fn === op('beginGroup')) {
      push()
      const group = arg(0)
      const m = asMatrix(
        fn === op('beginGroup') ? (group as { matrix?: unknown } | undefined)?.matrix : group,
      )
      if (m) gs.ctm = compose(gs.ctm, m)
      const bbox = numbers(fn === op('beginGroup') ? (group as { bbox?: unknown } | undefined)?.bbox : arg(1))
      if (bbox.length === 4) {
        const b = boxUnder(gs.ctm, bbox[0] as number, bbox[1] as number, bbox[2] as number, bbox[3] as number)
        gs.clip = b && gs.clip ? intersect(b, gs.clip) : gs.clip
      }
    } else if (fn === op('paintFormXObjectEnd') || fn === op('endGroup')) pop()
    else if (fn === op('clip') || fn === op('eoClip')) clipNext = true
    else if (fn === op('setFillRGBColor')) gs.fillWhite = isWhite(arg(0))
    else if (fn === op('setFillTransparent')) gs.fillWhite = true
    else if (fn === op('setGState')) {
      for (const entry of Array.isArray(arg(0)) ? (arg(0) as unknown[]) : []) {
        if (Array.isArray(entry) && entry[0] === 'ca' && typeof entry[1] === 'number') gs.fillAlpha = entry[1]
      }
    } else if (fn === op('constructPath')) {
      const paintOp = arg(0)
      const mm = numbers(arg(2))
      const box =
        mm.length === 4
          ? boxUnder(gs.ctm, mm[0] as number, mm[1] as number, mm[2] as number, mm[3] as number)
          : undefined
      if (clipNext) {
        clipNext = false
        gs.clip = box && gs.clip ? intersect(box, gs.clip) : gs.clip
      }
      if (typeof paintOp !== 'number' || !PAINT.has(paintOp)) continue
      if (FILL_ONLY.has(paintOp) && (gs.fillWhite || gs.fillAlpha === 0)) continue
      // A stroke's ink reaches half the line width beyond the path: one point is plenty for rules.
      paint(box && { x: box.x - 1, y: box.y - 1, width: box.width + 2, height: box.height + 2 })
    } else if (fn !== undefined && IMAGES.has(fn)) paint(boxUnder(gs.ctm, 0, 0, 1, 1))
    else if (fn === op('shadingFill')) paint(gs.clip)
  }
  return out
}
