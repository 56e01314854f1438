import type { OccupancyGrid } from './free-space'
import type { Rect } from './geometry'
import type { SignerBlock } from './signer-block'

/** A handwritten signature is about two and a half times as wide as it is high. */
const SIGNATURE_ASPECT = 2.4
/** Taller than about 3 cm a signature looks odd, however much room the block leaves. */
const MAX_SIGNATURE_HEIGHT = 90
/** Kept from the title above and the name below (more than the grid's margin around ink). */
const PAD = 3

/**
 * The handwritten signature's rectangle: centred between the title lines and the name of the
 * signer block (Decree 30/2020 Appendix I), as high as the blank space allows, as wide as the
 * image's proportions ask (bounded by the block's column). Shrunk about its centre if ink lies
 * in the way (a stamp, a drawn line).
 */
export function signatureInBlock(block: SignerBlock, grid: OccupancyGrid, aspect = SIGNATURE_ASPECT): Rect {
  const space = block.space
  const ratio = Number.isFinite(aspect) && aspect > 0.2 && aspect < 20 ? aspect : SIGNATURE_ASPECT
  const maxWidth = Math.min(240, Math.max(120, space.width + 60))
  let height = Math.max(8, Math.min(space.height - 2 * PAD, MAX_SIGNATURE_HEIGHT))
  const width = Math.min(maxWidth, height * ratio)
  height = width / ratio
  const cx = Math.min(Math.max(space.x + space.width / 2, width / 2 + 2), grid.width - width / 2 - 2)
  const cy = space.y + space.height / 2
  let rect = { x: cx - width / 2, y: cy - height / 2, width, height }
  for (let scale = 0.9; !grid.isFree(rect) && scale >= 0.5; scale -= 0.1) {
    rect = {
      x: cx - (width * scale) / 2,
      y: cy - (height * scale) / 2,
      width: width * scale,
      height: height * scale,
    }
  }
  return rect
}

/**
 * The seal at its real diameter, over the left third of the signature image (Decree 30/2020
 * Appendix I: "trùm lên khoảng 1/3 chữ ký về phía bên trái"), vertically centred on it, kept
 * inside the page.
 */
export function sealBeside(signature: Rect, diameter: number, page: { width: number; height: number }): Rect {
  const d = Math.min(diameter, page.width - 4, page.height - 4)
  const x = signature.x + signature.width / 3 - d
  const y = signature.y + signature.height / 2 - d / 2
  return {
    x: Math.min(Math.max(x, 2), page.width - d - 2),
    y: Math.min(Math.max(y, 2), page.height - d - 2),
    width: d,
    height: d,
  }
}

/** Initials sizes from roomy to the smallest still legible (1,440 pt² down to 416 pt²). */
const INITIALS = [
  [60, 24],
  [52, 21],
  [45, 18],
  [38, 15],
  [32, 13],
] as const

/**
 * Room for initials after a line (the end mark's, or the last line of "Nơi nhận"): right after its
 * text, as high on the line as the ink around allows (sliding down into the space under the line
 * when the line above reaches lower), then a little further right, then just below the line's
 * end. Undefined when none of these is free at any legible size.
 */
export function initialsSlot(line: Rect, grid: OccupancyGrid): Rect | undefined {
  const right = line.x + line.width
  const top = line.y + line.height
  for (const [width, height] of INITIALS) {
    for (const x of [right + 6, right + 18, right + 30, right + 42]) {
      // From level with the line down to just under it, a point at a time.
      for (let y = top - height; y >= line.y - height - PAD; y -= 1) {
        const rect = { x, y, width, height }
        if (grid.isFree(rect)) return rect
      }
    }
    for (const x of [right - width, line.x]) {
      const rect = { x, y: line.y - height - PAD, width, height }
      if (grid.isFree(rect)) return rect
    }
  }
  return undefined
}
