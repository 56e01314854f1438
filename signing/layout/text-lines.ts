import { pointToDisplay, rectToUser, type PageGeometry, type Rect } from './geometry'
import { decode, detectEncoding, type TextEncoding } from './legacy-encodings'
import type { PdfJsTextItem } from './pdfjs'

/** One line of text as a reader sees it on the page. */
export interface TextLine {
  /** NFC text, its runs joined (with a space where the gap is wider than a fifth of an em). */
  text: string
  /** Where it is, displayed (rotation applied): from 0.25 em below the baseline to 0.95 em above. */
  box: Rect
  /** The same box in user space (what a widget's /Rect or a content stream uses). */
  rect: Rect
  /** Display y of the baseline. */
  baseline: number
  fontSize: number
  /** How many runs the producer wrote it in (Word: often one per word or glyph). */
  runs: number
  /** 'tcvn3' or 'vni' when the text was decoded from those fonts' codes. */
  encoding: TextEncoding
  /** False for text that is not upright on the displayed page (a vertical margin note, a stamp). */
  upright: boolean
}

interface Run {
  text: string
  x0: number
  x1: number
  baseline: number
  size: number
  font: string
  upright: boolean
  box: Rect
}

const ASCENT = 0.95
const DESCENT = 0.25

/** Each pdf.js text item placed in display space. */
function runsOf(items: readonly PdfJsTextItem[], g: PageGeometry): Run[] {
  const runs: Run[] = []
  for (const item of items) {
    const t = item.transform
    if (typeof item.str !== 'string' || item.str.length === 0 || !Array.isArray(t) || t.length < 6) continue
    const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = t
    const size = Math.hypot(c, d) || Math.hypot(a, b) || (item.height ?? 0)
    const length = item.width ?? 0
    if (!(size > 0) || !Number.isFinite(size) || !Number.isFinite(length)) continue
    const [X, Y] = pointToDisplay(g, e, f)
    const ux = a / (Math.hypot(a, b) || 1)
    const uy = b / (Math.hypot(a, b) || 1)
    const [ex, ey] = pointToDisplay(g, e + ux * length, f + uy * length)
    const dx = ex - X
    const dy = ey - Y
    const upright = length === 0 ? true : dx > 0 && Math.abs(dy) < 0.1 * Math.abs(dx)
    // The box's other corners: the ascent and descent perpendicular to the writing direction.
    const [px, py] = pointToDisplay(g, e - uy * size * ASCENT, f + ux * size * ASCENT)
    const [qx, qy] = pointToDisplay(g, e + uy * size * DESCENT, f - ux * size * DESCENT)
    const xs = [X, ex, px, qx, px + dx, qx + dx]
    const ys = [Y, ey, py, qy, py + dy, qy + dy]
    const box = {
      x: Math.min(...xs),
      y: Math.min(...ys),
      width: Math.max(...xs) - Math.min(...xs),
      height: Math.max(...ys) - Math.min(...ys),
    }
    runs.push({
      text: item.str,
      x0: X,
      x1: X + Math.max(dx, 0),
      baseline: Y,
      size,
      font: item.fontName ?? '',
      upright,
      box,
    })
  }
  return runs
}

/** Groups upright runs into rows by baseline, then splits rows into lines at wide gaps (columns). */
function group(runs: Run[]): Run[][] {
  const upright = runs.filter((r) => r.upright).sort((p, q) => q.baseline - p.baseline || p.x0 - q.x0)
  const rows: Run[][] = []
  for (const run of upright) {
    const row = rows[rows.length - 1]
    const first = row?.[0]
    if (row && first && Math.abs(first.baseline - run.baseline) <= 0.35 * Math.min(first.size, run.size))
      row.push(run)
    else rows.push([run])
  }
  const lines: Run[][] = []
  for (const row of rows) {
    row.sort((p, q) => p.x0 - q.x0)
    let line: Run[] = []
    let right = -Infinity
    for (const run of row) {
      const blank = run.text.trim().length === 0
      if (line.length > 0 && !blank && run.x0 - right > 1.5 * Math.max(run.size, line[0]?.size ?? 0)) {
        lines.push(line)
        line = []
      }
      line.push(run)
      if (!blank) right = Math.max(right, run.x1)
    }
    if (line.length > 0) lines.push(line)
  }
  return lines
    .map((l) => l.filter((r, i) => r.text.trim().length > 0 || (i > 0 && i < l.length - 1)))
    .filter((l) => l.length > 0)
}

/** The runs' text joined: a space where the producer left a gap instead of writing one. */
function joinRuns(runs: Run[], encodings: ReadonlyMap<string, TextEncoding>): string {
  let text = ''
  let prev: Run | undefined
  for (const run of runs) {
    const piece = decode(run.text, encodings.get(run.font) ?? 'unicode')
    if (
      prev &&
      run.x0 - prev.x1 > 0.2 * Math.min(prev.size, run.size) &&
      !/\s$/.test(text) &&
      !/^\s/.test(piece)
    )
      text += ' '
    text += piece
    prev = run
  }
  return normalise(text)
}

/** Typographic ligatures spelled out (what pdf.js's own NFKC step did), then NFC, spaces collapsed. */
const LIGATURES: Record<string, string> = {
  '\ufb00': 'ff',
  '\ufb01': 'fi',
  '\ufb02': 'fl',
  '\ufb03': 'ffi',
  '\ufb04': 'ffl',
  '\ufb05': 'st',
  '\ufb06': 'st',
}
function normalise(text: string): string {
  return text
    .replace(/[\ufb00-\ufb06]/g, (c) => LIGATURES[c] ?? c)
    .normalize('NFC')
    .replace(/[\s\u00a0]+/g, ' ')
    .trim()
}

/** Per font: the decoding its text needs (fonts of one file may differ: a TCVN3 heading, Unicode body). */
function encodingsOf(runs: readonly Run[]): Map<string, TextEncoding> {
  const samples = new Map<string, string>()
  for (const r of runs) samples.set(r.font, `${samples.get(r.font) ?? ''} ${r.text}`)
  return new Map([...samples].map(([font, sample]) => [font, detectEncoding(sample)]))
}

function unionBox(boxes: readonly Rect[]): Rect {
  const x = Math.min(...boxes.map((b) => b.x))
  const y = Math.min(...boxes.map((b) => b.y))
  return {
    x,
    y,
    width: Math.max(...boxes.map((b) => b.x + b.width)) - x,
    height: Math.max(...boxes.map((b) => b.y + b.height)) - y,
  }
}

/**
 * Lines of text from pdf.js text items: runs joined whatever the producer split them into (one run
 * per glyph or word, as Word often writes), NFC-normalised (decomposed Vietnamese becomes
 * precomposed), TCVN3 or VNI decoded per font. Top to bottom, left to right, in display space.
 */
export function textLinesOf(items: readonly PdfJsTextItem[], g: PageGeometry): TextLine[] {
  const runs = runsOf(items, g)
  const encodings = encodingsOf(runs)
  const out: TextLine[] = []
  for (const line of group(runs)) {
    const text = joinRuns(line, encodings)
    if (!text) continue
    const visible = line.filter((r) => r.text.trim().length > 0)
    const box = unionBox(visible.map((r) => r.box))
    const used = new Set(visible.map((r) => encodings.get(r.font) ?? 'unicode'))
    out.push({
      text,
      box,
      rect: rectToUser(g, box),
      baseline: visible[0]?.baseline ?? box.y,
      fontSize: Math.max(...visible.map((r) => r.size)),
      runs: visible.length,
      encoding: used.has('tcvn3') ? 'tcvn3' : used.has('vni') ? 'vni' : 'unicode',
      upright: true,
    })
  }
  for (const r of runs.filter((run) => !run.upright && run.text.trim().length > 0)) {
    const text = normalise(decode(r.text, encodings.get(r.font) ?? 'unicode'))
    out.push({
      text,
      box: r.box,
      rect: rectToUser(g, r.box),
      baseline: r.baseline,
      fontSize: r.size,
      runs: 1,
      encoding: encodings.get(r.font) ?? 'unicode',
      upright: false,
    })
  }
  return out
}

/** A run of text as drawn: decoded to NFC, in display space (what issue 13's slot search reads). */
export interface TextRun {
  text: string
  /** Display x where the run starts and ends, its baseline, its font size. */
  x0: number
  x1: number
  baseline: number
  size: number
}

/**
 * The upright runs of a page grouped into rows by baseline, left to right, top row first, before
 * lines are split at wide gaps: the "Số:" line's blank is such a gap, and so may the date line's be.
 */
export function textRowsOf(items: readonly PdfJsTextItem[], g: PageGeometry): TextRun[][] {
  const runs = runsOf(items, g)
  const encodings = encodingsOf(runs)
  const upright = runs.filter((r) => r.upright).sort((p, q) => q.baseline - p.baseline || p.x0 - q.x0)
  const rows: Run[][] = []
  for (const run of upright) {
    const row = rows[rows.length - 1]
    const first = row?.[0]
    if (row && first && Math.abs(first.baseline - run.baseline) <= 0.35 * Math.min(first.size, run.size))
      row.push(run)
    else rows.push([run])
  }
  return rows.map((row) =>
    row
      .sort((p, q) => p.x0 - q.x0)
      .map((r) => ({
        text: decode(r.text, encodings.get(r.font) ?? 'unicode').normalize('NFC'),
        x0: r.x0,
        x1: r.x1,
        baseline: r.baseline,
        size: r.size,
      })),
  )
}

/** Letters, digits, punctuation and spaces of Latin script: what readable text is made of. */
const PLAIN = /[\p{Script=Latin}\p{Nd}\p{P}\p{Zs}\p{Sc}\p{Sm}°§©®]/u

/**
 * Whether the page's text can be used: 'no-text' for a page without any (a scan), 'unreadable'
 * when most of what is there maps to no Latin letter (glyphs without a usable ToUnicode map come
 * out as control characters, private-use code points or another script).
 */
export function readability(lines: readonly TextLine[]): 'ok' | 'no-text' | 'unreadable' {
  const chars = [...lines.map((l) => l.text).join('')].filter((c) => c.trim().length > 0)
  if (chars.length === 0) return 'no-text'
  const plain = chars.filter((c) => PLAIN.test(c)).length
  return plain / chars.length >= 0.8 ? 'ok' : 'unreadable'
}
