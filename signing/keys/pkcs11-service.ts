/**
 * The service's own HSM (issue 15): agency seal keys and the internal CA's keys generated inside
 * it and never leaving it, and optionally the key-wrapping key as an AES key inside it. One
 * session, logged in once with the HSM user PIN for the life of the process: logging in again on
 * a second session would log the first out mid-signature (PKCS#11 v2.40 base §5.6, C_Login and
 * C_Logout act for the whole application), and a session runs one operation at a time, so every
 * call goes through one queue.
 */
import { createHash, createPublicKey, randomBytes, X509Certificate } from 'node:crypto'
import { SigningError } from '../errors'
import type { KeySource } from './key-source'
import type { KeyWrapKey } from './key-wrap'
import { ecdsaRawToDer } from './pkcs11'
import {
  attribute,
  findObjects,
  login,
  openTokenSession,
  tokenError,
  type TokenRef,
  type TokenSession,
} from './pkcs11-module'
import { generateKeyPairOn } from './pkcs11-provision'

export interface ServiceTokenOptions extends TokenRef {
  /** The HSM user PIN (CKU_USER), from a file or the environment, never a signer's PIN. */
  pin: string
}

export interface ServiceToken {
  /** Where it is, for people: "pkcs11:<token label>". */
  readonly location: string
  /** A key pair made inside the token: sensitive, not extractable, sign only. */
  generateKeyPair(opts: {
    label: string
    keyType: 'rsa2048' | 'p256'
  }): Promise<{ keyId: string; spki: Buffer }>
  /** Signs with the private key of CKA_ID `keyId`; the certificate and chain are the caller's. */
  keySource(keyId: string, certificate: Buffer, chain: Buffer[]): KeySource
  /** The same before there is a certificate (a CA's root signs its own). */
  signer(keyId: string, keyAlgorithm: 'RSA' | 'EC'): Pick<KeySource, 'keyAlgorithm' | 'sign'>
  /** An AES-256 key of this label as a key-wrapping key; made (sensitive, not extractable) when `create`. */
  wrappingKey(label: string, opts: { create: boolean }): Promise<KeyWrapKey | undefined>
  close(): void
}

/** Room for any signature value: RSA up to 8192 bits, r||s of P-521. */
const SIGNATURE_BUFFER = 1024

/**
 * @example
 * const hsm = openServiceToken({ module: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'kyso', pin })
 * const { keyId, spki } = await hsm.generateKeyPair({ label: 'Con dấu STTTT', keyType: 'p256' })
 */
export function openServiceToken(opts: ServiceTokenOptions): ServiceToken {
  const token = openTokenSession(opts, { readWrite: true })
  try {
    login(token, opts.pin)
  } catch (err) {
    token.close()
    throw err
  }
  const label = token.p11.C_GetTokenInfo(token.slot).label.trim()
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false
  const serial = <T>(work: () => T | Promise<T>): Promise<T> => {
    const run = queue.then(() => {
      if (closed) throw new SigningError('TOKEN_FAILED', 'The service HSM session is closed')
      return work()
    })
    queue = run.catch(() => undefined)
    return run
  }
  return {
    location: `pkcs11:${label}`,
    generateKeyPair: ({ label: keyLabel, keyType }) =>
      serial(async () => {
        const keyId = randomBytes(8).toString('hex')
        const spki = await generateKeyPairOn(token, { id: keyId, label: keyLabel, keyType })
        return { keyId, spki }
      }),
    keySource: (keyId, certificate, chain) => {
      const type = new X509Certificate(certificate).publicKey.asymmetricKeyType
      if (type !== 'rsa' && type !== 'ec')
        throw new SigningError('KEY_UNREADABLE', `Unsupported key type ${String(type)}`)
      return { certificate, chain, ...signerOn(token, serial, keyId, type === 'rsa' ? 'RSA' : 'EC') }
    },
    signer: (keyId, keyAlgorithm) => signerOn(token, serial, keyId, keyAlgorithm),
    wrappingKey: (keyLabel, { create }) => serial(() => aesKey(token, serial, keyLabel, create)),
    close: () => {
      closed = true
      token.close()
    },
  }
}

type Serial = <T>(work: () => T | Promise<T>) => Promise<T>

function signerOn(
  token: TokenSession,
  serial: Serial,
  keyId: string,
  keyAlgorithm: 'RSA' | 'EC',
): Pick<KeySource, 'keyAlgorithm' | 'sign'> {
  const { lib, p11, session } = token
  let handle: Buffer | undefined
  const key = (): Buffer => {
    handle ??= findObjects(token, [
      { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
      { type: lib.CKA_ID, value: Buffer.from(keyId, 'hex') },
    ])[0]
    if (!handle) throw new SigningError('KEY_NOT_FOUND', `The HSM has no private key with CKA_ID ${keyId}`)
    return handle
  }
  return {
    keyAlgorithm,
    sign: (data) =>
      serial(async () => {
        try {
          if (keyAlgorithm === 'RSA') {
            p11.C_SignInit(session, { mechanism: lib.CKM_SHA256_RSA_PKCS }, key())
            return await p11.C_SignAsync(session, data, Buffer.alloc(SIGNATURE_BUFFER))
          }
          // CKM_ECDSA signs a digest (PKCS#11 v2.40 mechanisms §2.3.6); SoftHSM2 has no CKM_ECDSA_SHA256.
          const digest = createHash('sha256').update(data).digest()
          p11.C_SignInit(session, { mechanism: lib.CKM_ECDSA }, key())
          return ecdsaRawToDer(await p11.C_SignAsync(session, digest, Buffer.alloc(SIGNATURE_BUFFER)))
        } catch (err) {
          throw tokenError(err, 'sign')
        }
      }),
  }
}

/** CKM_AES_GCM (PKCS#11 v2.40 mechanisms §2.12.4): 96-bit IV from the caller, 128-bit tag after the ciphertext. */
function aesKey(token: TokenSession, serial: Serial, label: string, create: boolean): KeyWrapKey | undefined {
  const { lib, p11, session } = token
  let [handle] = findObjects(token, [
    { type: lib.CKA_CLASS, value: lib.CKO_SECRET_KEY },
    { type: lib.CKA_LABEL, value: label },
  ])
  if (!handle && !create) return undefined
  handle ??= p11.C_GenerateKey(session, { mechanism: lib.CKM_AES_KEY_GEN }, [
    { type: lib.CKA_CLASS, value: lib.CKO_SECRET_KEY },
    { type: lib.CKA_KEY_TYPE, value: lib.CKK_AES },
    { type: lib.CKA_VALUE_LEN, value: 32 },
    { type: lib.CKA_TOKEN, value: true },
    { type: lib.CKA_PRIVATE, value: true },
    { type: lib.CKA_SENSITIVE, value: true },
    { type: lib.CKA_EXTRACTABLE, value: false },
    { type: lib.CKA_ENCRYPT, value: true },
    { type: lib.CKA_DECRYPT, value: true },
    { type: lib.CKA_LABEL, value: label },
    { type: lib.CKA_ID, value: randomBytes(8) },
  ])
  const aes = handle
  const id = attribute(token, aes, lib.CKA_ID)
  if (!id || id.length === 0 || id.length > 32)
    throw new SigningError('TOKEN_FAILED', `The AES key "${label}" has no usable CKA_ID`)
  const mechanism = (iv: Buffer, aad: Buffer) => ({
    mechanism: lib.CKM_AES_GCM,
    parameter: { type: lib.CK_PARAMS_AES_GCM, iv, aad, ivBits: 96, tagBits: 128 },
  })
  return {
    id: id.toString('hex'),
    location: `pkcs11:${p11.C_GetTokenInfo(token.slot).label.trim()}/${label}`,
    seal: (plaintext, nonce, aad) =>
      serial(() => {
        p11.C_EncryptInit(session, mechanism(nonce, aad), aes)
        const out = p11.C_Encrypt(session, plaintext, Buffer.alloc(plaintext.length + 32))
        return { ciphertext: out.subarray(0, out.length - 16), tag: out.subarray(out.length - 16) }
      }),
    open: (ciphertext, tag, nonce, aad) =>
      serial(() => {
        p11.C_DecryptInit(session, mechanism(nonce, aad), aes)
        return p11.C_Decrypt(session, Buffer.concat([ciphertext, tag]), Buffer.alloc(ciphertext.length + 32))
      }),
  }
}

/** The public key of an SPKI from the HSM, for the CA to certify. */
export function publicKeyOfSpki(spki: Buffer): ReturnType<typeof createPublicKey> {
  return createPublicKey({ key: spki, format: 'der', type: 'spki' })
}
