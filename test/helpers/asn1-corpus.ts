/**
 * Every ASN.1 object the shared corpus holds (issue 16): the CMS of each signed PDF's /Contents
 * (signatures and document timestamps, every revision), the certificates, CRLs and OCSP responses
 * inside them (SignedData certificates and crls, time-stamp tokens, Adobe's revocation archive
 * attribute, CAdES certificate and revocation values) and in the DSS dictionaries (ISO 32000-2
 * §12.8.4.3). Each object is listed once (by its SHA-256) with the first file it came from.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { readDer, type DerNode } from '../../signing/cms/der-read'
import { PdfDocument } from '../../signing/pdf/document'
import { decodeStream } from '../../signing/pdf/filters'
import { PdfDict, PdfRef, PdfStream, PdfString, type PdfValue } from '../../signing/pdf/objects'

export const CORPUS_ROOT = join(__dirname, '../../../../shared/corpus')

export type Asn1Kind = 'certificate' | 'crl' | 'cms' | 'ocsp'

export interface Asn1Item {
  kind: Asn1Kind
  /** `kind:` and the first 24 hex digits of the SHA-256 of `der`. */
  id: string
  der: Buffer
  /** The corpus file (relative to the corpus) it was first found in, and where in it. */
  source: string
}

const OIDS = {
  signedData: '1.2.840.113549.1.7.2',
  adbeRevocation: '1.2.840.113583.1.1.8',
  certValues: '1.2.840.113549.1.9.16.2.23',
  revocationValues: '1.2.840.113549.1.9.16.2.24',
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  ocspResponse: '1.3.6.1.5.5.7.16.2',
}

class Collector {
  readonly items = new Map<string, Asn1Item>()

  add(kind: Asn1Kind, der: Buffer, source: string): void {
    if (der.length < 2 || der[0] !== 0x30) return
    const id = `${kind}:${createHash('sha256').update(der).digest('hex').slice(0, 24)}`
    if (this.items.has(id)) return
    this.items.set(id, { kind, id, der: Buffer.from(der), source })
    if (kind === 'cms') this.insideCms(der, source)
    if (kind === 'ocsp') this.insideOcsp(der, source)
  }

  /** SignedData's certificates and crls, and the attributes that carry more of them. */
  private insideCms(der: Buffer, source: string): void {
    const signedData = tryRead(der)?.children[1]?.children[0]
    if (!signedData) return
    for (const field of signedData.children) {
      if (field.tagClass === 'context' && field.tag === 0) {
        for (const c of field.children)
          if (c.tag === 0x10 && c.tagClass === 'universal') this.add('certificate', c.raw, source)
      }
      if (field.tagClass === 'context' && field.tag === 1) this.revocationChoices(field.children, source)
      if (field.tagClass === 'universal' && field.tag === 0x11 && field === signedData.children.at(-1)) {
        for (const signerInfo of field.children) this.attributes(signerInfo, source)
      }
    }
  }

  /** RevocationInfoChoice: a CertificateList, or [1] OtherRevocationInfoFormat (RFC 5940 OCSP). */
  private revocationChoices(nodes: readonly DerNode[], source: string): void {
    for (const n of nodes) {
      if (n.tagClass === 'universal' && n.tag === 0x10) this.add('crl', n.raw, source)
      const [format, info] = n.children
      if (n.tagClass === 'context' && n.tag === 1 && format && info && oid(format) === OIDS.ocspResponse) {
        this.add('ocsp', info.raw, source)
      }
    }
  }

  private attributes(signerInfo: DerNode, source: string): void {
    for (const set of signerInfo.children.filter((c) => c.tagClass === 'context')) {
      for (const attribute of set.children) {
        const [type, values] = attribute.children
        if (!type || !values) continue
        for (const value of values.children) this.attribute(oid(type), value, source)
      }
    }
  }

  private attribute(type: string | undefined, value: DerNode, source: string): void {
    if (type === OIDS.timeStampToken) this.add('cms', value.raw, source)
    if (type === OIDS.certValues) for (const c of value.children) this.add('certificate', c.raw, source)
    // RevocationInfoArchival (Adobe) and RevocationValues (RFC 5126 §6.3.4): crl [0], ocsp [1].
    if (type !== OIDS.adbeRevocation && type !== OIDS.revocationValues) return
    for (const tagged of value.children) {
      const list = tagged.children[0]?.children ?? []
      if (tagged.tag === 0) for (const crl of list) this.add('crl', crl.raw, source)
      // Adobe's archive holds OCSPResponses; CAdES's RevocationValues holds BasicOCSPResponses.
      if (tagged.tag === 1 && type === OIDS.adbeRevocation)
        for (const r of list) this.add('ocsp', r.raw, source)
    }
  }

  /** The responder's certificates of a successful basic response. */
  private insideOcsp(der: Buffer, source: string): void {
    const bytes = tryRead(der)?.children[1]?.children[0]?.children[1]
    const basic = bytes && tryRead(bytes.content)
    const certs = basic?.children.find((c) => c.tagClass === 'context' && c.tag === 0)?.children[0]
    for (const c of certs?.children ?? []) this.add('certificate', c.raw, source)
  }
}

function tryRead(der: Buffer): DerNode | undefined {
  try {
    return readDer(der, 'corpus')
  } catch {
    return undefined
  }
}

function oid(node: DerNode): string | undefined {
  if (node.tag !== 0x06) return undefined
  const bytes = [...node.content]
  const arcs: bigint[] = []
  let value = 0n
  for (const b of bytes) {
    value = (value << 7n) | BigInt(b & 0x7f)
    if ((b & 0x80) === 0) {
      arcs.push(value)
      value = 0n
    }
  }
  const first = arcs.shift() ?? 0n
  const top = first < 80n ? first / 40n : 2n
  return [top, first - top * 40n, ...arcs].join('.')
}

/** The DER of a /Contents hex string without its zero padding (when its length is definite). */
function trimmed(bytes: Buffer): Buffer {
  if (bytes[0] !== 0x30 || bytes.length < 2) return bytes
  const first = bytes[1] as number
  if (first === 0x80) return bytes
  const count = first < 0x80 ? 0 : first & 0x7f
  let length = first < 0x80 ? first : 0
  for (let i = 0; i < count; i++) length = length * 256 + (bytes[2 + i] as number)
  return bytes.subarray(0, Math.min(bytes.length, 2 + count + length))
}

function pdfFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f)
      return statSync(p).isDirectory() ? pdfFiles(p) : f.endsWith('.pdf') ? [p] : []
    })
}

/** /Contents hex strings anywhere in the file's bytes: every revision, even unreadable files. */
function scanContents(pdf: Buffer, source: string, into: Collector): void {
  const text = pdf.toString('latin1')
  for (const m of text.matchAll(/\/Contents\s*<([0-9A-Fa-f\s]{64,})>/g)) {
    into.add('cms', trimmed(Buffer.from((m[1] as string).replace(/\s+/g, ''), 'hex')), `${source} /Contents`)
  }
}

/** Signature dictionaries among the objects (object streams too) and the DSS's streams. */
function readObjects(pdf: Buffer, source: string, into: Collector): void {
  let doc: PdfDocument
  try {
    doc = new PdfDocument(pdf, { allowEncrypted: true })
  } catch {
    return
  }
  const get = (v: PdfValue | undefined): PdfValue | undefined => {
    try {
      return v instanceof PdfRef ? doc.resolve(v) : v
    } catch {
      return undefined
    }
  }
  for (const num of [...doc.entries.keys()].sort((a, b) => a - b)) {
    const v = get(new PdfRef(num, 0))
    const dict = v instanceof PdfDict ? v : undefined
    const contents = dict?.get('Contents')
    if (dict?.has('ByteRange') && contents instanceof PdfString)
      into.add('cms', trimmed(contents.bytes), `${source} obj ${num}`)
  }
  const dss = get(doc.trailer.get('Root'))
  const dssDict = dss instanceof PdfDict ? get(dss.get('DSS')) : undefined
  if (!(dssDict instanceof PdfDict)) return
  const lists: Array<[string, Asn1Kind]> = [
    ['Certs', 'certificate'],
    ['CRLs', 'crl'],
    ['OCSPs', 'ocsp'],
  ]
  for (const [key, kind] of lists) {
    const list = get(dssDict.get(key))
    for (const entry of Array.isArray(list) ? list : []) {
      const stream = get(entry)
      if (!(stream instanceof PdfStream)) continue
      try {
        into.add(kind, decodeStream(stream.dict, stream.data), `${source} DSS /${key}`)
      } catch {
        // an undecodable stream holds nothing to compare
      }
    }
  }
}

let cached: Asn1Item[] | undefined

/** Every certificate, CRL, CMS and OCSP response of the corpus, in a stable order. */
export function asn1Corpus(): Asn1Item[] {
  if (cached) return cached
  const collector = new Collector()
  for (const file of pdfFiles(CORPUS_ROOT)) {
    const pdf = readFileSync(file)
    const source = relative(CORPUS_ROOT, file)
    scanContents(pdf, source, collector)
    readObjects(pdf, source, collector)
  }
  cached = [...collector.items.values()].sort((a, b) => a.id.localeCompare(b.id))
  return cached
}
