/**
 * Putting a key and its certificate on a token: a key pair generated inside it, which never leaves
 * it (the HSM seal key of issue 15, and the test tokens of issue 11), then the certificate the CA
 * issued for its public key. Sections are of PKCS#11 v2.40 base, and of v2.40 mechanisms (§2.1
 * RSA, §2.3 EC).
 */
import { createPublicKey, X509Certificate } from 'node:crypto'
import { readDer } from '../cms'
import { SigningError } from '../errors'
import {
  attribute,
  findObjects,
  login,
  openTokenSession,
  tokenError,
  type TokenRef,
  type TokenSession,
} from './pkcs11-module'

export interface GenerateTokenKeyPairOptions extends TokenRef {
  pin: string
  label: string
  /** CKA_ID, hex: the certificate stored later takes the same. */
  id: string
  keyType: 'rsa2048' | 'p256'
}

export interface StoreTokenCertificateOptions extends TokenRef {
  pin: string
  /** DER. */
  certificate: Buffer
  label: string
  /** CKA_ID, hex: the key's, for a signer's certificate; any unused one for a CA certificate. */
  id: string
}

/** DER OBJECT IDENTIFIER prime256v1 (RFC 5480 §2.1.1.1), the CKA_EC_PARAMS of a P-256 key. */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex')

/**
 * Generates a key pair on the token (§5.14, C_GenerateKeyPair) and returns its public key as SPKI
 * DER. The private key is CKA_SENSITIVE and not CKA_EXTRACTABLE (§4.9): no one, us included, can
 * read or export it; it can only sign.
 *
 * @example
 * const spki = await generateTokenKeyPair({ module, pin, label: 'Con dấu', id: '5e', keyType: 'p256' })
 */
export async function generateTokenKeyPair(opts: GenerateTokenKeyPairOptions): Promise<Buffer> {
  const token = openTokenSession(opts, { readWrite: true })
  try {
    login(token, opts.pin)
    return await generateKeyPairOn(token, opts)
  } finally {
    token.close()
  }
}

/**
 * The same on a read-write session that is already logged in (the service's own HSM session,
 * pkcs11-service.ts, which must not log out and in again while it signs).
 */
export async function generateKeyPairOn(
  token: TokenSession,
  opts: Pick<GenerateTokenKeyPairOptions, 'label' | 'id' | 'keyType'>,
): Promise<Buffer> {
  const id = hexId(opts.id)
  if (opts.keyType !== 'rsa2048' && opts.keyType !== 'p256') {
    throw new SigningError('BAD_OPTION', `keyType must be rsa2048 or p256, not '${String(opts.keyType)}'`)
  }
  try {
    const { lib, p11, session } = token
    if (findObjects(token, [{ type: lib.CKA_ID, value: id }]).length > 0) {
      throw new SigningError('BAD_OPTION', `An object with CKA_ID ${opts.id} is already on the token`)
    }
    const rsa = opts.keyType === 'rsa2048'
    const common = [
      { type: lib.CKA_TOKEN, value: true },
      { type: lib.CKA_ID, value: id },
      { type: lib.CKA_LABEL, value: opts.label },
    ]
    const publicTemplate = [
      ...common,
      { type: lib.CKA_PRIVATE, value: false },
      { type: lib.CKA_VERIFY, value: true },
      ...(rsa
        ? [
            { type: lib.CKA_MODULUS_BITS, value: 2048 },
            { type: lib.CKA_PUBLIC_EXPONENT, value: Buffer.from([0x01, 0x00, 0x01]) },
          ]
        : [{ type: lib.CKA_EC_PARAMS, value: P256_PARAMS }]),
    ]
    // A signing key and nothing else: decryption, unwrapping and derivation off (key separation).
    const privateTemplate = [
      ...common,
      { type: lib.CKA_PRIVATE, value: true },
      { type: lib.CKA_SENSITIVE, value: true },
      { type: lib.CKA_EXTRACTABLE, value: false },
      { type: lib.CKA_SIGN, value: true },
      ...(rsa
        ? [
            { type: lib.CKA_DECRYPT, value: false },
            { type: lib.CKA_UNWRAP, value: false },
          ]
        : [{ type: lib.CKA_DERIVE, value: false }]),
    ]
    const mechanism = { mechanism: rsa ? lib.CKM_RSA_PKCS_KEY_PAIR_GEN : lib.CKM_EC_KEY_PAIR_GEN }
    const keys = await p11.C_GenerateKeyPairAsync(session, mechanism, publicTemplate, privateTemplate)
    const read = (type: number): Buffer => {
      const value = attribute(token, keys.publicKey, type)
      if (!value)
        throw new SigningError(
          'TOKEN_FAILED',
          `The token did not return attribute ${type} of the new public key`,
        )
      return value
    }
    return rsa
      ? rsaSpki(read(lib.CKA_MODULUS), read(lib.CKA_PUBLIC_EXPONENT))
      : p256Spki(read(lib.CKA_EC_POINT))
  } catch (err) {
    throw tokenError(err, 'generate a key pair')
  }
}

/**
 * Writes an X.509 certificate object (§4.6.3): CKA_SUBJECT is required; CKA_ISSUER and
 * CKA_SERIAL_NUMBER are filled in too (the original DER of each), as middleware looks them up.
 */
export function storeTokenCertificate(opts: StoreTokenCertificateOptions): void {
  const id = hexId(opts.id)
  const { serial, issuer, subject } = certificateNames(opts.certificate)
  const token = openTokenSession(opts, { readWrite: true })
  try {
    login(token, opts.pin)
    const { lib, p11, session } = token
    p11.C_CreateObject(session, [
      { type: lib.CKA_CLASS, value: lib.CKO_CERTIFICATE },
      { type: lib.CKA_CERTIFICATE_TYPE, value: lib.CKC_X_509 },
      { type: lib.CKA_TOKEN, value: true },
      { type: lib.CKA_PRIVATE, value: false },
      { type: lib.CKA_LABEL, value: opts.label },
      { type: lib.CKA_ID, value: id },
      { type: lib.CKA_SUBJECT, value: subject },
      { type: lib.CKA_ISSUER, value: issuer },
      { type: lib.CKA_SERIAL_NUMBER, value: serial },
      { type: lib.CKA_VALUE, value: opts.certificate },
    ])
  } catch (err) {
    throw tokenError(err, 'store a certificate')
  } finally {
    token.close()
  }
}

/** The DER of serialNumber, issuer and subject (RFC 5280 §4.1: TBSCertificate's fields 2, 4, 6). */
function certificateNames(certificate: Buffer): { serial: Buffer; issuer: Buffer; subject: Buffer } {
  try {
    new X509Certificate(certificate)
    const tbs = readDer(certificate, 'certificate').children[0]?.children ?? []
    // version is [0] EXPLICIT, absent in a v1 certificate.
    const fields = tbs[0]?.tagClass === 'context' ? tbs.slice(1) : tbs
    const [serial, , issuer, , subject] = fields
    if (serial && issuer && subject)
      return {
        serial: Buffer.from(serial.raw),
        issuer: Buffer.from(issuer.raw),
        subject: Buffer.from(subject.raw),
      }
  } catch (err) {
    throw new SigningError('CERT_UNREADABLE', 'The certificate is not X.509 DER', { cause: err })
  }
  throw new SigningError('CERT_UNREADABLE', 'The certificate is not X.509 DER')
}

/** §2.1.2 (mechanisms): an RSA public key object holds CKA_MODULUS and CKA_PUBLIC_EXPONENT, big-endian. */
function rsaSpki(modulus: Buffer, exponent: Buffer): Buffer {
  const jwk = { kty: 'RSA', n: modulus.toString('base64url'), e: exponent.toString('base64url') }
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' })
}

/**
 * §2.3.3 (mechanisms): CKA_EC_POINT is the DER OCTET STRING of the X9.62 ECPoint; a few tokens
 * return the bare point, which is taken as it is.
 */
function p256Spki(ecPoint: Buffer): Buffer {
  const point =
    ecPoint[0] === 0x04 && ecPoint.length === 67 && ecPoint[1] === 0x41 ? ecPoint.subarray(2) : ecPoint
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new SigningError(
      'TOKEN_FAILED',
      'The token returned a P-256 public key that is not an uncompressed point',
    )
  }
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33).toString('base64url'),
  }
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' })
}

function hexId(id: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(id))
    throw new SigningError('BAD_OPTION', `id must be hex (CKA_ID), not '${id}'`)
  return Buffer.from(id, 'hex')
}
