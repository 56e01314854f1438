import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { tempDir } from './tools'

/** Renders of issued documents and their drafts, kept by CI as artifacts. */
export const ARTIFACTS = join(__dirname, '../../../test-artifacts')

export interface Rendered {
  width: number
  height: number
  data: Buffer
  dpi: number
  /** The page's height in points (for turning PDF y-up rectangles into rows). */
  pageHeight: number
}

/** One page rendered by poppler's pdftoppm (independent of pdf.js and of our code), kept as `keepAs`. */
export function renderPage(
  pdfFile: string,
  page: number,
  opts: { dpi?: number; keepAs?: string } = {},
): Rendered {
  const dpi = opts.dpi ?? 100
  const dir = tempDir('kyso-render-')
  const base = join(dir, 'p')
  execFileSync('pdftoppm', [
    '-r',
    String(dpi),
    '-f',
    String(page),
    '-l',
    String(page),
    '-singlefile',
    '-png',
    pdfFile,
    base,
  ])
  const file = `${base}.png`
  if (opts.keepAs) {
    mkdirSync(join(ARTIFACTS, 'official'), { recursive: true })
    copyFileSync(file, join(ARTIFACTS, 'official', opts.keepAs))
  }
  const png = PNG.sync.read(readFileSync(file))
  return { width: png.width, height: png.height, data: png.data, dpi, pageHeight: (png.height * 72) / dpi }
}

/**
 * Pixels with ink (any channel darker than 200 of 255) inside a rectangle given in PDF points
 * (origin at the lower left of an unrotated page whose crop box starts at 0, 0), shrunk by `inset`
 * points on every side so that anti-aliasing at its border does not count.
 */
export function inkIn(
  r: Rendered,
  rect: { x: number; y: number; width: number; height: number },
  inset = 1,
): { ink: number; total: number } {
  const k = r.dpi / 72
  const x0 = Math.max(0, Math.floor((rect.x + inset) * k))
  const x1 = Math.min(r.width, Math.ceil((rect.x + rect.width - inset) * k))
  const y0 = Math.max(0, Math.floor((r.pageHeight - rect.y - rect.height + inset) * k))
  const y1 = Math.min(r.height, Math.ceil((r.pageHeight - rect.y - inset) * k))
  let ink = 0
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = (y * r.width + x) * 4
      if ((r.data[p] ?? 255) < 200 || (r.data[p + 1] ?? 255) < 200 || (r.data[p + 2] ?? 255) < 200) ink++
    }
  }
  return { ink, total: Math.max(0, x1 - x0) * Math.max(0, y1 - y0) }
}
