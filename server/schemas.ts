import type { Request } from 'express'
import type { Role } from '../shared/actor'
import { WorkflowError } from '../shared/errors'
import { DATED_MARKERS } from '../workflows/signing-markers'
import { jsonBody } from './http'

/**
 * One place for the JSON bodies the routes accept (issue 16): each field's type, whether it is
 * required, its limits, and the BAD_REQUEST message a bad value gets (the one the API always gave).
 * `parseBody` checks a body against its schema; server/openapi.ts renders the same schema as the
 * operation's requestBody (`jsonSchemaOf`), so the description cannot drift from the check.
 */

type Json = Record<string, unknown>

interface FieldBase {
  required?: boolean
  /** What counts as not given: `undefined` only (the default), or also null, or also ''. */
  absent?: 'undefined' | 'nullish' | 'empty' | 'falsy'
  /** The BAD_REQUEST message for a missing or bad value, field name first. */
  message: string
  description?: string
  /** A valid value, for the description and the tests. */
  example?: unknown
}

export interface StringField extends FieldBase {
  type: 'string'
  minLength?: number
  maxLength?: number
  /** Something besides white space. */
  nonBlank?: boolean
  /** Checked on the trimmed value, with its own message. */
  pattern?: { regex: RegExp; message: string }
  enum?: readonly string[]
  format?: 'date-time'
}

export interface BooleanField extends FieldBase {
  type: 'boolean'
}

export interface ArrayField extends FieldBase {
  type: 'array'
  minItems?: number
  maxItems?: number
  /** Each item one of these strings; else `items` only describes them (the use case checks each). */
  enum?: readonly string[]
  items?: Json
}

export type Field = StringField | BooleanField | ArrayField

export interface BodySchema {
  /** In the order the route (or its use case) checks them: the first bad one is the one named. */
  fields: Record<string, Field>
  /** Exactly one of these fields, else this message (checked before the fields). */
  exactlyOne?: { fields: [string, string]; message: string }
  description?: string
  /** The name under components/schemas in the OpenAPI document, when it has one. */
  component?: string
}

function isAbsent(v: unknown, f: Field): boolean {
  switch (f.absent ?? 'undefined') {
    case 'undefined':
      return v === undefined
    case 'nullish':
      return v === undefined || v === null
    case 'empty':
      return v === undefined || v === null || v === ''
    case 'falsy':
      return !v
  }
}

/** The field's message when `v` is not acceptable, else nothing. */
function problem(v: unknown, f: Field): string | undefined {
  if (isAbsent(v, f)) return f.required ? f.message : undefined
  if (f.type === 'boolean') return typeof v === 'boolean' ? undefined : f.message
  if (f.type === 'array') {
    if (!Array.isArray(v)) return f.message
    if (v.length < (f.minItems ?? 0) || v.length > (f.maxItems ?? Infinity)) return f.message
    if (f.enum && !v.every((item) => f.enum?.includes(item as string))) return f.message
    return undefined
  }
  if (typeof v !== 'string') return f.message
  if (v.length < (f.minLength ?? 0) || v.length > (f.maxLength ?? Infinity)) return f.message
  if (f.nonBlank && !v.trim()) return f.message
  if (f.enum && !f.enum.includes(v)) return f.message
  if (f.format === 'date-time' && Number.isNaN(new Date(v).getTime())) return f.message
  if (f.pattern && !f.pattern.regex.test(v.trim())) return f.pattern.message
  return undefined
}

function checkField(body: Record<string, unknown>, name: string, f: Field): void {
  const message = problem(body[name], f)
  if (message !== undefined) throw new WorkflowError('BAD_REQUEST', message)
}

function checkShape(schema: BodySchema, body: Record<string, unknown>): void {
  const one = schema.exactlyOne
  if (one && (body[one.fields[0]] === undefined) === (body[one.fields[1]] === undefined))
    throw new WorkflowError('BAD_REQUEST', one.message)
}

/**
 * The request's JSON body checked against `schema`, every field at once: for a route whose first
 * act is to read its body. BAD_REQUEST with the first bad field's message.
 */
export function parseBody(schema: BodySchema, req: Request): Record<string, unknown> {
  const body = jsonBody(req)
  checkShape(schema, body)
  for (const [name, f] of Object.entries(schema.fields)) checkField(body, name, f)
  return body
}

/**
 * The request's JSON body for a use case that checks the actor's rights before it reads the body
 * (administration, delegations, submitting): each field is checked against `schema` when the use
 * case first reads it, so a refused actor still gets FORBIDDEN (not a 400) whatever they sent.
 */
export function bodyCheckedOnRead(schema: BodySchema, req: Request): Record<string, unknown> {
  const body = jsonBody(req)
  checkShape(schema, body)
  const checked = new Set<string>()
  return new Proxy(body, {
    get(target, name, receiver) {
      const f =
        typeof name === 'string' && Object.hasOwn(schema.fields, name) ? schema.fields[name] : undefined
      if (f && !checked.has(name as string)) {
        checkField(target, name as string, f)
        checked.add(name as string)
      }
      return Reflect.get(target, name, receiver)
    },
  })
}

/** The OpenAPI 3.1 (JSON Schema 2020-12) rendering of a field. */
function fieldSchema(f: Field): Json {
  const common = {
    ...(f.description && { description: f.description }),
    ...(f.example !== undefined && { examples: [f.example] }),
  }
  if (f.type === 'boolean') return { type: 'boolean', ...common }
  if (f.type === 'array') {
    const items = f.enum ? { type: 'string', enum: [...f.enum] } : (f.items ?? {})
    return {
      type: 'array',
      items,
      ...(f.minItems !== undefined && { minItems: f.minItems }),
      ...(f.maxItems !== undefined && { maxItems: f.maxItems }),
      ...common,
    }
  }
  return {
    type: 'string',
    ...(f.enum && { enum: [...f.enum] }),
    ...(f.format && { format: f.format }),
    ...(f.minLength !== undefined && { minLength: f.minLength }),
    ...(f.maxLength !== undefined && { maxLength: f.maxLength }),
    ...(f.pattern ? { pattern: f.pattern.regex.source } : f.nonBlank && { pattern: '\\S' }),
    ...common,
  }
}

/** The body schema as the OpenAPI document's requestBody schema. */
export function jsonSchemaOf(schema: BodySchema): Json {
  const properties = Object.fromEntries(Object.entries(schema.fields).map(([k, f]) => [k, fieldSchema(f)]))
  const required = Object.entries(schema.fields)
    .filter(([, f]) => f.required)
    .map(([k]) => k)
  return {
    ...(schema.description && { description: schema.description }),
    type: 'object',
    properties,
    required,
    ...(schema.exactlyOne && { oneOf: schema.exactlyOne.fields.map((k) => ({ required: [k] })) }),
  }
}

/** admin.ts's free text: trimmed, not blank, at most `max` characters. */
const text = (name: string, max: number, extra: Partial<StringField> = {}): StringField => ({
  type: 'string',
  required: true,
  nonBlank: true,
  maxLength: max,
  message: `${name}: bắt buộc, tối đa ${max} ký tự`,
  ...extra,
})
const optionalText = (name: string, max: number): StringField =>
  text(name, max, { required: false, absent: 'empty' })
/** A string the route passes on when it is a string; null counts as not given. */
const optionalString = (name: string, description?: string): StringField => ({
  type: 'string',
  absent: 'nullish',
  message: `${name}: a string`,
  ...(description && { description }),
})

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
  fields: {
    reason: {
      type: 'string',
      required: true,
      minLength: 1,
      maxLength: 2000,
      nonBlank: true,
      message: 'reason: lý do là bắt buộc',
      example: 'Cần bổ sung số liệu',
    },
  },
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
}
