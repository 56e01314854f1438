/**
 * The certificate objects on a token (PKCS#11 v2.40 base §4.6.3: CKO_CERTIFICATE, CKC_X_509,
 * the DER in CKA_VALUE) and the chain they hold above a signer's certificate.
 */
import { X509Certificate } from 'node:crypto'
import { attribute, findObjects, type TokenSession } from './pkcs11-module'

export interface CertificateObject {
  /** CKA_ID, lower-case hex ('' when the object has none). */
  id: string
  label: string
  /** DER. */
  certificate: Buffer
}

/** Every readable X.509 certificate object; anything that does not parse is left out. */
export function tokenCertificates(token: TokenSession): CertificateObject[] {
  const { lib } = token
  const objects = findObjects(token, [
    { type: lib.CKA_CLASS, value: lib.CKO_CERTIFICATE },
    { type: lib.CKA_CERTIFICATE_TYPE, value: lib.CKC_X_509 },
  ])
  return objects.flatMap((object) => {
    const certificate = attribute(token, object, lib.CKA_VALUE)
    if (!certificate || !isCertificate(certificate)) return []
    const id = attribute(token, object, lib.CKA_ID)?.toString('hex') ?? ''
    const label = attribute(token, object, lib.CKA_LABEL)?.toString('utf8') ?? ''
    return [{ id, label, certificate: Buffer.from(certificate) }]
  })
}

/** The issuers of `leaf` among `candidates`, nearest first, each checked by its signature. */
export function issuersOf(leaf: Buffer, candidates: Buffer[]): Buffer[] {
  const parsed = candidates
    .filter((der) => !der.equals(leaf))
    .map((der) => ({ der, x509: new X509Certificate(der) }))
  const chain: Buffer[] = []
  let current = new X509Certificate(leaf)
  // Stops at a self-issued certificate (the root) or when no further issuer is on the token.
  while (!current.checkIssued(current)) {
    const subject = current
    const issuer = parsed.find((c) => !chain.includes(c.der) && signedBy(subject, c.x509))
    if (!issuer) break
    chain.push(issuer.der)
    current = issuer.x509
  }
  return chain
}

/** Of several certificates for one key (a renewal keeps the key), the one valid longest. */
export function newest(certificates: Buffer[]): Buffer | undefined {
  const until = (der: Buffer) => new Date(new X509Certificate(der).validTo).getTime()
  return [...certificates].sort((a, b) => until(b) - until(a))[0]
}

/** Names match (checkIssued) and the signature verifies; a key of another type is simply no. */
function signedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey)
  } catch {
    return false
  }
}

function isCertificate(der: Buffer): boolean {
  try {
    new X509Certificate(der)
    return true
  } catch {
    return false
  }
}
