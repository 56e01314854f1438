import { createHmac, randomBytes } from 'node:crypto'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { KysoError } from '../signing/errors'
import { appendAudit } from '../storage/audit'
import {
  claimIdempotencyKey,
  dropAbandonedIdempotencyKey,
  idempotencyRecord,
  releaseIdempotencyKey,
  storeIdempotentAnswer,
} from '../storage/server-queries'
import { authenticate } from '../workflows/auth'
import type { Actor, Services } from '../workflows/context'
import { WorkflowError } from '../shared/errors'
import { statusOf } from './errors'

export const SESSION_COOKIE = 'kyso_session'
/** An Idempotency-Key whose first request has run this long without an answer was abandoned. */
const ABANDONED_MS = 10 * 60_000

/**
 * Fields that never enter a request's fingerprint, at any depth (issue 15): before, a database
 * copy gave the PIN back from an unsalted SHA-256 of the body in under a second.
 */
const SECRET_FIELDS = new Set([
  'pin',
  'oldpin',
  'newpin',
  'password',
  'oldpassword',
  'newpassword',
  'unlockcode',
  'puk',
  'secret',
  'clientsecret',
  'token',
])

/** The body without its secret fields (their names are kept, so the shape still counts). */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets)
  if (typeof value !== 'object' || value === null) return value
  const entries = Object.entries(value).map(([k, v]) => [
    k,
    SECRET_FIELDS.has(k.toLowerCase()) ? '[secret]' : withoutSecrets(v),
  ])
  return Object.fromEntries(entries)
}

declare module 'express-serve-static-core' {
  interface Locals {
    requestId: string
    actor?: Actor
    token?: string
    csrfToken?: string
  }
}

/**
 * A request id for the log, the X-Request-Id answer and the audit events: the reverse proxy's
 * (nginx `proxy_set_header X-Request-Id $request_id`) when it sends a plausible one, else new.
 */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id']
    res.locals.requestId =
      typeof given === 'string' && /^[\w.-]{8,64}$/.test(given) ? given : randomBytes(8).toString('hex')
    res.setHeader('X-Request-Id', res.locals.requestId)
    next()
  }
}

function cookieToken(req: Request): string | undefined {
  const header = req.headers.cookie ?? ''
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === SESSION_COOKIE) return decodeURIComponent(v.join('='))
  }
  return undefined
}

function bearerToken(req: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
}

/** The session token a request carries (bearer first, then the cookie), if any. */
export function sessionToken(req: Request): string | undefined {
  return bearerToken(req) ?? cookieToken(req)
}

/**
 * Bearer token (API clients) or session cookie (browsers). A state-changing request that rides on
 * the cookie must carry the session's CSRF token in X-CSRF-Token (SameSite=Strict is the first
 * line, this the second).
 */
export function requireAuth(s: Services): RequestHandler {
  return (req, res, next) => {
    void (async () => {
      const bearer = bearerToken(req)
      const token = bearer ?? cookieToken(req)
      if (!token) throw new WorkflowError('UNAUTHENTICATED', 'Cần đăng nhập')
      const { actor, csrfToken } = await authenticate(s, token)
      if (
        !bearer &&
        !['GET', 'HEAD', 'OPTIONS'].includes(req.method) &&
        req.headers['x-csrf-token'] !== csrfToken
      ) {
        throw new WorkflowError('CSRF_REJECTED', 'Thiếu hoặc sai mã chống giả mạo yêu cầu (X-CSRF-Token)')
      }
      actor.requestId = res.locals.requestId
      res.locals.actor = actor
      res.locals.token = token
      res.locals.csrfToken = csrfToken
    })().then(() => next(), next)
  }
}

/**
 * Wraps a use case: its result is the JSON body; a refusal (4xx) by a signed-in user is written
 * to the audit chain too; with an Idempotency-Key, the first result is stored and replayed, unless
 * the route says `replayable: false` (its answer holds a secret that must not be stored).
 */
export function route(
  s: Services,
  fn: (req: Request, res: Response) => Promise<unknown>,
  okStatus = 200,
  opts: { replayable?: boolean } = {},
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const actor = res.locals.actor
      const key = req.headers['idempotency-key']
      if (actor && typeof key === 'string' && req.method === 'POST' && opts.replayable !== false) {
        return idempotent(s, actor, key, req, res, () => run(s, fn, req, res, okStatus))
      }
      const { status, body } = await run(s, fn, req, res, okStatus)
      if (body !== undefined) res.status(status).json(body)
    })().catch(next)
  }
}

async function run(
  s: Services,
  fn: (req: Request, res: Response) => Promise<unknown>,
  req: Request,
  res: Response,
  okStatus: number,
): Promise<{ status: number; body: unknown }> {
  try {
    const body = await fn(req, res)
    return { status: okStatus, body }
  } catch (err) {
    const { status, code, message } = statusOf(err)
    if (status >= 500 || !(err instanceof KysoError)) throw err
    const actor = res.locals.actor
    if (actor)
      await appendAudit(s.db, {
        actorId: actor.id,
        action: 'refused',
        detail: { code, method: req.method, path: req.path },
        requestId: res.locals.requestId,
      })
    // Facts a client acts on (e.g. triesLeft after a wrong PIN) go beside the code.
    return { status, body: { error: { code, message, ...err.details } } }
  }
}

async function idempotent(
  s: Services,
  actor: Actor,
  key: string,
  req: Request,
  res: Response,
  exec: () => Promise<{ status: number; body: unknown }>,
): Promise<void> {
  if (key.length > 200) throw new WorkflowError('BAD_REQUEST', 'Idempotency-Key: at most 200 characters')
  // A JSON body is part of the fingerprint, without its secrets; an upload (streamed, not yet read)
  // is known by its media type and length (not the multipart boundary, which a client regenerates
  // on a retry). Keyed (HMAC, a secret every instance shares, kept wrapped in the database), so the
  // stored value says nothing of the request to whoever holds a copy of the database.
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]
  const payload = req.is('application/json')
    ? JSON.stringify(withoutSecrets(req.body ?? null))
    : `${mediaType} ${req.headers['content-length'] ?? ''}`
  const requestHash = createHmac('sha256', s.requestHmacKey)
    .update(`${req.method} ${req.originalUrl} ${payload}`)
    .digest('hex')
  const claim = (): Promise<boolean> =>
    claimIdempotencyKey(s.db, { userId: actor.id, key, requestHash, at: new Date() })
  let inserted = await claim()
  // A first request that never finished (its instance was killed) would hold the key forever.
  if (
    !inserted &&
    (await dropAbandonedIdempotencyKey(s.db, actor.id, key, new Date(Date.now() - ABANDONED_MS)))
  )
    inserted = await claim()
  if (!inserted) {
    const record = await idempotencyRecord(s.db, actor.id, key)
    if (record.requestHash !== requestHash)
      throw new WorkflowError('IDEMPOTENCY_MISMATCH', 'Idempotency-Key was used for another request')
    if (record.statusCode === null)
      throw new WorkflowError('CONFLICT', 'the first request with this Idempotency-Key is still running')
    res.setHeader('Idempotent-Replayed', 'true')
    res.status(record.statusCode).json(JSON.parse(record.responseJson ?? 'null'))
    return
  }
  let result: { status: number; body: unknown }
  try {
    result = await exec()
  } catch (err) {
    await releaseIdempotencyKey(s.db, actor.id, key)
    throw err
  }
  await storeIdempotentAnswer(s.db, actor.id, key, result)
  res.status(result.status).json(result.body)
}

/** Positive integer route parameter, or NOT_FOUND (an id that cannot exist). */
export function idParam(req: Request, name = 'id'): number {
  const raw = req.params[name]
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0 || String(n) !== raw)
    throw new WorkflowError('NOT_FOUND', 'Không tìm thấy')
  return n
}

export function actorOf(res: Response): Actor {
  const a = res.locals.actor
  if (!a) throw new WorkflowError('UNAUTHENTICATED', 'Cần đăng nhập')
  return a
}
