/**
 * The Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4.2): the catalog's
 * /DSS holds the validation data of the document's signatures and time-stamps: /Certs, /CRLs and
 * /OCSPs (arrays of streams holding DER certificates, CRLs and OCSPResponses) and /VRI (one entry
 * per signature, §12.8.4.4). Read here for the validator and for a writer that adds to it.
 */
import type { PdfDocument } from './document'
import { decodeStream } from './filters'
import { type PdfDict, PdfRef, PdfStream, type PdfValue } from './objects'

export interface DssItem {
  /** The stream's reference, when indirect (ISO 32000-2 requires it; a writer reuses it). */
  ref?: PdfRef
  /** The decoded stream: a DER certificate, CRL or OCSPResponse. */
  data: Buffer
  /** Where the stream's object lies in the file: a document time-stamp after it covers it. */
  offset: number
}

export interface Dss {
  /** The /DSS value in the catalog: a reference to its dictionary, or the dictionary itself. */
  value: PdfValue | undefined
  dict: PdfDict | undefined
  certs: DssItem[]
  crls: DssItem[]
  ocsps: DssItem[]
  /** /VRI (§12.8.4.4), as found. */
  vri: PdfDict | undefined
}

/** A hostile DSS must not cost more than this many streams (the DSS loop samples of the corpus). */
const MAX_ITEMS = 2_000
/** Nor more decoded bytes than this in all. */
const MAX_BYTES = 64 * 1024 * 1024

/** The document's DSS; empty lists when there is none. Streams that cannot be read are skipped. */
export function readDss(doc: PdfDocument): Dss {
  const value = doc.catalog().get('DSS')
  const dict = doc.dict(value)
  const empty: Dss = { value, dict, certs: [], crls: [], ocsps: [], vri: undefined }
  if (!dict) return empty
  const budget = { items: MAX_ITEMS, bytes: MAX_BYTES }
  const vri = doc.dict(dict.get('VRI'))
  return {
    ...empty,
    certs: itemsOf(doc, dict.get('Certs'), budget),
    crls: itemsOf(doc, dict.get('CRLs'), budget),
    ocsps: itemsOf(doc, dict.get('OCSPs'), budget),
    vri,
  }
}

function itemsOf(
  doc: PdfDocument,
  v: PdfValue | undefined,
  budget: { items: number; bytes: number },
): DssItem[] {
  const list = safely(() => doc.resolve(v))
  if (!Array.isArray(list)) return []
  const out: DssItem[] = []
  for (const entry of list) {
    if (budget.items-- <= 0 || budget.bytes <= 0) break
    const stream = safely(() => doc.resolve(entry))
    if (!(stream instanceof PdfStream)) continue
    const data = safely(() => decodeStream(stream.dict, stream.data))
    if (!data || data.length === 0) continue
    budget.bytes -= data.length
    const ref = entry instanceof PdfRef ? entry : undefined
    out.push({ ...(ref && { ref }), data, offset: ref ? offsetOf(doc, ref.num) : Number.MAX_SAFE_INTEGER })
  }
  return out
}

/** The byte offset of an object (for one in an object stream, the object stream's own). */
export function offsetOf(doc: PdfDocument, num: number): number {
  const e = doc.entries.get(num)
  if (!e || e.type === 0) return Number.MAX_SAFE_INTEGER
  if (e.type === 1) return doc.absoluteOffset(num, e.offset)
  const holder = doc.entries.get(e.stream)
  return holder?.type === 1 ? doc.absoluteOffset(e.stream, holder.offset) : Number.MAX_SAFE_INTEGER
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}
