import type { Queryable } from './transaction'

/**
 * How a key the service holds for a signer is kept, and its PIN tries (issue 15). The PIN itself is
 * never stored, nor anything computed from it outside the key's own encryption.
 */
export type KeyProtection = 'pin' | 'wrapped' | 'hsm'

export interface StoredKeyRecord {
  id: number
  serialHex: string
  holderUserId: number
  kind: 'personal' | 'seal'
  status: string
  revokedAt: string | null
  /** The PKCS#12 (or, for `hsm`, the PIN-sealed authorisation), inside a key-wrapping envelope unless `pin`. */
  p12: Buffer
  keyProtection: KeyProtection
  hsmKeyId: string | null
  certificateDer: Buffer
  pinFailures: number
  pinLockedAt: string | null
}

const COLUMNS = [
  'id',
  'serial_hex',
  'holder_user_id',
  'kind',
  'status',
  'revoked_at',
  'p12',
  'key_protection',
  'hsm_key_id',
  'certificate_der',
  'pin_failures',
  'pin_locked_at',
]

function recordOf(r: Record<string, unknown>): StoredKeyRecord {
  return {
    id: r.id as number,
    serialHex: r.serial_hex as string,
    holderUserId: r.holder_user_id as number,
    kind: r.kind as 'personal' | 'seal',
    status: r.status as string,
    revokedAt: (r.revoked_at as string | null) ?? null,
    p12: Buffer.from(r.p12 as Uint8Array),
    keyProtection: r.key_protection as KeyProtection,
    hsmKeyId: (r.hsm_key_id as string | null) ?? null,
    certificateDer: Buffer.from(r.certificate_der as Uint8Array),
    pinFailures: Number(r.pin_failures),
    pinLockedAt: (r.pin_locked_at as string | null) ?? null,
  }
}

/** An internal certificate's stored key, or undefined (no such certificate, or its key is elsewhere). */
export async function storedKey(db: Queryable, certificateId: number): Promise<StoredKeyRecord | undefined> {
  const r = (await db('certificates').where({ id: certificateId, source: 'internal' }).first(COLUMNS)) as
    | Record<string, unknown>
    | undefined
  return r ? recordOf(r) : undefined
}

/** Every internal certificate's stored key (rotation, and wrapping the rows made before issue 15). */
export async function storedKeys(db: Queryable, protection?: KeyProtection): Promise<StoredKeyRecord[]> {
  const q = db('certificates').where({ source: 'internal' }).orderBy('id')
  if (protection) q.where({ key_protection: protection })
  return ((await q.select(COLUMNS)) as Record<string, unknown>[]).map(recordOf)
}

/** Replaces what is stored of a key (new PIN, new wrapping key) only if it is still `before`. */
export async function replaceStoredKey(
  db: Queryable,
  certificateId: number,
  before: Buffer,
  after: { p12: Buffer; keyProtection: KeyProtection },
): Promise<boolean> {
  const rows = await db('certificates')
    .where({ id: certificateId, p12: before })
    .update({ p12: after.p12, key_protection: after.keyProtection })
  return rows > 0
}

/**
 * Counts a PIN attempt before the PIN is tried, in one conditional update, so concurrent wrong
 * PINs on any number of instances cannot try more than `maxTries` (the count is the database's,
 * not a read followed by a write). Returns the count including this attempt; or, when it was not
 * counted (and must not be made), 'locked' when wrong PINs locked the key, 'busy' when the tries
 * left are all taken by attempts still running (their outcome decides).
 */
export async function countPinAttempt(
  db: Queryable,
  certificateId: number,
  maxTries: number,
): Promise<number | 'locked' | 'busy'> {
  // RETURNING: the count this very update made (PostgreSQL, and SQLite since 3.35).
  const rows = (await db('certificates')
    .where({ id: certificateId })
    .where('pin_failures', '<', maxTries)
    .whereNull('pin_locked_at')
    .update({ pin_failures: db.raw('pin_failures + 1') }, ['pin_failures'])) as { pin_failures: number }[]
  if (rows[0]) return Number(rows[0].pin_failures)
  const row = (await db('certificates').where({ id: certificateId }).first('pin_locked_at')) as
    | { pin_locked_at: unknown }
    | undefined
  return row?.pin_locked_at ? 'locked' : 'busy'
}

export async function isPinLocked(db: Queryable, certificateId: number): Promise<boolean> {
  const row = (await db('certificates').where({ id: certificateId }).first('pin_locked_at')) as
    | { pin_locked_at: unknown }
    | undefined
  return Boolean(row?.pin_locked_at)
}

/** A right PIN: the count starts again. */
export async function resetPinFailures(db: Queryable, certificateId: number): Promise<void> {
  await db('certificates')
    .where({ id: certificateId })
    .where('pin_failures', '>', 0)
    .update({ pin_failures: 0, pin_locked_at: null })
}

/** An attempt that ended before the PIN was judged (a failure of ours) is taken back. */
export async function uncountPinAttempt(db: Queryable, certificateId: number): Promise<void> {
  await db('certificates')
    .where({ id: certificateId })
    .where('pin_failures', '>', 0)
    .decrement('pin_failures', 1)
}

/** The key is locked from now: no attempt is counted (hence made) until it is unlocked. */
export async function markPinLocked(db: Queryable, certificateId: number, at: string): Promise<void> {
  await db('certificates')
    .where({ id: certificateId })
    .whereNull('pin_locked_at')
    .update({ pin_locked_at: at })
}

/** The administrator unlocks: the count, the lock and any outstanding unlock code go. */
export async function unlockKey(db: Queryable, certificateId: number): Promise<void> {
  await db('certificates').where({ id: certificateId }).update({
    pin_failures: 0,
    pin_locked_at: null,
    unlock_code_hash: null,
    unlock_code_expires_at: null,
    unlock_code_failures: 0,
  })
}

export async function setUnlockCode(
  db: Queryable,
  certificateId: number,
  codeHash: string,
  expiresAt: string,
): Promise<void> {
  await db('certificates')
    .where({ id: certificateId })
    .update({ unlock_code_hash: codeHash, unlock_code_expires_at: expiresAt, unlock_code_failures: 0 })
}

export async function unlockCodeOf(
  db: Queryable,
  certificateId: number,
): Promise<{ hash: string; expiresAt: string; failures: number } | undefined> {
  const r = (await db('certificates')
    .where({ id: certificateId })
    .first('unlock_code_hash', 'unlock_code_expires_at', 'unlock_code_failures')) as
    | {
        unlock_code_hash: string | null
        unlock_code_expires_at: string | Date | null
        unlock_code_failures: number
      }
    | undefined
  if (!r?.unlock_code_hash || !r.unlock_code_expires_at) return undefined
  const expiresAt =
    typeof r.unlock_code_expires_at === 'string'
      ? r.unlock_code_expires_at
      : r.unlock_code_expires_at.toISOString()
  return { hash: r.unlock_code_hash, expiresAt, failures: Number(r.unlock_code_failures) }
}

/** A wrong unlock code: counted; after `maxTries` the code is void. */
export async function countUnlockCodeFailure(
  db: Queryable,
  certificateId: number,
  maxTries: number,
): Promise<void> {
  await db('certificates').where({ id: certificateId }).increment('unlock_code_failures', 1)
  await db('certificates')
    .where({ id: certificateId })
    .where('unlock_code_failures', '>=', maxTries)
    .update({ unlock_code_hash: null, unlock_code_expires_at: null })
}

export async function serviceSecret(db: Queryable, name: string): Promise<Buffer | undefined> {
  const r = (await db('service_secrets').where({ name }).first('envelope')) as
    | { envelope: Uint8Array }
    | undefined
  return r ? Buffer.from(r.envelope) : undefined
}

export async function serviceSecrets(db: Queryable): Promise<{ name: string; envelope: Buffer }[]> {
  const rows = (await db('service_secrets').orderBy('name').select('name', 'envelope')) as {
    name: string
    envelope: Uint8Array
  }[]
  return rows.map((r) => ({ name: r.name, envelope: Buffer.from(r.envelope) }))
}

/** Inserts a secret unless another instance did first; false when one was already there. */
export async function insertServiceSecret(db: Queryable, name: string, envelope: Buffer): Promise<boolean> {
  return db('service_secrets')
    .insert({ name, envelope, created_at: new Date().toISOString() })
    .then(
      () => true,
      async (err: unknown) => {
        if (await serviceSecret(db, name)) return false
        throw err
      },
    )
}

export async function replaceServiceSecret(db: Queryable, name: string, envelope: Buffer): Promise<void> {
  await db('service_secrets').where({ name }).update({ envelope })
}

/** Anything sealed under a key-wrapping key already (a secret, a CA key, a signer's key). */
export async function holdsEnvelopes(db: Queryable): Promise<boolean> {
  const secret = await db('service_secrets').first('name')
  const caKey = await db('ca_keys').first('name')
  const wrapped = await db('certificates').whereIn('key_protection', ['wrapped', 'hsm']).first('id')
  return Boolean(secret || caKey || wrapped)
}
