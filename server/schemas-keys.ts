import type { BodySchema, StringField } from './body-schema'

/**
 * A new PIN (workflows/pin-tries.ts checkPinPolicy): its least length is the configuration's
 * (KYSO_PIN_MIN_LENGTH, 4 to 64), so the use case checks it, with a message giving that length.
 */
const newPin = (name: string): StringField => ({
  type: 'string',
  required: true,
  useCase: true,
  minLength: 4,
  maxLength: 64,
  pattern: { regex: /^\S+$/, message: `${name}: no white space` },
  message: `${name}: từ KYSO_PIN_MIN_LENGTH đến 64 ký tự, không có khoảng trắng`,
  description: 'At least KYSO_PIN_MIN_LENGTH characters (4 unless configured), at most 64, no white space',
  example: '246810',
})

/** Setting the PIN of an authorised certificate: checked before the enrolment is looked up. */
export const ENROLMENT_ACTIVATE: BodySchema = { fields: { pin: newPin('pin') } }

export const PIN_CHANGE: BodySchema = {
  fields: {
    oldPin: { type: 'string', required: true, minLength: 1, message: 'oldPin: required', example: '123456' },
    newPin: newPin('newPin'),
  },
}

export const UNLOCK_WITH_CODE: BodySchema = {
  fields: {
    unlockCode: {
      type: 'string',
      required: true,
      minLength: 1,
      maxLength: 100,
      message: 'unlockCode: required',
      description: 'As issued, e.g. 7K2QM-...; case and dashes do not matter',
      example: '7K2QM-4XH9P',
    },
  },
}

/** A key's PIN and lock (issue 15): each checked before the key is looked up. */
export const KEY_BODIES: Record<string, BodySchema> = {
  'POST /api/me/enrolments/{id}/activate': ENROLMENT_ACTIVATE,
  'POST /api/me/certificates/{id}/pin': PIN_CHANGE,
  'POST /api/me/certificates/{id}/unlock': UNLOCK_WITH_CODE,
}
