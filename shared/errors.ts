import { KysoError } from '../signing/errors'

/**
 * Codes of the use cases (workflows/ and reporting/ alike, hence here, below both); server/ maps
 * each to an HTTP status in one table, and shared/messages.ts gives each its words (issue 16); the
 * list is what test/shared/messages.test.ts checks the catalogue against.
 */
export const WORKFLOW_ERROR_CODES = [
  'UNAUTHENTICATED',
  'LOGIN_FAILED',
  'LOGIN_THROTTLED',
  'CSRF_REJECTED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_REQUEST',
  'CONFLICT',
  'STEP_NOT_ACTIVE',
  'NOT_ASSIGNEE',
  'OWN_DRAFT',
  'VERSION_CONFLICT',
  'NO_CERTIFICATE',
  'UPLOAD_TOO_LARGE',
  'NOT_A_PDF',
  'IDEMPOTENCY_MISMATCH',
  // Keys held elsewhere (issue 11)
  'SIGNING_USED',
  'SIGNING_EXPIRED',
  'SIGNATURE_INVALID',
  'NOT_AN_INCREMENT',
  'WRONG_SIGNER',
  'DISALLOWED_CHANGES',
  'CERT_SUBJECT_MISMATCH',
  'CERT_NOT_ACTIVE',
  'PRECONDITION_REQUIRED',
  'REMOTE_NOT_CONFIGURED',
  // Issued as an official document (issue 12)
  'IMAGE_UNSUITABLE',
  // Issue 14: the outgoing register, delegation, personal data
  'NUMBER_TAKEN',
  'DATE_IN_FUTURE',
  'NOT_ELIGIBLE',
  'ERASURE_BLOCKED',
  // Keys under the signer's sole control (issue 15)
  'KEY_LOCKED',
  'UNLOCK_CODE_INVALID',
  'ASSIGNEE_OUTSIDE_AGENCY',
  // Issue 13: issuance
  'STATE_SECRET',
  'NOT_ISSUED',
] as const

export type WorkflowErrorCode = (typeof WORKFLOW_ERROR_CODES)[number]

/** A refusal of a use case: bad input, no right, wrong state. Carries a code, never an HTTP status. */
export class WorkflowError extends KysoError<WorkflowErrorCode> {}
