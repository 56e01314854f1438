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
  /** RFC 8410 §3 */
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
} as const

/**
 * Digest algorithms by node:crypto name. SHA-1 only verifies old signatures; SHAKE256 is the
 * 512-bit output variant RFC 8419 §2.3 prescribes for Ed448 (id-shake256, output length 64).
 */
export type HashName =
  | 'sha1'
  | 'sha224'
  | 'sha256'
  | 'sha384'
  | 'sha512'
  | 'sha3-224'
  | 'sha3-256'
  | 'sha3-384'
  | 'sha3-512'
  | 'shake256'

/** NIST's digest arc (RFC 5754 §2, RFC 8702 §2, FIPS 202). */
const NIST_HASH = '2.16.840.1.101.3.4.2'

export const HASH_OID: Readonly<Record<HashName, string>> = {
  sha1: '1.3.14.3.2.26',
  sha224: `${NIST_HASH}.4`,
  sha256: `${NIST_HASH}.1`,
  sha384: `${NIST_HASH}.2`,
  sha512: `${NIST_HASH}.3`,
  'sha3-224': `${NIST_HASH}.7`,
  'sha3-256': `${NIST_HASH}.8`,
  'sha3-384': `${NIST_HASH}.9`,
  'sha3-512': `${NIST_HASH}.10`,
  shake256: `${NIST_HASH}.12`,
}

/** Digest algorithms accepted when verifying, by OID. */
export const HASH_BY_OID: Readonly<Record<string, HashName>> = Object.fromEntries(
  Object.entries(HASH_OID).map(([name, oid]) => [oid, name as HashName]),
)

export const HASH_LENGTH: Readonly<Record<HashName, number>> = {
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  'sha3-224': 28,
  'sha3-256': 32,
  'sha3-384': 48,
  'sha3-512': 64,
  shake256: 64,
}

export type KeyKind = 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448'

export interface SignatureAlgorithmInfo {
  readonly key: KeyKind
  /** The hash the algorithm fixes; absent when the SignerInfo's digestAlgorithm decides. */
  readonly hash?: HashName
  /** ECDSA value format: DER Ecdsa-Sig-Value, or r || s (BSI TR-03111 §5.2.1 "plain"). */
  readonly encoding?: 'der' | 'plain'
  /** Human name for the report. */
  readonly name: string
}

const RSA_SHA3 = '2.16.840.1.101.3.4.3'
/** BSI TR-03111 §5.2.1: ecdsa-plain-signatures. */
const ECDSA_PLAIN = '0.4.0.127.0.7.1.1.4.1'

/**
 * Signature algorithms by OID: RSASSA-PKCS1-v1_5 (RFC 8017, RFC 4055 §5, RFC 8702 §3.2 for
 * SHA-3), ECDSA (RFC 5758 §3.2, RFC 8702 §3.3, BSI TR-03111 plain), EdDSA (RFC 8419 §2.3).
 * RSASSA-PSS (RFC 4056) carries its hash in its parameters and is handled apart.
 */
export const SIGNATURE_ALGORITHMS: Readonly<Record<string, SignatureAlgorithmInfo>> = {
  [OID.rsaEncryption]: { key: 'RSA', name: 'RSA PKCS#1 v1.5' },
  '1.2.840.113549.1.1.5': { key: 'RSA', hash: 'sha1', name: 'RSA PKCS#1 v1.5 with SHA-1' },
  '1.2.840.113549.1.1.14': { key: 'RSA', hash: 'sha224', name: 'RSA PKCS#1 v1.5 with SHA-224' },
  '1.2.840.113549.1.1.11': { key: 'RSA', hash: 'sha256', name: 'RSA PKCS#1 v1.5 with SHA-256' },
  '1.2.840.113549.1.1.12': { key: 'RSA', hash: 'sha384', name: 'RSA PKCS#1 v1.5 with SHA-384' },
  '1.2.840.113549.1.1.13': { key: 'RSA', hash: 'sha512', name: 'RSA PKCS#1 v1.5 with SHA-512' },
  [`${RSA_SHA3}.13`]: { key: 'RSA', hash: 'sha3-224', name: 'RSA PKCS#1 v1.5 with SHA3-224' },
  [`${RSA_SHA3}.14`]: { key: 'RSA', hash: 'sha3-256', name: 'RSA PKCS#1 v1.5 with SHA3-256' },
  [`${RSA_SHA3}.15`]: { key: 'RSA', hash: 'sha3-384', name: 'RSA PKCS#1 v1.5 with SHA3-384' },
  [`${RSA_SHA3}.16`]: { key: 'RSA', hash: 'sha3-512', name: 'RSA PKCS#1 v1.5 with SHA3-512' },
  [OID.ecPublicKey]: { key: 'EC', encoding: 'der', name: 'ECDSA' },
  '1.2.840.10045.4.1': { key: 'EC', hash: 'sha1', encoding: 'der', name: 'ECDSA with SHA-1' },
  '1.2.840.10045.4.3.1': { key: 'EC', hash: 'sha224', encoding: 'der', name: 'ECDSA with SHA-224' },
  '1.2.840.10045.4.3.2': { key: 'EC', hash: 'sha256', encoding: 'der', name: 'ECDSA with SHA-256' },
  '1.2.840.10045.4.3.3': { key: 'EC', hash: 'sha384', encoding: 'der', name: 'ECDSA with SHA-384' },
  '1.2.840.10045.4.3.4': { key: 'EC', hash: 'sha512', encoding: 'der', name: 'ECDSA with SHA-512' },
  [`${RSA_SHA3}.9`]: { key: 'EC', hash: 'sha3-224', encoding: 'der', name: 'ECDSA with SHA3-224' },
  [`${RSA_SHA3}.10`]: { key: 'EC', hash: 'sha3-256', encoding: 'der', name: 'ECDSA with SHA3-256' },
  [`${RSA_SHA3}.11`]: { key: 'EC', hash: 'sha3-384', encoding: 'der', name: 'ECDSA with SHA3-384' },
  [`${RSA_SHA3}.12`]: { key: 'EC', hash: 'sha3-512', encoding: 'der', name: 'ECDSA with SHA3-512' },
  [`${ECDSA_PLAIN}.1`]: { key: 'EC', hash: 'sha1', encoding: 'plain', name: 'plain ECDSA with SHA-1' },
  [`${ECDSA_PLAIN}.2`]: { key: 'EC', hash: 'sha224', encoding: 'plain', name: 'plain ECDSA with SHA-224' },
  [`${ECDSA_PLAIN}.3`]: { key: 'EC', hash: 'sha256', encoding: 'plain', name: 'plain ECDSA with SHA-256' },
  [`${ECDSA_PLAIN}.4`]: { key: 'EC', hash: 'sha384', encoding: 'plain', name: 'plain ECDSA with SHA-384' },
  [`${ECDSA_PLAIN}.5`]: { key: 'EC', hash: 'sha512', encoding: 'plain', name: 'plain ECDSA with SHA-512' },
  [`${ECDSA_PLAIN}.8`]: { key: 'EC', hash: 'sha3-224', encoding: 'plain', name: 'plain ECDSA with SHA3-224' },
  [`${ECDSA_PLAIN}.9`]: { key: 'EC', hash: 'sha3-256', encoding: 'plain', name: 'plain ECDSA with SHA3-256' },
  [`${ECDSA_PLAIN}.10`]: {
    key: 'EC',
    hash: 'sha3-384',
    encoding: 'plain',
    name: 'plain ECDSA with SHA3-384',
  },
  [`${ECDSA_PLAIN}.11`]: {
    key: 'EC',
    hash: 'sha3-512',
    encoding: 'plain',
    name: 'plain ECDSA with SHA3-512',
  },
  [OID.ed25519]: { key: 'Ed25519', name: 'Ed25519' },
  [OID.ed448]: { key: 'Ed448', name: 'Ed448' },
}
