import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { appendAudit } from '../storage/audit'
import {
  countUnlockCodeFailure,
  replaceStoredKey,
  setUnlockCode,
  storedKey,
  unlockCodeOf,
  unlockKey,
  type StoredKeyRecord,
} from '../storage/key-records'
import { inTransaction } from '../storage/transaction'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { resealStoredKey } from './held-keys'
import { checkPinPolicy, withPinTry } from './pin-tries'

/** An unlock code is good for this long after the administrator issues it. */
const UNLOCK_CODE_TTL_MS = 72 * 3600_000
/** Wrong unlock codes before the code is void (the administrator issues another). */
const UNLOCK_CODE_TRIES = 5
/** Crockford's base32 without I, L, O, U: read out on a telephone without mistakes. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

export interface PinChanged {
  id: number
  changedAt: string
}

/** A key unlocked (by the administrator, or by its holder with an unlock code): all its tries back. */
export interface KeyUnlocked {
  id: number
  unlocked: true
  triesLeft: number
}

/** A one-time unlock code, shown once: 20 characters of Crockford's base32 in four groups of five. */
export interface IssuedUnlockCode {
  id: number
  unlockCode: string
  expiresAt: string
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

async function holderKey(s: Services, actor: Actor, id: number): Promise<StoredKeyRecord> {
  const k = await storedKey(s.db, id)
  if (!k || k.holderUserId !== actor.id) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy chứng thư số')
  if (k.revokedAt) throw new WorkflowError('CONFLICT', 'Chứng thư số này đã bị thu hồi')
  return k
}

/**
 * The holder changes their PIN (issue 15): the old PIN opens the key (a counted try, like a
 * signature), the key is sealed again under the new PIN and the current key-wrapping key, and the
 * opened key is dropped from the cache. The new PIN follows the policy.
 */
export async function changePin(
  s: Services,
  actor: Actor,
  id: number,
  b: Record<string, unknown>,
): Promise<PinChanged> {
  if (typeof b.oldPin !== 'string' || b.oldPin.length === 0)
    throw new WorkflowError('BAD_REQUEST', 'oldPin: required')
  const oldPin = b.oldPin
  const newPin = checkPinPolicy(s, b.newPin, 'newPin')
  const k = await holderKey(s, actor, id)
  const resealed = await withPinTry(s, actor, id, () => resealStoredKey(s, k, oldPin, newPin))
  await inTransaction(s.db, async (trx) => {
    const keyProtection = k.keyProtection === 'hsm' ? 'hsm' : 'wrapped'
    if (!(await replaceStoredKey(trx, id, k.p12, { p12: resealed, keyProtection }))) {
      throw new WorkflowError('CONFLICT', 'Mã PIN của chứng thư số này vừa được đổi; hãy thử lại')
    }
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'certificate.pin-changed',
      detail: { certificateId: id, serialHex: k.serialHex },
      requestId: actor.requestId ?? null,
    })
  })
  s.keys.forget(id)
  return { id, changedAt: new Date().toISOString() }
}

function requireAdmin(actor: Actor): void {
  if (!actor.roles.has('admin'))
    throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị hệ thống được thực hiện thao tác này')
}

async function internalKey(s: Services, id: number): Promise<StoredKeyRecord> {
  const k = await storedKey(s.db, id)
  if (!k) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy chứng thư số do Kyso giữ khóa')
  return k
}

/** The administrator unlocks a locked key (audited); the holder's PIN is unchanged. */
export async function unlockCertificate(s: Services, actor: Actor, id: number): Promise<KeyUnlocked> {
  requireAdmin(actor)
  const k = await internalKey(s, id)
  await inTransaction(s.db, async (trx) => {
    await unlockKey(trx, id)
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'certificate.unlocked',
      detail: { certificateId: id, serialHex: k.serialHex, by: 'admin', failures: k.pinFailures },
      requestId: actor.requestId ?? null,
    })
  })
  return { id, unlocked: true, triesLeft: s.config.pinPolicy.maxTries }
}

/**
 * Like a card's PUK: the administrator issues a one-time code (shown once, stored only as its
 * SHA-256: it is 100 random bits, not a PIN) for the holder to unlock their key themselves, e.g.
 * after the administrator confirmed who they are on the telephone. It does not reveal or replace
 * the PIN: a forgotten PIN cannot be recovered (the key is sealed under it), only replaced by a
 * new certificate.
 */
export async function issueUnlockCode(s: Services, actor: Actor, id: number): Promise<IssuedUnlockCode> {
  requireAdmin(actor)
  const k = await internalKey(s, id)
  const bytes = randomBytes(20)
  const code = [...bytes]
    .map((b) => ALPHABET[b & 31])
    .join('')
    .replace(/(.{5})(?=.)/g, '$1-')
  const expiresAt = new Date(Date.now() + UNLOCK_CODE_TTL_MS).toISOString()
  await inTransaction(s.db, async (trx) => {
    await setUnlockCode(trx, id, sha256(code.replace(/-/g, '')), expiresAt)
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'certificate.unlock-code-issued',
      detail: { certificateId: id, serialHex: k.serialHex, expiresAt },
      requestId: actor.requestId ?? null,
    })
  })
  return { id, unlockCode: code, expiresAt }
}

/** The holder unlocks their key with the code the administrator issued (audited; the code is then used up). */
export async function unlockWithCode(
  s: Services,
  actor: Actor,
  id: number,
  b: Record<string, unknown>,
): Promise<KeyUnlocked> {
  if (typeof b.unlockCode !== 'string' || b.unlockCode.length === 0 || b.unlockCode.length > 100)
    throw new WorkflowError('BAD_REQUEST', 'unlockCode: required')
  const k = await holderKey(s, actor, id)
  const issued = await unlockCodeOf(s.db, id)
  const given = Buffer.from(sha256(b.unlockCode.toUpperCase().replace(/[\s-]/g, '')), 'hex')
  const valid =
    issued &&
    Date.parse(issued.expiresAt) > Date.now() &&
    timingSafeEqual(given, Buffer.from(issued.hash, 'hex'))
  if (!valid) {
    if (issued) await countUnlockCodeFailure(s.db, id, UNLOCK_CODE_TRIES)
    throw new WorkflowError('UNLOCK_CODE_INVALID', 'Mã mở khóa không đúng hoặc đã hết hạn')
  }
  await inTransaction(s.db, async (trx) => {
    await unlockKey(trx, id)
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'certificate.unlocked',
      detail: { certificateId: id, serialHex: k.serialHex, by: 'unlock-code' },
      requestId: actor.requestId ?? null,
    })
  })
  return { id, unlocked: true, triesLeft: s.config.pinPolicy.maxTries }
}
