/**
 * Signature algorithms for certificates and CRLs, signed with node:crypto (no WebCrypto engine):
 * sha256WithRSAEncryption (RFC 4055 §5, NULL parameters) for RSA keys, ecdsa-with-SHA256
 * (RFC 5758 §3.2, parameters absent) for EC keys. The signatureValue BIT STRING carries the
 * PKCS#1 v1.5 block or the DER Ecdsa-Sig-Value (RFC 3279 §2.2.3), which is what crypto.sign returns.
 */
import * as crypto from 'node:crypto'
import { SigningError } from '../errors'
import { nullDer, oid, seq } from './asn1'

export type KeyType = 'rsa2048' | 'rsa3072' | 'p256'
export const KEY_TYPES: readonly KeyType[] = ['rsa2048', 'rsa3072', 'p256']

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11'
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2'

/** Algorithms we accept when verifying what others signed: OID -> key type and digest. */
const VERIFIABLE: Record<string, { keyType: 'rsa' | 'ec'; digest: string }> = {
  [SHA256_WITH_RSA]: { keyType: 'rsa', digest: 'sha256' },
  '1.2.840.113549.1.1.12': { keyType: 'rsa', digest: 'sha384' },
  '1.2.840.113549.1.1.13': { keyType: 'rsa', digest: 'sha512' },
  [ECDSA_WITH_SHA256]: { keyType: 'ec', digest: 'sha256' },
  '1.2.840.10045.4.3.3': { keyType: 'ec', digest: 'sha384' },
  '1.2.840.10045.4.3.4': { keyType: 'ec', digest: 'sha512' },
}

/** Generates a key pair off the event loop (RSA-2048 takes ~100 ms, RSA-3072 ~300 ms). */
export function generateKey(type: KeyType = 'rsa2048'): Promise<crypto.KeyPairKeyObjectResult> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: crypto.KeyObject, privateKey: crypto.KeyObject) =>
      err ? reject(err) : resolve({ publicKey, privateKey })
    if (type === 'p256') crypto.generateKeyPair('ec', { namedCurve: 'P-256' }, done)
    else if (type === 'rsa2048' || type === 'rsa3072') {
      crypto.generateKeyPair('rsa', { modulusLength: type === 'rsa2048' ? 2048 : 3072 }, done)
    } else reject(new SigningError('BAD_OPTION', `keyType must be one of ${KEY_TYPES.join(', ')}`))
  })
}

/** The AlgorithmIdentifier (DER) a certificate or CRL signed by `key` carries. */
export function signatureAlgorithmFor(key: crypto.KeyObject): Buffer {
  if (key.asymmetricKeyType === 'rsa') return seq(oid(SHA256_WITH_RSA), nullDer())
  if (key.asymmetricKeyType === 'ec') return seq(oid(ECDSA_WITH_SHA256))
  throw new SigningError('KEY_UNREADABLE', `CA key type ${String(key.asymmetricKeyType)} is not RSA or EC`)
}

/**
 * What signs a certificate or a CRL: a key in this process, or one in an HSM (issue 15). A
 * KeySource satisfies it: `sign` is SHA-256 with RSASSA-PKCS1-v1_5, or ECDSA returning DER.
 */
export interface TbsSigner {
  readonly keyAlgorithm: 'RSA' | 'EC'
  sign(tbs: Buffer): Promise<Buffer>
}

/** A TbsSigner over a key held in this process. */
export function keySigner(key: crypto.KeyObject): TbsSigner {
  const type = key.asymmetricKeyType
  if (type !== 'rsa' && type !== 'ec')
    throw new SigningError('KEY_UNREADABLE', `CA key type ${String(type)} is not RSA or EC`)
  return { keyAlgorithm: type === 'rsa' ? 'RSA' : 'EC', sign: async (tbs) => signTbs(tbs, key) }
}

/** The AlgorithmIdentifier (DER) for what a TbsSigner signs. */
export function signatureAlgorithmOf(signer: TbsSigner): Buffer {
  return signer.keyAlgorithm === 'RSA' ? seq(oid(SHA256_WITH_RSA), nullDer()) : seq(oid(ECDSA_WITH_SHA256))
}

export function signTbs(tbs: Buffer, key: crypto.KeyObject): Buffer {
  return crypto.sign('sha256', tbs, key)
}

/** True when `signature` over `tbs` verifies with `publicKey` under the named algorithm. */
export function verifyTbs(
  algorithmOid: string,
  tbs: Buffer,
  signature: Buffer,
  publicKey: crypto.KeyObject,
): boolean {
  const algorithm = VERIFIABLE[algorithmOid]
  if (!algorithm || algorithm.keyType !== publicKey.asymmetricKeyType) return false
  try {
    return crypto.verify(algorithm.digest, tbs, publicKey, signature)
  } catch {
    return false
  }
}
