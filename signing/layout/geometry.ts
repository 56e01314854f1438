/**
 * Rectangles on a page, in the two spaces placement works in:
 *  - user space: PDF points as the page's content stream and a widget's /Rect use them;
 *  - display space: the page as the reader sees it, /Rotate applied (ISO 32000-2 §7.7.3.3: the
 *    page is turned clockwise by /Rotate), origin at the lower left of the crop box, y up.
 * "Below the title", "right of the end mark" and "upright" only make sense in display space.
 */

/** An axis-aligned rectangle: lower-left corner, width and height, in points. */
export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export type Rotation = 0 | 90 | 180 | 270

/** What placement needs of a page: its crop box (user space) and its rotation. */
export interface PageGeometry {
  view: Rect
  rotate: Rotation
}

/** /Rotate as one of the four quarter turns (a multiple of 90 per §7.7.3.3; anything else is 0). */
export function normaliseRotation(value: unknown): Rotation {
  if (typeof value !== 'number' || !Number.isInteger(value) || value % 90 !== 0) return 0
  return (((value % 360) + 360) % 360) as Rotation
}

/** The page's size as displayed (width and height swap on a quarter turn). */
export function displaySize(g: PageGeometry): { width: number; height: number } {
  const turned = g.rotate === 90 || g.rotate === 270
  return { width: turned ? g.view.height : g.view.width, height: turned ? g.view.width : g.view.height }
}

/** A user-space point as displayed. */
export function pointToDisplay(g: PageGeometry, x: number, y: number): [number, number] {
  const { x: x1, y: y1, width, height } = g.view
  const x2 = x1 + width
  const y2 = y1 + height
  switch (g.rotate) {
    case 90:
      return [y - y1, x2 - x]
    case 180:
      return [x2 - x, y2 - y]
    case 270:
      return [y2 - y, x - x1]
    default:
      return [x - x1, y - y1]
  }
}

/** A displayed point back in user space (the inverse of pointToDisplay). */
export function pointToUser(g: PageGeometry, X: number, Y: number): [number, number] {
  const { x: x1, y: y1, width, height } = g.view
  const x2 = x1 + width
  const y2 = y1 + height
  switch (g.rotate) {
    case 90:
      return [x2 - Y, y1 + X]
    case 180:
      return [x2 - X, y2 - Y]
    case 270:
      return [x1 + Y, y2 - X]
    default:
      return [x1 + X, y1 + Y]
  }
}

function boundsOf(points: Array<[number, number]>): Rect {
  const xs = points.map((p) => p[0])
  const ys = points.map((p) => p[1])
  const x = Math.min(...xs)
  const y = Math.min(...ys)
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y }
}

const corners = (r: Rect): Array<[number, number]> => [
  [r.x, r.y],
  [r.x + r.width, r.y],
  [r.x, r.y + r.height],
  [r.x + r.width, r.y + r.height],
]

export function rectToDisplay(g: PageGeometry, r: Rect): Rect {
  return boundsOf(corners(r).map(([x, y]) => pointToDisplay(g, x, y)))
}

export function rectToUser(g: PageGeometry, r: Rect): Rect {
  return boundsOf(corners(r).map(([x, y]) => pointToUser(g, x, y)))
}

/**
 * The /Matrix of an appearance drawn upright in display space (width x height as the reader sees
 * it) so that it shows upright on a page turned by `rotate` (ISO 32000-2 §12.5.5: the form's
 * bounding box, transformed by /Matrix, is fitted to the widget's /Rect).
 */
export function uprightMatrix(rotate: Rotation, width: number, height: number): number[] {
  switch (rotate) {
    case 90:
      return [0, 1, -1, 0, height, 0]
    case 180:
      return [-1, 0, 0, -1, width, height]
    case 270:
      return [0, -1, 1, 0, 0, width]
    default:
      return [1, 0, 0, 1, 0, 0]
  }
}

export function overlaps(a: Rect, b: Rect, margin = 0): boolean {
  return (
    a.x < b.x + b.width + margin &&
    b.x < a.x + a.width + margin &&
    a.y < b.y + b.height + margin &&
    b.y < a.y + a.height + margin
  )
}

/** The area two rectangles share (0 when apart). */
export function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? w * h : 0
}

export function contains(outer: Rect, inner: Rect, tolerance = 0.01): boolean {
  return (
    inner.x >= outer.x - tolerance &&
    inner.y >= outer.y - tolerance &&
    inner.x + inner.width <= outer.x + outer.width + tolerance &&
    inner.y + inner.height <= outer.y + outer.height + tolerance
  )
}

export function intersect(a: Rect, b: Rect): Rect | undefined {
  const x = Math.max(a.x, b.x)
  const y = Math.max(a.y, b.y)
  const width = Math.min(a.x + a.width, b.x + b.width) - x
  const height = Math.min(a.y + a.height, b.y + b.height) - y
  return width > 0 && height > 0 ? { x, y, width, height } : undefined
}

/** Rounded to 1/100 pt, as the rectangles are written into the file and the API. */
export function roundRect(r: Rect): Rect {
  const q = (v: number): number => Math.round(v * 100) / 100
  return { x: q(r.x), y: q(r.y), width: q(r.width), height: q(r.height) }
}
