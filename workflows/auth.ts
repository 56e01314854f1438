import { createHash, randomBytes } from 'node:crypto'
import { appendAudit } from '../storage/audit'
import type { Actor, Role, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { checkPassword, needsRehash, hashPassword } from './passwords'

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex')

/** A well-formed scrypt hash at the configured cost: unknown users cost the same time as known ones. */
const dummyHash = (n: number): string =>
  `scrypt$${n}$8$1$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`

export interface LoginResult {
  token: string
  csrfToken: string
  expiresAt: string
  user: Record<string, unknown>
}

/**
 * Local accounts: scrypt passwords, a new random session token at every login (stored hashed),
 * and throttling: after `loginMaxFailures` failures in the window, further attempts for that
 * username are refused without checking the password.
 */
export async function login(
  s: Services,
  username: unknown,
  password: unknown,
  requestId?: string,
): Promise<LoginResult> {
  if (typeof username !== 'string' || username.length === 0 || username.length > 100)
    throw new WorkflowError('BAD_REQUEST', 'username: required')
  if (typeof password !== 'string' || password.length === 0 || password.length > 1000)
    throw new WorkflowError('BAD_REQUEST', 'password: required')
  // The attempt is written before it is counted, so concurrent attempts (on one instance or
  // several) each see the others: no burst slips past the limit between a count and an insert.
  // A refused attempt takes its row back; a wrong password keeps it as the failure it is.
  const [attempt] = await s
    .db('login_failures')
    .insert({ username, at: new Date().toISOString() })
    .returning('id')
  const attemptId = (attempt as { id: number }).id
  const since = new Date(Date.now() - s.config.loginWindowSeconds * 1000).toISOString()
  // Failures older than the window count for nothing: kept no longer (personal data, issue 14).
  await s.db('login_failures').where('at', '<', since).delete()
  const failures = (await s
    .db('login_failures')
    .where({ username })
    .where('at', '>=', since)
    .count('* as n')
    .first()) as { n: number }
  if (Number(failures.n) > s.config.loginMaxFailures) {
    await s.db.transaction(async (trx) => {
      await trx('login_failures').where({ id: attemptId }).delete()
      await appendAudit(trx, {
        actorId: null,
        action: 'login.throttled',
        personal: { username },
        requestId: requestId ?? null,
      })
    })
    throw new WorkflowError('LOGIN_THROTTLED', 'Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút')
  }
  const user = (await s.db('users').where({ username }).first()) as
    | { id: number; password_hash: string; disabled: number | boolean }
    | undefined
  const ok = await checkPassword(password, user?.password_hash ?? dummyHash(s.config.passwordHashN))
  if (!user || !ok || user.disabled) {
    await appendAudit(s.db, {
      actorId: user?.id ?? null,
      action: 'login.failed',
      personal: { username },
      subjectUserId: user?.id ?? null,
      requestId: requestId ?? null,
    })
    throw new WorkflowError('LOGIN_FAILED', 'Tên đăng nhập hoặc mật khẩu không đúng')
  }
  // A hash made at a lower cost (before issue 15: N = 2^14) is redone now that the password is at hand.
  const rehash = needsRehash(user.password_hash, s.config.passwordHashN)
    ? await hashPassword(password, s.config.passwordHashN)
    : undefined
  const token = randomBytes(32).toString('base64url')
  const csrfToken = randomBytes(24).toString('base64url')
  const now = new Date()
  const expiresAt = new Date(now.getTime() + s.config.sessionTtlSeconds * 1000).toISOString()
  await s.db.transaction(async (trx) => {
    await trx('sessions').insert({
      token_hash: sha256(token),
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt,
    })
    await trx('login_failures').where({ username }).delete()
    // The user's sessions that ended more than a day ago are of no further use: deleted here.
    const dayAgo = new Date(now.getTime() - 86_400_000).toISOString()
    await trx('sessions').where({ user_id: user.id }).where('expires_at', '<', dayAgo).delete()
    if (rehash)
      await trx('users')
        .where({ id: user.id, password_hash: user.password_hash })
        .update({ password_hash: rehash })
    await appendAudit(trx, {
      actorId: user.id,
      action: 'login.succeeded',
      ...(rehash && { detail: { passwordRehashed: true } }),
      requestId: requestId ?? null,
    })
  })
  const actor = await actorById(s, user.id)
  return { token, csrfToken, expiresAt, user: publicUser(actor) }
}

export async function logout(s: Services, token: string, actor: Actor): Promise<void> {
  await s.db.transaction(async (trx) => {
    await trx('sessions')
      .where({ token_hash: sha256(token) })
      .update({ revoked_at: new Date().toISOString() })
    await appendAudit(trx, { actorId: actor.id, action: 'logout', requestId: actor.requestId ?? null })
  })
}

export async function actorById(s: Services, id: number): Promise<Actor> {
  const u = (await s.db('users').where({ id }).first()) as {
    id: number
    username: string
    full_name: string
    title: string | null
    agency_id: number
  }
  const roles = (await s.db('user_roles').where({ user_id: id }).pluck('role')) as Role[]
  return {
    id: u.id,
    username: u.username,
    fullName: u.full_name,
    title: u.title,
    agencyId: u.agency_id,
    roles: new Set(roles),
  }
}

/** The session behind a token, checked on every request: expired, revoked or disabled is out. */
export async function authenticate(s: Services, token: string): Promise<{ actor: Actor; csrfToken: string }> {
  const row = (await s
    .db('sessions as se')
    .join('users as u', 'u.id', 'se.user_id')
    .where('se.token_hash', sha256(token))
    .first('se.user_id', 'se.csrf_token', 'se.expires_at', 'se.revoked_at', 'u.disabled')) as
    | {
        user_id: number
        csrf_token: string
        expires_at: string
        revoked_at: string | null
        disabled: number | boolean
      }
    | undefined
  if (!row || row.revoked_at || row.disabled || new Date(row.expires_at) < new Date())
    throw new WorkflowError('UNAUTHENTICATED', 'Phiên đăng nhập không hợp lệ hoặc đã hết hạn')
  return { actor: await actorById(s, row.user_id), csrfToken: row.csrf_token }
}

export function publicUser(a: Actor): Record<string, unknown> {
  return {
    id: a.id,
    username: a.username,
    fullName: a.fullName,
    title: a.title,
    agencyId: a.agencyId,
    roles: [...a.roles],
  }
}
