import type { Rect } from './geometry'

/**
 * A page's occupied areas on a grid of small cells (display space), with a summed-area table so
 * that "is this rectangle free?" and "how much of it is taken?" cost four lookups each.
 */
export class OccupancyGrid {
  readonly cols: number
  readonly rows: number
  private cells: Uint8Array
  private sums: Float64Array | undefined

  constructor(
    readonly width: number,
    readonly height: number,
    occupied: readonly Rect[],
    /** Ink is kept at least this far from a signature (points). */
    readonly margin = 2,
    readonly cell = 2,
  ) {
    this.cols = Math.max(1, Math.ceil(width / cell))
    this.rows = Math.max(1, Math.ceil(height / cell))
    this.cells = new Uint8Array(this.cols * this.rows)
    for (const r of occupied) this.mark(r)
  }

  /** Marks a rectangle as taken (an appearance already placed counts like ink). */
  mark(r: Rect): void {
    const m = this.margin
    const c0 = Math.max(0, Math.floor((r.x - m) / this.cell))
    const c1 = Math.min(this.cols, Math.ceil((r.x + r.width + m) / this.cell))
    const r0 = Math.max(0, Math.floor((r.y - m) / this.cell))
    const r1 = Math.min(this.rows, Math.ceil((r.y + r.height + m) / this.cell))
    for (let row = r0; row < r1; row++)
      this.cells.fill(1, row * this.cols + c0, row * this.cols + Math.max(c0, c1))
    this.sums = undefined
  }

  private table(): Float64Array {
    if (this.sums) return this.sums
    const w = this.cols + 1
    const s = new Float64Array(w * (this.rows + 1))
    for (let row = 0; row < this.rows; row++) {
      let line = 0
      for (let col = 0; col < this.cols; col++) {
        line += this.cells[row * this.cols + col] ?? 0
        s[(row + 1) * w + col + 1] = (s[row * w + col + 1] ?? 0) + line
      }
    }
    this.sums = s
    return s
  }

  /** Taken cells under `r` (cells partly covered by `r` count). */
  takenCells(r: Rect): number {
    const s = this.table()
    const w = this.cols + 1
    const c0 = Math.max(0, Math.floor(r.x / this.cell))
    const c1 = Math.min(this.cols, Math.ceil((r.x + r.width) / this.cell))
    const r0 = Math.max(0, Math.floor(r.y / this.cell))
    const r1 = Math.min(this.rows, Math.ceil((r.y + r.height) / this.cell))
    if (c1 <= c0 || r1 <= r0) return 0
    return (s[r1 * w + c1] ?? 0) - (s[r0 * w + c1] ?? 0) - (s[r1 * w + c0] ?? 0) + (s[r0 * w + c0] ?? 0)
  }

  isFree(r: Rect): boolean {
    return (
      r.x >= 0 &&
      r.y >= 0 &&
      r.x + r.width <= this.width &&
      r.y + r.height <= this.height &&
      this.takenCells(r) === 0
    )
  }

  /** The share of `r` that is taken, 0 to 1. */
  takenShare(r: Rect): number {
    const total = Math.ceil(r.width / this.cell) * Math.ceil(r.height / this.cell)
    return total > 0 ? this.takenCells(r) / total : 1
  }
}

export interface Search {
  /** Where the rectangle should preferably be (its centre): the nearest candidate wins. */
  target: [number, number]
  /** Only inside this region (display space). */
  region: Rect
  step?: number
}

/** Every position of a `size` rectangle inside the region, on a `step` grid, nearest the target first. */
function candidates(size: { width: number; height: number }, s: Search): Rect[] {
  const step = s.step ?? 3
  const out: Array<{ r: Rect; d: number }> = []
  const { region } = s
  for (let y = region.y; y + size.height <= region.y + region.height + 0.001; y += step) {
    for (let x = region.x; x + size.width <= region.x + region.width + 0.001; x += step) {
      const cx = x + size.width / 2 - s.target[0]
      const cy = y + size.height / 2 - s.target[1]
      out.push({ r: { x, y, ...size }, d: cx * cx + cy * cy })
    }
  }
  return out.sort((a, b) => a.d - b.d).map((c) => c.r)
}

/** The free position nearest the target, or undefined when there is none of that size. */
export function findFree(
  grid: OccupancyGrid,
  size: { width: number; height: number },
  s: Search,
): Rect | undefined {
  return candidates(size, s).find((r) => grid.isFree(r))
}

/** The position with the least ink under it (nearest the target among equals): the last resort. */
export function findEmptiest(
  grid: OccupancyGrid,
  size: { width: number; height: number },
  s: Search,
): { rect: Rect; takenShare: number } | undefined {
  let best: { rect: Rect; takenShare: number } | undefined
  for (const r of candidates(size, s)) {
    const share = grid.takenShare(r)
    if (!best || share < best.takenShare - 1e-9) best = { rect: r, takenShare: share }
    if (share === 0) break
  }
  return best
}
