import type { ErrorRequestHandler, RequestHandler } from 'express'
import { KysoError, type SigningErrorCode } from '../signing/errors'
import { WorkflowError, type WorkflowErrorCode } from '../shared/errors'
import { API_TEXTS } from '../shared/messages'

type Code =
  | WorkflowErrorCode
  | SigningErrorCode
  | 'VALIDATION_TIMEOUT'
  | 'VALIDATION_OUT_OF_MEMORY'
  | 'VALIDATION_FAILED'
  | 'INTERNAL'

/** The one table from error code to HTTP status: a new code cannot ship without one. */
export const STATUS: Record<Code, number> = {
  UNAUTHENTICATED: 401,
  LOGIN_FAILED: 401,
  LOGIN_THROTTLED: 429,
  CSRF_REJECTED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  CONFLICT: 409,
  STEP_NOT_ACTIVE: 409,
  NOT_ASSIGNEE: 403,
  OWN_DRAFT: 403,
  VERSION_CONFLICT: 409,
  NO_CERTIFICATE: 409,
  UPLOAD_TOO_LARGE: 413,
  NOT_A_PDF: 415,
  IDEMPOTENCY_MISMATCH: 422,
  SIGNING_USED: 409,
  SIGNING_EXPIRED: 410,
  SIGNATURE_INVALID: 422,
  NOT_AN_INCREMENT: 422,
  WRONG_SIGNER: 422,
  DISALLOWED_CHANGES: 422,
  CERT_SUBJECT_MISMATCH: 422,
  CERT_NOT_ACTIVE: 422,
  PRECONDITION_REQUIRED: 428,
  REMOTE_NOT_CONFIGURED: 409,
  IMAGE_UNSUITABLE: 422,
  NUMBER_TAKEN: 409,
  DATE_IN_FUTURE: 422,
  NOT_ELIGIBLE: 422,
  ERASURE_BLOCKED: 409,
  KEY_LOCKED: 423,
  UNLOCK_CODE_INVALID: 403,
  ASSIGNEE_OUTSIDE_AGENCY: 422,
  STATE_SECRET: 422,
  NOT_ISSUED: 409,
  PDF_ENCRYPTED: 422,
  PDF_UNREADABLE: 422,
  PDF_TOO_LARGE: 413,
  PDF_CERTIFIED_NO_CHANGES: 422,
  PDF_PAGE_NOT_FOUND: 422,
  PDF_OBJECT_NUMBERS_EXHAUSTED: 422,
  PIN_INCORRECT: 403,
  PIN_TOO_SHORT: 400,
  KEY_UNREADABLE: 500,
  CERT_REVOKED: 403,
  CERT_EXPIRED: 403,
  CERT_NOT_YET_VALID: 403,
  CERT_KEY_USAGE: 403,
  CERT_UNTRUSTED: 403,
  CERT_UNREADABLE: 500,
  CRL_UNREADABLE: 500,
  CA_NOT_FOUND: 500,
  CA_EXISTS: 409,
  SERIAL_UNKNOWN: 404,
  SIGNATURE_TOO_LARGE: 500,
  TSA_FAILED: 503,
  IMAGE_UNREADABLE: 422,
  BAD_OPTION: 400,
  CMS_UNREADABLE: 422,
  KEY_MISMATCH: 500,
  CERT_REVOCATION_UNKNOWN: 403,
  OCSP_UNREADABLE: 502,
  OCSP_FAILED: 503,
  URL_NOT_ALLOWED: 422,
  PDF_NOT_SIGNED: 422,
  LTV_DATA_MISSING: 422,
  REMOTE_REFUSED: 409,
  REMOTE_EXPIRED: 409,
  REMOTE_NOT_FOUND: 422,
  REMOTE_AUTH_FAILED: 502,
  REMOTE_UNAVAILABLE: 503,
  REMOTE_SIGNING_FAILED: 502,
  KEY_WRAP_FAILED: 500,
  KEY_WRAP_UNKNOWN_KEY: 500,
  PIN_LOCKED: 423,
  TOKEN_NOT_FOUND: 503,
  KEY_NOT_FOUND: 404,
  TOKEN_FAILED: 502,
  TOKEN_MODULE_FAILED: 500,
  VALIDATION_TIMEOUT: 422,
  VALIDATION_OUT_OF_MEMORY: 422,
  VALIDATION_FAILED: 422,
  INTERNAL: 500,
}

export function statusOf(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof KysoError && err.code in STATUS) {
    const status = STATUS[err.code as Code]
    return { status, code: err.code, message: status >= 500 ? API_TEXTS.internal.vi : err.message }
  }
  return { status: 500, code: 'INTERNAL', message: API_TEXTS.internal.vi }
}

/** `{"error": {"code", "message"}}`; a 5xx says nothing internal and the cause goes to the log. */
export function errorHandler(log: (line: Record<string, unknown>) => void): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, code, message } = statusOf(err)
    if (status >= 500)
      log({
        level: 'error',
        requestId: res.locals.requestId,
        path: req.path,
        error: err instanceof Error ? err.stack : String(err),
      })
    if (res.headersSent) return
    res.status(status).json({ error: { code, message } })
  }
}

/** Under /api, a path no route took: NOT_FOUND through the table, like every other refusal. */
export const unknownApi: RequestHandler = (_req, _res, next) =>
  next(new WorkflowError('NOT_FOUND', API_TEXTS.unknownApi.vi))

/**
 * Body-parser failures are the client's: bad JSON, too large, an unsupported charset or encoding,
 * a body that does not decompress. They become our codes (UPLOAD_TOO_LARGE, BAD_REQUEST), so the
 * table above gives their status and `errorHandler` writes them: 4xx with our error shape, never a 500.
 */
export const bodyParserErrors: ErrorRequestHandler = (
  err: { type?: string; status?: number; message?: string },
  _req,
  _res,
  next,
) => {
  if (err?.type === 'entity.too.large') return next(new WorkflowError('UPLOAD_TOO_LARGE', 'body too large'))
  const clientSide = typeof err?.status === 'number' && err.status >= 400 && err.status < 500
  if (typeof err?.type === 'string' && clientSide) {
    const message = err.type === 'entity.parse.failed' ? 'body: invalid JSON' : `body: ${err.type}`
    return next(new WorkflowError('BAD_REQUEST', message))
  }
  next(err)
}
