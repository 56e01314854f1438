import type { Request } from 'express'
import { WorkflowError } from '../shared/errors'

/**
 * One place for the JSON bodies the routes accept (issue 16): each field's type, whether it is
 * required, its limits, and the BAD_REQUEST message a bad value gets (the one the API always gave).
 * `parseBody` checks a body against its schema; server/openapi.ts renders the same schema as the
 * operation's requestBody (`jsonSchemaOf`), so the description cannot drift from the check.
 * The bodies themselves are in server/schemas.ts and the schemas-*.ts files beside it.
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
  /** What the use case takes when the field is not given. */
  default?: unknown
  /**
   * Described here but checked by the use case alone, because its check needs the configuration
   * (the PIN policy), other fields or the database, or because the use case takes more than one
   * type (a number or its digits); the use case's message names the field all the same.
   */
  useCase?: true
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

export interface NumberField extends FieldBase {
  type: 'number' | 'integer'
  minimum?: number
  maximum?: number
}

export interface ArrayField extends FieldBase {
  type: 'array'
  minItems?: number
  maxItems?: number
  /** Each item one of these strings; else `items` only describes them (the use case checks each). */
  enum?: readonly string[]
  items?: Json
}

/** An object whose own fields are checked as a whole: any bad one gets this field's message. */
export interface ObjectField extends FieldBase {
  type: 'object'
  fields: Record<string, Field>
}

export type Field = StringField | BooleanField | NumberField | ArrayField | ObjectField

export interface BodySchema {
  /** In the order the route (or its use case) checks them: the first bad one is the one named. */
  fields: Record<string, Field>
  /** Exactly one of these fields, else this message (checked before the fields). */
  exactlyOne?: { fields: [string, string]; message: string }
  description?: string
  /** The name under components/schemas in the OpenAPI document, when it has one. */
  component?: string
}

/** The JSON body as an object (absent: empty), or BAD_REQUEST: how every route reads its JSON body. */
function jsonBody(req: Request): Record<string, unknown> {
  const b: unknown = req.body
  if (b === undefined) return {}
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw new WorkflowError('BAD_REQUEST', 'body: a JSON object')
  return b as Record<string, unknown>
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

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The field's message when `v` is not acceptable, else nothing. */
function problem(v: unknown, f: Field): string | undefined {
  if (f.useCase) return undefined
  if (isAbsent(v, f)) return f.required ? f.message : undefined
  switch (f.type) {
    case 'boolean':
      return typeof v === 'boolean' ? undefined : f.message
    case 'number':
    case 'integer': {
      const bad =
        typeof v !== 'number' || !Number.isFinite(v) || (f.type === 'integer' && !Number.isInteger(v))
      return bad || v < (f.minimum ?? -Infinity) || v > (f.maximum ?? Infinity) ? f.message : undefined
    }
    case 'object': {
      if (!isRecord(v)) return f.message
      const inner = Object.entries(f.fields).some(([k, sub]) => problem(v[k], sub) !== undefined)
      return inner ? f.message : undefined
    }
    case 'array':
      if (!Array.isArray(v)) return f.message
      if (v.length < (f.minItems ?? 0) || v.length > (f.maxItems ?? Infinity)) return f.message
      if (f.enum && !v.every((item) => f.enum?.includes(item as string))) return f.message
      return undefined
    case 'string':
      return stringProblem(v, f)
  }
}

function stringProblem(v: unknown, f: StringField): string | undefined {
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
 * `fields` (a JSON body, a form's fields, a query) checked against `schema`, every field at once.
 * BAD_REQUEST with the first bad field's message.
 */
export function checkedFields<T extends Record<string, unknown>>(schema: BodySchema, fields: T): T {
  checkShape(schema, fields)
  for (const [name, f] of Object.entries(schema.fields)) checkField(fields, name, f)
  return fields
}

/**
 * The request's JSON body checked against `schema`, every field at once: for a route whose first
 * act is to read its body. BAD_REQUEST with the first bad field's message.
 */
export function parseBody(schema: BodySchema, req: Request): Record<string, unknown> {
  return checkedFields(schema, jsonBody(req))
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
    ...(f.default !== undefined && { default: f.default }),
  }
  switch (f.type) {
    case 'boolean':
      return { type: 'boolean', ...common }
    case 'number':
    case 'integer':
      return {
        type: f.type,
        ...(f.minimum !== undefined && { minimum: f.minimum }),
        ...(f.maximum !== undefined && { maximum: f.maximum }),
        ...common,
      }
    case 'object':
      return { ...objectSchema(f.fields), ...common }
    case 'array':
      return {
        type: 'array',
        items: f.enum ? { type: 'string', enum: [...f.enum] } : (f.items ?? {}),
        ...(f.minItems !== undefined && { minItems: f.minItems }),
        ...(f.maxItems !== undefined && { maxItems: f.maxItems }),
        ...common,
      }
    case 'string':
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
}

function objectSchema(fields: Record<string, Field>): Json {
  const properties = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, fieldSchema(f)]))
  const required = Object.entries(fields)
    .filter(([, f]) => f.required)
    .map(([k]) => k)
  return { type: 'object', properties, required }
}

/** The body schema as the OpenAPI document's requestBody schema. */
export function jsonSchemaOf(schema: BodySchema): Json {
  return {
    ...(schema.description && { description: schema.description }),
    ...objectSchema(schema.fields),
    ...(schema.exactlyOne && { oneOf: schema.exactlyOne.fields.map((k) => ({ required: [k] })) }),
  }
}

/** admin.ts's free text: trimmed, not blank, at most `max` characters. */
export const text = (name: string, max: number, extra: Partial<StringField> = {}): StringField => ({
  type: 'string',
  required: true,
  nonBlank: true,
  maxLength: max,
  message: `${name}: bắt buộc, tối đa ${max} ký tự`,
  ...extra,
})
export const optionalText = (name: string, max: number): StringField =>
  text(name, max, { required: false, absent: 'empty' })
/** The reason a person must give (rejecting, returning, erasing): up to 2,000 characters, not blank. */
export const reasonField = (example: string): StringField => ({
  type: 'string',
  required: true,
  minLength: 1,
  maxLength: 2000,
  nonBlank: true,
  message: 'reason: lý do là bắt buộc',
  example,
})
/** A string the route passes on when it is a string; null counts as not given. */
export const optionalString = (name: string, description?: string): StringField => ({
  type: 'string',
  absent: 'nullish',
  message: `${name}: a string`,
  ...(description && { description }),
})
