import { createHash, randomBytes } from 'node:crypto'
import { appendAudit } from '../storage/audit'
import { inTransaction } from '../storage/transaction'
import {
  loginRecord,
  replacePasswordHash,
  rolesOf,
  type UserRecord,
  userRecord,
} from '../storage/user-records'
import {
  clearLoginFailures,
  countLoginFailures,
  deleteLoginAttempt,
  deleteLoginFailuresBefore,
  deleteSessionsEndedBefore,
  insertLoginAttempt,
  insertSession,
  revokeSession,
  sessionByTokenHash,
} from '../storage/user-sessions'
import type { Actor, Services } from './context'
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
  const attemptId = await insertLoginAttempt(s.db, username, new Date().toISOString())
  const since = new Date(Date.now() - s.config.loginWindowSeconds * 1000).toISOString()
  // Failures older than the window count for nothing: kept no longer (personal data, issue 14).
  await deleteLoginFailuresBefore(s.db, since)
  const failures = await countLoginFailures(s.db, username, since)
  if (failures > s.config.loginMaxFailures) {
    await inTransaction(s.db, async (trx) => {
      await deleteLoginAttempt(trx, attemptId)
      await appendAudit(trx, {
        actorId: null,
        action: 'login.throttled',
        personal: { username },
        requestId: requestId ?? null,
      })
    })
    throw new WorkflowError('LOGIN_THROTTLED', 'Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút')
  }
  const user = await loginRecord(s.db, username)
  const ok = await checkPassword(password, user?.passwordHash ?? dummyHash(s.config.passwordHashN))
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
  const rehash = needsRehash(user.passwordHash, s.config.passwordHashN)
    ? await hashPassword(password, s.config.passwordHashN)
    : undefined
  const token = randomBytes(32).toString('base64url')
  const csrfToken = randomBytes(24).toString('base64url')
  const now = new Date()
  const expiresAt = new Date(now.getTime() + s.config.sessionTtlSeconds * 1000).toISOString()
  await inTransaction(s.db, async (trx) => {
    await insertSession(trx, {
      tokenHash: sha256(token),
      userId: user.id,
      csrfToken,
      createdAt: now.toISOString(),
      expiresAt,
    })
    await clearLoginFailures(trx, username)
    // The user's sessions that ended more than a day ago are of no further use: deleted here.
    const dayAgo = new Date(now.getTime() - 86_400_000).toISOString()
    await deleteSessionsEndedBefore(trx, user.id, dayAgo)
    if (rehash) await replacePasswordHash(trx, user.id, user.passwordHash, rehash)
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
  await inTransaction(s.db, async (trx) => {
    await revokeSession(trx, sha256(token), new Date().toISOString())
    await appendAudit(trx, { actorId: actor.id, action: 'logout', requestId: actor.requestId ?? null })
  })
}

export async function actorById(s: Services, id: number): Promise<Actor> {
  const u = (await userRecord(s.db, id)) as UserRecord
  const roles = await rolesOf(s.db, id)
  return {
    id: u.id,
    username: u.username,
    fullName: u.fullName,
    title: u.title,
    agencyId: u.agencyId,
    roles: new Set(roles),
  }
}

/** The session behind a token, checked on every request: expired, revoked or disabled is out. */
export async function authenticate(s: Services, token: string): Promise<{ actor: Actor; csrfToken: string }> {
  const row = await sessionByTokenHash(s.db, sha256(token))
  if (!row || row.revokedAt || row.userDisabled || new Date(row.expiresAt) < new Date())
    throw new WorkflowError('UNAUTHENTICATED', 'Phiên đăng nhập không hợp lệ hoặc đã hết hạn')
  return { actor: await actorById(s, row.userId), csrfToken: row.csrfToken }
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
