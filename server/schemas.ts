import type { Role } from '../shared/actor'
import { DATED_MARKERS } from '../workflows/signing-markers'
import {
  type ArrayField,
  type BodySchema,
  optionalString,
  optionalText,
  reasonField,
  text,
} from './body-schema'
import { ADMIN_BODIES } from './schemas-admin'
import { KEY_BODIES } from './schemas-keys'
import { REGISTER_BODIES } from './schemas-register'
import { SIGNING_BODIES } from './schemas-signing'

export {
  type ArrayField,
  type BodySchema,
  bodyCheckedOnRead,
  checkedFields,
  type Field,
  jsonSchemaOf,
  parseBody,
} from './body-schema'

/** The bodies of signing in, the chain of steps, delegations and agencies and users (issue 16). */

const ROLES = ['staff', 'head', 'leader', 'clerk', 'compliance', 'admin'] as const satisfies readonly Role[]
const roles = (required: boolean): ArrayField => ({
  type: 'array',
  required,
  minItems: 1,
  enum: ROLES,
  message: `roles: một hoặc nhiều trong ${ROLES.join(', ')}`,
  example: ['staff'],
})

export const LOGIN: BodySchema = {
  component: 'LoginRequest',
  fields: {
    username: {
      type: 'string',
      required: true,
      minLength: 1,
      maxLength: 100,
      message: 'username: required',
      example: 'chuyenvien',
    },
    password: {
      type: 'string',
      required: true,
      minLength: 1,
      maxLength: 1000,
      message: 'password: required',
    },
  },
}

export const SIGN: BodySchema = {
  component: 'SignRequest',
  fields: {
    pin: {
      type: 'string',
      required: true,
      minLength: 1,
      message: 'pin: required',
      description: "Unlocks the signer's key (for a seal, the clerk's own PIN)",
    },
    comment: optionalString('comment'),
    outgoingNumber: optionalString(
      'outgoingNumber',
      'Seal: the whole số, ký hiệu (15/QĐ-SKHCN); the next number of the register when absent; ' +
        '409 NUMBER_TAKEN when the register holds it',
    ),
    outgoingDate: optionalString(
      'outgoingDate',
      'Seal: YYYY-MM-DD, today in Vietnam when absent, never after today',
    ),
  },
}

/** Rejecting or returning a step. */
export const REASON: BodySchema = {
  component: 'ReasonRequest',
  fields: { reason: reasonField('Cần bổ sung số liệu') },
}

export const SUBMIT: BodySchema = {
  component: 'SubmitRequest',
  description: "Exactly one of template (a route template of the document's agency) or steps (1 to 20).",
  exactlyOne: { fields: ['template', 'steps'], message: 'template or steps: give exactly one' },
  fields: {
    template: { type: 'string', message: 'template: a template name', example: 'cong-van-thuong' },
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      // Each step is checked by the use case, against the users of the document's agency.
      items: { $ref: '#/components/schemas/StepSpec' },
      message: 'steps: from 1 to 20 steps are required',
    },
  },
}

export const DELEGATION: BodySchema = {
  component: 'DelegationRequest',
  fields: {
    delegate: {
      type: 'string',
      required: true,
      message: 'delegate: a username',
      description:
        'Username in the same agency, whose role can sign under the marker: a leader; ' +
        'for TL. and TUQ. also a head (chief of office)',
      example: 'phogiamdoc',
    },
    marker: {
      type: 'string',
      required: true,
      enum: DATED_MARKERS,
      message: `marker: ${DATED_MARKERS.join(', ')}`,
      example: 'KT.',
    },
    from: {
      type: 'string',
      required: true,
      format: 'date-time',
      message: 'from: an ISO 8601 date',
      example: '2025-01-01T00:00:00Z',
    },
    // "After from" is the use case's to check.
    to: {
      type: 'string',
      required: true,
      format: 'date-time',
      message: 'to: an ISO 8601 date after from',
      description: 'After from',
      example: '2025-12-31T00:00:00Z',
    },
  },
}

export const AGENCY_CREATE: BodySchema = {
  fields: {
    code: text('code', 64, {
      pattern: { regex: /^[A-Z0-9][A-Z0-9-]*$/, message: 'code: chữ in hoa, số và dấu gạch ngang' },
      example: 'UBND-P-MOI',
    }),
    name: text('name', 300, { example: 'Ủy ban nhân dân phường Mới' }),
    parentCode: {
      type: 'string',
      absent: 'falsy',
      message: 'parentCode: không có cơ quan này',
      description: "The parent agency's code",
    },
  },
}

export const USER_CREATE: BodySchema = {
  fields: {
    username: text('username', 100, {
      pattern: {
        regex: /^[a-z0-9][a-z0-9._-]*$/,
        message: 'username: chữ thường không dấu, số, dấu chấm, gạch',
      },
      example: 'nguoi.moi',
    }),
    fullName: text('fullName', 200, { example: 'Nguyễn Văn Mới' }),
    title: optionalText('title', 200),
    password: {
      type: 'string',
      required: true,
      minLength: 8,
      maxLength: 200,
      message: 'password: ít nhất 8 ký tự',
      example: 'Mat-khau-2025',
    },
    roles: roles(true),
    // Which agency it names is the use case's to check.
    agencyCode: {
      type: 'string',
      required: true,
      message: 'agencyCode: không có cơ quan này',
      example: 'SKHCN',
    },
  },
}

export const USER_UPDATE: BodySchema = {
  fields: {
    roles: roles(false),
    disabled: { type: 'boolean', message: 'disabled: true or false' },
    title: optionalText('title', 200),
  },
}

/** Each converted route's body, by `METHOD /path` as the OpenAPI document writes it. */
export const REQUEST_BODIES: Record<string, BodySchema> = {
  'POST /api/auth/login': LOGIN,
  'POST /api/documents/{id}/submit': SUBMIT,
  'POST /api/steps/{id}/sign': SIGN,
  'POST /api/steps/{id}/reject': REASON,
  'POST /api/steps/{id}/return': REASON,
  'POST /api/delegations': DELEGATION,
  'POST /api/admin/agencies': AGENCY_CREATE,
  'POST /api/admin/users': USER_CREATE,
  'PATCH /api/admin/users/{id}': USER_UPDATE,
  ...ADMIN_BODIES,
  ...KEY_BODIES,
  ...SIGNING_BODIES,
  ...REGISTER_BODIES,
}
