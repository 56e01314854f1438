import { hasCode, SigningError } from '../signing/errors'
import { appendAudit } from '../storage/audit'
import { countPinAttempt, markPinLocked, resetPinFailures, uncountPinAttempt } from '../storage/key-records'
import type { Actor, Services } from './context'
import { WorkflowError } from './errors'

/**
 * PIN tries like a smart card (issue 15): `maxTries` consecutive wrong PINs lock the key, and a
 * locked key refuses even the right PIN until an administrator unlocks it (or the holder uses the
 * unlock code one issued). The attempt is counted in the database *before* the PIN is tried, by
 * one conditional update, so concurrent wrong PINs on any number of instances cannot try more;
 * the right PIN resets the count, and an attempt that fails for another reason is taken back.
 */
export async function withPinTry<T>(s: Services, actor: Actor, certificateId: number, attempt: () => Promise<T>): Promise<T> {
  const max = s.config.pinPolicy.maxTries
  const count = await countPinAttempt(s.db, certificateId, max)
  if (count === 'busy') {
    // As many attempts as tries left are being checked right now (a client sending in parallel).
    throw new WorkflowError('CONFLICT', 'Đang có yêu cầu khác dùng mã PIN của khóa này; hãy thử lại sau giây lát')
  }
  if (count === 'locked') {
    throw new WorkflowError(
      'KEY_LOCKED',
      `Khóa ký đã bị khóa sau ${max} lần nhập sai mã PIN liên tiếp. Hãy liên hệ quản trị hệ thống để mở khóa.`,
      { details: { triesLeft: 0 } },
    )
  }
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
      await appendAudit(s.db, { actorId: actor.id, action: 'certificate.locked', detail: { certificateId, tries: max }, requestId: actor.requestId ?? null })
    }
    const message = triesLeft > 0
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
