/**
 * Fetching revocation data (CRLs, OCSP responses) from URLs written in certificates. Whoever made
 * the certificate chose those URLs, so one is requested only when it falls under a prefix the
 * administrator allow-listed; redirects are refused (an allowed host must not bounce the request
 * elsewhere), and the time and the size of the answer are bounded.
 */

export interface FetchPolicy {
  /**
   * URL prefixes revocation data may be fetched from (e.g. the national CA's CRL and OCSP hosts).
   * Anything not under one of them is never requested.
   */
  allow: string[]
  /** Default 5 000 ms, for the whole exchange including the body. */
  timeoutMs?: number
  /** Largest answer accepted, in bytes (default 10 MB). */
  maxBytes?: number
  fetch?: typeof fetch
}

export const FETCH_DEFAULTS = { timeoutMs: 5000, maxBytes: 10 * 1024 * 1024 } as const

export type FetchOutcome =
  | { ok: true; body: Buffer }
  | { ok: false; status: 'not-allowed' | 'failed'; detail?: string }

/** A POST body with its media type (RFC 6960 App. A.1: application/ocsp-request). */
export interface PostBody {
  contentType: string
  accept: string
  body: Buffer
}

/**
 * True when `url` is http(s), carries no user name or password, has the origin of one of the
 * prefixes and starts with it once both are normalised. Comparing parsed URLs rather than strings
 * stops "http://crl.ca.vn@evil.example/" and "http://crl.ca.vn.evil.example/" from passing as
 * "http://crl.ca.vn".
 */
export function isAllowedUrl(url: string, allow: readonly string[]): boolean {
  const target = parseUrl(url)
  if (!target || target.username || target.password) return false
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return false
  return allow.some((prefix) => {
    const allowed = parseUrl(prefix)
    return allowed !== undefined && allowed.origin === target.origin && target.href.startsWith(allowed.href)
  })
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

/**
 * GETs `url` (or POSTs `post`) under the policy. Never throws: a refused URL, an HTTP error, a
 * timeout or an oversized answer come back as an outcome, with the reason in `detail`.
 */
export async function fetchAllowed(url: string, policy: FetchPolicy, post?: PostBody): Promise<FetchOutcome> {
  if (!isAllowedUrl(url, policy.allow)) return { ok: false, status: 'not-allowed' }
  const maxBytes = policy.maxBytes ?? FETCH_DEFAULTS.maxBytes
  try {
    const res = await (policy.fetch ?? fetch)(url, {
      signal: AbortSignal.timeout(policy.timeoutMs ?? FETCH_DEFAULTS.timeoutMs),
      redirect: 'error',
      ...(post && {
        method: 'POST',
        headers: { 'content-type': post.contentType, accept: post.accept },
        body: new Uint8Array(post.body),
      }),
    })
    if (!res.ok) {
      await res.body?.cancel()
      return { ok: false, status: 'failed', detail: `HTTP ${res.status}` }
    }
    const body = await readCapped(res, maxBytes)
    if (!body) return { ok: false, status: 'failed', detail: `larger than ${maxBytes} bytes` }
    return { ok: true, body }
  } catch (err) {
    return { ok: false, status: 'failed', detail: err instanceof Error ? err.message : String(err) }
  }
}

/** The body, or undefined as soon as it exceeds `maxBytes` (declared or actually sent). */
async function readCapped(res: Response, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(res.headers.get('content-length') ?? 0)
  if (!res.body) return Buffer.alloc(0)
  if (declared > maxBytes) {
    await res.body.cancel()
    return undefined
  }
  const reader = res.body.getReader()
  const chunks: Buffer[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return Buffer.concat(chunks, total)
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel()
      return undefined
    }
    chunks.push(Buffer.from(value))
  }
}
