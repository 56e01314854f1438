/**
 * The check signing software makes before it signs (DOMAIN.md, "Certificates and trust"): the
 * certificate is in its validity period, allows signing, and is not on a supplied CRL.
 * Chain building and trust are the validator's job, not this function's.
 */
import { SigningError } from '../errors'
import { readCertificate, type CertificateFacts } from './certificate-info'
import { isRevoked, type ParsedCrl } from './crl'
import { EKU } from './extensions'

export interface CheckSignerOptions {
  now: Date
  /** CRLs to consult; without them revocation is not checked. */
  crls?: ParsedCrl[]
  /** Issuer certificates (DER): when given, a CRL counts only if its signature verifies. */
  issuers?: Buffer[]
}

/**
 * A critical extKeyUsage restricts the key to its purposes (RFC 5280 §4.2.1.12); these are the
 * purposes under which signing a document is acceptable. A non-critical one is advisory only.
 */
const DOCUMENT_SIGNING_PURPOSES: readonly string[] = [
  EKU.documentSigning,
  EKU.emailProtection,
  EKU.anyExtendedKeyUsage,
  EKU.adobeAuthenticDocuments,
]

/**
 * Throws CERT_NOT_YET_VALID, CERT_EXPIRED, CERT_KEY_USAGE or CERT_REVOKED (in that order of
 * checking) with a message naming the certificate's subject; returns quietly otherwise.
 *
 * @example
 * checkSignerCertificate(keySource.certificate, { now: new Date(), crls: loadCrls(crlPem), issuers: [issuingDer] })
 */
export function checkSignerCertificate(certDer: Buffer, opts: CheckSignerOptions): void {
  const cert = factsOf(certDer)
  const who = describeCertificate(cert)
  if (opts.now < cert.notBefore) {
    throw new SigningError(
      'CERT_NOT_YET_VALID',
      `Chứng thư số của ${who} chưa có hiệu lực (từ ${cert.notBefore.toISOString()})`,
    )
  }
  if (opts.now > cert.notAfter) {
    throw new SigningError(
      'CERT_EXPIRED',
      `Chứng thư số của ${who} đã hết hạn (${cert.notAfter.toISOString()})`,
    )
  }
  // RFC 5280 §4.2.1.3: an absent keyUsage extension places no restriction.
  if (cert.keyUsage && !cert.keyUsage.has('digitalSignature') && !cert.keyUsage.has('nonRepudiation')) {
    throw new SigningError(
      'CERT_KEY_USAGE',
      `Chứng thư số của ${who} không cho phép ký số (keyUsage lacks digitalSignature and nonRepudiation)`,
    )
  }
  const eku = cert.extKeyUsage
  if (eku?.critical && !eku.purposes.some((p) => DOCUMENT_SIGNING_PURPOSES.includes(p))) {
    throw new SigningError(
      'CERT_KEY_USAGE',
      `Chứng thư số của ${who} không dùng để ký văn bản (extKeyUsage ${eku.purposes.join(', ')})`,
    )
  }
  if (opts.crls) {
    const status = isRevoked(certDer, opts.crls, opts.now, opts.issuers)
    if (status.revoked) {
      const reason = status.reason ? `, lý do: ${status.reason}` : ''
      throw new SigningError(
        'CERT_REVOKED',
        `Chứng thư số của ${who} đã bị thu hồi ngày ${status.revokedAt?.toISOString()}${reason}`,
      )
    }
  }
}

/** A key source hands the same certificate Buffer to every signature: parse it once. */
const parsed = new WeakMap<Buffer, CertificateFacts>()
function factsOf(certDer: Buffer): CertificateFacts {
  let facts = parsed.get(certDer)
  if (!facts) {
    facts = readCertificate(certDer)
    parsed.set(certDer, facts)
  }
  return facts
}

/** How messages name a certificate: its subject and serial number. */
export function describeCertificate(cert: CertificateFacts): string {
  return `"${cert.subject}" (số sê-ri ${cert.serialHex})`
}
