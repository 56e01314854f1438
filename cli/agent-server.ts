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
import { KysoError } from '../signing/errors'
import { listTokenCertificates, listTokens, signWithToken, type TokenRef } from '../signing/keys/pkcs11'
import { readCertificate } from '../signing/pki'
import { PinNotEntered, type AskPin } from './agent-pin'
import { AgentError, parseSignRequest, readJson, type SignRequest } from './agent-request'

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
    const ownHost = ownHosts().has((req.headers.host ?? '').toLowerCase())
    if (!ownHost || !origin || !origins.has(origin)) {
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
