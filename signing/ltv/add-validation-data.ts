import { SigningError } from '../errors'
import { PdfDocument } from '../pdf/document'
import { readDss, type Dss } from '../pdf/dss'
import { IncrementalUpdate } from '../pdf/incremental'
import { parseCrl, type ParsedCrl } from '../pki/crl'
import type { FetchPolicy } from '../pki/remote-fetch'
import { crlAnswer, ocspAnswer } from '../pki/revocation-answer'
import type { RevocationFetch } from '../pki/revocation-sources'
import { revocationDataFor, type RevocationData, type RevocationDataSources } from './revocation-data'
import { parse, pathOf, selfIssued, signedThings, type SignedThing } from './validation-material'
import { writeDss, type VriEntry } from './write-dss'

export interface ValidationDataOptions {
  /** Certificates that complete paths: the CA certificates, the trust anchors. */
  certificates?: Buffer[]
  /** CRLs at hand (e.g. `loadCrls(crl.pem)`). */
  crls?: ParsedCrl[]
  /** OCSP responses at hand (DER OCSPResponse), e.g. the evidence kept when a signature was made. */
  ocspResponses?: Buffer[]
  /** An OCSP responder in this process (the service's own CA): its DER answer about `cert`. */
  ocsp?: (cert: Buffer, issuer: Buffer) => Promise<Buffer | undefined>
  /** Where CRLs (distribution points) and OCSP answers (authorityInfoAccess) may be fetched from. */
  fetch?: FetchPolicy
  now?: Date
  /**
   * 'all' (default): revocation data for every certificate of every path; 'missing': only for
   * certificates the DSS holds none for yet (a document time-stamp from another TSA).
   */
  scope?: 'all' | 'missing'
}

export interface ValidationDataResult {
  /** The new file, or the input itself when nothing was new (`written` false). */
  pdf: Buffer
  written: boolean
  added: { certificates: number; crls: number; ocspResponses: number }
  /** Certificates (not self-issued) for which no revocation data, or no issuer, was found. */
  missing: { subject: string; serialHex: string; why: 'no-issuer' | 'no-revocation-data' }[]
  fetches: RevocationFetch[]
}

/**
 * Appends a revision with the validation data of every signature and time-stamp of `pdf` in its
 * DSS (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4.2, PAdES B-LT): every certificate of every
 * path and, for each certificate but the self-signed ones, its issuer's CRL and, where there is a
 * responder, an OCSP answer; a VRI entry per signature. The first `pdf.length` bytes of the
 * result are the input: a DSS is a change no signature forbids, even after DocMDP P=1.
 *
 * @example
 * const crls = loadCrls(readFileSync('ca/crl.pem'))
 * const { pdf: lt, missing } = await addValidationData(signed, { crls, certificates: [issuing, root] })
 */
export async function addValidationData(
  pdf: Buffer,
  opts: ValidationDataOptions = {},
): Promise<ValidationDataResult> {
  // 1. What the file holds: signatures, time-stamps, the DSS so far.
  const doc = new PdfDocument(pdf)
  const existing = readDss(doc)
  const things = signedThings(pdf, doc)
  if (things.length === 0)
    throw new SigningError('PDF_NOT_SIGNED', 'the document has no signature to keep validation data for')
  const pool = [
    ...things.flatMap((t) => t.certificates),
    ...existing.certs.map((c) => c.data),
    ...(opts.certificates ?? []),
  ]
  // 2. Paths, and revocation data for every certificate that has an issuer above it.
  const fetches: RevocationFetch[] = []
  const sources: RevocationDataSources = {
    crls: [...(opts.crls ?? []), ...existing.crls.flatMap((c) => safeCrl(c.data))],
    ocspResponses: [...(opts.ocspResponses ?? []), ...existing.ocsps.map((o) => o.data)],
    ...(opts.ocsp && { ocsp: opts.ocsp }),
    ...(opts.fetch && { fetch: opts.fetch }),
    now: opts.now ?? new Date(),
    fetches,
  }
  const gathered = new Map<string, RevocationData>()
  const missing: ValidationDataResult['missing'] = []
  const vri: VriEntry[] = []
  for (const thing of things) {
    const entry = await gatherFor(thing, pool, existing, sources, gathered, missing, opts.scope ?? 'all')
    if (entry) vri.push(entry)
  }
  // 3. Nothing new: no revision.
  const content = {
    certs: unique(vri.flatMap((e) => e.certs)),
    crls: unique(vri.flatMap((e) => e.crls)),
    ocsps: unique(vri.flatMap((e) => e.ocsps)),
  }
  const none = { certificates: 0, crls: 0, ocspResponses: 0 }
  if (!anythingNew(existing, content)) return { pdf, written: false, added: none, missing, fetches }
  // 4. The revision.
  const upd = new IncrementalUpdate(doc)
  const added = writeDss(upd, doc, existing, content, vri, sources.now)
  const result = { certificates: added.certs, crls: added.crls, ocspResponses: added.ocsps }
  return { pdf: upd.write(), written: true, added: result, missing, fetches }
}

/** The VRI entry of one signature or time-stamp, gathering what its paths need. */
async function gatherFor(
  thing: SignedThing,
  pool: Buffer[],
  existing: Dss,
  sources: RevocationDataSources,
  gathered: Map<string, RevocationData>,
  missing: ValidationDataResult['missing'],
  scope: 'all' | 'missing',
): Promise<VriEntry | undefined> {
  const entry: VriEntry = { key: thing.vriKey, certs: [], crls: [], ocsps: [] }
  let needed = false
  for (const leaf of thing.leaves) {
    const path = pathOf(leaf, pool)
    entry.certs.push(...path)
    for (const [i, cert] of path.entries()) {
      const x = parse(cert)
      if (!x || selfIssued(x)) continue
      const issuer = path[i + 1]
      const who = { subject: x.subject.replace(/\n/g, ', '), serialHex: x.serialNumber.toUpperCase() }
      if (!issuer) {
        missing.push({ ...who, why: 'no-issuer' })
        continue
      }
      if (scope === 'missing' && coveredByDss(cert, issuer, existing)) continue
      needed = true
      const key = cert.toString('base64')
      let data = gathered.get(key)
      if (!data) {
        data = await revocationDataFor(cert, issuer, sources)
        gathered.set(key, data)
        if (data.crls.length + data.ocspResponses.length === 0)
          missing.push({ ...who, why: 'no-revocation-data' })
      }
      entry.crls.push(...data.crls)
      entry.ocsps.push(...data.ocspResponses)
    }
  }
  return scope === 'all' || needed ? { ...entry, certs: unique(entry.certs) } : undefined
}

function coveredByDss(cert: Buffer, issuer: Buffer, dss: Dss): boolean {
  const crls = dss.crls.flatMap((c) => safeCrl(c.data))
  return (
    crls.some((crl) => crlAnswer(crl, cert, issuer)) ||
    dss.ocsps.some((o) => ocspAnswer(o.data, cert, issuer))
  )
}

function anythingNew(existing: Dss, content: { certs: Buffer[]; crls: Buffer[]; ocsps: Buffer[] }): boolean {
  const has = (items: { data: Buffer }[], der: Buffer): boolean => items.some((i) => i.data.equals(der))
  return (
    content.certs.some((c) => !has(existing.certs, c)) ||
    content.crls.some((c) => !has(existing.crls, c)) ||
    content.ocsps.some((c) => !has(existing.ocsps, c))
  )
}

function unique(list: Buffer[]): Buffer[] {
  const seen = new Set<string>()
  return list.filter((b) => {
    const k = b.toString('base64')
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

function safeCrl(der: Buffer): ParsedCrl[] {
  try {
    return [parseCrl(der)]
  } catch {
    return []
  }
}
