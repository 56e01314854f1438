/**
 * Checks a SignerInfo signature value with node:crypto: RSASSA-PKCS1-v1_5, RSASSA-PSS (RFC 4056
 * parameters), ECDSA as DER (RFC 5753 §2.1.1) or plain r || s (BSI TR-03111 §5.2.1) on any curve
 * OpenSSL knows (NIST P-256/384/521, brainpool), Ed25519 and Ed448 (RFC 8419), over SHA-1, SHA-2,
 * SHA-3 and SHAKE256. An algorithm that cannot be checked is reported as such, never as a
 * signature that does not verify.
 */
import { constants, publicDecrypt, verify, type KeyObject } from 'node:crypto'
import { fieldsOf, octetsOf, oidOf, readDer } from './der-read'
import { HASH_BY_OID, OID, SIGNATURE_ALGORITHMS, type HashName, type KeyKind } from './oids'
import { pssParameters, type SignatureAlgorithm } from './pss'

export type { SignatureAlgorithm }

export interface SignatureFacts {
  /** Human name, e.g. 'RSASSA-PSS with SHA-256'. */
  readonly name: string
  readonly key: KeyKind
  /** The hash the signature itself uses. */
  readonly hash: HashName | null
}

export interface SignatureCheck {
  readonly valid: boolean
  /** The value could not be checked at all (algorithm or parameters node:crypto cannot do). */
  readonly unsupported?: boolean
  readonly problem?: string
  readonly facts?: SignatureFacts
  /** A rule of the algorithm's own specification the signer broke (e.g. RFC 8419 §3.1). */
  readonly constraint?: string
}

/** RFC 8419 §3.1: with signed attributes, Ed25519 digests with SHA-512 and Ed448 with SHAKE256. */
const EDDSA_DIGEST: Readonly<Partial<Record<KeyKind, HashName>>> = { Ed25519: 'sha512', Ed448: 'shake256' }

/** node:crypto's key types for each kind of signature key. */
const KEY_TYPES: Readonly<Record<KeyKind, readonly string[]>> = {
  RSA: ['rsa'],
  'RSA-PSS': ['rsa', 'rsa-pss'],
  EC: ['ec'],
  Ed25519: ['ed25519'],
  Ed448: ['ed448'],
}

/** Verifies `signature` over `data` (the signed attributes SET), hashing with the right algorithm. */
export function verifySignedBytes(
  algorithm: SignatureAlgorithm,
  digestAlgorithm: HashName,
  publicKey: KeyObject,
  data: Buffer,
  signature: Buffer,
): SignatureCheck {
  const resolved = resolveAlgorithm(algorithm, digestAlgorithm)
  if ('unsupported' in resolved) return { valid: false, unsupported: true, problem: resolved.unsupported }
  const { facts, verifyOptions } = resolved
  const keyType = publicKey.asymmetricKeyType ?? 'unknown'
  if (!KEY_TYPES[facts.key].includes(keyType)) {
    return { valid: false, facts, problem: `signature algorithm ${facts.name} does not fit a ${keyType} key` }
  }
  const edDigest = EDDSA_DIGEST[facts.key]
  const constraint =
    edDigest && digestAlgorithm !== edDigest
      ? `${facts.key} requires the ${edDigest} digest algorithm with signed attributes (RFC 8419 §3.1), not ${digestAlgorithm}`
      : undefined
  try {
    const hash = facts.key === 'Ed25519' || facts.key === 'Ed448' ? null : facts.hash
    const valid = verify(hash, data, { key: publicKey, ...verifyOptions }, signature)
    return { valid, facts, ...(constraint && { constraint }) }
  } catch (cause) {
    return {
      valid: false,
      unsupported: true,
      facts,
      problem: `signature could not be checked: ${String(cause)}`,
    }
  }
}

type Resolved =
  | {
      facts: SignatureFacts
      verifyOptions: { padding?: number; saltLength?: number; dsaEncoding?: 'der' | 'ieee-p1363' }
    }
  | { unsupported: string }

/** The algorithm's facts and node:crypto options, or why node:crypto cannot check it. */
function resolveAlgorithm(algorithm: SignatureAlgorithm, digestAlgorithm: HashName): Resolved {
  if (algorithm.oid === OID.rsassaPss) {
    const pss = pssParameters(algorithm)
    if ('unsupported' in pss) return pss
    const facts = {
      name: `RSASSA-PSS with ${pss.hash.toUpperCase()}`,
      key: 'RSA-PSS' as const,
      hash: pss.hash,
    }
    return { facts, verifyOptions: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength } }
  }
  const known = SIGNATURE_ALGORITHMS[algorithm.oid]
  if (!known) return { unsupported: `unsupported signature algorithm ${algorithm.oid}` }
  const isEdDsa = known.key === 'Ed25519' || known.key === 'Ed448'
  const hash = isEdDsa ? null : (known.hash ?? digestAlgorithm)
  const facts = {
    name: known.hash || isEdDsa ? known.name : `${known.name} with ${digestAlgorithm.toUpperCase()}`,
    key: known.key,
    hash,
  }
  return {
    facts,
    verifyOptions: known.encoding ? { dsaEncoding: known.encoding === 'plain' ? 'ieee-p1363' : 'der' } : {},
  }
}

export interface PrehashedCheck extends SignatureCheck {
  /** True when the digest inside the signature equals the expected one. */
  readonly digestMatches: boolean
}

/**
 * A SignerInfo without signed attributes signs the content digest itself (RFC 5652 §5.4), as
 * adbe.pkcs7.detached signatures of old tools do. For RSASSA-PKCS1-v1_5 the DigestInfo is
 * recovered (RFC 8017 §9.2) and compared; node:crypto cannot verify a pre-hashed ECDSA or PSS
 * signature, and EdDSA without signed attributes signs the content itself (RFC 8419 §3.1), so
 * those are reported as not checkable.
 */
export function verifyPrehashed(
  algorithm: SignatureAlgorithm,
  digestAlgorithm: HashName,
  publicKey: KeyObject,
  digest: Buffer,
  signature: Buffer,
): PrehashedCheck {
  const known = SIGNATURE_ALGORITHMS[algorithm.oid]
  if (known?.key !== 'RSA' || publicKey.asymmetricKeyType !== 'rsa') {
    const what = known?.name ?? (algorithm.oid === OID.rsassaPss ? 'RSASSA-PSS' : algorithm.oid)
    return {
      valid: false,
      unsupported: true,
      digestMatches: false,
      problem: `${what} without signed attributes cannot be checked here`,
    }
  }
  const expectedHash = known.hash ?? digestAlgorithm
  const name = known.hash ? known.name : `${known.name} with ${digestAlgorithm.toUpperCase()}`
  const facts: SignatureFacts = { name, key: 'RSA', hash: expectedHash }
  const recovered = recoverDigestInfo(publicKey, signature)
  if (!recovered) {
    return {
      valid: false,
      facts,
      digestMatches: false,
      problem: 'signature value does not decrypt to a DigestInfo',
    }
  }
  if (recovered.hash !== expectedHash) {
    const used = recovered.hash ?? 'an unknown hash'
    return {
      valid: false,
      facts,
      digestMatches: false,
      problem: `DigestInfo uses ${used}, not ${expectedHash}`,
    }
  }
  return { valid: true, facts, digestMatches: recovered.digest.equals(digest) }
}

/** RSA public-key operation and DigestInfo ::= SEQUENCE { digestAlgorithm, digest } (RFC 8017 §9.2). */
function recoverDigestInfo(
  publicKey: KeyObject,
  signature: Buffer,
): { hash?: HashName; digest: Buffer } | undefined {
  try {
    const decrypted = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature)
    const fields = fieldsOf(readDer(decrypted, 'DigestInfo'), 'DigestInfo')
    const algorithm = fieldsOf(fields.required(0x10, 'digestAlgorithm'), 'AlgorithmIdentifier')
    const hash = HASH_BY_OID[oidOf(algorithm.required(0x06, 'algorithm'))]
    const digest = octetsOf(fields.required(0x04, 'digest'))
    return hash ? { hash, digest } : { digest }
  } catch {
    return undefined
  }
}
