/**
 * Request reading and error answers of the test CSC server (csc-server.ts): bodies of at most
 * 1 MB, JSON for CSC methods and form-encoded for oauth2/token (CSC API v2 §7.1), and errors as
 * `{error, error_description}` (§10.2).
 */
import type { IncomingMessage } from 'node:http'

const MAX_BODY_BYTES = 1024 * 1024

export interface CscRequestError {
  status: number
  error: string
  description: string
}

/** Throws the answer `status {error, error_description}`; `error` is invalid_request by default. */
export function cscRequestError(status: number, description: string, error = 'invalid_request'): never {
  const answer: CscRequestError = { status, error, description }
  throw answer
}

/** The body as a record: JSON, or form fields when the request says so. */
export async function readRequest(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    total += buffer.length
    if (total > MAX_BODY_BYTES) cscRequestError(413, 'Request body too large')
    chunks.push(buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text))
  }
  if (!text) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return cscRequestError(400, 'Malformed JSON body')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return cscRequestError(400, 'The body is not a JSON object')
  }
  return parsed as Record<string, unknown>
}
