/**
 * The one way the pages talk to the server: the JSON API, on the session cookie, with the
 * session's CSRF token on every state change. An error body becomes an ApiError with its code.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly triesLeft?: number,
  ) {
    super(message)
  }
}

let csrfToken = ''
export function setCsrf(token: string): void {
  csrfToken = token
}

/** Called when a request finds the session gone: the app shows the login page. */
let onUnauthenticated: () => void = () => {}
export function whenSignedOut(fn: () => void): void {
  onUnauthenticated = fn
}

async function parse<T>(res: Response): Promise<T> {
  const type = res.headers.get('content-type') ?? ''
  const body: unknown = type.includes('application/json') ? await res.json() : undefined
  if (res.ok) return body as T
  const err = (body as { error?: { code?: string; message?: string; triesLeft?: unknown } } | undefined)
    ?.error
  if (res.status === 401 && err?.code === 'UNAUTHENTICATED') onUnauthenticated()
  // triesLeft: after a wrong PIN, how many more before the key locks (issue 15).
  const triesLeft = typeof err?.triesLeft === 'number' ? err.triesLeft : undefined
  throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? res.statusText, triesLeft)
}

async function send<T>(method: string, path: string, init: RequestInit): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      ...init,
      method,
      credentials: 'same-origin',
      headers: {
        ...(method !== 'GET' && { 'X-CSRF-Token': csrfToken }),
        ...(init.headers as Record<string, string>),
      },
    })
  } catch {
    throw new ApiError(0, 'NETWORK', 'network')
  }
  return parse<T>(res)
}

export const api = {
  get: <T>(path: string): Promise<T> => send<T>('GET', path, {}),
  post: <T>(path: string, body: unknown = {}): Promise<T> =>
    send<T>('POST', path, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  patch: <T>(path: string, body: unknown): Promise<T> =>
    send<T>('PATCH', path, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  put: <T>(path: string, body: unknown): Promise<T> =>
    send<T>('PUT', path, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  upload: <T>(path: string, form: FormData, headers: Record<string, string> = {}): Promise<T> =>
    send<T>('POST', path, { body: form, headers }),
  /** A file (a PDF to sign) with its ETag and the name the server gives it; a refusal is an ApiError. */
  file: async (path: string): Promise<{ blob: Blob; etag: string | null; name: string | undefined }> => {
    let res: Response
    try {
      res = await fetch(path, { credentials: 'same-origin' })
    } catch {
      throw new ApiError(0, 'NETWORK', 'network')
    }
    if (!res.ok) return parse(res)
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1]
    return { blob: await res.blob(), etag: res.headers.get('etag'), name }
  },
  putForm: <T>(path: string, form: FormData): Promise<T> => send<T>('PUT', path, { body: form }),
  del: <T>(path: string): Promise<T> => send<T>('DELETE', path, {}),
}

/** Query string from the defined values of an object. */
export function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}
