/**
 * What a CRL or an OCSP response kept as evidence (a PDF's DSS, ISO 32000-2 §12.8.4.3; the
 * evidence of a signature) says about one certificate, once its origin is verified: a CRL signed
 * by the certificate's issuer with a key allowed to sign CRLs (RFC 5280 §6.3.3 (f)), an OCSP
 * answer signed by the issuer or by a responder it delegated (RFC 6960 §4.2.2.2). Unlike the
 * checks of a live answer (ocsp.ts), nothing here asks whether the answer is current or echoes a
 * nonce: evidence is judged by the time it speaks about (EN 319 102-1 §5.2.5), by the caller.
 *
 * Kept free of asn1js (certificate-info.ts): the validator loads this on every verification.
 */
import { X509Certificate } from 'node:crypto'
import { certificateInfo, publicKeyOf } from '../cms/certificate'
import { verifySignedBytes } from '../cms/signature'
import { isRevoked, verifyCrlSignature, type ParsedCrl } from './crl'
import * as m from './ocsp-messages'
import { readOcspResponse, type BasicResponse, type ReadResponse } from './ocsp-response'

export interface RevocationAnswer {
  source: 'crl' | 'ocsp'
  status: 'good' | 'revoked' | 'unknown'
  revokedAt?: Date
  reason?: string
  /** When the information was current: the CRL's or the SingleResponse's thisUpdate. */
  thisUpdate: Date
  nextUpdate?: Date
}

const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9'
const CRL_SIGN_BIT = 6
const FAR_FUTURE = new Date(8_640_000_000_000_000)

/** The answer of `crl` about `cert`, or undefined when the CRL is not the issuer's own. */
export function crlAnswer(crl: ParsedCrl, cert: Buffer, issuer: Buffer): RevocationAnswer | undefined {
  const keyUsage = safe(() => certificateInfo(issuer).keyUsage)
  if (keyUsage && !keyUsage.has(CRL_SIGN_BIT)) return undefined
  if (!safe(() => certificateInfo(cert).issuer.equals(crl.issuerName))) return undefined
  if (!verifyCrlSignature(crl, issuer)) return undefined
  const status = isRevoked(cert, [crl], FAR_FUTURE)
  const times = { thisUpdate: crl.thisUpdate, ...(crl.nextUpdate && { nextUpdate: crl.nextUpdate }) }
  if (!status.revoked) return { source: 'crl', status: 'good', ...times }
  const reason = status.reason !== undefined ? { reason: status.reason } : {}
  return {
    source: 'crl',
    status: 'revoked',
    ...(status.revokedAt && { revokedAt: status.revokedAt }),
    ...reason,
    ...times,
  }
}

/**
 * The answer of a DER OCSPResponse (or one read by `readOcsp`) about `cert`, or undefined when it
 * is unreadable, not about the certificate, or not signed by someone the issuer authorised.
 * `pool` holds certificates that may be the delegated responder's (the DSS's), beside those the
 * response carries.
 */
export function ocspAnswer(
  der: Buffer | ReadResponse | undefined,
  cert: Buffer,
  issuer: Buffer,
  pool: readonly Buffer[] = [],
): RevocationAnswer | undefined {
  const read: ReadResponse | undefined = Buffer.isBuffer(der) ? readOcsp(der) : der
  const basic = read && 'basic' in read ? (read as { basic: BasicResponse }).basic : undefined
  if (!basic) return undefined
  const single = basic.responses.find((r) => safe(() => m.certIdMatches(r.certId, cert, issuer)) === true)
  if (!single) return undefined
  if (!signedByAuthority(basic, issuer, pool)) return undefined
  const times = { thisUpdate: single.thisUpdate, ...(single.nextUpdate && { nextUpdate: single.nextUpdate }) }
  return {
    source: 'ocsp',
    status: single.status,
    ...(single.revokedAt && { revokedAt: single.revokedAt }),
    ...(single.reason !== undefined && { reason: single.reason }),
    ...times,
  }
}

/** The response read once (for a DSS whose answers are tried against many certificates); undefined if unreadable. */
export function readOcsp(der: Buffer): ReadResponse | undefined {
  return safe(() => readOcspResponse(der))
}

/** §4.2.2.2: the issuer itself, or a responder certificate it issued with id-kp-OCSPSigning. */
function signedByAuthority(basic: BasicResponse, issuer: Buffer, pool: readonly Buffer[]): boolean {
  const candidates = [issuer, ...basic.certs, ...pool].filter((c) => namesResponder(c, basic.responderId))
  for (const candidate of candidates) {
    if (!verifies(basic, candidate)) continue
    if (sameKey(candidate, issuer) || delegated(candidate, issuer, basic.producedAt)) return true
  }
  return false
}

function delegated(responder: Buffer, issuer: Buffer, at: Date): boolean {
  const x = safe(() => new X509Certificate(responder))
  const ca = safe(() => new X509Certificate(issuer))
  if (!x || !ca || !x.checkIssued(ca) || !x.verify(ca.publicKey)) return false
  if (at < new Date(x.validFrom) || at > new Date(x.validTo)) return false
  const info = certificateInfo(responder)
  if (!info.extKeyUsage?.purposes.includes(OCSP_SIGNING)) return false
  return !info.keyUsage || info.keyUsage.has(0) || info.keyUsage.has(1)
}

function namesResponder(certDer: Buffer, id: BasicResponse['responderId']): boolean {
  return (
    safe(() =>
      'byKey' in id
        ? m.keyHashOf(certDer).equals(id.byKey)
        : certificateInfo(certDer).subject.equals(id.byName),
    ) === true
  )
}

function verifies(basic: BasicResponse, certDer: Buffer): boolean {
  const key = safe(() => publicKeyOf(certificateInfo(certDer)))
  if (!key) return false
  return (
    safe(
      () => verifySignedBytes(basic.signatureAlgorithm, 'sha256', key, basic.tbs, basic.signature).valid,
    ) === true
  )
}

function sameKey(a: Buffer, b: Buffer): boolean {
  return (
    a.equals(b) ||
    safe(() => certificateInfo(a).subjectPublicKeyInfo.equals(certificateInfo(b).subjectPublicKeyInfo)) ===
      true
  )
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}
