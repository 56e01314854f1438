/**
 * PKCS#12 (RFC 7292) files: the key file a signer without a token holds, and the file the internal
 * CA keeps its own keys in. Read with the one ASN.1 reader (pkcs12-read.ts), written as OpenSSL 3
 * writes them by default (pkcs12-write.ts); all cryptography is node:crypto.
 */
import * as crypto from 'node:crypto'
import { Asn1Error } from '../cms/der-read'
import { SigningError } from '../errors'
import type { KeySource } from './key-source'
import { readPfx, type Pkcs12Contents } from './pkcs12-read'

export { DEFAULT_ITERATIONS, MIN_PIN_LENGTH, pkcs12Kdf } from './pkcs12-params'
export type { Pkcs12Contents } from './pkcs12-read'
export { writePkcs12, type WritePkcs12Options } from './pkcs12-write'

/**
 * Reads a PFX written by us, by `openssl pkcs12 -export` (OpenSSL 3 defaults, or the older
 * PBE-SHA1-3DES) or by other tools that use PBES2. The MAC is checked before anything is
 * decrypted: a mismatch means the PIN is wrong (PIN_INCORRECT); a file that is not a PFX, or
 * that uses RC2-40 (OpenSSL 1.x's default for certificates), is KEY_UNREADABLE.
 *
 * @example
 * const { key, certificate, chain } = readPkcs12(fs.readFileSync('hoan.p12'), pin)
 */
export function readPkcs12(p12: Buffer, pin: string): Pkcs12Contents {
  try {
    return readPfx(p12, pin)
  } catch (err) {
    if (err instanceof SigningError) throw err
    if (err instanceof Asn1Error)
      throw new SigningError('KEY_UNREADABLE', `Không đọc được tệp PKCS#12: ${err.message}`, { cause: err })
    throw new SigningError('KEY_UNREADABLE', 'Không đọc được tệp PKCS#12', { cause: err })
  }
}

/**
 * A KeySource over a PKCS#12 file, parsed once. RSA keys sign with RSASSA-PKCS1-v1_5, EC keys with
 * ECDSA returning the DER Ecdsa-Sig-Value (node's default `dsaEncoding`).
 */
export function openPkcs12KeySource(p12: Buffer, pin: string): KeySource {
  const { key, certificate, chain } = readPkcs12(p12, pin)
  return privateKeySource(key, certificate, chain)
}

/** A KeySource over a private key held in this process (a PKCS#12's, or a wrapped CA key's). */
export function privateKeySource(key: crypto.KeyObject, certificate: Buffer, chain: Buffer[]): KeySource {
  const type = key.asymmetricKeyType
  if (type !== 'rsa' && type !== 'ec') {
    throw new SigningError('KEY_UNREADABLE', `Unsupported key type ${String(type)} (RSA or EC expected)`)
  }
  return {
    certificate,
    chain,
    keyAlgorithm: type === 'rsa' ? 'RSA' : 'EC',
    sign: async (data: Buffer) => crypto.sign('sha256', data, key),
  }
}
