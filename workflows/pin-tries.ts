import { hasCode, SigningError } from '../signing/errors'
import type { KeySource } from '../signing/keys/key-source'
import { appendAudit } from '../storage/audit'
import {
  countPinAttempt,
  isPinLocked,
  markPinLocked,
  resetPinFailures,
  uncountPinAttempt,
} from '../storage/key-records'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'

/** About 5 s of waiting for attempts in flight before answering 409. */
const BUSY_WAIT_ROUNDS = 100

/**
 * Opens a stored key with its holder's PIN. A key this instance opened with this very PIN a
 * moment ago (unlocked-keys.ts) needs no counted try, for a wrong PIN never matches it; it is
 * still refused while the key is locked, and resets the count like any right PIN.
 */
export async function openWithPin(
  s: Services,
  actor: Actor,
  key: { id: number; stored: Buffer; pin: string },
  open: () => Promise<KeySource>,
): Promise<KeySource> {
  const hit = s.keys.cached(key.id, key.stored, key.pin)
  if (hit) {
    if (await isPinLocked(s.db, key.id)) throw lockedError(s.config.pinPolicy.maxTries)
    await resetPinFailures(s.db, key.id)
    return hit
  }
  return withPinTry(s, actor, key.id, () => s.keys.unlock(key.id, key.stored, key.pin, open))
}

function lockedError(max: number): WorkflowError {
  return new WorkflowError(
    'KEY_LOCKED',
    `Khóa ký đã bị khóa sau ${max} lần nhập sai mã PIN liên tiếp. Hãy liên hệ quản trị hệ thống để mở khóa.`,
    { details: { triesLeft: 0 } },
  )
}

/**
 * PIN tries like a smart card (issue 15): `maxTries` consecutive wrong PINs lock the key, and a
 * locked key refuses even the right PIN until an administrator unlocks it (or the holder uses the
 * unlock code one issued). The attempt is counted in the database *before* the PIN is tried, by
 * one conditional update, so concurrent wrong PINs on any number of instances cannot try more;
 * the right PIN resets the count, and an attempt that fails for another reason is taken back.
 */
export async function withPinTry<T>(
  s: Services,
  actor: Actor,
  certificateId: number,
  attempt: () => Promise<T>,
): Promise<T> {
  const max = s.config.pinPolicy.maxTries
  let count = await countPinAttempt(s.db, certificateId, max)
  // As many attempts as tries are left are being checked right now (a signer sending documents in
  // parallel): wait for their outcome, a right PIN frees the count again.
  for (let wait = 0; count === 'busy' && wait < BUSY_WAIT_ROUNDS; wait++) {
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 60))
    count = await countPinAttempt(s.db, certificateId, max)
  }
  if (count === 'busy') {
    throw new WorkflowError(
      'CONFLICT',
      'Đang có yêu cầu khác dùng mã PIN của khóa này; hãy thử lại sau giây lát',
    )
  }
  if (count === 'locked') throw lockedError(max)
  let result: T
  try {
    result = await attempt()
  } catch (err) {
    if (!hasCode(err, 'PIN_INCORRECT')) {
      await uncountPinAttempt(s.db, certificateId)
      throw err
    }
    const triesLeft = Math.max(0, max - count)
    if (triesLeft === 0) {
      await markPinLocked(s.db, certificateId, new Date().toISOString())
      await appendAudit(s.db, {
        actorId: actor.id,
        action: 'certificate.locked',
        detail: { certificateId, tries: max },
        requestId: actor.requestId ?? null,
      })
    }
    const message =
      triesLeft > 0
        ? `Mã PIN không đúng. Còn ${triesLeft} lần thử.`
        : `Mã PIN không đúng. Khóa ký đã bị khóa sau ${max} lần nhập sai; hãy liên hệ quản trị hệ thống.`
    throw new SigningError('PIN_INCORRECT', message, { cause: err, details: { triesLeft } })
  }
  await resetPinFailures(s.db, certificateId)
  return result
}

/** A new PIN must follow the policy (KYSO_PIN_MIN_LENGTH): 400 naming the field and the rule, never the PIN. */
export function checkPinPolicy(s: Services, pin: unknown, field = 'pin'): string {
  const min = s.config.pinPolicy.minLength
  if (typeof pin !== 'string' || !/^\S+$/.test(pin) || pin.length < min || pin.length > 64) {
    throw new WorkflowError('BAD_REQUEST', `${field}: từ ${min} đến 64 ký tự, không có khoảng trắng`)
  }
  return pin
}
