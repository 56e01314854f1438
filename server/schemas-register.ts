import { REGISTERS } from '../workflows/register-view'
import type { BodySchema, StringField } from './body-schema'

/**
 * The outgoing register's bodies (issue 13) and the paper register's (issue 14). Each use case
 * checks who may act before it reads its body, so the routes check each field as it is read.
 */

/** The register's year: a number or its digits; the use case checks it (this year when absent). */
export const REGISTER_OPENING: BodySchema = {
  fields: {
    year: {
      type: 'integer',
      useCase: true,
      minimum: 1990,
      maximum: 2200,
      message: 'year: a calendar year',
      description: 'This year (in Vietnam) when absent',
    },
    register: {
      type: 'string',
      absent: 'nullish',
      enum: REGISTERS,
      default: 'general',
      message: `register: ${REGISTERS.join(', ')}`,
    },
    firstSeq: {
      type: 'integer',
      required: true,
      minimum: 1,
      maximum: 1_000_000,
      message: 'firstSeq: the first number Kyso gives (an integer from 1)',
      example: 120,
    },
  },
}

/**
 * Pages only for trích sao (and required there) depends on the form; the PIN is read only once
 * the original is found issued and a number reserved: the use case checks pages, and the PIN when
 * it reads it.
 */
export const COPY: BodySchema = {
  fields: {
    form: {
      type: 'string',
      required: true,
      enum: ['sao-y', 'sao-luc', 'trich-sao'],
      message: 'form: sao-y, sao-luc or trich-sao',
      example: 'sao-y',
    },
    pages: {
      type: 'array',
      useCase: true,
      minItems: 1,
      maxItems: 500,
      items: { type: 'integer', minimum: 1 },
      message: 'pages: the pages to extract, e.g. [1, 2]',
      description: 'Trích sao only: the pages to extract',
    },
    pin: {
      type: 'string',
      required: true,
      minLength: 1,
      message: 'pin: required',
      description: "The clerk's PIN for the agency's seal",
      example: '1234',
    },
  },
}

/** paper-documents.ts's free text: not blank, at most `max` characters (before trimming). */
const paperText = (name: string, max: number, example: string): StringField => ({
  type: 'string',
  required: true,
  nonBlank: true,
  maxLength: max,
  message: `${name}: required, at most ${max} characters`,
  example,
})

/**
 * One paper-issued document. The date's calendar check (no 30 February), a procedure's code
 * (required for kind=procedure), a taken number and a date after today are the use case's: they
 * depend on other fields or on the database; a CSV row gets the same checks there.
 */
export const PAPER_DOCUMENT: BodySchema = {
  fields: {
    date: {
      ...paperText('date', 10, '2025-03-01'),
      pattern: { regex: /^\d{4}-\d{2}-\d{2}$/, message: 'date: YYYY-MM-DD' },
      description: 'YYYY-MM-DD, today or before (Vietnam time)',
    },
    kind: {
      type: 'string',
      absent: 'empty',
      enum: ['internal', 'procedure'],
      default: 'internal',
      message: 'kind: internal or procedure',
    },
    procedureCode: {
      type: 'string',
      useCase: true,
      message: "procedureCode: required for a procedure's result",
      description: 'Required for kind=procedure: a catalogue code',
    },
    number: paperText('number', 100, '9/SKHCN-VP'),
    title: paperText('title', 500, 'Công văn về việc triển khai chữ ký số'),
    signer: paperText('signer', 200, 'Lý Thị Ngọc'),
  },
}

export const REGISTER_BODIES: Record<string, BodySchema> = {
  'PUT /api/registers/outgoing/opening': REGISTER_OPENING,
  'POST /api/documents/{id}/copies': COPY,
  'POST /api/documents/paper': PAPER_DOCUMENT,
}
