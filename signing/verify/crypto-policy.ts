/**
 * The cryptographic policy (ETSI EN 319 102-1 §5.2.8 cryptographic verification constraints):
 * which digest algorithms, signature algorithms and keys Kyso accepts, and until when. A
 * signature that verifies but fails the policy is INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE,
 * never FAILED: nothing shows it was forged, only that it cannot be relied on. The same table is
 * in README ("Cryptographic policy").
 */
import type { AlgorithmFacts } from '../cms'

export interface PolicyRow {
  what: string
  /** Accepted for signatures proven to exist before this date (undefined: no end). */
  until?: Date
  accepted: boolean
  why: string
}

/** SHA-1 collisions are practical (SHAttered, 2017); EU and Vietnamese CAs left it in 2016. */
const SHA1_END = new Date('2017-01-01T00:00:00Z')

export const DIGESTS: Readonly<Record<string, PolicyRow>> = {
  sha1: {
    what: 'SHA-1',
    accepted: true,
    until: SHA1_END,
    why: 'collisions are practical; only signatures proven to exist before 2017',
  },
  sha224: { what: 'SHA-224', accepted: true, why: 'SHA-2' },
  sha256: { what: 'SHA-256', accepted: true, why: 'SHA-2' },
  sha384: { what: 'SHA-384', accepted: true, why: 'SHA-2' },
  sha512: { what: 'SHA-512', accepted: true, why: 'SHA-2' },
  'sha3-224': { what: 'SHA3-224', accepted: true, why: 'SHA-3 (FIPS 202)' },
  'sha3-256': { what: 'SHA3-256', accepted: true, why: 'SHA-3 (FIPS 202)' },
  'sha3-384': { what: 'SHA3-384', accepted: true, why: 'SHA-3 (FIPS 202)' },
  'sha3-512': { what: 'SHA3-512', accepted: true, why: 'SHA-3 (FIPS 202)' },
  shake256: { what: 'SHAKE256 (512 bits)', accepted: true, why: 'RFC 8419, for Ed448' },
}

/** Named curves accepted for ECDSA (NIST and brainpool, 256 bits and more). */
export const CURVES: Readonly<Record<string, PolicyRow>> = {
  prime256v1: { what: 'NIST P-256', accepted: true, why: 'FIPS 186-4' },
  secp384r1: { what: 'NIST P-384', accepted: true, why: 'FIPS 186-4' },
  secp521r1: { what: 'NIST P-521', accepted: true, why: 'FIPS 186-4' },
  brainpoolP256r1: { what: 'brainpoolP256r1', accepted: true, why: 'RFC 5639' },
  brainpoolP384r1: { what: 'brainpoolP384r1', accepted: true, why: 'RFC 5639' },
  brainpoolP512r1: { what: 'brainpoolP512r1', accepted: true, why: 'RFC 5639' },
}

/** RSA moduli below this are too weak: Circular 15/2025/TT-BKHCN requires 2048 bits. */
export const MIN_RSA_BITS = 2048

export interface CryptoJudgement {
  acceptable: boolean
  /** 'SHA-256, RSASSA-PSS with SHA-256, RSA 3072 bits' */
  summary: string
  problems: string[]
}

/**
 * Judges the algorithms of a signature at `at`: the time a time-stamp proves the signature
 * existed, or the validation time when nothing proves it (EN 319 102-1 §5.2.8: an algorithm past
 * its end is acceptable only for a signature proven to predate the end).
 */
export function judgeAlgorithms(facts: AlgorithmFacts, at: Date): CryptoJudgement {
  const problems: string[] = []
  const hashes = new Set([facts.digest, ...(facts.signature?.hash ? [facts.signature.hash] : [])])
  for (const h of hashes) {
    const row = DIGESTS[h]
    if (!row) problems.push(`digest algorithm ${h} is not accepted`)
    else if (row.until && at >= row.until) {
      problems.push(
        `${row.what} is not accepted for signatures after ${row.until.getUTCFullYear() - 1} (${row.why})`,
      )
    }
  }
  const key = facts.key
  if (key?.type === 'rsa' || key?.type === 'rsa-pss') {
    const bits = key.bits ?? 0
    if (bits < MIN_RSA_BITS)
      problems.push(`RSA ${bits}-bit keys are too weak (at least ${MIN_RSA_BITS} bits, Circular 15/2025)`)
  } else if (key?.type === 'ec') {
    if (!key.curve || !CURVES[key.curve]) problems.push(`elliptic curve ${key.curve ?? '?'} is not accepted`)
  } else if (key && key.type !== 'ed25519' && key.type !== 'ed448') {
    problems.push(`${key.type} keys are not accepted`)
  }
  return { acceptable: problems.length === 0, summary: summary(facts), problems }
}

/** 'SHA-256' for 'sha256'; an unknown algorithm's OID as it is. */
export function digestName(digest: string): string {
  return DIGESTS[digest]?.what ?? digest
}

export function keySummary(key: AlgorithmFacts['key']): string | null {
  if (!key) return null
  if (key.type === 'rsa' || key.type === 'rsa-pss') return `RSA ${key.bits ?? '?'} bits`
  if (key.type === 'ec') return `EC ${CURVES[key.curve ?? '']?.what ?? key.curve ?? '?'}`
  return key.type === 'ed25519' ? 'Ed25519' : key.type === 'ed448' ? 'Ed448' : key.type
}

function summary(facts: AlgorithmFacts): string {
  return [digestName(facts.digest), facts.signature?.name, keySummary(facts.key)].filter(Boolean).join(', ')
}
