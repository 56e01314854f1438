/** A small client for the Kyso API and an autocannon wrapper, for `bench:api`. */

/** An answer other than the expected 2xx: the route, the status and the body, for the report. */
export class ApiCallError extends Error {
  constructor(
    readonly route: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${route} -> ${status} ${body.slice(0, 500)}`)
    this.name = new.target.name
  }
}

export class ApiClient {
  constructor(readonly url: string) {}

  async login(username: string, password: string): Promise<string> {
    const { token } = await this.json<{ token: string }>('POST', '/api/auth/login', undefined, {
      username,
      password,
    })
    return token
  }

  async json<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    if (!res.ok) throw new ApiCallError(`${method} ${path}`, res.status, text)
    return JSON.parse(text) as T
  }

  async upload(token: string, pdf: Buffer, title: string): Promise<{ id: number }> {
    const form = new FormData()
    form.set('title', title)
    form.set('kind', 'internal')
    form.set('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'van-ban.pdf')
    const res = await fetch(`${this.url}/api/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    })
    const text = await res.text()
    if (res.status !== 201) throw new ApiCallError('POST /api/documents', res.status, text)
    return JSON.parse(text) as { id: number }
  }

  async file(token: string, documentId: number): Promise<Buffer> {
    const res = await fetch(`${this.url}/api/documents/${documentId}/file`, {
      headers: { authorization: `Bearer ${token}` },
    })
    if (!res.ok) throw new ApiCallError(`GET /api/documents/${documentId}/file`, res.status, await res.text())
    return Buffer.from(await res.arrayBuffer())
  }
}

/** The part of autocannon's result this bench reads (autocannon ships no types). */
interface AutocannonResult {
  requests: { average: number; total: number }
  latency: { p50: number; p99: number; average: number }
  duration: number
  errors: number
  timeouts: number
  non2xx: number
  statusCodeStats: Record<string, { count: number }>
}
type Autocannon = (opts: {
  url: string
  connections: number
  duration: number
  headers: Record<string, string>
}) => Promise<AutocannonResult>

export interface LoadResult {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  requests: number
  /** Non-2xx answers by status, and connection errors/timeouts: all should be zero. */
  non2xx: Record<string, number>
  errors: number
}

/** GET `url` with `connections` keep-alive connections for `seconds` (autocannon). */
export async function load(
  url: string,
  token: string,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const autocannon = require('autocannon') as Autocannon
  const r = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  })
  const non2xx = Object.fromEntries(
    Object.entries(r.statusCodeStats)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, s]) => [code, Number(s.count)]),
  )
  return {
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx,
    errors: r.errors + r.timeouts,
  }
}
