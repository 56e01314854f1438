/**
 * The validation data a PDF carries in its DSS (ISO 32000-2 §12.8.4.3, PAdES B-LT): certificates
 * that complete chains, and CRLs and OCSP responses as evidence of revocation status. Nothing
 * here is trusted because it is in the file: a CRL or an OCSP answer counts only once it verifies
 * against the issuer of the certificate it speaks about (revocation-answer.ts), and a certificate
 * only helps to build a path that must still end at a trust anchor.
 */
import type { PdfDocument } from '../pdf/document'
import { readDss } from '../pdf/dss'
import { parseCrl, type ParsedCrl } from '../pki/crl'
import { crlAnswer, ocspAnswer, readOcsp, type RevocationAnswer } from '../pki/revocation-answer'
import { safeCert } from './chain'

/** An answer with the offset of the stream that holds it (a document time-stamp after it covers it). */
export type PlacedAnswer = RevocationAnswer & { offset: number }

export interface DssSummary {
  certificates: number
  crls: number
  ocspResponses: number
  /** Entries of /VRI (ISO 32000-2 §12.8.4.4); Kyso writes them but does not need them. */
  vri: number
}

export interface DocumentEvidence {
  certificates: Buffer[]
  /** What the document's CRLs and OCSP responses say about `cert`, verified against `issuer`. */
  answersFor(cert: Buffer, issuer: Buffer): PlacedAnswer[]
  /** The certificate in `certificates` (or `extra`) that issued `cert`, if any. */
  issuerOf(cert: Buffer, extra?: readonly Buffer[]): Buffer | undefined
  summary: DssSummary | null
}

/** No DSS: nothing to add. */
export const NO_EVIDENCE: DocumentEvidence = {
  certificates: [],
  answersFor: () => [],
  issuerOf: (cert, extra = []) => findIssuer(cert, extra),
  summary: null,
}

/** Reads the DSS of `doc` (the document as it is now, with every revision). */
export function documentEvidence(doc: PdfDocument): DocumentEvidence {
  let dss: ReturnType<typeof readDss>
  try {
    dss = readDss(doc)
  } catch {
    return NO_EVIDENCE
  }
  if (!dss.dict) return NO_EVIDENCE
  const certificates = dss.certs.map((c) => c.data)
  const crls = dss.crls.flatMap((c) => {
    const parsed = safeCrl(c.data)
    return parsed ? [{ crl: parsed, offset: c.offset }] : []
  })
  // Read once each: every answer is tried against every certificate of every path.
  const ocsps = dss.ocsps.map((o) => ({ read: readOcsp(o.data), offset: o.offset }))
  const cache = new Map<string, PlacedAnswer[]>()
  return {
    certificates,
    answersFor(cert, issuer) {
      const key = `${cert.toString('base64')}|${issuer.toString('base64')}`
      const known = cache.get(key)
      if (known) return known
      const answers: PlacedAnswer[] = []
      for (const { crl, offset } of crls) {
        const a = crlAnswer(crl, cert, issuer)
        if (a) answers.push({ ...a, offset })
      }
      for (const item of ocsps) {
        const a = ocspAnswer(item.read, cert, issuer, certificates)
        if (a) answers.push({ ...a, offset: item.offset })
      }
      cache.set(key, answers)
      return answers
    },
    issuerOf: (cert, extra = []) => findIssuer(cert, [...extra, ...certificates]),
    summary: {
      certificates: dss.certs.length,
      crls: dss.crls.length,
      ocspResponses: dss.ocsps.length,
      vri: dss.vri ? dss.vri.map.size : 0,
    },
  }
}

function safeCrl(der: Buffer): ParsedCrl | undefined {
  try {
    return parseCrl(der)
  } catch {
    return undefined
  }
}

/** The first certificate of `pool` that names and signed `cert` (RFC 5280 §6.1.3 (a)). */
function findIssuer(cert: Buffer, pool: readonly Buffer[]): Buffer | undefined {
  const x = safeCert(cert)
  if (!x) return undefined
  return pool.find((c) => {
    const candidate = safeCert(c)
    return candidate !== null && !c.equals(cert) && x.checkIssued(candidate) && x.verify(candidate.publicKey)
  })
}
