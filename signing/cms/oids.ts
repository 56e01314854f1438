/** Object identifiers used by the CMS and TSA code, named as in the RFCs that define them. */
export const OID = {
  /** RFC 5652 §4 */
  data: '1.2.840.113549.1.7.1',
  /** RFC 5652 §5.1 */
  signedData: '1.2.840.113549.1.7.2',
  /** RFC 5652 §11.1 */
  contentType: '1.2.840.113549.1.9.3',
  /** RFC 5652 §11.2 */
  messageDigest: '1.2.840.113549.1.9.4',
  /** RFC 5652 §11.3 */
  signingTime: '1.2.840.113549.1.9.5',
  /** RFC 2634 §5.4 (ESS signing-certificate, SHA-1 only) */
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  /** RFC 5035 §3 */
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  /** RFC 3161 Appendix A; ETSI EN 319 122-1 §5.3 (signature-time-stamp) */
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  /** RFC 3161 §2.4.2 */
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  /** RFC 3161 §2.3 */
  timeStamping: '1.3.6.1.5.5.7.3.8',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512'

/** Digest algorithms accepted when verifying (RFC 5754 §2; SHA-1 for signatures of old tools). */
export const HASH_BY_OID: Readonly<Record<string, HashName>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
}

export const HASH_OID: Readonly<Record<HashName, string>> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
}

export const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 }

/** Signature algorithms that fix their own hash (RFC 4055 §5, RFC 5758 §3.2, RFC 3279). */
export const SIGNATURE_ALGORITHMS: Readonly<Record<string, { key: 'RSA' | 'EC'; hash?: HashName }>> = {
  [OID.rsaEncryption]: { key: 'RSA' },
  '1.2.840.113549.1.1.5': { key: 'RSA', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { key: 'RSA', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { key: 'RSA', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { key: 'RSA', hash: 'sha512' },
  [OID.ecPublicKey]: { key: 'EC' },
  '1.2.840.10045.4.1': { key: 'EC', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { key: 'EC', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { key: 'EC', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { key: 'EC', hash: 'sha512' },
}
