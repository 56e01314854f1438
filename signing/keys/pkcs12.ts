/**
 * PKCS#12 (RFC 7292) files: the key file a signer without a token holds, and the file the internal
 * CA keeps its own keys in. Written the way OpenSSL 3 writes them by default (PBES2 with
 * PBKDF2-HMAC-SHA256 and AES-256-CBC, HMAC-SHA256 MAC), so `openssl pkcs12` reads them without
 * `-legacy`. All cryptography is node:crypto; asn1js only builds and parses the structures.
 */
import * as crypto from 'node:crypto'
import * as asn1js from 'asn1js'
import { SigningError } from '../errors'
import type { KeySource } from './key-source'

/** Shortest PIN accepted when a file is created (PIN_TOO_SHORT below it). */
export const MIN_PIN_LENGTH = 4
/**
 * OpenSSL 3's default (PKCS12_DEFAULT_ITER). The MAC's KDF runs in JavaScript (one hash per
 * iteration) and is the cheapest path for a PIN-guessing attacker anyway, so a larger PBKDF2
 * count alone would buy nothing; 2048 keeps opening a file at a few milliseconds.
 */
export const DEFAULT_ITERATIONS = 2048
/** Refuse files that would make us spin (a hostile count of 2^31 would hang the process). */
const MAX_ITERATIONS = 1_000_000

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeSha1Des3: '1.2.840.113549.1.12.1.3',
  sha256: '2.16.840.1.101.3.4.2.1',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
} as const

/** Digests for the MAC and the PKCS#12 KDF: u = output bytes, v = block bytes (RFC 7292 App. B.2). */
const DIGESTS: Record<string, { name: string; u: number; v: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', u: 28, v: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', u: 64, v: 128 },
}
/** PBKDF2 PRFs (RFC 8018 App. B.1); an absent prf means hmacWithSHA1. */
const PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
}
/** PBES2 encryption schemes (RFC 8018 App. B.2, RFC 3565 for AES): cipher name and key bytes. */
const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
}

export interface Pkcs12Contents {
  key: crypto.KeyObject
  /** The end-entity certificate (the one whose public key matches `key`), DER. */
  certificate: Buffer
  /** The other certificates, DER, nearest issuer first where the file lets us tell. */
  chain: Buffer[]
}

export interface WritePkcs12Options {
  key: crypto.KeyObject
  certificate: Buffer
  chain: Buffer[]
  pin: string
  friendlyName?: string
  iterations?: number
}

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
    throw new SigningError('BAD_OPTION', 'The certificate is not X.509 DER or does not belong to the private key')
  }
  // 1. Attributes tying the key to its certificate (localKeyId = SHA-1 of the certificate, as OpenSSL does).
  const attributes = bagAttributes(crypto.createHash('sha1').update(opts.certificate).digest(), opts.friendlyName)
  // 2. The key: PKCS#8 EncryptedPrivateKeyInfo (RFC 5208 §6) under PBES2.
  const pkcs8 = opts.key.export({ type: 'pkcs8', format: 'der' })
  const shrouded = pbes2Encrypt(pkcs8, opts.pin, iterations)
  const keyBag = safeBag(OID.shroudedKeyBag, seq(shrouded.algorithm, octetString(shrouded.ciphertext)), attributes)
  // 3. The certificates, end entity first.
  const certBags = [opts.certificate, ...opts.chain].map((der, i) =>
    safeBag(OID.certBag, seq(oid(OID.x509Certificate), explicit(0, octetString(der))), i === 0 ? attributes : undefined),
  )
  const certsSealed = pbes2Encrypt(toDer(seq(...certBags)), opts.pin, iterations)
  // 4. AuthenticatedSafe (RFC 7292 §4.1): EncryptedData (certs) then Data (key).
  const encryptedData = seq(
    new asn1js.Integer({ value: 0 }),
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
    new asn1js.Integer({ value: 3 }),
    seq(oid(OID.data), explicit(0, octetString(authSafe))),
    seq(
      seq(seq(oid(OID.sha256), new asn1js.Null()), octetString(mac)),
      octetString(macSalt),
      new asn1js.Integer({ value: iterations }),
    ),
  )
  return toDer(pfx)
}

/**
 * Reads a PFX written by us, by `openssl pkcs12 -export` (OpenSSL 3 defaults, or the older
 * PBE-SHA1-3DES) or by other tools that use PBES2. The MAC is checked before anything is
 * decrypted: a mismatch means the PIN is wrong (PIN_INCORRECT); a file that is not a PFX, or
 * that uses RC2-40 (OpenSSL 1.x's default for certificates), is KEY_UNREADABLE.
 */
export function readPkcs12(p12: Buffer, pin: string): Pkcs12Contents {
  try {
    const pfx = children(parseDer(p12), 2)
    if (integer(pfx[0]!) !== 3) throw new Malformed('PFX version is not 3')
    const authSafeInfo = children(pfx[1]!, 2)
    if (oidOf(authSafeInfo[0]!) !== OID.data) throw new Malformed('only password integrity is supported')
    const authSafe = octets(explicitChild(authSafeInfo[1]!))
    if (pfx[2]) verifyMac(pfx[2], authSafe, pin)
    const bags = readAuthenticatedSafe(authSafe, pin)
    return selectEndEntity(bags)
  } catch (err) {
    if (err instanceof SigningError) throw err
    if (err instanceof Malformed) throw new SigningError('KEY_UNREADABLE', `Không đọc được tệp PKCS#12: ${err.message}`, { cause: err })
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

class Malformed extends Error {}

type Block = asn1js.BaseBlock

interface Bags {
  keys: crypto.KeyObject[]
  certificates: Buffer[]
}

function verifyMac(macData: Block, authSafe: Buffer, pin: string): void {
  const [digestInfo, saltBlock, iterBlock] = children(macData, 2)
  const [algorithm, digestBlock] = children(digestInfo!, 2)
  const digest = DIGESTS[oidOf(children(algorithm!, 1)[0]!)]
  if (!digest) throw new Malformed('unsupported MAC digest')
  const iterations = iterBlock ? checkedIterations(integer(iterBlock)) : 1
  const key = pkcs12Kdf(digest, bmpPassword(pin), octets(saltBlock!), 3, iterations, digest.u)
  const expected = octets(digestBlock!)
  const actual = crypto.createHmac(digest.name, key).update(authSafe).digest()
  if (expected.length !== actual.length || !crypto.timingSafeEqual(expected, actual)) {
    throw new SigningError('PIN_INCORRECT', 'Mã PIN không đúng')
  }
}

function readAuthenticatedSafe(authSafe: Buffer, pin: string): Bags {
  const bags: Bags = { keys: [], certificates: [] }
  for (const info of children(parseDer(authSafe), 0)) {
    const [type, content] = children(info, 2)
    const contentType = oidOf(type!)
    if (contentType === OID.data) {
      readSafeContents(octets(explicitChild(content!)), pin, bags)
    } else if (contentType === OID.encryptedData) {
      // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo { contentType, algorithm, [0] IMPLICIT content } }
      const eci = children(children(explicitChild(content!), 2)[1]!, 3)
      readSafeContents(decrypt(eci[1]!, octets(eci[2]!), pin), pin, bags)
    } else {
      throw new Malformed(`unsupported content type ${contentType}`)
    }
  }
  return bags
}

function readSafeContents(der: Buffer, pin: string, bags: Bags): void {
  for (const bag of children(parseDer(der), 0)) {
    const [id, value] = children(bag, 2)
    const bagId = oidOf(id!)
    const inner = explicitChild(value!)
    if (bagId === OID.keyBag) {
      bags.keys.push(privateKey(raw(inner)))
    } else if (bagId === OID.shroudedKeyBag) {
      const [algorithm, data] = children(inner, 2)
      bags.keys.push(privateKey(decrypt(algorithm!, octets(data!), pin)))
    } else if (bagId === OID.certBag) {
      const [certType, certValue] = children(inner, 2)
      if (oidOf(certType!) === OID.x509Certificate) bags.certificates.push(octets(explicitChild(certValue!)))
    } else if (bagId === OID.safeContentsBag) {
      readSafeContents(raw(inner), pin, bags)
    }
    // CRL and secret bags carry nothing a signer needs: skipped.
  }
}

function privateKey(pkcs8: Buffer): crypto.KeyObject {
  try {
    return crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  } catch (err) {
    throw new Malformed(`private key is not PKCS#8: ${(err as Error).message}`)
  }
}

/** The key, its certificate (public keys equal) and the rest ordered leaf-upwards (issuer = subject). */
function selectEndEntity(bags: Bags): Pkcs12Contents {
  const key = bags.keys[0]
  if (!key) throw new Malformed('no private key in the file')
  const spki = publicSpki(key)
  const parsed = bags.certificates.map((der) => ({ der, x509: new crypto.X509Certificate(der) }))
  const leaf = parsed.find((c) => spki.equals(publicSpki(c.x509.publicKey)))
  if (!leaf) throw new Malformed('no certificate matches the private key')
  const rest = parsed.filter((c) => c !== leaf)
  const chain: Buffer[] = []
  for (let current = leaf; ; ) {
    const issuer = rest.find((c) => !chain.includes(c.der) && current.x509.checkIssued(c.x509))
    if (!issuer) break
    chain.push(issuer.der)
    current = issuer
  }
  for (const c of rest) if (!chain.includes(c.der)) chain.push(c.der)
  return { key, certificate: leaf.der, chain }
}

const publicSpki = (key: crypto.KeyObject) =>
  (key.type === 'private' ? crypto.createPublicKey(key) : key).export({ type: 'spki', format: 'der' })

function certificateSpki(der: Buffer): Buffer | undefined {
  try {
    return publicSpki(new crypto.X509Certificate(der).publicKey)
  } catch {
    return undefined
  }
}

function pbes2Encrypt(plain: Buffer, pin: string, iterations: number): { algorithm: asn1js.Sequence; ciphertext: Buffer } {
  const salt = crypto.randomBytes(16)
  const iv = crypto.randomBytes(16)
  const key = crypto.pbkdf2Sync(Buffer.from(pin, 'utf8'), salt, iterations, 32, 'sha256')
  const cipher = crypto.createCipheriv('aes-256-cbc', key, iv)
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()])
  // RFC 8018 App. A.4 (PBES2-params) and A.2 (PBKDF2-params); keyLength omitted as the cipher fixes it.
  const algorithm = seq(
    oid(OID.pbes2),
    seq(
      seq(
        oid(OID.pbkdf2),
        seq(octetString(salt), new asn1js.Integer({ value: iterations }), seq(oid(OID.hmacWithSha256), new asn1js.Null())),
      ),
      seq(oid(OID.aes256Cbc), octetString(iv)),
    ),
  )
  return { algorithm, ciphertext }
}

/** Decrypts under PBES2 (RFC 8018 §6.2) or pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 App. C). */
function decrypt(algorithm: Block, ciphertext: Buffer, pin: string): Buffer {
  const [id, params] = children(algorithm, 1)
  const scheme = oidOf(id!)
  let cipher: string, key: Buffer, iv: Buffer
  if (scheme === OID.pbes2) {
    const [kdf, enc] = children(params!, 2)
    const [kdfId, kdfParams] = children(kdf!, 2)
    if (oidOf(kdfId!) !== OID.pbkdf2) throw new Malformed('PBES2 key derivation is not PBKDF2')
    const [salt, iter, ...optional] = children(kdfParams!, 2)
    const prfBlock = optional.find((b) => b instanceof asn1js.Sequence)
    const prf = prfBlock ? PRFS[oidOf(children(prfBlock, 1)[0]!)] : 'sha1'
    const [encId, ivBlock] = children(enc!, 2)
    const spec = CIPHERS[oidOf(encId!)]
    if (!prf || !spec) throw new Malformed('unsupported PBES2 PRF or cipher')
    cipher = spec.name
    key = crypto.pbkdf2Sync(Buffer.from(pin, 'utf8'), octets(salt!), checkedIterations(integer(iter!)), spec.keyLength, prf)
    iv = octets(ivBlock!)
  } else if (scheme === OID.pbeSha1Des3) {
    const [salt, iter] = children(params!, 2)
    const sha1 = DIGESTS['1.3.14.3.2.26']!
    const password = bmpPassword(pin)
    const count = checkedIterations(integer(iter!))
    cipher = 'des-ede3-cbc'
    key = pkcs12Kdf(sha1, password, octets(salt!), 1, count, 24)
    iv = pkcs12Kdf(sha1, password, octets(salt!), 2, count, 8)
  } else {
    throw new Malformed(`unsupported encryption ${scheme} (RC2 and RC4 need OpenSSL's legacy provider)`)
  }
  try {
    const decipher = crypto.createDecipheriv(cipher, key, iv)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()])
  } catch (err) {
    // Reached only when the file has no MAC, or its MAC and contents use different passwords.
    throw new SigningError('PIN_INCORRECT', 'Mã PIN không đúng (decryption failed)', { cause: err })
  }
}

/**
 * The PKCS#12 key derivation of RFC 7292 App. B.2, needed for the MAC key (ID 3) and the legacy
 * PBE (IDs 1, 2). `password` is the BMPString with its two-byte terminator (App. B.1).
 */
export function pkcs12Kdf(
  digest: { name: string; u: number; v: number },
  password: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  length: number,
): Buffer {
  const { name, u, v } = digest
  const repeatTo = (src: Buffer, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => src[i % src.length]!))
  const stretch = (src: Buffer) => repeatTo(src, v * Math.ceil(src.length / v))
  const d = Buffer.alloc(v, id)
  const i = Buffer.concat([stretch(salt), stretch(password)])
  const blocks: Buffer[] = []
  for (let produced = 0; produced < length; produced += u) {
    let a = crypto.createHash(name).update(d).update(i).digest()
    for (let r = 1; r < iterations; r++) a = crypto.createHash(name).update(a).digest()
    blocks.push(a)
    // Step 6C: each v-byte block I_j becomes (I_j + B + 1) mod 2^(8v), B = A repeated to v bytes.
    const b = repeatTo(a, v)
    for (let j = 0; j < i.length; j += v) {
      let carry = 1
      for (let k = v - 1; k >= 0; k--) {
        const sum = i[j + k]! + b[k]! + carry
        i[j + k] = sum & 0xff
        carry = sum >> 8
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length)
}

/** RFC 7292 App. B.1: the password as a BMPString (UTF-16BE) followed by two zero bytes. */
function bmpPassword(pin: string): Buffer {
  return Buffer.from(`${pin}\0`, 'utf16le').swap16()
}

function checkedIterations(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_ITERATIONS) throw new Malformed(`iteration count ${n} out of range`)
  return n
}

function bagAttributes(localKeyId: Buffer, friendlyName?: string): asn1js.Set {
  const attributes = [seq(oid(OID.localKeyId), new asn1js.Set({ value: [octetString(localKeyId)] }))]
  if (friendlyName) {
    attributes.push(seq(oid(OID.friendlyName), new asn1js.Set({ value: [new asn1js.BmpString({ value: friendlyName })] })))
  }
  return new asn1js.Set({ value: attributes })
}

function safeBag(bagId: string, value: Block, attributes?: asn1js.Set): asn1js.Sequence {
  return seq(oid(bagId), explicit(0, value), ...(attributes ? [attributes] : []))
}

const seq = (...value: Block[]) => new asn1js.Sequence({ value })
const oid = (value: string) => new asn1js.ObjectIdentifier({ value })
const octetString = (data: Buffer) => new asn1js.OctetString({ valueHex: data })
const explicit = (tagNumber: number, value: Block) =>
  new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber }, value: [value] })
const implicitOctets = (tagNumber: number, data: Buffer) =>
  new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber }, valueHex: data })
const toDer = (block: Block) => Buffer.from(block.toBER(false))
/** The bytes a parsed block was decoded from (kept, not re-encoded, so BER input stays intact). */
const raw = (block: Block) => Buffer.from(block.valueBeforeDecodeView)

function parseDer(der: Buffer): Block {
  const parsed = asn1js.fromBER(der, { parseEmbedded: false, maxNodes: 1_000_000 })
  if (parsed.offset === -1) throw new Malformed(`not DER/BER: ${parsed.result.error}`)
  return parsed.result
}

/** The elements of a SEQUENCE, SET or constructed tag, requiring at least `min` of them. */
function children(block: Block, min: number): Block[] {
  const value: unknown = (block.valueBlock as { value?: unknown }).value
  if (!Array.isArray(value) || value.length < min) throw new Malformed('unexpected structure')
  return value as Block[]
}

function explicitChild(block: Block): Block {
  if (block.idBlock.tagClass !== 3 || block.idBlock.tagNumber !== 0) throw new Malformed('expected [0]')
  return children(block, 1)[0]!
}

function oidOf(block: Block): string {
  if (!(block instanceof asn1js.ObjectIdentifier)) throw new Malformed('expected an OBJECT IDENTIFIER')
  return block.valueBlock.toString()
}

function integer(block: Block): number {
  if (!(block instanceof asn1js.Integer)) throw new Malformed('expected an INTEGER')
  return block.valueBlock.valueDec
}

/** Content octets of an OCTET STRING or of an IMPLICIT [n] one; BER constructed forms are joined. */
function octets(block: Block): Buffer {
  if (block.idBlock.tagClass === 1 && block.idBlock.tagNumber !== 4) throw new Malformed('expected an OCTET STRING')
  if (block.idBlock.isConstructed) return Buffer.concat(children(block, 0).map(octets))
  const view = (block.valueBlock as { valueHexView?: Uint8Array }).valueHexView
  if (!view) throw new Malformed('expected an OCTET STRING')
  return Buffer.from(view)
}
