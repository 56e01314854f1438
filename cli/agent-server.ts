/**
 * The HTTP face of `kyso agent` (issue 11): the web interface, running in the official's browser,
 * asks it for the certificates on the USB token and for signatures over CMS signed attributes.
 *
 * Who may ask: only pages whose Origin is on the allow-list, and only through a Host header that
 * names this agent on loopback, which defeats DNS rebinding (a hostile name resolving to
 * 127.0.0.1 still sends its own name as Host). Anything else is 403 without CORS headers, so the
 * browser hides even the refusal from the page. The PIN is typed at the agent (agent-pin.ts) and
 * never travels over HTTP; one request at a time may ask for it.
 */
import type * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { OID, oidOf, readDer } from '../signing/cms'
import { KysoError } from '../signing/errors'
import { listTokenCertificates, listTokens, signWithToken, type TokenRef } from '../signing/keys/pkcs11'
import { readCertificate } from '../signing/pki'
import { PinNotEntered, type AskPin } from './agent-pin'

export interface AgentOptions {
  token: TokenRef
  /** Normalised origins (scheme://host[:port]) allowed to call the agent. */
  origins: readonly string[]
  askPin: AskPin
  pinTimeoutMs: number
  version: string
  log: (line: string) => void
}

type Json = Record<string, unknown>
type Reply = { status: number; body: Json }

/** The agent's own statuses (PIN_INCORRECT is 401 here: the person, not the account, got it wrong). */
const STATUS: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400,
  BAD_OPTION: 400,
  PIN_INCORRECT: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PIN_NOT_ENTERED: 408,
  BODY_TOO_LARGE: 413,
  PIN_LOCKED: 423,
  TOKEN_FAILED: 502,
  TOKEN_NOT_FOUND: 503,
}

const MAX_BODY = 64 * 1024
/** RFC 5652 §5.3: signed attributes must carry content-type and message-digest. */
const REQUIRED_ATTRIBUTES: readonly string[] = [OID.contentType, OID.messageDigest]

class AgentError extends KysoError {}

export function agentHandler(
  opts: AgentOptions,
  server: http.Server,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const origins = new Set(opts.origins)
  let queue: Promise<unknown> = Promise.resolve()
  /** One PIN prompt and signature at a time, in arrival order. */
  const serialised = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task)
    queue = result.catch(() => undefined)
    return result
  }
  const ownHosts = (): Set<string> => {
    const { address, port } = server.address() as AddressInfo
    const host = address.includes(':') ? `[${address}]` : address
    return new Set([`${host}:${port}`, `localhost:${port}`])
  }

  return (req, res) => {
    const origin = req.headers.origin
    // 1. The gate: our own Host, an allowed Origin. Nothing else is read before both pass.
    if (
      !req.headers.host ||
      !ownHosts().has(req.headers.host.toLowerCase()) ||
      !origin ||
      !origins.has(origin)
    ) {
      req.resume()
      return send(res, { status: 403, body: errorBody('FORBIDDEN', 'Origin or Host not allowed') })
    }
    res.setHeader('Access-Control-Allow-Origin', origin)
    res.setHeader('Vary', 'Origin')
    // 2. CORS preflight, with Chrome's Private Network Access answer (a public page calling loopback).
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST')
      res.setHeader('Access-Control-Allow-Headers', 'content-type')
      res.setHeader('Access-Control-Allow-Private-Network', 'true')
      res.setHeader('Access-Control-Max-Age', '600')
      res.writeHead(204).end()
      return
    }
    // 3. The routes.
    route(req, origin)
      .then((reply) => send(res, reply))
      .catch((err: unknown) => send(res, failure(err, opts.log)))
  }

  async function route(req: http.IncomingMessage, origin: string): Promise<Reply> {
    const path = (req.url ?? '').split('?')[0]
    const allow = (method: string): void => {
      if (req.method !== method) throw new AgentError('METHOD_NOT_ALLOWED', `Use ${method} for ${path}`)
    }
    switch (path) {
      case '/v1/info':
        allow('GET')
        return { status: 200, body: info() }
      case '/v1/certificates':
        allow('GET')
        return { status: 200, body: { certificates: certificates() } }
      case '/v1/sign': {
        allow('POST')
        const request = parseSignRequest(await readJson(req))
        return { status: 200, body: await sign(request, origin) }
      }
      default:
        throw new AgentError('NOT_FOUND', `No ${path}`)
    }
  }

  function info(): Json {
    const tokens = listTokens(opts.token.module).map(({ slot, label, manufacturer, serial }) => ({
      slot,
      label,
      manufacturer,
      serial,
    }))
    return { agent: 'kyso-agent', version: opts.version, tokens }
  }

  function certificates(): Json[] {
    return listTokenCertificates(opts.token).flatMap((c) => {
      if (!c.hasPrivateKey) return []
      try {
        const facts = readCertificate(c.certificate)
        return [
          {
            id: c.id,
            label: c.label,
            certificate: c.certificate.toString('base64'),
            subject: facts.subject,
            issuer: facts.issuer,
            serialHex: facts.serialHex,
            notAfter: facts.notAfter.toISOString(),
            keyAlgorithm: facts.publicKey.asymmetricKeyType === 'rsa' ? 'RSA' : 'EC',
          },
        ]
      } catch {
        return [] // A certificate we cannot read is one no one can sign with here.
      }
    })
  }

  async function sign(request: SignRequest, origin: string): Promise<Json> {
    // Before any prompt: the key must be there, and the person is told whose key is asked for.
    const onToken = listTokenCertificates(opts.token).find(
      (c) => c.id === request.certificateId && c.hasPrivateKey,
    )
    if (!onToken) throw new AgentError('KEY_NOT_FOUND', 'Không có chứng thư số này trên thiết bị ký số')
    const subject = readCertificate(onToken.certificate).subject
    return serialised(async () => {
      const pin = await askWithTimeout({ origin, subject })
      const result = await signWithToken({
        ...opts.token,
        pin,
        keyId: request.certificateId,
        data: request.data,
      })
      opts.log(`signed for ${origin} with ${subject}`)
      return {
        signature: result.signature.toString('base64'),
        signatureAlgorithm: result.signatureAlgorithm,
        certificate: result.certificate.toString('base64'),
      }
    })
  }

  async function askWithTimeout(prompt: { origin: string; subject: string }): Promise<string> {
    const controller = new AbortController()
    const timer = setTimeout(
      () => controller.abort(new PinNotEntered(`quá ${opts.pinTimeoutMs / 1000} giây`)),
      opts.pinTimeoutMs,
    )
    try {
      return await opts.askPin(prompt, controller.signal)
    } finally {
      clearTimeout(timer)
    }
  }
}

interface SignRequest {
  certificateId: string
  data: Buffer
}

/** Validates POST /v1/sign; a PIN in the body is refused outright, whatever it is called. */
function parseSignRequest(body: unknown): SignRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('The body must be a JSON object')
  const fields = body as Json
  if (Object.keys(fields).some((k) => /pin|passw/i.test(k))) {
    throw badRequest('Mã PIN chỉ được nhập tại máy ký, không gửi qua mạng (the PIN is typed at the agent)')
  }
  const { certificateId, data, digestAlgorithm } = fields
  if (typeof certificateId !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(certificateId)) {
    throw badRequest('certificateId must be the lower-case hex id from /v1/certificates')
  }
  if (digestAlgorithm !== 'SHA-256') throw badRequest("digestAlgorithm must be 'SHA-256'")
  if (
    typeof data !== 'string' ||
    !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(data)
  ) {
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

function readJson(req: http.IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') return Promise.reject(badRequest('Content-Type must be application/json'))
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

const badRequest = (message: string): AgentError => new AgentError('BAD_REQUEST', message)

const errorBody = (code: string, message: string): Json => ({ error: { code, message } })

/** 4xx: the code and its message; 5xx: nothing internal, the cause to the agent's stderr. */
function failure(err: unknown, log: (line: string) => void): Reply {
  const code = err instanceof KysoError ? err.code : 'INTERNAL'
  const status = STATUS[code] ?? 500
  if (status < 500 && err instanceof KysoError) return { status, body: errorBody(code, err.message) }
  const cause = err instanceof KysoError && err.cause instanceof Error ? ` (${err.cause.message})` : ''
  log(
    err instanceof KysoError
      ? `${code}: ${err.message}${cause}`
      : `error: ${err instanceof Error ? err.stack : String(err)}`,
  )
  return {
    status,
    body: errorBody(status === 500 ? 'INTERNAL' : code, 'Lỗi của thiết bị ký số hoặc của agent'),
  }
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.headersSent) return
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  })
  res.end(JSON.stringify(reply.body))
}
