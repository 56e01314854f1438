/**
 * The one kind of HTTP exchange a remote-signing connector makes: a POST with a JSON or form
 * body, answered (normally) with JSON. A signing service talking to a third party over the
 * internet guards it: a deadline for the whole exchange, no redirects (an allowed host must not
 * bounce a bearer token or a SAD elsewhere), answers over 1 MB refused while they stream in, and
 * TLS required except on the loopback interface where the test provider listens.
 *
 * Nothing here logs or quotes a request body: client secrets and SADs travel only in bodies.
 */
import { SigningError } from '../errors'

/** Larger than any CSC answer with a few certificate chains; a bigger one is not a provider. */
export const MAX_ANSWER_BYTES = 1024 * 1024
export const DEFAULT_TIMEOUT_MS = 10_000

export interface ExchangeOptions {
  /** Used in messages: the provider's name. */
  provider: string
  timeoutMs: number
  fetch: typeof fetch
}

export interface ExchangeRequest {
  json?: unknown
  /** application/x-www-form-urlencoded fields (the OAuth 2.0 token endpoint, RFC 6749 §4.4.2). */
  form?: Record<string, string>
  bearer?: string
}

export interface Answer {
  status: number
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: unknown
}

/**
 * The base URL of a provider: https, or plain http only on a loopback address (tests). Anything
 * else is BAD_OPTION, found when the connector is built rather than at the first signature.
 */
export function checkServiceUrl(raw: string, what: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch (cause) {
    throw new SigningError('BAD_OPTION', `${what} is not a URL`, { cause })
  }
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    const message = `${what} must be an https URL (plain http only on the loopback interface)`
    throw new SigningError('BAD_OPTION', message)
  }
  if (url.username || url.password) throw new SigningError('BAD_OPTION', `${what} must not carry credentials`)
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  return url
}

/**
 * POSTs and returns the status with the parsed body, whatever the status: the caller decides
 * what an error answer means. Throws REMOTE_UNAVAILABLE when there is no usable answer (network,
 * deadline, redirect) and REMOTE_SIGNING_FAILED for an answer over MAX_ANSWER_BYTES.
 */
export async function exchange(url: URL, req: ExchangeRequest, opts: ExchangeOptions): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (req.bearer) headers.authorization = `Bearer ${req.bearer}`
  let body: string
  if (req.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(req.form).toString()
  } else {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(req.json ?? {})
  }
  const signal = AbortSignal.timeout(opts.timeoutMs)
  const where = `${opts.provider} (${url.origin}${url.pathname})`
  let response: Response
  try {
    response = await opts.fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal })
  } catch (cause) {
    const late = signal.aborted ? `did not answer within ${opts.timeoutMs} ms` : 'could not be reached'
    throw new SigningError('REMOTE_UNAVAILABLE', `${where} ${late}`, { cause })
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined)
    throw new SigningError('REMOTE_UNAVAILABLE', `${where} answered with a redirect, which is never followed`)
  }
  const bytes = await readCapped(response, where, opts.timeoutMs)
  return { status: response.status, body: parseJson(bytes) }
}

/** Reads the body chunk by chunk, giving up as soon as it passes MAX_ANSWER_BYTES. */
async function readCapped(response: Response, where: string, timeoutMs: number): Promise<Buffer> {
  const tooLarge = () =>
    new SigningError('REMOTE_SIGNING_FAILED', `${where} answered more than ${MAX_ANSWER_BYTES} bytes`)
  if (Number(response.headers.get('content-length') ?? 0) > MAX_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => undefined)
    throw tooLarge()
  }
  if (!response.body) return Buffer.alloc(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      total += next.value.byteLength
      if (total > MAX_ANSWER_BYTES) {
        await reader.cancel().catch(() => undefined)
        throw tooLarge()
      }
      chunks.push(next.value)
    }
  } catch (cause) {
    if (cause instanceof SigningError) throw cause
    const message = `${where} did not finish its answer within ${timeoutMs} ms`
    throw new SigningError('REMOTE_UNAVAILABLE', message, { cause })
  }
  return Buffer.concat(chunks)
}

function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/** A JSON object as a record; undefined for anything else. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value)
  return isObject ? (value as Record<string, unknown>) : undefined
}
