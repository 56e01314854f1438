/**
 * Writing a PFX (RFC 7292) the way OpenSSL 3 writes them by default (PBES2 with
 * PBKDF2-HMAC-SHA256 and AES-256-CBC, HMAC-SHA256 MAC), so `openssl pkcs12` reads them without
 * `-legacy`. All cryptography is node:crypto; asn1js builds the structures and is loaded at the
 * first write (issue 16): reading a key file, which every signature does, never loads it.
 */
import * as crypto from 'node:crypto'
import type * as Asn1js from 'asn1js'
import { SigningError } from '../errors'
import {
  bmpPassword,
  DEFAULT_ITERATIONS,
  DIGESTS,
  MAX_ITERATIONS,
  MIN_PIN_LENGTH,
  OID,
  pkcs12Kdf,
  publicSpki,
} from './pkcs12-params'

export interface WritePkcs12Options {
  key: crypto.KeyObject
  certificate: Buffer
  chain: Buffer[]
  pin: string
  friendlyName?: string
  iterations?: number
}

type Block = Asn1js.BaseBlock

let loaded: typeof Asn1js | undefined
const asn1 = (): typeof Asn1js => (loaded ??= require('asn1js') as typeof Asn1js)

/**
 * Writes a PFX: one SafeContents encrypted with PBES2 holding the certificates, one plain
 * SafeContents holding the pkcs8ShroudedKeyBag, and an HMAC-SHA256 MacData (RFC 7292 §4, §5.1).
 *
 * @example
 * const p12 = writePkcs12({ key, certificate, chain: [issuing, root], pin: '123456' })
 */
export function writePkcs12(opts: WritePkcs12Options): Buffer {
  if (opts.pin.length < MIN_PIN_LENGTH) {
    throw new SigningError('PIN_TOO_SHORT', `Mã PIN phải có ít nhất ${MIN_PIN_LENGTH} ký tự`)
  }
  const iterations = opts.iterations ?? DEFAULT_ITERATIONS
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new SigningError('BAD_OPTION', `iterations must be an integer in 1..${MAX_ITERATIONS}`)
  }
  if (!certificateSpki(opts.certificate)?.equals(publicSpki(opts.key))) {
    throw new SigningError(
      'BAD_OPTION',
      'The certificate is not X.509 DER or does not belong to the private key',
    )
  }
  const { Integer, Null } = asn1()
  // 1. Attributes tying the key to its certificate (localKeyId = SHA-1 of the certificate, as OpenSSL does).
  const attributes = bagAttributes(
    crypto.createHash('sha1').update(opts.certificate).digest(),
    opts.friendlyName,
  )
  // 2. The key: PKCS#8 EncryptedPrivateKeyInfo (RFC 5208 §6) under PBES2.
  const pkcs8 = opts.key.export({ type: 'pkcs8', format: 'der' })
  const shrouded = pbes2Encrypt(pkcs8, opts.pin, iterations)
  const keyBag = safeBag(
    OID.shroudedKeyBag,
    seq(shrouded.algorithm, octetString(shrouded.ciphertext)),
    attributes,
  )
  // 3. The certificates, end entity first.
  const certBags = [opts.certificate, ...opts.chain].map((der, i) =>
    safeBag(
      OID.certBag,
      seq(oid(OID.x509Certificate), explicit(0, octetString(der))),
      i === 0 ? attributes : undefined,
    ),
  )
  const certsSealed = pbes2Encrypt(toDer(seq(...certBags)), opts.pin, iterations)
  // 4. AuthenticatedSafe (RFC 7292 §4.1): EncryptedData (certs) then Data (key).
  const encryptedData = seq(
    new Integer({ value: 0 }),
    seq(oid(OID.data), certsSealed.algorithm, implicitOctets(0, certsSealed.ciphertext)),
  )
  const authSafe = toDer(
    seq(
      seq(oid(OID.encryptedData), explicit(0, encryptedData)),
      seq(oid(OID.data), explicit(0, octetString(toDer(seq(keyBag))))),
    ),
  )
  // 5. PFX with MacData (RFC 7292 §4, App. B for the MAC key).
  const macSalt = crypto.randomBytes(16)
  const macKey = pkcs12Kdf(DIGESTS[OID.sha256]!, bmpPassword(opts.pin), macSalt, 3, iterations, 32)
  const mac = crypto.createHmac('sha256', macKey).update(authSafe).digest()
  const pfx = seq(
    new Integer({ value: 3 }),
    seq(oid(OID.data), explicit(0, octetString(authSafe))),
    seq(
      seq(seq(oid(OID.sha256), new Null()), octetString(mac)),
      octetString(macSalt),
      new Integer({ value: iterations }),
    ),
  )
  return toDer(pfx)
}

function certificateSpki(der: Buffer): Buffer | undefined {
  try {
    return publicSpki(new crypto.X509Certificate(der).publicKey)
  } catch {
    return undefined
  }
}

function pbes2Encrypt(
  plain: Buffer,
  pin: string,
  iterations: number,
): { algorithm: Asn1js.Sequence; ciphertext: Buffer } {
  const salt = crypto.randomBytes(16)
  const iv = crypto.randomBytes(16)
  const key = crypto.pbkdf2Sync(Buffer.from(pin, 'utf8'), salt, iterations, 32, 'sha256')
  const cipher = crypto.createCipheriv('aes-256-cbc', key, iv)
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()])
  const { Integer, Null } = asn1()
  // RFC 8018 App. A.4 (PBES2-params) and A.2 (PBKDF2-params); keyLength omitted as the cipher fixes it.
  const prf = seq(oid(OID.hmacWithSha256), new Null())
  const algorithm = seq(
    oid(OID.pbes2),
    seq(
      seq(oid(OID.pbkdf2), seq(octetString(salt), new Integer({ value: iterations }), prf)),
      seq(oid(OID.aes256Cbc), octetString(iv)),
    ),
  )
  return { algorithm, ciphertext }
}

function bagAttributes(localKeyId: Buffer, friendlyName?: string): Asn1js.Set {
  const { BmpString, Set: Asn1Set } = asn1()
  const attributes = [seq(oid(OID.localKeyId), new Asn1Set({ value: [octetString(localKeyId)] }))]
  if (friendlyName) {
    attributes.push(
      seq(oid(OID.friendlyName), new Asn1Set({ value: [new BmpString({ value: friendlyName })] })),
    )
  }
  return new Asn1Set({ value: attributes })
}

function safeBag(bagId: string, value: Block, attributes?: Asn1js.Set): Asn1js.Sequence {
  return seq(oid(bagId), explicit(0, value), ...(attributes ? [attributes] : []))
}

const seq = (...value: Block[]) => new (asn1().Sequence)({ value })
const oid = (value: string) => new (asn1().ObjectIdentifier)({ value })
const octetString = (data: Buffer) => new (asn1().OctetString)({ valueHex: data })
const explicit = (tagNumber: number, value: Block) =>
  new (asn1().Constructed)({ idBlock: { tagClass: 3, tagNumber }, value: [value] })
const implicitOctets = (tagNumber: number, data: Buffer) =>
  new (asn1().Primitive)({ idBlock: { tagClass: 3, tagNumber }, valueHex: data })
const toDer = (block: Block) => Buffer.from(block.toBER(false))
