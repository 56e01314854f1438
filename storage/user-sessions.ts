import type { Queryable } from './transaction'

/**
 * Sign-in sessions (stored by the SHA-256 of their token) and the failed logins that throttle a
 * username (issue 16: moved out of workflows/auth.ts). Plain camelCase objects out.
 */
export interface SessionRecord {
  userId: number
  csrfToken: string
  expiresAt: string
  revokedAt: string | null
  /** The account was disabled after the session began. */
  userDisabled: boolean
}

export interface NewSession {
  tokenHash: string
  userId: number
  csrfToken: string
  createdAt: string
  expiresAt: string
}

/** Writes a login attempt (counted as a failure until the login succeeds); returns its id. */
export async function insertLoginAttempt(db: Queryable, username: string, at: string): Promise<number> {
  const [row] = await db('login_failures').insert({ username, at }).returning('id')
  return (row as { id: number }).id
}

export async function deleteLoginAttempt(db: Queryable, id: number): Promise<void> {
  await db('login_failures').where({ id }).delete()
}

/** Failures older than the window count for nothing: kept no longer (personal data, issue 14). */
export async function deleteLoginFailuresBefore(db: Queryable, before: string): Promise<void> {
  await db('login_failures').where('at', '<', before).delete()
}

export async function countLoginFailures(db: Queryable, username: string, since: string): Promise<number> {
  const row = (await db('login_failures')
    .where({ username })
    .where('at', '>=', since)
    .count('* as n')
    .first()) as { n: number | string }
  return Number(row.n)
}

export async function clearLoginFailures(db: Queryable, username: string): Promise<void> {
  await db('login_failures').where({ username }).delete()
}

export async function insertSession(db: Queryable, s: NewSession): Promise<void> {
  await db('sessions').insert({
    token_hash: s.tokenHash,
    user_id: s.userId,
    csrf_token: s.csrfToken,
    created_at: s.createdAt,
    expires_at: s.expiresAt,
  })
}

/** The user's sessions that ended before `before` are of no further use. */
export async function deleteSessionsEndedBefore(
  db: Queryable,
  userId: number,
  before: string,
): Promise<void> {
  await db('sessions').where({ user_id: userId }).where('expires_at', '<', before).delete()
}

export async function revokeSession(db: Queryable, tokenHash: string, at: string): Promise<void> {
  await db('sessions').where({ token_hash: tokenHash }).update({ revoked_at: at })
}

export async function sessionByTokenHash(
  db: Queryable,
  tokenHash: string,
): Promise<SessionRecord | undefined> {
  const r = (await db('sessions as se')
    .join('users as u', 'u.id', 'se.user_id')
    .where('se.token_hash', tokenHash)
    .first('se.user_id', 'se.csrf_token', 'se.expires_at', 'se.revoked_at', 'u.disabled')) as
    | {
        user_id: number
        csrf_token: string
        expires_at: string
        revoked_at: string | null
        disabled: number | boolean
      }
    | undefined
  return (
    r && {
      userId: r.user_id,
      csrfToken: r.csrf_token,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      userDisabled: Boolean(r.disabled),
    }
  )
}
