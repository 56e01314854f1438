/**
 * A small secret sealed under a PIN (issue 15, HSM seal keys): the key itself stays in the HSM,
 * and what the clerk's PIN protects is an authorisation record naming that key. Opening it with
 * the right PIN is what lets the service use the HSM key; a wrong PIN fails the AES-GCM tag.
 *
 *   0x01 | salt (16) | nonce (12) | tag (16) | ciphertext
 *
 * The key is scrypt(PIN, salt) (RFC 7914, N=2^15, r=8, p=1). A 4-digit PIN is 10^4 guesses for
 * whoever holds the sealed bytes: the service stores them only inside a key-wrapping envelope
 * (key-wrap.ts), and online guesses are limited to five.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto'
import { SigningError } from '../errors'

const VERSION = 1
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }
const AAD = Buffer.from('kyso pin-sealed secret v1', 'utf8')

/** scrypt off the event loop (~50 ms at these parameters). */
function keyFor(pin: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin.normalize('NFC'), salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

export async function sealWithPin(secret: Buffer, pin: string): Promise<Buffer> {
  const salt = randomBytes(16)
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', await keyFor(pin, salt), nonce).setAAD(AAD)
  const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()])
  return Buffer.concat([Buffer.from([VERSION]), salt, nonce, cipher.getAuthTag(), ciphertext])
}

/** The secret, or PIN_INCORRECT (the tag does not authenticate under this PIN). */
export async function openWithPin(sealed: Buffer, pin: string): Promise<Buffer> {
  if (sealed[0] !== VERSION || sealed.length < 1 + 16 + 12 + 16)
    throw new SigningError('KEY_UNREADABLE', 'Not a PIN-sealed secret')
  const salt = sealed.subarray(1, 17)
  const nonce = sealed.subarray(17, 29)
  const tag = sealed.subarray(29, 45)
  const key = await keyFor(pin, salt)
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce).setAAD(AAD).setAuthTag(tag)
    return Buffer.concat([decipher.update(sealed.subarray(45)), decipher.final()])
  } catch (err) {
    throw new SigningError('PIN_INCORRECT', 'Mã PIN không đúng', { cause: err })
  }
}
