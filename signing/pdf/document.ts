import { SigningError } from '../errors'
import { decodeStream } from './filters'
import { PdfDict, type PdfName, PdfRef, PdfStream, type PdfValue } from './objects'
import { Lexer, unreadable } from './parser'
import { findStartxref, readXref, scanObjects, type XrefEntry, type XrefSection } from './xref'

/** Files larger than this are refused before parsing (configurable by callers). */
export const DEFAULT_MAX_PDF_BYTES = 512 * 1024 * 1024
/** Whether `N G obj` for object `num` starts at `offset` (after white space). */
function objectAt(buf: Buffer, offset: number, num: number): boolean {
  let p = offset
  while (
    buf[p] === 0x20 ||
    buf[p] === 0x0a ||
    buf[p] === 0x0d ||
    buf[p] === 0x09 ||
    buf[p] === 0x0c ||
    buf[p] === 0x00
  )
    p++
  let n = 0
  const start = p
  for (let c = buf[p]; c !== undefined && c >= 0x30 && c <= 0x39 && p - start < 10; c = buf[++p])
    n = n * 10 + (c - 0x30)
  if (p === start || n !== num) return false
  const after = buf[p]
  return (
    after === 0x20 || after === 0x0a || after === 0x0d || after === 0x09 || after === 0x0c || after === 0x00
  )
}

/**
 * Every in-use xref entry must point at its own `N G obj` header (or, for files with junk before
 * `%PDF-`, at that offset plus the header's). One wrong offset means the table cannot be trusted
 * for any object, so the caller rebuilds it by scanning: a signature never goes on a file whose
 * objects cannot all be found. The check reads a few bytes per object, not the objects.
 */
function offsetsAreSound(buf: Buffer, entries: Map<number, XrefEntry>, headerOffset: number): boolean {
  for (const [num, e] of entries) {
    if (e.type !== 1) continue
    if (
      e.offset >= buf.length ||
      (!objectAt(buf, e.offset, num) && !(headerOffset > 0 && objectAt(buf, e.offset + headerOffset, num)))
    )
      return false
  }
  return true
}

/** Page trees deeper than this are taken as loops. */
const MAX_PAGE_DEPTH = 64

export interface ReadOptions {
  maxBytes?: number
  /**
   * Open an encrypted file anyway (for validation: /ByteRange and /Contents are never encrypted,
   * §7.6.2). Other strings and streams stay encrypted; signing always refuses such a file.
   */
  allowEncrypted?: boolean
}

/**
 * A PDF opened for reading: the merged cross-reference table of all revisions and lazy access to
 * objects. Nothing is parsed until asked for, so the cost of signing does not grow with the number
 * of pages. When the xref is damaged the table is rebuilt by scanning (`repaired`), and the writer
 * then appends a complete xref section so the signed file no longer depends on the broken one.
 */
export class PdfDocument {
  readonly entries: Map<number, XrefEntry>
  readonly sections: XrefSection[]
  readonly trailer: PdfDict
  readonly repaired: boolean
  readonly headerOffset: number
  /**
   * True when the file's offsets count from its `%PDF-` header rather than from its first byte
   * (bytes before the header, as the PDF 2.0 "offset start" example has): the newest section was
   * found only at startxref + headerOffset.
   */
  readonly headerRelative: boolean = false
  readonly version: string
  readonly encrypted: boolean
  private readonly cache = new Map<number, PdfValue>()
  private readonly objStmCache = new Map<number, { first: number; offsets: number[]; data: Buffer }>()

  constructor(
    readonly bytes: Buffer,
    opts: ReadOptions = {},
  ) {
    if (bytes.length > (opts.maxBytes ?? DEFAULT_MAX_PDF_BYTES))
      throw new SigningError('PDF_TOO_LARGE', 'the PDF is larger than allowed')
    const header = bytes.subarray(0, 1024).indexOf('%PDF-', 0, 'latin1')
    if (header < 0) throw unreadable('not a PDF file (no %PDF- header)')
    this.headerOffset = header
    this.version = bytes.toString('latin1', header + 5, header + 8)
    let table: { entries: Map<number, XrefEntry>; sections: XrefSection[]; trailer: PdfDict } | null = null
    try {
      const { entries, sections } = readXref(bytes, findStartxref(bytes), header)
      const trailer = sections[0]?.trailer
      if (trailer) table = { entries, sections, trailer }
    } catch (err) {
      if (!(err instanceof SigningError) || err.code !== 'PDF_UNREADABLE') throw err
    }
    this.repaired = false
    this.encrypted = table?.trailer.has('Encrypt') ?? false
    if (this.encrypted && !opts.allowEncrypted)
      throw new SigningError(
        'PDF_ENCRYPTED',
        'the PDF is encrypted; remove the password protection before signing',
      )
    if (table) {
      this.entries = table.entries
      this.sections = table.sections
      this.trailer = table.trailer
      this.headerRelative = header > 0 && table.sections[0]?.offset !== findStartxref(bytes)
      if (offsetsAreSound(bytes, table.entries, header) && this.rootIsUsable()) return
    }
    this.headerRelative = false
    this.entries = scanObjects(bytes)
    this.sections = []
    this.cache.clear()
    this.repaired = true
    this.addObjectStreamEntries()
    this.trailer = this.findTrailer()
    this.encrypted = this.trailer.has('Encrypt')
    if (this.encrypted && !opts.allowEncrypted)
      throw new SigningError(
        'PDF_ENCRYPTED',
        'the PDF is encrypted; remove the password protection before signing',
      )
    if (!this.rootIsUsable()) throw unreadable('the document catalog cannot be found')
  }

  /** The object number the next new object may take (beyond /Size and every known object). */
  get nextObjectNumber(): number {
    let max = 0
    for (const n of this.entries.keys()) if (n > max) max = n
    const size = this.trailer.get('Size')
    return Math.max(max + 1, typeof size === 'number' ? size : 0)
  }

  /** Where object `num` really starts in the file, whichever convention its xref entry used. */
  absoluteOffset(num: number, offset: number): number {
    if (this.headerOffset === 0 || objectAt(this.bytes, offset, num)) return offset
    return objectAt(this.bytes, offset + this.headerOffset, num) ? offset + this.headerOffset : offset
  }

  get lastSectionKind(): 'table' | 'stream' {
    return this.sections[0]?.kind ?? 'table'
  }

  get(ref: PdfRef | number): PdfValue {
    const num = typeof ref === 'number' ? ref : ref.num
    if (this.cache.has(num)) return this.cache.get(num) as PdfValue
    this.cache.set(num, null) // guards against a /Length that refers back to its own object
    const v = this.load(num)
    this.cache.set(num, v)
    return v
  }

  /** Follows references until a direct value. */
  resolve(v: PdfValue | undefined): PdfValue | undefined {
    for (let i = 0; i < 32 && v instanceof PdfRef; i++) v = this.get(v)
    return v instanceof PdfRef ? null : v
  }

  dict(v: PdfValue | undefined): PdfDict | undefined {
    const r = this.resolve(v)
    if (r instanceof PdfDict) return r
    if (r instanceof PdfStream) return r.dict
    return undefined
  }

  catalogRef(): PdfRef {
    const root = this.trailer.get('Root')
    if (!(root instanceof PdfRef)) throw unreadable('trailer has no /Root reference')
    return root
  }

  catalog(): PdfDict {
    const c = this.dict(this.catalogRef())
    if (!c) throw unreadable('the document catalog is not a dictionary')
    return c
  }

  /** Number of pages, by walking the tree (cheap: /Count of each node). */
  pageCount(): number {
    const pages = this.dict(this.catalog().get('Pages'))
    const count = pages?.get('Count')
    if (typeof count === 'number' && count > 0) return count
    return this.collectPages().length
  }

  /**
   * The reference of page `index` (0-based), descending by /Count so only one branch is read.
   * Falls back to a full walk (with loop detection) when the counts are inconsistent.
   */
  pageRef(index: number): PdfRef {
    const rootRef = this.catalog().get('Pages')
    if (rootRef instanceof PdfRef) {
      const found = this.descend(rootRef, index, new Set(), 0)
      if (found) return found
    }
    const all = this.collectPages()
    const p = all[index]
    if (p) return p
    if (index < this.pageCount())
      throw unreadable('the page tree is damaged (circular or inconsistent page counts)')
    throw new SigningError('PDF_PAGE_NOT_FOUND', `the document has no page ${index + 1}`)
  }

  private descend(nodeRef: PdfRef, index: number, seen: Set<number>, depth: number): PdfRef | null {
    if (seen.has(nodeRef.num) || depth > MAX_PAGE_DEPTH) return null
    seen.add(nodeRef.num)
    const node = this.dict(nodeRef)
    if (!node) return null
    const kids = this.resolve(node.get('Kids'))
    if (!Array.isArray(kids))
      return index === 0 && (node.get('Type') as PdfName | undefined)?.name !== 'Pages' ? nodeRef : null
    // A flat node whose /Count equals its number of kids holds pages only: index straight in, so
    // signing the last of 10,000 pages reads one page, not all of them.
    if (node.get('Count') === kids.length && index < kids.length) {
      const kid = kids[index]
      const kd = kid instanceof PdfRef ? this.dict(kid) : undefined
      if (kid instanceof PdfRef && kd && !Array.isArray(this.resolve(kd.get('Kids')))) return kid
    }
    let i = index
    for (const kid of kids) {
      if (!(kid instanceof PdfRef)) return null
      const kd = this.dict(kid)
      if (!kd) return null
      const isLeaf = !Array.isArray(this.resolve(kd.get('Kids')))
      const count = isLeaf ? 1 : kd.get('Count')
      if (typeof count !== 'number') return null
      if (i < count) return isLeaf ? (i === 0 ? kid : null) : this.descend(kid, i, seen, depth + 1)
      i -= count
    }
    return null
  }

  /** Every page reference in order; a node seen twice (a loop) is skipped. */
  collectPages(): PdfRef[] {
    const out: PdfRef[] = []
    const seen = new Set<number>()
    const walk = (ref: PdfValue | undefined, depth: number): void => {
      if (!(ref instanceof PdfRef) || seen.has(ref.num) || depth > MAX_PAGE_DEPTH) return
      seen.add(ref.num)
      const node = this.dict(ref)
      if (!node) return
      const kids = this.resolve(node.get('Kids'))
      if (Array.isArray(kids)) for (const k of kids) walk(k, depth + 1)
      else out.push(ref)
    }
    walk(this.catalog().get('Pages'), 0)
    return out
  }

  private rootIsUsable(): boolean {
    try {
      const root = this.trailer.get('Root')
      return (
        root instanceof PdfRef &&
        this.dict(root) !== undefined &&
        this.dict(this.catalog().get('Pages')) !== undefined
      )
    } catch (err) {
      if (err instanceof SigningError && err.code === 'PDF_UNREADABLE') return false
      throw err
    }
  }

  private load(num: number): PdfValue {
    const e = this.entries.get(num)
    if (!e || e.type === 0) return null
    if (e.type === 2) return this.loadFromObjectStream(e.stream, e.index, num)
    let offset = e.offset
    let lx = new Lexer(this.bytes, offset)
    let header = lx.readObjectHeader()
    if ((!header || header.num !== num) && this.headerOffset > 0) {
      offset += this.headerOffset
      lx = new Lexer(this.bytes, offset)
      header = lx.readObjectHeader()
    }
    if (!header || header.num !== num) throw unreadable(`object ${num} is not at offset ${e.offset}`)
    return lx.parseIndirectBody((r) => {
      const v = this.get(r)
      return typeof v === 'number' ? v : undefined
    })
  }

  private loadFromObjectStream(streamNum: number, index: number, num: number): PdfValue {
    let os = this.objStmCache.get(streamNum)
    if (!os) {
      const s = this.get(streamNum)
      if (!(s instanceof PdfStream)) throw unreadable(`object stream ${streamNum} is missing`)
      const data = decodeStream(s.dict, s.data)
      const n = s.dict.get('N')
      const first = s.dict.get('First')
      if (typeof n !== 'number' || typeof first !== 'number') throw unreadable('bad object stream')
      const lx = new Lexer(data, 0)
      const offsets: number[] = []
      for (let i = 0; i < n; i++) {
        lx.parseValue() // object number; the index in the xref entry tells which one we need
        const off = lx.parseValue()
        offsets.push(typeof off === 'number' ? off : -1)
      }
      os = { first, offsets, data }
      this.objStmCache.set(streamNum, os)
    }
    const off = os.offsets[index]
    if (off === undefined || off < 0) throw unreadable(`object ${num} is not in object stream ${streamNum}`)
    return new Lexer(os.data, os.first + off).parseValue()
  }

  private addObjectStreamEntries(): void {
    for (const [num, e] of [...this.entries]) {
      if (e.type !== 1) continue
      let v: PdfValue
      try {
        v = this.get(num)
      } catch {
        continue
      }
      if (!(v instanceof PdfStream) || (v.dict.get('Type') as PdfName | undefined)?.name !== 'ObjStm')
        continue
      try {
        const data = decodeStream(v.dict, v.data)
        const lx = new Lexer(data, 0)
        const n = v.dict.get('N')
        for (let i = 0; i < (typeof n === 'number' ? n : 0); i++) {
          const objNum = lx.parseValue()
          lx.parseValue()
          if (typeof objNum === 'number' && !this.entries.has(objNum))
            this.entries.set(objNum, { type: 2, stream: num, index: i })
        }
      } catch {
        // A damaged object stream only loses its own objects.
      }
    }
  }

  private findTrailer(): PdfDict {
    const buf = this.bytes
    let at = buf.lastIndexOf('trailer', buf.length, 'latin1')
    while (at >= 0) {
      try {
        const t = new Lexer(buf, at + 7).parseValue()
        if (t instanceof PdfDict && t.get('Root') instanceof PdfRef) return t
      } catch {
        // keep looking further back
      }
      at = at > 0 ? buf.lastIndexOf('trailer', at - 1, 'latin1') : -1
    }
    for (const [num] of this.entries) {
      try {
        const v = this.get(num)
        const d = v instanceof PdfStream ? v.dict : v
        if (
          d instanceof PdfDict &&
          (d.get('Type') as PdfName | undefined)?.name === 'XRef' &&
          d.get('Root') instanceof PdfRef
        )
          return d
      } catch {
        /* ignore unreadable objects while repairing */
      }
    }
    for (const [num, e] of this.entries) {
      if (e.type === 0) continue
      try {
        const d = this.get(num)
        if (d instanceof PdfDict && (d.get('Type') as PdfName | undefined)?.name === 'Catalog')
          return new PdfDict({ Root: new PdfRef(num, e.type === 1 ? e.gen : 0) })
      } catch {
        /* ignore */
      }
    }
    throw unreadable('no trailer and no catalog found')
  }
}
