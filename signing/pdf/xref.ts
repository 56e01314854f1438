import { decodeStream } from './filters'
import { PdfDict, PdfName, PdfStream, type PdfValue } from './objects'
import { Lexer, isWhite, unreadable } from './parser'

export type XrefEntry =
  | { type: 0 }
  | { type: 1; offset: number; gen: number }
  | { type: 2; stream: number; index: number }

export interface XrefSection {
  kind: 'table' | 'stream'
  offset: number
  trailer: PdfDict
}

export interface XrefTable {
  entries: Map<number, XrefEntry>
  /** Newest first. */
  sections: XrefSection[]
}

/** More sections than this in a /Prev chain is taken as a loop or an attack. */
const MAX_SECTIONS = 10_000
/** An xref claiming more objects than this is refused (8 million objects is far past real files). */
const MAX_OBJECTS = 8_000_000
const MAX_OBJECT_NUMBER = 2_147_483_647

/** Finds the offset after the last `startxref` keyword (§7.5.5). */
export function findStartxref(buf: Buffer): number {
  const at = buf.lastIndexOf('startxref', buf.length, 'latin1')
  if (at < 0) throw unreadable('no startxref')
  const lx = new Lexer(buf, at + 9)
  lx.skipWhite()
  const n = lx.readRegular()
  if (!/^\d+$/.test(n)) throw unreadable('bad startxref')
  return Number(n)
}

function readTable(buf: Buffer, offset: number, entries: Map<number, XrefEntry>): PdfDict {
  const lx = new Lexer(buf, offset)
  lx.skipWhite()
  lx.pos += 4 // 'xref'
  for (;;) {
    lx.skipWhite()
    const save = lx.pos
    const first = lx.readRegular()
    if (first === 'trailer') break
    if (!/^\d+$/.test(first)) {
      lx.pos = save
      throw unreadable(`bad xref subsection at ${save}`)
    }
    lx.skipWhite()
    const countTok = lx.readRegular()
    if (!/^\d+$/.test(countTok)) throw unreadable('bad xref subsection count')
    const start = Number(first)
    const count = Number(countTok)
    // Counts are bounded (a hostile count must not make us loop for long); a single entry may still
    // bear a number up to 2^31 - 1, the largest a 32-bit reader accepts.
    if (count > MAX_OBJECTS || start + count - 1 > MAX_OBJECT_NUMBER)
      throw unreadable('xref claims too many objects')
    for (let i = 0; i < count; i++) {
      lx.skipWhite()
      const off = lx.readRegular()
      lx.skipWhite()
      const gen = lx.readRegular()
      lx.skipWhite()
      const kind = lx.readRegular()
      if (!/^\d+$/.test(off) || !/^\d+$/.test(gen) || (kind !== 'n' && kind !== 'f'))
        throw unreadable(`bad xref entry for object ${start + i}`)
      const num = start + i
      if (entries.has(num)) continue
      entries.set(num, kind === 'n' ? { type: 1, offset: Number(off), gen: Number(gen) } : { type: 0 })
    }
  }
  const trailer = lx.parseValue()
  if (!(trailer instanceof PdfDict)) throw unreadable('trailer is not a dictionary')
  return trailer
}

function readStreamSection(buf: Buffer, offset: number, entries: Map<number, XrefEntry>): PdfDict {
  const lx = new Lexer(buf, offset)
  if (!lx.readObjectHeader()) throw unreadable(`no xref at ${offset}`)
  const obj = lx.parseIndirectBody(() => undefined)
  if (!(obj instanceof PdfStream) || !(obj.dict.get('Type') instanceof PdfName))
    throw unreadable('xref stream expected')
  const dict = obj.dict
  const w = dict.get('W')
  const size = dict.get('Size')
  if (
    !Array.isArray(w) ||
    w.length < 3 ||
    !w.every((x) => typeof x === 'number' && x >= 0 && x <= 8) ||
    typeof size !== 'number'
  ) {
    throw unreadable('bad xref stream /W or /Size')
  }
  if (size > MAX_OBJECTS) throw unreadable('xref claims too many objects')
  const [w0, w1, w2] = w as [number, number, number]
  const index = dict.get('Index')
  const ranges = Array.isArray(index) ? (index as number[]) : [0, size]
  const data = decodeStream(dict, obj.data)
  const rowLen = w0 + w1 + w2
  const field = (p: number, n: number, dflt: number): number => {
    if (n === 0) return dflt
    let v = 0
    for (let i = 0; i < n; i++) v = v * 256 + (data[p + i] as number)
    return v
  }
  let p = 0
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    const start = ranges[r] as number
    const count = ranges[r + 1] as number
    for (let i = 0; i < count && p + rowLen <= data.length; i++, p += rowLen) {
      const num = start + i
      const type = field(p, w0, 1)
      const f1 = field(p + w0, w1, 0)
      const f2 = field(p + w0 + w1, w2, 0)
      if (entries.has(num)) continue
      if (type === 1) entries.set(num, { type: 1, offset: f1, gen: f2 })
      else if (type === 2) entries.set(num, { type: 2, stream: f1, index: f2 })
      else if (type === 0) entries.set(num, { type: 0 })
    }
  }
  return dict
}

function sectionKindAt(buf: Buffer, offset: number): 'table' | 'stream' | null {
  let p = offset
  while (isWhite(buf[p])) p++
  if (buf.toString('latin1', p, p + 4) === 'xref') return 'table'
  if (new Lexer(buf, p).readObjectHeader()) return 'stream'
  return null
}

/**
 * Reads the chain of cross-reference sections from `startxref` back through /Prev (and /XRefStm
 * of hybrid files, §7.5.8.4), newest entries winning. Offsets that miss are retried relative to
 * the `%PDF-` header, which some producers put after leading junk.
 */
export function readXref(buf: Buffer, startxref: number, headerOffset: number): XrefTable {
  const entries = new Map<number, XrefEntry>()
  const sections: XrefSection[] = []
  const seen = new Set<number>()
  let next: number | undefined = startxref
  while (next !== undefined) {
    if (seen.has(next) || sections.length > MAX_SECTIONS) throw unreadable('xref /Prev chain loops')
    seen.add(next)
    let offset: number = next
    let kind = sectionKindAt(buf, offset)
    if (!kind && headerOffset > 0) {
      offset = next + headerOffset
      kind = sectionKindAt(buf, offset)
    }
    if (!kind) throw unreadable(`no cross-reference section at offset ${next}`)
    const local = new Map<number, XrefEntry>()
    const trailer = kind === 'table' ? readTable(buf, offset, local) : readStreamSection(buf, offset, local)
    sections.push({ kind, offset, trailer })
    const hybrid = trailer.get('XRefStm')
    if (kind === 'table' && typeof hybrid === 'number' && !seen.has(hybrid)) {
      // §7.5.8.4: in a hybrid section the stream's entries stand for objects the table marks free.
      seen.add(hybrid)
      const hidden = new Map<number, XrefEntry>()
      readStreamSection(buf, hybrid + (sectionKindAt(buf, hybrid) ? 0 : headerOffset), hidden)
      for (const [num, e] of hidden) if (local.get(num)?.type !== 1) local.set(num, e)
    }
    for (const [num, e] of local) if (!entries.has(num)) entries.set(num, e)
    const prev: PdfValue | undefined = trailer.get('Prev')
    // '/Prev 0' points at the header, never at an xref: some producers write it for "none".
    next = typeof prev === 'number' && prev > 0 ? prev : undefined
  }
  return { entries, sections }
}

/**
 * Rebuilds the cross-reference table by scanning for `N G obj` headers, as qpdf and poppler do for
 * damaged files. Later definitions win, like later revisions. Objects inside object streams are
 * added by the caller once it can parse those streams.
 */
export function scanObjects(buf: Buffer): Map<number, XrefEntry> {
  const entries = new Map<number, XrefEntry>()
  const text = buf.toString('latin1')
  const re = /(?:^|[\s>\])])(\d{1,10})[ \t\r\n\f\0]+(\d{1,5})[ \t\r\n\f\0]+obj\b/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const num = Number(m[1])
    const start = m.index + m[0].indexOf(m[1] as string)
    entries.set(num, { type: 1, offset: start, gen: Number(m[2]) })
  }
  return entries
}

/**
 * One cross-reference section on its own (not merged with older ones): the validator uses it to
 * see which objects a given revision defines, and where.
 */
export function readSection(
  buf: Buffer,
  offset: number,
): { kind: 'table' | 'stream'; entries: Map<number, XrefEntry>; trailer: PdfDict } | null {
  const kind = sectionKindAt(buf, offset)
  if (!kind) return null
  const entries = new Map<number, XrefEntry>()
  const trailer = kind === 'table' ? readTable(buf, offset, entries) : readStreamSection(buf, offset, entries)
  const hybrid = trailer.get('XRefStm')
  if (kind === 'table' && typeof hybrid === 'number' && sectionKindAt(buf, hybrid) === 'stream') {
    const hidden = new Map<number, XrefEntry>()
    readStreamSection(buf, hybrid, hidden)
    for (const [num, e] of hidden) if (entries.get(num)?.type !== 1) entries.set(num, e)
  }
  return { kind, entries, trailer }
}
