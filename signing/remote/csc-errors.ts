/**
 * What a CSC API v2 answer other than 200 means, decided in one table.
 *
 * CSC API v2 §10 answers errors with an HTTP status and `{error, error_description}`; `error` is
 * mostly the OAuth 2.0 vocabulary (§10.2 Table 3) and the method clauses of §11 list the
 * descriptions. The spec fixes only some of the outcomes a phone-confirmed signature can have, so
 * the rows below also accept the words providers use in practice:
 *
 * | answer                                                          | outcome         |
 * |-----------------------------------------------------------------|-----------------|
 * | HTTP 429 or 5xx; `temporarily_unavailable`; `server_error`      | unavailable     |
 * | any other answer of `oauth2/token`                              | auth-failed     |
 * | HTTP 202; `accepted_request` (signatures/signPolling, §11.12)   | pending         |
 * | `authorization_pending`, `slow_down` (RFC 8628 §3.5 words)      | pending         |
 * | `invalid_request` "... not (yet) completed"                     | pending         |
 * | `access_denied` (§10.2: the user denied the request)            | refused         |
 * | `invalid_request` "SAD expired" (signatures/signHash, §11.10)   | expired         |
 * | `invalid_request` "Invalid parameter requestID" (§11.12)        | unknown-request |
 * | `invalid_request` "Invalid parameter credentialID" / "userID"   | not-found       |
 * | HTTP 401; `invalid_token`; `expired_token` (bearer token)       | token-rejected  |
 * | anything else                                                   | failed          |
 *
 * First match wins. `unknown-request` becomes 'expired' once the transaction's validity period is
 * over (the provider no longer keeps the outcome, §11.10 validity_period) and a failure before;
 * `token-rejected` makes the client fetch a new service token and retry once.
 */
import { SigningError } from '../errors'
import { asRecord, type Answer } from './http-exchange'

export type CscOutcome =
  | 'pending'
  | 'refused'
  | 'expired'
  | 'unknown-request'
  | 'not-found'
  | 'token-rejected'
  | 'auth-failed'
  | 'unavailable'
  | 'failed'

export interface CscErrorRule {
  /** CSC method name (`signatures/signPolling`, `oauth2/token`); any when absent. */
  method?: string
  /** Exact HTTP status, or `'5xx'`; any when absent. */
  status?: number | '5xx'
  error?: string
  /** Tested against error_description. */
  description?: RegExp
  outcome: CscOutcome
}

export const CSC_ERROR_TABLE: readonly CscErrorRule[] = [
  { status: 429, outcome: 'unavailable' },
  { status: '5xx', outcome: 'unavailable' },
  { error: 'temporarily_unavailable', outcome: 'unavailable' },
  { error: 'server_error', outcome: 'unavailable' },
  // §8.4.4: a wrong client_secret is "invalid_request" there, so the method decides, not the word.
  { method: 'oauth2/token', outcome: 'auth-failed' },
  { status: 202, outcome: 'pending' },
  { error: 'accepted_request', outcome: 'pending' },
  { error: 'authorization_pending', outcome: 'pending' },
  { error: 'slow_down', outcome: 'pending' },
  { error: 'invalid_request', description: /\bnot (yet )?(been )?completed\b/i, outcome: 'pending' },
  { error: 'access_denied', outcome: 'refused' },
  { error: 'invalid_request', description: /^SAD expired\b/i, outcome: 'expired' },
  { error: 'invalid_request', description: /^invalid parameter "?requestID"?$/i, outcome: 'unknown-request' },
  {
    error: 'invalid_request',
    description: /^invalid parameter "?(credentialID|userID)"?$/i,
    outcome: 'not-found',
  },
  { status: 401, outcome: 'token-rejected' },
  { error: 'invalid_token', outcome: 'token-rejected' },
  { error: 'expired_token', outcome: 'token-rejected' },
]

export interface CscError {
  outcome: CscOutcome
  /** `HTTP status error: error_description` as the provider wrote it, secrets masked. */
  detail: string
  /** error_description alone, when there is one (a refusal's reason). */
  description?: string
}

/**
 * Classifies a non-200 answer of `method` by CSC_ERROR_TABLE. `secrets` (the client secret, a
 * SAD) are masked wherever the provider's text repeats them: that text ends up in messages and logs.
 */
export function classifyCscAnswer(method: string, answer: Answer, secrets: readonly string[] = []): CscError {
  const body = asRecord(answer.body)
  const mask = (text: string) =>
    secrets.filter(Boolean).reduce((masked, secret) => masked.split(secret).join('***'), text)
  const error = typeof body?.error === 'string' ? mask(body.error).slice(0, 100) : undefined
  const rawDescription = body?.error_description
  const description = typeof rawDescription === 'string' ? mask(rawDescription).slice(0, 300) : undefined
  const rule = CSC_ERROR_TABLE.find(
    (r) =>
      (r.method === undefined || r.method === method) &&
      (r.status === undefined || (r.status === '5xx' ? answer.status >= 500 : r.status === answer.status)) &&
      (r.error === undefined || r.error === error) &&
      (r.description === undefined || (description !== undefined && r.description.test(description))),
  )
  const detail = `HTTP ${answer.status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}`
  return { outcome: rule?.outcome ?? 'failed', detail, ...(description && { description }) }
}

/** The SigningError an outcome of the table becomes outside signatures/signPolling. */
export function errorFor(provider: string, method: string, error: CscError): SigningError {
  const where = `${provider}: ${method}: ${error.detail}`
  switch (error.outcome) {
    case 'refused':
      return new SigningError('REMOTE_REFUSED', `Người ký đã từ chối ký (${where})`)
    case 'expired':
      return new SigningError('REMOTE_EXPIRED', `Hết thời gian chờ người ký xác nhận (${where})`)
    case 'not-found':
      return new SigningError('REMOTE_NOT_FOUND', `${where}: unknown user or credential`)
    case 'auth-failed':
    case 'token-rejected':
      return new SigningError('REMOTE_AUTH_FAILED', `${where}: Kyso's client credentials were refused`)
    case 'unavailable':
      return new SigningError('REMOTE_UNAVAILABLE', `${where}: the provider is unavailable`)
    case 'pending':
      // credentials/authorize answering 202 wants credentials/authorizeCheck polling (§11.7).
      return new SigningError('REMOTE_SIGNING_FAILED', `${where}: authorizeCheck polling is not supported`)
    default:
      return new SigningError('REMOTE_SIGNING_FAILED', where)
  }
}
