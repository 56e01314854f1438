/**
 * ESS signing-certificate attributes: v1 (RFC 2634 §5.4, SHA-1 ESSCertID) and v2 (RFC 5035 §3,
 * ESSCertIDv2 with a hash algorithm, SHA-256 by default). RFC 5035 §3: the first identifier in
 * `certs` is the certificate used to verify the signature.
 */
import { createHash } from 'node:crypto'
import type { CertificateInfo } from './certificate'
import { fieldsOf, octetsOf, oidOf, type DerNode } from './der-read'
import { HASH_BY_OID } from './oids'

export type SigningCertificateMatch = 'match' | 'mismatch' | 'absent'

export function checkSigningCertificate(
  value: DerNode | undefined,
  signer: CertificateInfo | undefined,
  version: 1 | 2,
  problems: string[],
): SigningCertificateMatch {
  if (!value) return 'absent'
  const name = `signing-certificate${version === 2 ? '-v2' : ''}`
  if (!signer) {
    problems.push(`${name} cannot be checked without the signer certificate`)
    return 'mismatch'
  }
  try {
    const problem = compare(value, signer, version)
    if (problem) problems.push(`${name}: ${problem}`)
    return problem ? 'mismatch' : 'match'
  } catch {
    problems.push(`${name} is malformed`)
    return 'mismatch'
  }
}

/** Returns why the first ESSCertID(v2) does not identify `signer`, or undefined when it does. */
function compare(value: DerNode, signer: CertificateInfo, version: 1 | 2): string | undefined {
  const certs = fieldsOf(value, 'SigningCertificate').required(0x10, 'certs')
  const first = certs.children[0]
  if (!first) return 'no certificate identifier'
  const id = fieldsOf(first, 'ESSCertID')
  const hashAlgorithm = version === 2 ? id.optional(0x10) : undefined
  const hash = hashAlgorithm
    ? HASH_BY_OID[oidOf(hashAlgorithm.children[0]!)]
    : version === 2
      ? 'sha256'
      : 'sha1'
  if (!hash) return 'unsupported hash algorithm'
  const certHash = octetsOf(id.required(0x04, 'certHash'))
  if (!createHash(hash).update(signer.der).digest().equals(certHash))
    return 'certHash does not match the signer certificate'
  const issuerSerial = id.optional(0x10)
  if (!issuerSerial) return undefined
  // IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber } (RFC 5035 §4).
  const fields = fieldsOf(issuerSerial, 'IssuerSerial')
  const names = fields.required(0x10, 'issuer').children
  const serial = fields.required(0x02, 'serialNumber')
  const issuerMatches = names.some(
    (n) => n.tagClass === 'context' && n.tag === 4 && n.children[0]?.raw.equals(signer.issuer) === true,
  )
  if (!issuerMatches || !serial.raw.equals(signer.serialNumber))
    return 'issuerSerial does not match the signer certificate'
  return undefined
}
