/**
 * One error class for the whole signing library, with stable string codes (tests assert the
 * code, never the message). Domain errors carry no HTTP status: `server/` maps codes to statuses.
 */
export type SigningErrorCode =
  | 'PDF_ENCRYPTED'
  | 'PDF_UNREADABLE'
  | 'PDF_TOO_LARGE'
  | 'PDF_CERTIFIED_NO_CHANGES'
  | 'PDF_PAGE_NOT_FOUND'
  | 'PDF_OBJECT_NUMBERS_EXHAUSTED'
  | 'PIN_INCORRECT'
  | 'PIN_TOO_SHORT'
  | 'KEY_UNREADABLE'
  | 'CERT_REVOKED'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_KEY_USAGE'
  | 'CERT_UNTRUSTED'
  | 'CERT_REVOCATION_UNKNOWN'
  | 'CA_NOT_FOUND'
  | 'CA_EXISTS'
  | 'SERIAL_UNKNOWN'
  | 'SIGNATURE_TOO_LARGE'
  | 'TSA_FAILED'
  | 'IMAGE_UNREADABLE'
  | 'BAD_OPTION'
  | 'CMS_UNREADABLE'
  | 'CERT_UNREADABLE'
  | 'CRL_UNREADABLE'
  | 'KEY_MISMATCH'
  | 'OCSP_UNREADABLE'
  | 'OCSP_FAILED'
  | 'URL_NOT_ALLOWED'
  // Long-term signatures (signing/ltv, issue 18).
  | 'PDF_NOT_SIGNED'
  | 'LTV_DATA_MISSING'
  // Remote signing (signing/remote): the provider holds the key, the holder confirms on a phone.
  | 'REMOTE_REFUSED'
  | 'REMOTE_EXPIRED'
  | 'REMOTE_NOT_FOUND'
  | 'REMOTE_AUTH_FAILED'
  | 'REMOTE_UNAVAILABLE'
  | 'REMOTE_SIGNING_FAILED'
  | 'PIN_LOCKED'
  | 'TOKEN_NOT_FOUND'
  | 'KEY_NOT_FOUND'
  | 'TOKEN_FAILED'
  | 'TOKEN_MODULE_FAILED'
  // Key wrapping (issue 15): an envelope that does not open under any key of the ring.
  | 'KEY_WRAP_FAILED'
  | 'KEY_WRAP_UNKNOWN_KEY'

export class KysoError<C extends string = string> extends Error {
  /** Facts a client acts on beside the code (e.g. `triesLeft` after a wrong PIN); never a secret. */
  readonly details?: Readonly<Record<string, string | number | boolean>>

  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown; details?: Record<string, string | number | boolean> },
  ) {
    super(message, options)
    this.name = new.target.name
    if (options?.details) this.details = options.details
  }
}

export class SigningError extends KysoError<SigningErrorCode> {}

/** True when `err` is a KysoError with the given code (for callers that branch on codes). */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof KysoError && err.code === code
}
