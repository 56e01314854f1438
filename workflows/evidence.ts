import { createHash } from 'node:crypto'
import {
  checkCertificateStatus,
  loadCrls,
  readCertificate,
  type CertificateStatusReport,
} from '../signing/pki'
import type { ParsedCrl } from '../signing/pki'
import { listRevocationLists } from '../storage/revocation-lists'
import type { Services } from './context'
import { SigningError } from '../signing/errors'
import { serviceCrls } from './service-crls'

/**
 * What Kyso keeps with every signature, whatever held the key (Circular 15/2025/TT-BKHCN: the
 * certificate, the revocation data at signing time and the validation result): the certificate
 * and its path to the trust anchor, the CRL or OCSP answer for each certificate of the path, and
 * the outcome of the check made right before the signature.
 */
export interface SignatureEvidence {
  /** internal | signed-file | two-phase | agent | remote:<provider> */
  keySource: string
  certificate: string
  subject: string
  issuer: string
  serialHex: string
  /** Signer first, trust anchor last; base64 DER. */
  path: string[]
  revocation: {
    subject: string
    serialHex: string
    source: 'crl' | 'ocsp' | null
    url?: string
    status: string
    /** The CRL or OCSP response used, base64 DER. */
    data?: string
  }[]
  check: { ok: boolean; code: string | null; message: string; at: string }
}

/** The CRLs the service holds: its own CA's, and those an administrator uploaded. */
export async function heldCrls(s: Services): Promise<ParsedCrl[]> {
  const uploaded = await listRevocationLists(s.db)
  return [...(await serviceCrls(s)), ...uploaded.flatMap((r) => loadCrls(r.der))]
}

/** Runs the pre-signing check of a certificate (trust, key usage, validity, revocation). */
export async function certificateStatus(
  s: Services,
  certificate: Buffer,
  pool: Buffer[],
  now = new Date(),
): Promise<CertificateStatusReport> {
  return checkCertificateStatus(certificate, {
    pool,
    trustAnchors: await s.trustAnchors(),
    crls: await heldCrls(s),
    ...(s.config.revocationFetchPrefixes.length > 0 && {
      fetch: { allow: s.config.revocationFetchPrefixes },
    }),
    now,
  })
}

/**
 * Checks a certificate right before it signs and returns the evidence to keep; a certificate that
 * fails (untrusted, expired, revoked, no revocation information...) is refused with that code.
 */
export async function checkBeforeSigning(
  s: Services,
  certificate: Buffer,
  pool: Buffer[],
  keySource: string,
): Promise<SignatureEvidence> {
  const report = await certificateStatus(s, certificate, pool)
  if (!report.ok) throw new SigningError(report.code ?? 'CERT_UNTRUSTED', report.message)
  return evidenceOf(certificate, report, keySource)
}

export function evidenceOf(
  certificate: Buffer,
  report: CertificateStatusReport,
  keySource: string,
): SignatureEvidence {
  const facts = readCertificate(certificate)
  return {
    keySource,
    certificate: certificate.toString('base64'),
    subject: facts.subject,
    issuer: facts.issuer,
    serialHex: facts.serialHex,
    path: report.path.map((d) => d.toString('base64')),
    revocation: report.revocation.map((r) => ({
      subject: r.subject,
      serialHex: r.serialHex,
      source: r.source,
      ...(r.url && { url: r.url }),
      status: r.status,
      ...(r.data && { data: r.data.toString('base64') }),
    })),
    check: { ok: report.ok, code: report.code, message: report.message, at: new Date().toISOString() },
  }
}

/** SHA-256 of a DER certificate, lower-case hex: how a certificate is found again. */
export function fingerprintOf(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex')
}
