/**
 * The keys of the test CSC server and the one thing it does with them: sign a digest it is
 * given, hashing nothing itself (a remote-signing provider never sees the document).
 *  - RSA: RSASSA-PKCS1-v1_5 is the private-key operation on EMSA-PKCS1-v1_5(DigestInfo) (RFC 8017
 *    §8.2.1, §9.2), which `privateEncrypt` with PKCS#1 padding is exactly. (`crypto.sign(null, ...)`
 *    would hash again: OpenSSL's default digest for RSA keys is SHA-256.)
 *  - EC: node:crypto has no prehashed ECDSA, see ecdsa-prehashed.ts.
 */
import { constants, privateEncrypt, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { derWrite, HASH_OID } from '../../signing/cms'
import { readPkcs12 } from '../../signing/keys/pkcs12'
import type { CscServerConfig, CscServerCredential } from './csc-server'
import { signPrehashedP256 } from './ecdsa-prehashed'

export interface LoadedCredential {
  config: CscServerCredential
  userId: string
  key: KeyObject
  keyAlgorithm: 'RSA' | 'EC'
  keyBits: number
  /** End entity first, then the chain from the PKCS#12 file. */
  certificates: Buffer[]
}

/** Every credential of the config by credentialID, keys read from their PKCS#12 files. */
export function loadCredentials(config: CscServerConfig): Map<string, LoadedCredential> {
  const loaded = new Map<string, LoadedCredential>()
  for (const user of config.users) {
    for (const c of user.credentials) {
      if (loaded.has(c.credentialId)) throw new Error(`credentialId ${c.credentialId} appears twice`)
      const { key, certificate, chain } = readPkcs12(readFileSync(c.p12File), c.pin)
      const type = key.asymmetricKeyType
      if (type !== 'rsa' && type !== 'ec') throw new Error(`${c.credentialId}: RSA or EC key expected`)
      const details = key.asymmetricKeyDetails
      const keyBits = type === 'rsa' ? (details?.modulusLength ?? 0) : 256
      loaded.set(c.credentialId, {
        config: c,
        userId: user.userId,
        key,
        keyAlgorithm: type === 'rsa' ? 'RSA' : 'EC',
        keyBits,
        certificates: [certificate, ...chain],
      })
    }
  }
  return loaded
}

/** The signature value of a SHA-256 digest, as this credential's provider answers it. */
export function signDigest(credential: LoadedCredential, digest: Buffer): Buffer {
  if (credential.keyAlgorithm === 'EC') {
    return signPrehashedP256(credential.key, digest, credential.config.rawEcdsa)
  }
  const sha256 = derWrite.algorithmIdentifier(HASH_OID.sha256, derWrite.NULL)
  const digestInfo = derWrite.sequence(sha256, derWrite.octetString(digest))
  return privateEncrypt({ key: credential.key, padding: constants.RSA_PKCS1_PADDING }, digestInfo)
}
