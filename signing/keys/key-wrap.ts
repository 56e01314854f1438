/**
 * Envelopes under a key-wrapping key (issue 15): whatever Kyso stores of a key (a PKCS#12 under
 * its holder's PIN, a CA key, a server secret) is encrypted once more with AES-256-GCM under a
 * key the database does not hold, so a copy of the database or of the data folder opens nothing.
 *
 * Envelope, version 1 (all lengths in bytes):
 *
 *   "KW" | 0x01 | n | key id (n) | nonce (12) | tag (16) | ciphertext
 *
 * The additional authenticated data is the header (everything before the nonce) followed by a
 * context string naming what the envelope is for ("certificate-key:<serial>"), so an envelope
 * moved to another row, or given another key id, fails to open. The key id (8 bytes) says which
 * key of a ring opens it: rotation re-wraps under the new key while the old one still reads.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { SigningError } from '../errors'

const MAGIC = Buffer.from('KW', 'latin1')
const VERSION = 1
const NONCE = 12
const TAG = 16
const KEY_BYTES = 32

/** A key-wrapping key: raw bytes in this process, or an AES key inside an HSM (pkcs11-service.ts). */
export interface KeyWrapKey {
  /** 8 bytes, hex: written in every envelope this key seals. */
  readonly id: string
  /** Where it lives, for people (a file path, "env", "pkcs11:<label>"); never the key itself. */
  readonly location: string
  /** AES-256-GCM with a 96-bit nonce and a 128-bit tag. */
  seal(plaintext: Buffer, nonce: Buffer, aad: Buffer): Promise<{ ciphertext: Buffer; tag: Buffer }>
  open(ciphertext: Buffer, tag: Buffer, nonce: Buffer, aad: Buffer): Promise<Buffer>
}

/** The key new envelopes are sealed with, and every key that may still open older ones. */
export interface KeyRing {
  readonly current: KeyWrapKey
  readonly keys: ReadonlyMap<string, KeyWrapKey>
}

export function keyRing(current: KeyWrapKey, previous: KeyWrapKey[] = []): KeyRing {
  const keys = new Map<string, KeyWrapKey>()
  for (const k of [...previous, current]) keys.set(k.id, k)
  return { current, keys }
}

/** A key held in this process (a file, or the environment): 32 random bytes. */
export function rawKeyWrapKey(raw: Buffer, location: string): KeyWrapKey {
  if (raw.length !== KEY_BYTES)
    throw new SigningError('BAD_OPTION', `A key-wrapping key is ${KEY_BYTES} bytes, not ${raw.length}`)
  const key = Buffer.from(raw)
  // The id is a one-way function of the key: it names the key without telling anything of it.
  const id = createHmac('sha256', key)
    .update('kyso key-wrapping key id')
    .digest()
    .subarray(0, 8)
    .toString('hex')
  return {
    id,
    location,
    async seal(plaintext, nonce, aad) {
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG }).setAAD(aad)
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
      return { ciphertext, tag: cipher.getAuthTag() }
    },
    async open(ciphertext, tag, nonce, aad) {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG })
        .setAAD(aad)
        .setAuthTag(tag)
      return Buffer.concat([decipher.update(ciphertext), decipher.final()])
    },
  }
}

/** 32 random bytes: a new key-wrapping key. */
export function newKeyWrapKeyBytes(): Buffer {
  return randomBytes(KEY_BYTES)
}

function header(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'hex')
  return Buffer.concat([MAGIC, Buffer.from([VERSION, id.length]), id])
}

/** True when `bytes` is an envelope of this format (a PKCS#12 starts with 0x30, a DER SEQUENCE). */
export function isEnvelope(bytes: Buffer): boolean {
  return bytes.length > 4 && bytes.subarray(0, 2).equals(MAGIC)
}

interface ParsedEnvelope {
  keyId: string
  header: Buffer
  nonce: Buffer
  tag: Buffer
  ciphertext: Buffer
}

function parse(envelope: Buffer): ParsedEnvelope {
  if (!isEnvelope(envelope) || envelope[2] !== VERSION) {
    throw new SigningError('KEY_WRAP_FAILED', 'Not a version 1 key-wrapping envelope')
  }
  const n = envelope[3] as number
  const start = 4 + n
  if (envelope.length < start + NONCE + TAG)
    throw new SigningError('KEY_WRAP_FAILED', 'The envelope is truncated')
  return {
    keyId: envelope.subarray(4, start).toString('hex'),
    header: envelope.subarray(0, start),
    nonce: envelope.subarray(start, start + NONCE),
    tag: envelope.subarray(start + NONCE, start + NONCE + TAG),
    ciphertext: envelope.subarray(start + NONCE + TAG),
  }
}

/** The id of the key that sealed `envelope` (rotation: which rows still need re-wrapping). */
export function envelopeKeyId(envelope: Buffer): string {
  return parse(envelope).keyId
}

/**
 * Seals `plaintext` under the ring's current key for `context`.
 *
 * @example
 * const stored = await wrap(ring, p12, `certificate-key:${serialHex}`)
 */
export async function wrap(ring: KeyRing, plaintext: Buffer, context: string): Promise<Buffer> {
  const head = header(ring.current.id)
  const nonce = randomBytes(NONCE)
  const { ciphertext, tag } = await ring.current.seal(
    plaintext,
    nonce,
    Buffer.concat([head, Buffer.from(context, 'utf8')]),
  )
  return Buffer.concat([head, nonce, tag, ciphertext])
}

/**
 * Opens an envelope for `context` with the key its id names. KEY_WRAP_UNKNOWN_KEY when the ring has
 * no such key (the instance was given another key file); KEY_WRAP_FAILED when the bytes or the
 * context do not authenticate (tampered, or moved from another row).
 */
export async function unwrap(ring: KeyRing, envelope: Buffer, context: string): Promise<Buffer> {
  const e = parse(envelope)
  const key = ring.keys.get(e.keyId)
  if (!key) {
    throw new SigningError(
      'KEY_WRAP_UNKNOWN_KEY',
      `No key-wrapping key with id ${e.keyId} is configured (current: ${ring.current.id})`,
    )
  }
  try {
    return await key.open(
      e.ciphertext,
      e.tag,
      e.nonce,
      Buffer.concat([e.header, Buffer.from(context, 'utf8')]),
    )
  } catch (err) {
    throw new SigningError(
      'KEY_WRAP_FAILED',
      `The envelope for ${context} does not open under key ${e.keyId}`,
      { cause: err },
    )
  }
}

/** Opens with the ring and seals again under its current key (rotation); unchanged when already current. */
export async function rewrap(ring: KeyRing, envelope: Buffer, context: string): Promise<Buffer> {
  if (envelopeKeyId(envelope) === ring.current.id) return envelope
  return wrap(ring, await unwrap(ring, envelope, context), context)
}
