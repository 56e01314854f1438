/**
 * The service access token of a CSC API v2 client (§8.4.4 oauth2/token, grant_type
 * client_credentials): fetched once, shared by concurrent callers, kept until 30 s before
 * expires_in runs out (default 3600 s when the provider omits it).
 */
import { SigningError } from '../errors'
import { classifyCscAnswer, errorFor } from './csc-errors'
import { asRecord, exchange, type ExchangeOptions } from './http-exchange'

export interface CscTokenOptions {
  url: URL
  clientId: string
  clientSecret: string
  http: ExchangeOptions
}

export interface CscToken {
  get(): Promise<string>
  /** Drops the cached token (the provider said it is no longer valid). */
  forget(): void
}

/** Seconds before expiry at which a cached token is renewed (clock skew, slow exchanges). */
const RENEW_MARGIN_S = 30

export function cscToken(opts: CscTokenOptions): CscToken {
  let cached: { value: string; renewAt: number } | undefined
  let inFlight: Promise<string> | undefined

  async function request(): Promise<string> {
    // RFC 6749 §4.4.2 and CSC §8.4.4: form-encoded, client authenticated by client_id/client_secret.
    const form = {
      grant_type: 'client_credentials',
      client_id: opts.clientId,
      client_secret: opts.clientSecret,
    }
    const answer = await exchange(opts.url, { form }, opts.http)
    if (answer.status !== 200) {
      const error = classifyCscAnswer('oauth2/token', answer, [opts.clientSecret])
      throw errorFor(opts.http.provider, 'oauth2/token', error)
    }
    const body = asRecord(answer.body)
    const value = body?.access_token
    const bearer = body?.token_type === undefined || String(body.token_type).toLowerCase() === 'bearer'
    if (typeof value !== 'string' || !value || !bearer) {
      const message = `${opts.http.provider}: oauth2/token answered no bearer token`
      throw new SigningError('REMOTE_SIGNING_FAILED', message)
    }
    const expiresIn = typeof body?.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600
    cached = { value, renewAt: Date.now() + Math.max(0, expiresIn - RENEW_MARGIN_S) * 1000 }
    return value
  }

  return {
    get() {
      if (cached && Date.now() < cached.renewAt) return Promise.resolve(cached.value)
      inFlight ??= request().finally(() => {
        inFlight = undefined
      })
      return inFlight
    },
    forget() {
      cached = undefined
    },
  }
}
