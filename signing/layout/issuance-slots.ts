import { rectToUser, type PageGeometry, type Rect } from './geometry'
import type { TextRun } from './text-lines'

/**
 * Where the records clerk writes the number and the date on a Decree 30 draft (Decree 30/2020,
 * Appendix I, items 4 and 5): the blank of "Số:      /QĐ-SKHCN" and those of "…, ngày    tháng
 * năm 2026", found from the page's text as the signer block is. Plain data (it crosses a worker).
 */
export interface NumberSlot {
  page: number
  /** The blank between "Số:" and the notation, display space, from 0.25 em under the baseline to 0.95 em above. */
  box: Rect
  /** The same in user space (the field's /Rect). */
  rect: Rect
  fontSize: number
  /** What the draft prints after the blank ("/QĐ-SKHCN"): the number is set against it. */
  notation: string
}

export interface DateSlot {
  page: number
  /** From the blank after "ngày" to the end of the last blank, display space. */
  box: Rect
  rect: Rect
  fontSize: number
  /** Display x ranges of the blanks after "ngày", "tháng" and (when the year is blank too) "năm". */
  day: [number, number]
  month: [number, number]
  year?: [number, number]
  /** The year the draft prints after "năm", when it prints one. */
  printedYear?: number
}

export interface IssuanceSlots {
  number?: NumberSlot
  date?: DateSlot
  /** The draft's "Số" line already carries this number: nothing is printed over it. */
  numberFilled?: string
  /** The draft's date line already carries a date. */
  dateFilled?: string
  /** Why a line was not usable (dots instead of a blank, no room, not found). */
  notes: string[]
  /**
   * A secrecy mark the first page prints on a line of its own ("MẬT", "TỐI MẬT", "TUYỆT MẬT",
   * Law 29/2018/QH14 Art. 12; stamped under the number): such a document is never processed here.
   */
  secrecyMark?: string
}

interface Word {
  text: string
  x0: number
  x1: number
  baseline: number
  size: number
}

/** Rough advance widths in ems (Times-like), to split a run that holds its own blank spaces. */
function advance(ch: string): number {
  if (/\s/.test(ch)) return 0.25
  if (/[0-9]/.test(ch)) return 0.5
  if (/[.,:;/|!'’-]/.test(ch)) return 0.28
  if (ch === ch.toUpperCase() && ch !== ch.toLowerCase()) return 0.7
  return 0.46
}

/** A row's words with their extents: runs split at spaces, glyph runs joined when they touch. */
export function wordsOf(row: readonly TextRun[]): Word[] {
  const glyphs: Array<{ ch: string; x0: number; x1: number; baseline: number; size: number }> = []
  for (const r of row) {
    const chars = [...r.text]
    const total = chars.reduce((n, c) => n + advance(c), 0) || 1
    const width = r.x1 > r.x0 ? r.x1 - r.x0 : total * r.size
    let x = r.x0
    for (const ch of chars) {
      const w = (advance(ch) / total) * width
      glyphs.push({ ch, x0: x, x1: x + w, baseline: r.baseline, size: r.size })
      x += w
    }
  }
  const words: Word[] = []
  let cur: Word | undefined
  for (const g of glyphs) {
    if (/\s/.test(g.ch)) {
      cur = undefined
      continue
    }
    if (cur && g.x0 - cur.x1 < 0.2 * g.size) {
      cur.text += g.ch
      cur.x1 = Math.max(cur.x1, g.x1)
      continue
    }
    cur = { text: g.ch, x0: g.x0, x1: g.x1, baseline: g.baseline, size: g.size }
    words.push(cur)
  }
  return words
}

const SECRECY_MARKS = ['MẬT', 'TỐI MẬT', 'TUYỆT MẬT']

/** A row's text split into its columns (words more than 1.5 em apart), spaces normalised. */
function columns(words: Word[]): string[] {
  const out: string[] = []
  let cur: Word[] = []
  for (const w of words) {
    const last = cur[cur.length - 1]
    if (last && w.x0 - last.x1 > 1.5 * w.size) {
      out.push(cur.map((x) => x.text).join(' '))
      cur = []
    }
    cur.push(w)
  }
  if (cur.length) out.push(cur.map((x) => x.text).join(' '))
  return out.map((t) => t.normalize('NFC').trim())
}

const lower = (s: string): string => s.normalize('NFC').toLowerCase()
const DOTS = /^[.…_·]{2,}/

function boxOf(x0: number, x1: number, w: Word): Rect {
  return { x: x0, y: w.baseline - 0.25 * w.size, width: Math.max(0, x1 - x0), height: 1.2 * w.size }
}

function numberSlot(words: Word[], page: number, g: PageGeometry, out: IssuanceSlots): boolean {
  const i = words.findIndex(
    (w, k) => /^số\s*:/.test(lower(w.text)) || (lower(w.text) === 'số' && words[k + 1]?.text.startsWith(':')),
  )
  const so = words[i]
  if (!so) return false
  const glued = /^số\s*:\s*(\d.*)$/.exec(so.text.toLowerCase())
  const colon = so.text.includes(':') ? so : words[i + 1]
  const next = words[words.indexOf(colon as Word) + 1]
  if (glued?.[1]) out.numberFilled = so.text.slice(so.text.indexOf(':') + 1)
  else if (next && /^\d/.test(next.text)) out.numberFilled = next.text
  else if (next && DOTS.test(next.text))
    out.notes.push(
      `the "Số" line has dots ("${next.text}"), not a blank: the number is not printed over them`,
    )
  else if (colon && next?.text.startsWith('/')) {
    const box = boxOf(colon.x1, next.x0, colon)
    if (box.width < 0.6 * colon.size) out.notes.push('the "Số" line leaves no blank for the number')
    else out.number = { page, box, rect: rectToUser(g, box), fontSize: colon.size, notation: next.text }
  } else out.notes.push('the "Số" line has no blank before its notation')
  return true
}

/**
 * The year after "năm": on the row, or wrapped under the date line (a narrow column), in the next
 * row down within the line's width (that row may also hold the "Số:" line, in the other column).
 */
function yearAfter(words: Word[], k: number, start: number, below: Word[] | undefined): number | undefined {
  const same = words[k + 1]
  const m = same && /^(\d{4})/.exec(same.text)
  if (m?.[1]) return Number(m[1])
  const end = (words[k] as Word).x1
  const wrapped = below?.find((w) => w.x0 >= start && w.x0 <= end && /^\d{4}\b/.test(w.text))
  return wrapped ? Number(wrapped.text.slice(0, 4)) : undefined
}

function dateSlot(
  words: Word[],
  below: Word[] | undefined,
  page: number,
  g: PageGeometry,
  out: IssuanceSlots,
): boolean {
  const d = words.findIndex(
    (w, i) => lower(w.text) === 'ngày' && words.slice(i + 1, i + 4).some((x) => lower(x.text) === 'tháng'),
  )
  if (d < 0) return false
  const m = words.findIndex((w, i) => i > d && lower(w.text) === 'tháng')
  const y = words.findIndex((w, i) => i > m && lower(w.text) === 'năm')
  const [ngay, thang, nam] = [words[d], words[m], words[y]] as [Word, Word, Word | undefined]
  if (!nam) return false
  const afterDay = words[d + 1] as Word
  if (/^\d/.test(afterDay.text)) {
    out.dateFilled = words
      .slice(d, y + 2)
      .map((w) => w.text)
      .join(' ')
    return true
  }
  if (DOTS.test(afterDay.text)) {
    out.notes.push('the date line has dots, not blanks: the date is not printed over them')
    return true
  }
  const printedYear = yearAfter(words, y, ngay.x0 - 12 * ngay.size, below)
  const yearEnd = nam.x1 + 2.6 * nam.size
  const year: [number, number] | undefined = printedYear === undefined ? [nam.x1, yearEnd] : undefined
  const box = boxOf(ngay.x1, year ? yearEnd : nam.x0, ngay)
  if (thang.x0 - ngay.x1 < 0.6 * ngay.size || nam.x0 - thang.x1 < 0.6 * ngay.size) {
    out.notes.push('the date line leaves no blank for the day or the month')
    return true
  }
  out.date = {
    page,
    box,
    rect: rectToUser(g, box),
    fontSize: ngay.size,
    day: [ngay.x1, thang.x0],
    month: [thang.x1, nam.x0],
    ...(year && { year }),
    ...(printedYear !== undefined && { printedYear }),
  }
  return true
}

/**
 * The number's and the date's blanks on the first page (Decree 30 puts both in the heading, above
 * the title): the first "Số:" line and the first "ngày … tháng … năm" line in the upper half, top
 * down, so that a date quoted in the grounds ("Căn cứ Luật … ngày 22 tháng 6 năm 2023") is never
 * taken. Rows are whole baselines: both lines may share one, in two columns.
 */
export function findIssuanceSlots(
  rows: readonly TextRun[][],
  page: number,
  g: PageGeometry,
  pageHeight: number,
): IssuanceSlots {
  const out: IssuanceSlots = { notes: [] }
  let numberSeen = false
  let dateSeen = false
  const upper = rows.filter((r) => (r[0]?.baseline ?? 0) > pageHeight / 2).map(wordsOf)
  upper.forEach((words, i) => {
    if (!numberSeen) numberSeen = numberSlot(words, page, g, out)
    if (!dateSeen) dateSeen = dateSlot(words, upper[i + 1], page, g, out)
  })
  const mark = upper.flatMap(columns).find((line) => SECRECY_MARKS.includes(line))
  if (mark) out.secrecyMark = mark
  if (!numberSeen) out.notes.push('no "Số:" line in the upper half of the first page')
  if (!dateSeen) out.notes.push('no "ngày … tháng … năm" line in the upper half of the first page')
  return out
}
