import type { BodySchema, Field } from './body-schema'
import { optionalString } from './body-schema'

/**
 * Keys Kyso never holds (issue 11): a certificate held elsewhere, and the bodies of two-phase and
 * remote signing. Which certificate may sign which step is the use case's to check.
 */

/** What every way of signing a step may carry (server/external-signing-routes.ts commitFields). */
export const COMMIT_FIELDS: Record<'comment' | 'outgoingNumber' | 'outgoingDate', Field> = {
  comment: optionalString('comment'),
  outgoingNumber: optionalString(
    'outgoingNumber',
    'Seal: the whole số, ký hiệu; the next number when absent',
  ),
  outgoingDate: optionalString('outgoingDate', 'Seal: YYYY-MM-DD, today in Vietnam when absent'),
}
export const COMMIT: BodySchema = { fields: COMMIT_FIELDS }

const providerString = (max: number, description?: string): Field => ({
  type: 'string',
  required: true,
  minLength: 1,
  maxLength: max,
  message: 'remote: {provider, credentialId, userRef}',
  ...(description && { description }),
})

/**
 * A certificate is required unless the remote provider gives it, and each chain certificate must
 * read: the use case checks both (`certificate: ...`, `chain[i]: ...`), and the seal's clerk.
 */
const externalFields = (byAdmin: boolean): Record<string, Field> => ({
  kind: {
    type: 'string',
    absent: 'nullish',
    enum: ['personal', 'seal'],
    default: 'personal',
    message: 'kind: personal or seal',
  },
  ...(byAdmin && {
    username: {
      type: 'string',
      required: true,
      message: 'username: không có người dùng đang hoạt động này',
      description: 'The holder',
      example: 'chuyenvien',
    },
  }),
  remote: {
    type: 'object',
    absent: 'nullish',
    message: 'remote: {provider, credentialId, userRef}',
    fields: {
      provider: providerString(60, 'A configured remote-signing provider'),
      credentialId: providerString(200),
      userRef: providerString(200, 'The user at the provider'),
    },
  },
  certificate: {
    type: 'string',
    maxLength: 100_000,
    message: 'certificate: a PEM certificate',
    description:
      'PEM certificate of a key the user holds elsewhere (absent when read from the remote provider)',
  },
  chain: {
    type: 'array',
    absent: 'nullish',
    maxItems: 10,
    items: { type: 'string', description: 'PEM intermediate certificate' },
    message: 'chain: up to 10 PEM certificates',
  },
})

export const EXTERNAL_CERTIFICATE: BodySchema = {
  component: 'ExternalCertificateRequest',
  fields: externalFields(false),
}
export const EXTERNAL_CERTIFICATE_BY_ADMIN: BodySchema = {
  component: 'ExternalCertificateByAdminRequest',
  fields: externalFields(true),
}

const certificateId: Field = {
  type: 'number',
  required: true,
  message: 'certificateId: a number',
  description: 'An active external certificate of mine',
  example: 1,
}

/** certificateId is read once the step is found the signer's turn. */
export const PREPARE: BodySchema = {
  component: 'PrepareRequest',
  fields: {
    ...COMMIT_FIELDS,
    via: { type: 'string', enum: ['agent', 'two-phase'], message: 'via: agent or two-phase' },
    certificateId,
  },
}

export const REMOTE: BodySchema = {
  component: 'RemoteSigningRequest',
  fields: { ...COMMIT_FIELDS, certificateId },
}

/** Whether the signing session is this signer's, this step's and still open is the use case's. */
export const COMPLETE: BodySchema = {
  component: 'CompleteRequest',
  fields: {
    ...COMMIT_FIELDS,
    signingId: { type: 'string', required: true, minLength: 1, message: 'signingId: required' },
    signature: {
      type: 'string',
      required: true,
      pattern: {
        regex: /^[A-Za-z0-9+/_-]+={0,2}$/,
        message: 'signature: the signature value, base64',
      },
      message: 'signature: the signature value, base64',
      description: 'Base64 signature value: RSA PKCS#1 v1.5, or ECDSA (DER or r||s)',
      example: 'MEUCIQ==',
    },
  },
}

/** The seal's number and date for the issuance version; their form is the use case's to check. */
export const ISSUANCE: BodySchema = {
  fields: {
    outgoingNumber: COMMIT_FIELDS.outgoingNumber,
    outgoingDate: COMMIT_FIELDS.outgoingDate,
  },
}

export const SIGNING_BODIES: Record<string, BodySchema> = {
  'POST /api/me/certificates/external': EXTERNAL_CERTIFICATE,
  'POST /api/admin/certificates/external': EXTERNAL_CERTIFICATE_BY_ADMIN,
  'POST /api/steps/{id}/prepare': PREPARE,
  'POST /api/steps/{id}/complete': COMPLETE,
  'POST /api/steps/{id}/remote': REMOTE,
  'POST /api/steps/{id}/issuance': ISSUANCE,
}
