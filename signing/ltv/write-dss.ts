/**
 * Writes the DSS (ISO 32000-2 §12.8.4.3) of a new revision: what the file's DSS already holds is
 * kept (the same stream objects, referred to again), new certificates, CRLs and OCSP responses are
 * added as streams, and each signature gets its VRI entry (§12.8.4.4) naming the streams that
 * concern it, with /TU, the time the entry was made.
 */
import { deflateSync } from 'node:zlib'
import type { PdfDocument } from '../pdf/document'
import type { Dss } from '../pdf/dss'
import type { IncrementalUpdate } from '../pdf/incremental'
import { PdfDict, PdfRef, PdfStream, PdfString, name, type PdfValue } from '../pdf/objects'
import { pdfDate } from '../sign/pdf-date'

export interface DssContent {
  certs: Buffer[]
  crls: Buffer[]
  ocsps: Buffer[]
}

export interface VriEntry extends DssContent {
  key: string
}

type Kind = keyof DssContent
const KEYS: Record<Kind, { dss: string; vri: string }> = {
  certs: { dss: 'Certs', vri: 'Cert' },
  crls: { dss: 'CRLs', vri: 'CRL' },
  ocsps: { dss: 'OCSPs', vri: 'OCSP' },
}

/** Adds `content` and `vri` to the document's DSS in `upd`; returns how many streams are new. */
export function writeDss(
  upd: IncrementalUpdate,
  doc: PdfDocument,
  existing: Dss,
  content: DssContent,
  vri: VriEntry[],
  now: Date,
): Record<Kind, number> {
  // 1. Streams: the existing ones by their bytes, the new ones added.
  const refs = new Map<string, PdfRef>()
  const lists: Record<Kind, PdfRef[]> = { certs: [], crls: [], ocsps: [] }
  const added: Record<Kind, number> = { certs: 0, crls: 0, ocsps: 0 }
  for (const kind of Object.keys(KEYS) as Kind[]) {
    for (const item of existing[kind]) {
      const key = item.data.toString('base64')
      if (!item.ref || refs.has(key)) continue
      refs.set(key, item.ref)
      lists[kind].push(item.ref)
    }
    for (const der of content[kind]) {
      const key = der.toString('base64')
      if (refs.has(key)) continue
      const ref = upd.add(new PdfStream(new PdfDict({ Filter: name('FlateDecode') }), deflateSync(der)))
      refs.set(key, ref)
      lists[kind].push(ref)
      added[kind]++
    }
  }
  // 2. The DSS dictionary: the old one's other entries kept, arrays and VRI renewed.
  const dss = existing.dict ? existing.dict.clone() : new PdfDict({ Type: name('DSS') })
  for (const kind of Object.keys(KEYS) as Kind[]) {
    if (lists[kind].length) dss.set(KEYS[kind].dss, lists[kind])
  }
  const vriDict = new PdfDict()
  for (const [k, v] of existing.vri?.map ?? []) vriDict.set(k, v)
  const tu = new PdfString(Buffer.from(pdfDate(now), 'latin1'))
  for (const entry of vri) {
    const e = new PdfDict({ Type: name('VRI'), TU: tu })
    for (const kind of Object.keys(KEYS) as Kind[]) {
      const list = entry[kind]
        .map((d) => refs.get(d.toString('base64')))
        .filter((r): r is PdfRef => r !== undefined)
      if (list.length) e.set(KEYS[kind].vri, list)
    }
    vriDict.set(entry.key, e)
  }
  if (vriDict.map.size) dss.set('VRI', vriDict)
  // 3. In place of the old DSS object, or as a new one the catalog points at.
  const value: PdfValue | undefined = existing.value
  if (value instanceof PdfRef) upd.set(value, dss)
  else {
    const catalogRef = doc.catalogRef()
    const current = upd.get(catalogRef)
    const catalog = current instanceof PdfDict ? current.clone() : doc.catalog().clone()
    upd.set(catalogRef, catalog.set('DSS', upd.add(dss)))
  }
  return added
}
