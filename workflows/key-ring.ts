import { randomBytes } from 'node:crypto'
import type { Config } from '../config'
import { SigningError } from '../signing/errors'
import { keyRing, rawKeyWrapKey, unwrap, wrap, type KeyRing, type KeyWrapKey } from '../signing/keys/key-wrap'
import type { ServiceToken } from '../signing/keys/pkcs11-service'
import {
  holdsEnvelopes,
  insertServiceSecret,
  replaceStoredKey,
  serviceSecret,
  storedKeys,
} from '../storage/key-records'
import type { Queryable } from '../storage/transaction'
import { createKeyWrapFile, readableByOthers, readKeyWrapFile } from '../storage/key-wrap-file'

/** A known value sealed under the ring when the database first meets it: which key it uses. */
const CHECK = 'key-wrap-check'
const CHECK_VALUE = Buffer.from('kyso key-wrapping key check', 'utf8')

export interface OpenKeyRingOptions {
  /** May a key be made (file or HSM) when none exists and the database holds no envelope yet. */
  create: boolean
  hsm?: ServiceToken
  log?: (line: Record<string, unknown>) => void
}

/**
 * The key-wrapping keys of this instance (issue 15), checked against the database: the current
 * one (an HSM key, the environment's, or the file's) and older ones kept for a rotation. A
 * missing key is made only when the database holds nothing wrapped yet (the demo's first start,
 * a new deployment); otherwise start-up stops and names the key the database expects, since a
 * new key would open none of the stored keys.
 */
export async function openKeyRing(config: Config, db: Queryable, opts: OpenKeyRingOptions): Promise<KeyRing> {
  // Anything sealed under a key-wrapping key already: then no new key may be made.
  const fresh = !(await holdsEnvelopes(db))
  const current = await currentKey(config, opts, opts.create && fresh)
  const previous = config.keyWrap.previousFiles.map((f) => {
    const raw = readKeyWrapFile(f)
    if (!raw)
      throw new SigningError('KEY_WRAP_UNKNOWN_KEY', `KYSO_KEY_WRAP_PREVIOUS_FILES: ${f} does not exist`)
    return rawKeyWrapKey(raw, f)
  })
  if (!current) {
    const expected = await expectedKeyId(db)
    throw new SigningError(
      'KEY_WRAP_UNKNOWN_KEY',
      `No key-wrapping key at ${where(config)}; the database's keys are wrapped under key ${expected ?? '(unknown)'}. ` +
        'Restore that key (see README, Operations) rather than making a new one: a new key opens none of them.',
    )
  }
  const ring = keyRing(current, previous)
  const check = await serviceSecret(db, CHECK)
  if (check) {
    await unwrap(ring, check, CHECK).catch((err: unknown) => {
      throw new SigningError(
        'KEY_WRAP_UNKNOWN_KEY',
        `This instance's key-wrapping key (${current.id}, ${current.location}) is not the database's: ${(err as Error).message}`,
        { cause: err },
      )
    })
  } else {
    await insertServiceSecret(db, CHECK, await wrap(ring, CHECK_VALUE, CHECK))
    // Two instances making their own keys on one empty database: the one whose check lost stops here.
    await unwrap(ring, (await serviceSecret(db, CHECK)) as Buffer, CHECK)
  }
  if (!config.keyWrap.key && !config.keyWrap.pkcs11Label && readableByOthers(config.keyWrap.file)) {
    opts.log?.({ level: 'warn', msg: `${config.keyWrap.file} is readable by other users: chmod 600 it` })
  }
  return ring
}

function where(config: Config): string {
  if (config.keyWrap.pkcs11Label) return `pkcs11 label ${config.keyWrap.pkcs11Label}`
  return config.keyWrap.key ? 'KYSO_KEY_WRAP_KEY' : config.keyWrap.file
}

async function currentKey(
  config: Config,
  opts: OpenKeyRingOptions,
  mayCreate: boolean,
): Promise<KeyWrapKey | undefined> {
  const kw = config.keyWrap
  if (kw.pkcs11Label) {
    if (!opts.hsm)
      throw new SigningError('TOKEN_NOT_FOUND', 'KYSO_KEY_WRAP_PKCS11_LABEL is set but the HSM is not open')
    return opts.hsm.wrappingKey(kw.pkcs11Label, { create: mayCreate })
  }
  if (kw.key) return rawKeyWrapKey(kw.key, 'KYSO_KEY_WRAP_KEY')
  const raw = readKeyWrapFile(kw.file) ?? (mayCreate ? createKeyWrapFile(kw.file) : undefined)
  if (raw && mayCreate)
    opts.log?.({ msg: `key-wrapping key in ${kw.file} (keep it out of backups of the data folder)` })
  return raw ? rawKeyWrapKey(raw, kw.file) : undefined
}

async function expectedKeyId(db: Queryable): Promise<string | undefined> {
  const check = await serviceSecret(db, CHECK)
  return check ? check.subarray(4, 4 + (check[3] ?? 0)).toString('hex') : undefined
}

/**
 * Keys stored before issue 15 (a PKCS#12 under the PIN alone) are sealed under the ring once, at
 * start-up: after that, a copy of the database needs the key-wrapping key as well as the PIN.
 */
export async function wrapLegacyKeys(db: Queryable, ring: KeyRing): Promise<number> {
  let n = 0
  for (const k of await storedKeys(db, 'pin')) {
    if (k.p12.length === 0) continue
    const envelope = await wrap(ring, k.p12, certificateKeyContext(k.serialHex))
    if (await replaceStoredKey(db, k.id, k.p12, { p12: envelope, keyProtection: 'wrapped' })) n++
  }
  return n
}

/** What an internal certificate's envelope is bound to (key-wrap.ts: the context in its AAD). */
export function certificateKeyContext(serialHex: string): string {
  return `certificate-key:${serialHex}`
}

/**
 * A secret every instance shares, made once and kept wrapped in the database: the key of the
 * HMAC that fingerprints idempotent requests (server/http.ts).
 */
export async function sharedSecret(db: Queryable, ring: KeyRing, name: string): Promise<Buffer> {
  const existing = await serviceSecret(db, name)
  if (existing) return unwrap(ring, existing, name)
  await insertServiceSecret(db, name, await wrap(ring, randomBytes(32), name))
  return unwrap(ring, (await serviceSecret(db, name)) as Buffer, name)
}
