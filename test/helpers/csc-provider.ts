/**
 * The protocol of the test CSC provider (csc-server.ts runs it in its own process): tokens, SADs
 * and asynchronous signature requests held in memory, and the holder's phone deciding each
 * request by the credential's behaviour or through the control endpoints.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { HASH_OID, OID } from '../../signing/cms'
import type { CscServerConfig } from './csc-server'
import { cscRequestError as fail, readRequest, type CscRequestError } from './csc-server-http'
import { loadCredentials, signDigest, type LoadedCredential } from './csc-server-keys'

type Body = Record<string, unknown>
type Reply = { status?: number; body?: unknown }

interface Sad {
  credentialId: string
  hash: string
  description: string
  expiresAt: number
  used: boolean
}

interface SignRequest {
  responseId: string
  credential: LoadedCredential
  digest: Buffer
  description: string
  deadline: number
  state: 'pending' | 'signed' | 'refused'
  signature?: Buffer
  timer?: NodeJS.Timeout
}

const SIGN_ALGOS = {
  RSA: [OID.rsaEncryption, OID.sha256WithRSAEncryption],
  EC: [OID.ecdsaWithSha256],
} as const
const MAX_VALIDITY_MS = 600_000

export interface CscProvider {
  /** Answers one HTTP request (CSC method, oauth2/token or control endpoint). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** Cancels the holders' pending decisions. */
  stop(): void
}

/** The provider for `config`, its keys read from the PKCS#12 files the config names. */
export function cscProvider(config: CscServerConfig): CscProvider {
  const credentials = loadCredentials(config)
  const tokens = new Map<string, number>()
  const sads = new Map<string, Sad>()
  const requests = new Map<string, SignRequest>()
  let tokensIssued = 0

  const string = (body: Body, name: string): string => {
    const value = body[name]
    if (typeof value === 'string' && value) return value
    return fail(400, `Missing (or invalid type) string parameter ${name}`)
  }
  const credentialOf = (body: Body) =>
    credentials.get(string(body, 'credentialID')) ?? fail(400, 'Invalid parameter credentialID')

  function token(form: Body): Reply {
    if (form.grant_type !== 'client_credentials') fail(400, 'Invalid parameter grant_type')
    if (form.client_id !== config.clientId) fail(400, 'Invalid parameter client_id')
    if (!sameSecret(form.client_secret, config.clientSecret)) fail(400, 'Invalid parameter client_secret')
    const lifetime = config.tokenLifetimeSeconds ?? 3600
    const accessToken = randomBytes(24).toString('base64url')
    tokens.set(accessToken, Date.now() + lifetime * 1000)
    tokensIssued++
    return { body: { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime } }
  }

  function credentialInfo(c: LoadedCredential, certificates: unknown): Body {
    // §11.4: "single" (the default) is the end entity alone.
    const count = certificates === 'none' ? 0 : certificates === 'chain' ? c.certificates.length : 1
    return {
      ...(c.config.label && { description: c.config.label }),
      key: {
        status: 'enabled',
        algo: SIGN_ALGOS[c.keyAlgorithm],
        len: c.keyBits,
        ...(c.keyAlgorithm === 'EC' && { curve: '1.2.840.10045.3.1.7' }),
      },
      cert: {
        status: 'valid',
        certificates: c.certificates.slice(0, count).map((d) => d.toString('base64')),
      },
      auth: { mode: 'explicit' },
      SCAL: '2',
      multisign: 1,
    }
  }

  function list(body: Body): Reply {
    const userId = string(body, 'userID')
    if (!config.users.some((u) => u.userId === userId)) fail(400, 'Invalid parameter userID')
    const mine = [...credentials.values()].filter((c) => c.userId === userId)
    const credentialIDs = mine.map((c) => c.config.credentialId)
    if (body.credentialInfo !== true) return { body: { credentialIDs } }
    const credentialInfos = mine.map((c) => ({
      credentialID: c.config.credentialId,
      ...credentialInfo(c, body.certificates),
    }))
    return { body: { credentialIDs, credentialInfos } }
  }

  function authorize(body: Body): Reply {
    const credential = credentialOf(body)
    if (body.numSignatures !== 1) fail(400, 'Numbers of signatures is too high')
    if (body.hashAlgorithmOID !== HASH_OID.sha256) fail(400, 'Invalid parameter hashAlgorithmOID')
    const hash = oneHash(body.hashes)
    const sad = randomBytes(24).toString('base64url')
    const description = typeof body.description === 'string' ? body.description : ''
    const credentialId = credential.config.credentialId
    sads.set(sad, { credentialId, hash, description, expiresAt: Date.now() + 300_000, used: false })
    return { body: { SAD: sad, expiresIn: 300 } }
  }

  function signHash(body: Body): Reply {
    const credential = credentialOf(body)
    const sad = sads.get(string(body, 'SAD'))
    // SCAL2 (§8.2): a SAD is good once, for its credential and its hash.
    const unusable = !sad || sad.used || sad.credentialId !== credential.config.credentialId
    if (unusable) fail(400, 'Invalid parameter SAD')
    if (Date.now() > sad.expiresAt) fail(400, 'SAD expired')
    if (oneHash(body.hashes) !== sad.hash) fail(400, 'Hash is not authorized by the SAD')
    const algos: readonly string[] = SIGN_ALGOS[credential.keyAlgorithm]
    const signAlgo = body.signAlgo
    if (typeof signAlgo !== 'string' || !algos.includes(signAlgo)) fail(400, 'Invalid parameter signAlgo')
    if (signAlgo === OID.rsaEncryption && body.hashAlgorithmOID !== HASH_OID.sha256) {
      fail(400, 'Invalid parameter hashAlgorithmOID')
    }
    // The phone model needs time: this provider signs asynchronously only.
    if (body.operationMode !== 'A') fail(400, 'Invalid parameter operationMode')
    const validity = body.validity_period
    const inBounds = typeof validity === 'number' && Number.isInteger(validity) && validity >= 1
    if (!inBounds || validity > MAX_VALIDITY_MS) fail(400, 'Out of bounds parameter validity_period')
    sad.used = true
    const request: SignRequest = {
      responseId: randomUUID(),
      credential,
      digest: Buffer.from(sad.hash, 'base64'),
      description: sad.description,
      deadline: Date.now() + validity,
      state: 'pending',
    }
    requests.set(request.responseId, request)
    const behaviour = credential.config.behaviour
    if ('confirmAfterMs' in behaviour) {
      request.timer = setTimeout(() => decide(request, true), behaviour.confirmAfterMs)
    } else if ('refuse' in behaviour) {
      request.timer = setTimeout(() => decide(request, false), behaviour.afterMs ?? 0)
    }
    return { body: { responseID: request.responseId } }
  }

  /** The holder's answer; a signature is made here and only here. */
  function decide(request: SignRequest, approve: boolean): void {
    if (request.state !== 'pending' || Date.now() > request.deadline) return
    request.state = approve ? 'signed' : 'refused'
    if (approve) request.signature = signDigest(request.credential, request.digest)
  }

  /** A request once its validity period is over is forgotten (§11.10 validity_period). */
  function live(responseId: unknown): SignRequest | undefined {
    const request = typeof responseId === 'string' ? requests.get(responseId) : undefined
    if (request && Date.now() > request.deadline) {
      clearTimeout(request.timer)
      requests.delete(request.responseId)
      return undefined
    }
    return request
  }

  function signPolling(body: Body): Reply {
    const request = live(string(body, 'requestID')) ?? fail(400, 'Invalid parameter requestID')
    const otherUser = body.userID !== undefined && body.userID !== request.credential.userId
    if (otherUser) fail(400, 'Invalid parameter "userID"')
    if (request.state === 'refused') {
      fail(400, 'Người dùng đã từ chối giao dịch ký số', 'access_denied')
    }
    if (request.state === 'pending') {
      fail(202, 'The previous async request has been accepted but not yet completed', 'accepted_request')
    }
    return { body: { signatures: [request.signature!.toString('base64')] } }
  }

  const control = {
    pending(body: Body): Reply {
      const waiting = [...requests.values()].filter(
        (r) => r.state === 'pending' && r.credential.userId === body.userID && live(r.responseId),
      )
      const list = waiting.map((r) => ({
        responseID: r.responseId,
        credentialID: r.credential.config.credentialId,
        description: r.description,
      }))
      return { body: { requests: list } }
    },
    confirm(body: Body): Reply {
      const request = live(body.responseID) ?? fail(404, 'Invalid parameter responseID')
      if (request.state !== 'pending') fail(409, `The request is already ${request.state}`)
      clearTimeout(request.timer)
      decide(request, body.approve === true)
      return { status: 204 }
    },
    stats: (): Reply => ({ body: { tokensIssued } }),
  }

  function authenticated(req: IncomingMessage): void {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    const expiresAt = bearer ? tokens.get(bearer) : undefined
    if (!expiresAt || Date.now() > expiresAt) fail(401, 'The access token is not valid', 'invalid_token')
  }

  const routes: Record<string, (body: Body, req: IncomingMessage) => Reply> = {
    '/oauth2/token': token,
    '/csc/v2/info': () => ({
      body: { specs: '2.0.0.2', name: 'Kyso test RSSP', authType: ['oauth2client'] },
    }),
    '/csc/v2/credentials/list': (b, r) => {
      authenticated(r)
      return list(b)
    },
    '/csc/v2/credentials/info': (b, r) => {
      authenticated(r)
      return { body: credentialInfo(credentialOf(b), b.certificates) }
    },
    '/csc/v2/credentials/authorize': (b, r) => {
      authenticated(r)
      return authorize(b)
    },
    '/csc/v2/signatures/signHash': (b, r) => {
      authenticated(r)
      return signHash(b)
    },
    '/csc/v2/signatures/signPolling': (b, r) => {
      authenticated(r)
      return signPolling(b)
    },
    '/test/pending': control.pending,
    '/test/confirm': control.confirm,
    '/test/stats': control.stats,
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply
    try {
      const route = routes[new URL(req.url ?? '/', 'http://x').pathname]
      if (!route) fail(404, 'Unknown method')
      if (req.method !== 'POST') fail(405, 'POST only')
      reply = route(await readRequest(req), req)
    } catch (err) {
      const e = err as Partial<CscRequestError>
      if (e.status === undefined) throw err
      reply = { status: e.status, body: { error: e.error, error_description: e.description } }
    }
    const json = reply.body === undefined ? '' : JSON.stringify(reply.body)
    res.writeHead(reply.status ?? 200, json ? { 'content-type': 'application/json' } : {}).end(json)
  }

  return { handle, stop: () => requests.forEach((r) => clearTimeout(r.timer)) }
}

/** Exactly one Base64 SHA-256 value (this provider authorises one signature per SAD). */
function oneHash(hashes: unknown): string {
  if (!Array.isArray(hashes) || hashes.length !== 1 || typeof hashes[0] !== 'string') {
    fail(400, 'Missing (or invalid type) array parameter hashes')
  }
  if (Buffer.from(hashes[0], 'base64').length !== 32) fail(400, 'Invalid digest value length')
  return hashes[0]
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false
  const [a, b] = [Buffer.from(given), Buffer.from(expected)]
  return a.length === b.length && timingSafeEqual(a, b)
}
