/**
 * What reading and writing PKCS#12 (RFC 7292) share: the OIDs, the algorithms we accept, the
 * limits on iteration counts and the PKCS#12 key derivation of App. B.
 */
import * as crypto from 'node:crypto'

/** Shortest PIN accepted when a file is created (PIN_TOO_SHORT below it). */
export const MIN_PIN_LENGTH = 4
/**
 * OpenSSL 3's default (PKCS12_DEFAULT_ITER). The MAC's KDF runs in JavaScript (one hash per
 * iteration) and is the cheapest path for a PIN-guessing attacker anyway, so a larger PBKDF2
 * count alone would buy nothing; 2048 keeps opening a file at a few milliseconds.
 */
export const DEFAULT_ITERATIONS = 2048
/** Refuse files that would make us spin (a hostile count of 2^31 would hang the process). */
export const MAX_ITERATIONS = 1_000_000

export const OID = {
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

export interface Pkcs12Digest {
  name: string
  /** Output bytes. */
  u: number
  /** Block bytes. */
  v: number
}

/** Digests for the MAC and the PKCS#12 KDF: u = output bytes, v = block bytes (RFC 7292 App. B.2). */
export const DIGESTS: Record<string, Pkcs12Digest> = {
  '1.3.14.3.2.26': { name: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', u: 28, v: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', u: 64, v: 128 },
}
/** PBKDF2 PRFs (RFC 8018 App. B.1); an absent prf means hmacWithSHA1. */
export const PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
}
/** PBES2 encryption schemes (RFC 8018 App. B.2, RFC 3565 for AES): cipher name and key bytes. */
export const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
}

/**
 * The PKCS#12 key derivation of RFC 7292 App. B.2, needed for the MAC key (ID 3) and the legacy
 * PBE (IDs 1, 2). `password` is the BMPString with its two-byte terminator (App. B.1).
 */
export function pkcs12Kdf(
  digest: Pkcs12Digest,
  password: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  length: number,
): Buffer {
  const { name, u, v } = digest
  const repeatTo = (src: Buffer, n: number) =>
    Buffer.from(Array.from({ length: n }, (_, i) => src[i % src.length]!))
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
export function bmpPassword(pin: string): Buffer {
  return Buffer.from(`${pin}\0`, 'utf16le').swap16()
}

/** The DER SubjectPublicKeyInfo of a key (of the public half of a private one). */
export const publicSpki = (key: crypto.KeyObject): Buffer =>
  (key.type === 'private' ? crypto.createPublicKey(key) : key).export({ type: 'spki', format: 'der' })
