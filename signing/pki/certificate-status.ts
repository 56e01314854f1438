/**
 * The check before every signature with an external certificate (issue 11): the certificate
 * chains to a configured trust anchor, allows signing, every certificate of the path is valid
 * now, and none but the anchor is revoked, as shown by a held CRL, by OCSP or by a fetched CRL.
 * The outcome is data, with the revocation information it rests on kept as evidence.
 */
import { SigningError, type SigningErrorCode } from '../errors'
import { buildChain } from '../verify/chain'
import { readCertificate, type CertificateFacts } from './certificate-info'
import { checkSignerCertificate, describeCertificate } from './check-signer'
import type { ParsedCrl } from './crl'
import {
  revocationOf,
  type RevocationEvidence,
  type RevocationFetch,
  type RevocationFetchPolicy,
} from './revocation-sources'

export type { RevocationEvidence, RevocationFetch, RevocationFetchPolicy } from './revocation-sources'

export type CertificateStatusCode = Extract<
  SigningErrorCode,
  | 'CERT_UNTRUSTED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_EXPIRED'
  | 'CERT_KEY_USAGE'
  | 'CERT_REVOKED'
  | 'CERT_REVOCATION_UNKNOWN'
>

export interface CertificateStatusOptions {
  /** Intermediate certificates offered with the certificate (DER). */
  pool: Buffer[]
  trustAnchors: Buffer[]
  /** CRLs at hand: uploaded by an administrator or read from files. */
  crls: ParsedCrl[]
  /** Where OCSP and CRLs may be fetched from; without it nothing is fetched. */
  fetch?: RevocationFetchPolicy
  now: Date
}

export interface CertificateStatusReport {
  ok: boolean
  code: CertificateStatusCode | null
  /** Vietnamese, naming the certificate concerned; empty when ok. */
  message: string
  /** Signer first, trust anchor last; empty when no path was found. */
  path: Buffer[]
  /** One entry per certificate of the path but the anchor, signer first. */
  revocation: RevocationEvidence[]
  fetches: RevocationFetch[]
}

const SIGNER_CODES: ReadonlySet<string> = new Set(['CERT_NOT_YET_VALID', 'CERT_EXPIRED', 'CERT_KEY_USAGE'])

/**
 * Reports whether `certDer` may sign now. A certificate that fails is reported, not thrown;
 * CERT_UNREADABLE and BAD_OPTION are thrown for input that cannot be checked at all.
 *
 * @example
 * const fetch = { allow: ['http://ocsp.ca.gov.vn/', 'http://crl.ca.gov.vn/'] }
 * const report = await checkCertificateStatus(cert, { pool, trustAnchors, crls, fetch, now: new Date() })
 * if (!report.ok) throw new SigningError(report.code!, report.message)
 */
export async function checkCertificateStatus(
  certDer: Buffer,
  opts: CertificateStatusOptions,
): Promise<CertificateStatusReport> {
  const signer = readCertificate(certDer)
  if (opts.trustAnchors.length === 0) throw new SigningError('BAD_OPTION', 'no trust anchor is configured')
  // 1. A path to a trust anchor (RFC 5280 §6.1, as buildChain does it).
  const chain = buildChain(certDer, opts.pool, opts.trustAnchors, opts.now)
  if (!chain.trusted) {
    const who = describeCertificate(signer)
    const message = `Chứng thư số của ${who} không thuộc chuỗi của chứng thư số gốc tin cậy nào`
    return refusal('CERT_UNTRUSTED', message, [])
  }
  const path = chain.path.map((c) => Buffer.from(c.raw))
  // 2. The signer: validity, keyUsage and a critical extKeyUsage, as before any signature.
  try {
    checkSignerCertificate(certDer, { now: opts.now })
  } catch (err) {
    if (err instanceof SigningError && SIGNER_CODES.has(err.code)) {
      return refusal(err.code as CertificateStatusCode, err.message, path)
    }
    throw err
  }
  // 3. The CA certificates above it: each valid now (§6.1.3 (a)(2)).
  for (const ca of path.slice(1).map(readCertificate)) {
    const problem = validityProblem(ca, opts.now)
    if (problem) return refusal(problem.code, problem.message, path)
  }
  // 4. Revocation of every certificate but the anchor, signer first.
  const fetches: RevocationFetch[] = []
  const revocation: RevocationEvidence[] = []
  const sources = { crls: opts.crls, fetch: opts.fetch, now: opts.now, fetches }
  for (let i = 0; i + 1 < path.length; i++) {
    revocation.push(await revocationOf(path[i]!, path[i + 1]!, sources))
  }
  // 5. The verdict: a revocation anywhere on the path outweighs a missing answer.
  const report = { path, revocation, fetches }
  const revoked = revocation.find((r) => r.status === 'revoked')
  if (revoked) {
    const message = revokedMessage(revoked, revoked === revocation[0])
    return { ok: false, code: 'CERT_REVOKED', message, ...report }
  }
  const unknown = revocation.find((r) => r.status !== 'good')
  if (unknown) {
    const who = `"${unknown.subject}" (số sê-ri ${unknown.serialHex})`
    const message = `Không xác định được tình trạng thu hồi của chứng thư số ${who}`
    return { ok: false, code: 'CERT_REVOCATION_UNKNOWN', message, ...report }
  }
  return { ok: true, code: null, message: '', ...report }
}

function refusal(code: CertificateStatusCode, message: string, path: Buffer[]): CertificateStatusReport {
  return { ok: false, code, message, path, revocation: [], fetches: [] }
}

type Problem = { code: CertificateStatusCode; message: string }

function validityProblem(ca: CertificateFacts, now: Date): Problem | undefined {
  const who = `Chứng thư số CA ${describeCertificate(ca)}`
  if (now < ca.notBefore) {
    const message = `${who} chưa có hiệu lực (từ ${ca.notBefore.toISOString()})`
    return { code: 'CERT_NOT_YET_VALID', message }
  }
  if (now > ca.notAfter) {
    return { code: 'CERT_EXPIRED', message: `${who} đã hết hạn (${ca.notAfter.toISOString()})` }
  }
  return undefined
}

function revokedMessage(revoked: RevocationEvidence, isSigner: boolean): string {
  const who = `"${revoked.subject}" (số sê-ri ${revoked.serialHex})`
  const what = isSigner ? `Chứng thư số của ${who}` : `Chứng thư số CA ${who} (trong chuỗi chứng thực)`
  const reason = revoked.reason ? `, lý do: ${revoked.reason}` : ''
  return `${what} đã bị thu hồi ngày ${revoked.revokedAt?.toISOString() ?? '?'}${reason}`
}
