import { SigningError } from '../errors'
import { PdfDocument } from './document'
import { PdfDict, PdfRef, PdfStream, name, type PdfValue } from './objects'
import { writeObject } from './serialize'

/** Page keys not carried into an extract: its place in the old tree, its comments and signatures, tagging. */
const DROPPED = new Set(['Parent', 'Annots', 'StructParents', 'B', 'Tabs', 'PieceInfo'])
/** What a page inherits from the tree (ISO 32000-2 §7.7.3.4), written on the copied page itself. */
const INHERITABLE = ['Resources', 'MediaBox', 'CropBox', 'Rotate']
function inherited(doc: PdfDocument, page: PdfDict, key: string): PdfValue | undefined {
  let node: PdfDict | undefined = page
  for (let i = 0; node && i < 64; i++) {
    const v = node.get(key)
    if (v !== undefined) return v
    node = doc.dict(node.get('Parent'))
  }
  return undefined
}

/** Objects copied at most: a bound for hostile input. */
const MAX_OBJECTS = 200_000

/**
 * A new PDF made of some pages of another (1-based numbers, in the order given): each page with
 * what it draws (contents, resources, fonts, images), none of its annotations, so none of the
 * original's signatures (a trích sao, issue 13: an extract cannot keep the original's bytes, so
 * its only signature is the copy's own). Streams are copied as stored, still encoded.
 */
export function extractPages(pdf: Buffer, pages: number[]): Buffer {
  const src = new PdfDocument(pdf)
  const count = src.pageCount()
  if (pages.length === 0 || pages.some((p) => !Number.isInteger(p) || p < 1 || p > count)) {
    throw new SigningError('PDF_PAGE_NOT_FOUND', `pages: from 1 to ${count}`)
  }
  const out = new Map<number, PdfValue>()
  const renumber = new Map<number, number>()
  let next = 3 // 1: catalog, 2: page tree
  const queue: number[] = []
  const mapRef = (r: PdfRef): PdfRef => {
    let n = renumber.get(r.num)
    if (n === undefined) {
      if (renumber.size >= MAX_OBJECTS)
        throw new SigningError('PDF_TOO_LARGE', 'the pages draw too many objects to extract')
      n = next++
      renumber.set(r.num, n)
      queue.push(r.num)
    }
    return new PdfRef(n, 0)
  }
  const copy = (v: PdfValue, depth = 0): PdfValue => {
    if (depth > 100) throw new SigningError('PDF_UNREADABLE', 'objects nested too deep')
    if (v instanceof PdfRef) return mapRef(v)
    if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1))
    if (v instanceof PdfStream) return new PdfStream(copy(v.dict, depth + 1) as PdfDict, v.data)
    if (v instanceof PdfDict) {
      const d = new PdfDict()
      for (const [k, x] of v.map) d.set(k, copy(x, depth + 1))
      return d
    }
    return v
  }
  const kids: PdfRef[] = []
  for (const p of pages) {
    const ref = src.pageRef(p - 1)
    const page = src.dict(ref)
    if (!page) throw new SigningError('PDF_UNREADABLE', `page ${p} cannot be read`)
    const d = new PdfDict()
    for (const [k, x] of page.map) if (!DROPPED.has(k)) d.set(k, copy(x))
    for (const k of INHERITABLE) {
      const v = d.has(k) ? undefined : inherited(src, page, k)
      if (v !== undefined && v !== null) d.set(k, copy(v))
    }
    d.set('Parent', new PdfRef(2, 0))
    const num = next++
    out.set(num, d)
    kids.push(new PdfRef(num, 0))
  }
  while (queue.length > 0) {
    const old = queue.shift() as number
    out.set(renumber.get(old) as number, copy(src.get(old)))
  }
  out.set(1, new PdfDict({ Type: name('Catalog'), Pages: new PdfRef(2, 0) }))
  out.set(2, new PdfDict({ Type: name('Pages'), Kids: kids, Count: kids.length }))
  return serialise(out, next)
}

/** A whole file: header, objects, one classic xref table, trailer. */
function serialise(objects: Map<number, PdfValue>, size: number): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')]
  let pos = parts[0]?.length ?? 0
  const offsets: number[] = new Array<number>(size).fill(-1)
  for (let n = 1; n < size; n++) {
    const v = objects.get(n)
    if (v === undefined) continue
    const bytes = writeObject(n, 0, v)
    offsets[n] = pos
    parts.push(bytes)
    pos += bytes.length
  }
  let xref = `xref\n0 ${size}\n0000000000 65535 f\r\n`
  for (let n = 1; n < size; n++) {
    const o = offsets[n] as number
    xref += o < 0 ? '0000000000 00000 f\r\n' : `${String(o).padStart(10, '0')} 00000 n\r\n`
  }
  xref += `trailer\n<< /Size ${size} /Root 1 0 R >>\nstartxref\n${pos}\n%%EOF\n`
  parts.push(Buffer.from(xref, 'latin1'))
  return Buffer.concat(parts)
}
