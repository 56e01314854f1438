import { randomBytes } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import type { PdfDocument } from './document'
import { PdfDict, PdfRef, PdfStream, PdfString, name, type PdfValue } from './objects'
import { serializeValue, writeObject } from './serialize'
import { findStartxref, type XrefEntry } from './xref'
import { SigningError } from '../errors'

/**
 * One incremental update (ISO 32000-2 §7.5.6): new and changed objects appended after the exact
 * bytes of the input, then a cross-reference section of the same kind as the newest one (a table
 * after a table, a stream after a stream) whose trailer keeps /Root, /Info and /ID and points back
 * with /Prev. Earlier bytes are never touched, so earlier signatures stay valid.
 *
 * When the input's xref was damaged and rebuilt by scanning, the section written here lists every
 * object and has no /Prev: the signed file then stands on a sound xref without rewriting a byte.
 */
export class IncrementalUpdate {
  private nextNum: number
  /** Numbers never used by the file, lowest first, when new numbers would pass the readers' limit. */
  private gaps: Generator<number> | undefined
  private readonly objects = new Map<number, { gen: number; value: PdfValue }>()
  /** Whether the section written must list every object: the file's own xref was rebuilt. */
  private readonly complete: boolean
  /**
   * Where the offsets this revision writes count from: the `%PDF-` header when the file counts
   * from it (bytes before the header; qpdf and the PDF 2.0 "offset start" example do), else 0.
   */
  private readonly offsetBase: number

  constructor(readonly doc: PdfDocument) {
    this.nextNum = doc.nextObjectNumber
    // ISO 32000-1 Annex C: 8,388,607 indirect objects; readers store numbers in 32-bit integers.
    // A file already numbering near that limit gets its new objects from numbers it never used.
    if (this.nextNum + HEADROOM > MAX_OBJECT_NUMBER) this.gaps = unusedNumbers(doc)
    this.complete = doc.repaired
    // One convention in the whole file: a file whose offsets count from its header keeps counting
    // so; a rebuilt one with bytes before the header gets header-relative offsets throughout.
    this.offsetBase = doc.headerRelative || (doc.repaired && doc.headerOffset > 0) ? doc.headerOffset : 0
  }

  /** Registers a new indirect object and returns its reference. */
  add(value: PdfValue): PdfRef {
    const num = this.gaps ? this.fromGap() : this.nextNum++
    this.objects.set(num, { gen: 0, value })
    return new PdfRef(num, 0)
  }

  private fromGap(): number {
    const next = (this.gaps as Generator<number>).next()
    if (next.done)
      throw new SigningError(
        'PDF_OBJECT_NUMBERS_EXHAUSTED',
        'the file has no object number left for a signature',
      )
    return next.value
  }

  /** Reserves a number now and fills the value later (for objects that refer to each other). */
  reserve(): PdfRef {
    return this.add(null)
  }

  /** Replaces an existing object (or a reserved one) in this revision. */
  set(ref: PdfRef, value: PdfValue): void {
    this.objects.set(ref.num, { gen: ref.gen, value })
  }

  /** The object as this revision will see it: our new value if changed, else the document's. */
  get(ref: PdfRef): PdfValue {
    const mine = this.objects.get(ref.num)
    return mine ? mine.value : this.doc.get(ref)
  }

  /** The whole new file: input bytes, then this revision. */
  write(): Buffer {
    const base = this.doc.bytes
    const last = base[base.length - 1]
    const parts: Buffer[] = [base]
    let pos = base.length
    if (last !== 0x0a && last !== 0x0d) {
      parts.push(Buffer.from('\n'))
      pos++
    }
    const offsets = new Map<number, { offset: number; gen: number }>()
    for (const num of [...this.objects.keys()].sort((a, b) => a - b)) {
      const o = this.objects.get(num) as { gen: number; value: PdfValue }
      const bytes = writeObject(num, o.gen, o.value)
      offsets.set(num, { offset: pos, gen: o.gen })
      parts.push(bytes)
      pos += bytes.length
    }
    parts.push(this.xrefSection(offsets, pos))
    return Buffer.concat(parts)
  }

  private trailerEntries(size: number): PdfDict {
    const old = this.doc.trailer
    const oldSize = old.get('Size')
    const t = new PdfDict({
      Size: Math.max(size, typeof oldSize === 'number' ? oldSize : 0),
      Root: old.get('Root'),
      Info: old.get('Info'),
    })
    const id = old.get('ID')
    if (Array.isArray(id) && id.length === 2) t.set('ID', id)
    else {
      const fresh = new PdfString(randomBytes(16), true)
      t.set('ID', [fresh, fresh])
    }
    if (!this.complete) t.set('Prev', findStartxref(this.doc.bytes))
    return t
  }

  /** Every entry the section must list: only ours normally, all objects after a repair. */
  private sectionEntries(ours: Map<number, { offset: number; gen: number }>): Map<number, XrefEntry> {
    const all = new Map<number, XrefEntry>()
    if (this.complete) {
      all.set(0, { type: 0 })
      for (const [num, e] of this.doc.entries) {
        all.set(
          num,
          e.type === 1 ? { ...e, offset: this.doc.absoluteOffset(num, e.offset) - this.offsetBase } : e,
        )
      }
    }
    for (const [num, o] of ours) all.set(num, { type: 1, offset: o.offset - this.offsetBase, gen: o.gen })
    return all
  }

  private xrefSection(ours: Map<number, { offset: number; gen: number }>, pos: number): Buffer {
    const entries = this.sectionEntries(ours)
    const compressed = [...entries.values()].some((e) => e.type === 2)
    if (this.doc.lastSectionKind === 'stream' || compressed) return this.xrefStream(entries, pos)
    const nums = [...entries.keys()].sort((a, b) => a - b)
    const size = Math.max(this.nextNum, (nums[nums.length - 1] ?? 0) + 1, this.doc.nextObjectNumber)
    let out = 'xref\n'
    for (const run of runs(nums)) {
      out += `${run[0]} ${run.length}\n`
      for (const num of run) {
        const e = entries.get(num) as XrefEntry
        out +=
          e.type === 1
            ? `${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} n\r\n`
            : `0000000000 65535 f\r\n`
      }
    }
    const trailer = this.trailerEntries(size)
    return Buffer.from(
      `${out}trailer\n${serializeValue(trailer)}\nstartxref\n${pos - this.offsetBase}\n%%EOF\n`,
      'latin1',
    )
  }

  private xrefStream(entries: Map<number, XrefEntry>, pos: number): Buffer {
    const selfNum = this.gaps ? this.fromGap() : this.nextNum
    entries.set(selfNum, { type: 1, offset: pos - this.offsetBase, gen: 0 })
    const nums = [...entries.keys()].sort((a, b) => a - b)
    const size = Math.max(selfNum + 1, this.doc.nextObjectNumber)
    const index: number[] = []
    const rows: Buffer[] = []
    for (const run of runs(nums)) {
      index.push(run[0] as number, run.length)
      for (const num of run) {
        const e = entries.get(num) as XrefEntry
        const row = Buffer.alloc(7)
        if (e.type === 1) {
          row[0] = 1
          row.writeUInt32BE(e.offset, 1)
          row.writeUInt16BE(Math.min(e.gen, 0xffff), 5)
        } else if (e.type === 2) {
          row[0] = 2
          row.writeUInt32BE(e.stream, 1)
          row.writeUInt16BE(e.index, 5)
        }
        rows.push(row)
      }
    }
    const dict = this.trailerEntries(size)
    dict.set('Type', name('XRef')).set('W', [1, 4, 2]).set('Index', index).set('Filter', name('FlateDecode'))
    const body = writeObject(selfNum, 0, new PdfStream(dict, deflateSync(Buffer.concat(rows))))
    return Buffer.concat([body, Buffer.from(`startxref\n${pos - this.offsetBase}\n%%EOF\n`, 'latin1')])
  }
}

/** Object numbers past this are beyond what readers accept (ISO 32000-1 Annex C, 32-bit ints). */
const MAX_OBJECT_NUMBER = 8_388_607
/** A signature revision writes a few dozen objects; this leaves room for far more. */
const HEADROOM = 10_000

/** Numbers from 1 up that no xref section of the file mentions (free entries included). */
function* unusedNumbers(doc: PdfDocument): Generator<number> {
  for (let n = 1; n < MAX_OBJECT_NUMBER; n++) if (!doc.entries.has(n)) yield n
}

/** Splits sorted numbers into runs of consecutive values (xref subsections). */
function runs(nums: number[]): number[][] {
  const out: number[][] = []
  for (const n of nums) {
    const cur = out[out.length - 1]
    if (cur && cur[cur.length - 1] === n - 1) cur.push(n)
    else out.push([n])
  }
  return out
}
