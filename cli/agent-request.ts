/**
 * The requests `kyso agent` reads: JSON bodies of at most 64 KB, and POST /v1/sign checked field
 * by field before anyone is asked for a PIN.
 */
import type * as http from 'node:http'
import { OID, oidOf, readDer } from '../signing/cms'
import { KysoError } from '../signing/errors'

/** Refusals of the agent's own (BAD_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED, BODY_TOO_LARGE). */
export class AgentError extends KysoError {}

const badRequest = (message: string): AgentError => new AgentError('BAD_REQUEST', message)

const MAX_BODY = 64 * 1024
/** RFC 5652 §5.3: signed attributes must carry content-type and message-digest. */
const REQUIRED_ATTRIBUTES: readonly string[] = [OID.contentType, OID.messageDigest]
/** Canonical base64 with padding (RFC 4648 §4): Buffer.from(…, 'base64') would accept anything. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export interface SignRequest {
  certificateId: string
  data: Buffer
}

/** Validates POST /v1/sign; a PIN in the body is refused outright, whatever it is called. */
export function parseSignRequest(body: unknown): SignRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The body must be a JSON object')
  }
  const fields = body as Record<string, unknown>
  if (Object.keys(fields).some((k) => /pin|passw/i.test(k))) {
    throw badRequest('Mã PIN chỉ được nhập tại máy ký, không gửi qua mạng (the PIN is typed at the agent)')
  }
  const { certificateId, data, digestAlgorithm } = fields
  if (typeof certificateId !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(certificateId)) {
    throw badRequest('certificateId must be the lower-case hex id from /v1/certificates')
  }
  if (digestAlgorithm !== 'SHA-256') throw badRequest("digestAlgorithm must be 'SHA-256'")
  if (typeof data !== 'string' || !BASE64.test(data)) {
    throw badRequest('data must be base64')
  }
  const bytes = Buffer.from(data, 'base64')
  if (!isSignedAttributes(bytes)) {
    throw badRequest('data must be the DER signed attributes of a CMS SignerInfo (RFC 5652 §5.3)')
  }
  return { certificateId, data: bytes }
}

/**
 * A DER SET OF Attribute with content-type and message-digest, nothing after it: the agent signs
 * what a PAdES signer signs and is no oracle for other structures (a certificate's TBS, say).
 */
function isSignedAttributes(data: Buffer): boolean {
  try {
    const set = readDer(data, 'signed attributes')
    if (set.tagClass !== 'universal' || set.tag !== 0x11 || set.raw.length !== data.length) return false
    const types = set.children.map((attribute) => {
      const type = attribute.children[0]
      return attribute.tag === 0x10 && type?.tag === 0x06 ? oidOf(type) : ''
    })
    return REQUIRED_ATTRIBUTES.every((oid) => types.includes(oid))
  } catch {
    return false
  }
}

export function readJson(req: http.IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') {
    req.resume()
    return Promise.reject(badRequest('Content-Type must be application/json'))
  }
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
    req.resume()
    return Promise.reject(new AgentError('BODY_TOO_LARGE', `The body is over ${MAX_BODY} bytes`))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        req.removeAllListeners('data')
        req.resume()
        reject(new AgentError('BODY_TOO_LARGE', `The body is over ${MAX_BODY} bytes`))
      } else chunks.push(chunk)
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        reject(badRequest('The body is not JSON'))
      }
    })
    req.on('error', reject)
  })
}
