/**
 * Checks a SignerInfo signature value with node:crypto: RSASSA-PKCS1-v1_5, RSASSA-PSS (RFC 4055
 * §3.1 parameters) and ECDSA (RFC 5753 §2.1.1), over SHA-1/SHA-256/SHA-384/SHA-512.
 */
import { constants, publicDecrypt, verify, type KeyObject } from 'node:crypto'
import { fieldsOf, integerOf, octetsOf, oidOf, readDer, type DerNode } from './der-read'
import { HASH_BY_OID, OID, SIGNATURE_ALGORITHMS, type HashName } from './oids'

export interface SignatureAlgorithm {
  readonly oid: string
  readonly parameters?: DerNode
}

export interface SignatureCheck {
  readonly valid: boolean
  readonly problem?: string
}

/** Verifies `signature` over `data` (the signed attributes SET), hashing with the right algorithm. */
export function verifySignedBytes(
  algorithm: SignatureAlgorithm,
  digestAlgorithm: HashName,
  publicKey: KeyObject,
  data: Buffer,
  signature: Buffer,
): SignatureCheck {
  try {
    if (algorithm.oid === OID.rsassaPss) return verifyPss(algorithm, publicKey, data, signature)
    const known = SIGNATURE_ALGORITHMS[algorithm.oid]
    if (!known) return { valid: false, problem: `unsupported signature algorithm ${algorithm.oid}` }
    const keyType = publicKey.asymmetricKeyType === 'ec' ? 'EC' : 'RSA'
    if (known.key !== keyType) {
      return { valid: false, problem: `signature algorithm ${algorithm.oid} does not fit a ${keyType} key` }
    }
    return { valid: verify(known.hash ?? digestAlgorithm, data, publicKey, signature) }
  } catch (cause) {
    return { valid: false, problem: `signature could not be checked: ${String(cause)}` }
  }
}

/** RSASSA-PSS-params (RFC 4055 §3.1): hash, MGF1 with the same hash, salt length; SHA-1/20 by default. */
function verifyPss(algorithm: SignatureAlgorithm, key: KeyObject, data: Buffer, signature: Buffer): SignatureCheck {
  const params = algorithm.parameters ? fieldsOf(algorithm.parameters, 'RSASSA-PSS-params') : undefined
  const hashNode = params?.context(0)?.children[0]
  const mgfNode = params?.context(1)?.children[0]
  const saltNode = params?.context(2)?.children[0]
  const hash = hashNode ? HASH_BY_OID[oidOf(hashNode.children[0] ?? hashNode)] : 'sha1'
  const mgf = mgfNode ? fieldsOf(mgfNode, 'maskGenAlgorithm') : undefined
  const isMgf1 = !mgf || oidOf(mgf.required(0x06, 'algorithm')) === OID.mgf1
  const mgfHashNode = mgf?.optional(0x10)?.children[0]
  const mgfHash = mgfHashNode ? HASH_BY_OID[oidOf(mgfHashNode)] : 'sha1'
  if (!hash || !isMgf1 || mgfHash !== hash) return { valid: false, problem: 'unsupported RSASSA-PSS parameters' }
  const saltLength = saltNode ? Number(integerOf(saltNode)) : 20
  const options = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }
  return { valid: verify(hash, data, options, signature) }
}

export interface PrehashedCheck extends SignatureCheck {
  /** True when the digest inside the signature equals the expected one. */
  readonly digestMatches: boolean
}

/**
 * A SignerInfo without signed attributes signs the content digest itself (RFC 5652 §5.4), as
 * adbe.pkcs7.detached signatures of old tools do. For RSASSA-PKCS1-v1_5 the DigestInfo is
 * recovered (RFC 8017 §9.2) and compared; node:crypto cannot verify a pre-hashed ECDSA or PSS
 * signature, so those are reported as not checked.
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
    return { valid: false, digestMatches: false, problem: 'only RSA PKCS#1 v1.5 is checked without signed attributes' }
  }
  const recovered = recoverDigestInfo(publicKey, signature)
  if (!recovered) {
    return { valid: false, digestMatches: false, problem: 'signature value does not decrypt to a DigestInfo' }
  }
  const expectedHash = known.hash ?? digestAlgorithm
  if (recovered.hash !== expectedHash) {
    const used = recovered.hash ?? 'an unknown hash'
    return { valid: false, digestMatches: false, problem: `DigestInfo uses ${used}, not ${expectedHash}` }
  }
  return { valid: true, digestMatches: recovered.digest.equals(digest) }
}

/** RSA public-key operation and DigestInfo ::= SEQUENCE { digestAlgorithm, digest } (RFC 8017 §9.2). */
function recoverDigestInfo(publicKey: KeyObject, signature: Buffer): { hash?: HashName; digest: Buffer } | undefined {
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
