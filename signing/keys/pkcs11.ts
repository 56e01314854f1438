/**
 * A KeySource over a PKCS#11 token (issue 11: officials sign with USB tokens whose keys Kyso never
 * holds). Key, certificate and chain are found by CKA_ID, the attribute that ties a key pair to
 * its certificate (PKCS#11 v2.40 base §4.6.3, §4.7). RSA signs with CKM_SHA256_RSA_PKCS over the
 * data; EC with CKM_ECDSA over its SHA-256 digest, the token's r||s re-encoded as the DER
 * Ecdsa-Sig-Value CMS expects (PKCS#11 v2.40 mechanisms §2.3; RFC 3279 §2.2.3).
 */
import { createHash, X509Certificate } from 'node:crypto'
import { ecdsaPlainToDer } from '../cms'
import { SigningError } from '../errors'
import type { KeySource } from './key-source'
import { issuersOf, newest, tokenCertificates, type CertificateObject } from './pkcs11-certificates'
import {
  attribute,
  findObjects,
  login,
  openTokenSession,
  tokenError,
  tokenSlots,
  withModule,
  type TokenRef,
  type TokenSession,
} from './pkcs11-module'

export type { TokenRef } from './pkcs11-module'

export interface TokenInfo {
  /** The index `slot` options take. */
  slot: number
  label: string
  manufacturer: string
  model: string
  serial: string
}

export interface TokenCertificate extends CertificateObject {
  /**
   * A key object with the same CKA_ID is on the token. Before login a token shows its public
   * objects only, so a CKO_PUBLIC_KEY with that CKA_ID counts as well as a CKO_PRIVATE_KEY.
   */
  hasPrivateKey: boolean
}

export interface OpenPkcs11Options extends TokenRef {
  pin: string
  /** CKA_ID of the key and its certificate, hex. */
  keyId: string
}

export type Pkcs11KeySource = KeySource & { readonly keyId: string; close(): void }

export type SignatureAlgorithmName = 'sha256WithRSAEncryption' | 'ecdsa-with-SHA256'

export interface TokenSignature {
  signature: Buffer
  signatureAlgorithm: SignatureAlgorithmName
  keyAlgorithm: 'RSA' | 'EC'
  certificate: Buffer
}

/** Room for any signature value: RSA up to 8192 bits, r||s of P-521. */
const SIGNATURE_BUFFER = 1024

/** The tokens present, in the order of their slot index. No login. */
export function listTokens(module: string): TokenInfo[] {
  return withModule(module, (lib, p11) =>
    tokenSlots(lib, p11).map(({ info }, index) => {
      // §3.2 CK_TOKEN_INFO: fixed-length fields padded with blanks.
      return {
        slot: index,
        label: info.label.trim(),
        manufacturer: info.manufacturerID.trim(),
        model: info.model.trim(),
        serial: info.serialNumber.trim(),
      }
    }),
  )
}

/**
 * The X.509 certificates on a token, with their CKA_ID, and whether a key goes with each. Needs no
 * PIN: certificates are public objects.
 */
export function listTokenCertificates(ref: TokenRef): TokenCertificate[] {
  const token = openTokenSession(ref)
  try {
    const { lib } = token
    const keyIds = new Set(
      [lib.CKO_PRIVATE_KEY, lib.CKO_PUBLIC_KEY]
        .flatMap((cls) => findObjects(token, [{ type: lib.CKA_CLASS, value: cls }]))
        .map((key) => attribute(token, key, lib.CKA_ID)?.toString('hex'))
        .filter((id): id is string => !!id),
    )
    return tokenCertificates(token).map((c) => ({ ...c, hasPrivateKey: c.id !== '' && keyIds.has(c.id) }))
  } catch (err) {
    throw tokenError(err, 'list certificates')
  } finally {
    token.close()
  }
}

/**
 * Logs in and finds the private key and certificate with CKA_ID `keyId`. The session stays open
 * (and logged in) until close(); signatures on it run one at a time, as a session allows one
 * operation at a time (§5.11, C_SignInit: CKR_OPERATION_ACTIVE).
 *
 * @example
 * const keySource = openPkcs11KeySource({ module: '/usr/lib/softhsm/libsofthsm2.so', pin, keyId: '01' })
 * try { await signPdf(pdf, { keySource }) } finally { keySource.close() }
 */
export function openPkcs11KeySource(opts: OpenPkcs11Options): Pkcs11KeySource {
  const keyId = normaliseKeyId(opts.keyId)
  const token = openTokenSession(opts)
  try {
    login(token, opts.pin)
    const { lib } = token
    const id = Buffer.from(keyId, 'hex')
    const [key] = findObjects(token, [
      { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
      { type: lib.CKA_ID, value: id },
    ])
    if (!key)
      throw new SigningError('KEY_NOT_FOUND', `Không có khóa bí mật với CKA_ID ${keyId} trên thiết bị ký số`)
    const onToken = tokenCertificates(token)
    const certificate = newest(onToken.filter((c) => c.id === keyId).map((c) => c.certificate))
    if (!certificate)
      throw new SigningError('KEY_NOT_FOUND', `Không có chứng thư số với CKA_ID ${keyId} trên thiết bị ký số`)
    const keyAlgorithm = keyAlgorithmOf(certificate)
    const keyType = keyAlgorithm === 'RSA' ? lib.CKK_RSA : lib.CKK_EC
    const matching = findObjects(token, [
      { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
      { type: lib.CKA_ID, value: id },
      { type: lib.CKA_KEY_TYPE, value: keyType },
    ])
    if (matching.length === 0)
      throw new SigningError(
        'KEY_MISMATCH',
        `The key ${keyId} is not of the certificate's type (${keyAlgorithm})`,
      )
    const chain = issuersOf(
      certificate,
      onToken.map((c) => c.certificate),
    )
    return keySourceOver(token, { key, keyId, certificate, chain, keyAlgorithm })
  } catch (err) {
    token.close()
    throw tokenError(err, 'open the key')
  }
}

/**
 * One signature: open, log in, sign `data` (the DER signed attributes), close, whatever happens.
 * What `kyso agent` does for each request, so no session outlives it.
 */
export async function signWithToken(opts: OpenPkcs11Options & { data: Buffer }): Promise<TokenSignature> {
  const keySource = openPkcs11KeySource(opts)
  try {
    const signature = await keySource.sign(opts.data)
    const signatureAlgorithm =
      keySource.keyAlgorithm === 'RSA' ? 'sha256WithRSAEncryption' : 'ecdsa-with-SHA256'
    return {
      signature,
      signatureAlgorithm,
      keyAlgorithm: keySource.keyAlgorithm,
      certificate: keySource.certificate,
    }
  } finally {
    keySource.close()
  }
}

interface OpenedKey {
  key: Buffer
  keyId: string
  certificate: Buffer
  chain: Buffer[]
  keyAlgorithm: 'RSA' | 'EC'
}

function keySourceOver(token: TokenSession, opened: OpenedKey): Pkcs11KeySource {
  const { lib, p11, session } = token
  let closed = false
  let queue: Promise<unknown> = Promise.resolve()
  const signOnce = async (data: Buffer): Promise<Buffer> => {
    if (closed) throw new SigningError('TOKEN_FAILED', 'The PKCS#11 key source is closed')
    try {
      if (opened.keyAlgorithm === 'RSA') {
        p11.C_SignInit(session, { mechanism: lib.CKM_SHA256_RSA_PKCS }, opened.key)
        return await p11.C_SignAsync(session, data, Buffer.alloc(SIGNATURE_BUFFER))
      }
      const digest = createHash('sha256').update(data).digest()
      p11.C_SignInit(session, { mechanism: lib.CKM_ECDSA }, opened.key)
      return ecdsaRawToDer(await p11.C_SignAsync(session, digest, Buffer.alloc(SIGNATURE_BUFFER)))
    } catch (err) {
      throw tokenError(err, 'sign')
    }
  }
  return {
    keyId: opened.keyId,
    certificate: opened.certificate,
    chain: opened.chain,
    keyAlgorithm: opened.keyAlgorithm,
    sign(data: Buffer): Promise<Buffer> {
      const result = queue.then(() => signOnce(data))
      queue = result.catch(() => undefined)
      return result
    },
    close(): void {
      closed = true
      token.close()
    },
  }
}

/**
 * PKCS#11 v2.40 mechanisms §2.3 (ECDSA): the signature is r||s, each as long as the order of the
 * curve; CMS wants Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 §2.2.3).
 */
export function ecdsaRawToDer(raw: Buffer): Buffer {
  const der = ecdsaPlainToDer(raw)
  if (!der)
    throw new SigningError('TOKEN_FAILED', `The token returned an ECDSA signature of ${raw.length} bytes`)
  return der
}

function keyAlgorithmOf(certificate: Buffer): 'RSA' | 'EC' {
  const type = new X509Certificate(certificate).publicKey.asymmetricKeyType
  if (type === 'rsa') return 'RSA'
  if (type === 'ec') return 'EC'
  throw new SigningError(
    'KEY_UNREADABLE',
    `Unsupported key type ${String(type)} on the token (RSA or EC expected)`,
  )
}

function normaliseKeyId(keyId: string): string {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(keyId))
    throw new SigningError('BAD_OPTION', `keyId must be hex (CKA_ID), not '${keyId}'`)
  return keyId.toLowerCase()
}
