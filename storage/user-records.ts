import type { Role } from '../shared/actor'
import type { Queryable } from './transaction'

/**
 * User accounts and their roles (issue 16). Plain camelCase objects out; passwords only as the
 * stored hash. Sessions and login throttling are storage/user-sessions.ts.
 */
export interface UserRecord {
  id: number
  username: string
  fullName: string
  title: string | null
  agencyId: number
  disabled: boolean
}

/** What a login checks: the stored password hash and whether the account may sign in. */
export interface LoginRecord {
  id: number
  passwordHash: string
  disabled: boolean
}

/** An active user as delegations, authorities and enrolments name them. */
export interface ActiveUser {
  id: number
  username: string
  agencyId: number
  title: string | null
}

/** A user as the administration lists them, with their agency. */
export interface UserListing {
  id: number
  username: string
  fullName: string
  title: string | null
  disabled: boolean
  agencyCode: string
  agency: string
}

export interface UserRole {
  userId: number
  role: Role
}

export interface NewUser {
  username: string
  passwordHash: string
  fullName: string
  title: string | null
  agencyId: number
  createdAt: string
}

export async function userRecord(db: Queryable, id: number): Promise<UserRecord | undefined> {
  const r = (await db('users')
    .where({ id })
    .first('id', 'username', 'full_name', 'title', 'agency_id', 'disabled')) as
    | {
        id: number
        username: string
        full_name: string
        title: string | null
        agency_id: number
        disabled: number | boolean
      }
    | undefined
  return (
    r && {
      id: r.id,
      username: r.username,
      fullName: r.full_name,
      title: r.title,
      agencyId: r.agency_id,
      disabled: Boolean(r.disabled),
    }
  )
}

export async function loginRecord(db: Queryable, username: string): Promise<LoginRecord | undefined> {
  const r = (await db('users').where({ username }).first('id', 'password_hash', 'disabled')) as
    | { id: number; password_hash: string; disabled: number | boolean }
    | undefined
  return r && { id: r.id, passwordHash: r.password_hash, disabled: Boolean(r.disabled) }
}

export async function activeUserByUsername(db: Queryable, username: string): Promise<ActiveUser | undefined> {
  const r = (await db('users')
    .where({ username, disabled: false })
    .first('id', 'username', 'agency_id', 'title')) as
    | { id: number; username: string; agency_id: number; title: string | null }
    | undefined
  return r && { id: r.id, username: r.username, agencyId: r.agency_id, title: r.title }
}

/** The active users of an agency by name, for a drafter's routing. */
export async function activeUsersOf(
  db: Queryable,
  agencyId: number,
): Promise<{ id: number; username: string; fullName: string; title: string | null }[]> {
  const rows = (await db('users')
    .where({ agency_id: agencyId, disabled: false })
    .orderBy('full_name')
    .select('id', 'username', 'full_name', 'title')) as {
    id: number
    username: string
    full_name: string
    title: string | null
  }[]
  return rows.map((r) => ({ id: r.id, username: r.username, fullName: r.full_name, title: r.title }))
}

/** Names and titles of some users (those a history names as acted for). */
export async function userNames(
  db: Queryable,
  ids: number[],
): Promise<{ id: number; fullName: string; title: string | null }[]> {
  const rows = (await db('users').whereIn('id', ids).select('id', 'full_name', 'title')) as {
    id: number
    full_name: string
    title: string | null
  }[]
  return rows.map((r) => ({ id: r.id, fullName: r.full_name, title: r.title }))
}

export async function usernameTaken(db: Queryable, username: string): Promise<boolean> {
  return Boolean(await db('users').where({ username }).first('id'))
}

export async function listUserListings(db: Queryable): Promise<UserListing[]> {
  const rows = (await db('users as u')
    .join('agencies as a', 'a.id', 'u.agency_id')
    .orderBy('a.id')
    .orderBy('u.id')
    .select(
      'u.id',
      'u.username',
      'u.full_name',
      'u.title',
      'u.disabled',
      'a.code as agency_code',
      'a.name as agency',
    )) as {
    id: number
    username: string
    full_name: string
    title: string | null
    disabled: number | boolean
    agency_code: string
    agency: string
  }[]
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    fullName: r.full_name,
    title: r.title,
    disabled: Boolean(r.disabled),
    agencyCode: r.agency_code,
    agency: r.agency,
  }))
}

export async function insertUser(db: Queryable, u: NewUser): Promise<number> {
  const [row] = await db('users')
    .insert({
      username: u.username,
      password_hash: u.passwordHash,
      full_name: u.fullName,
      title: u.title,
      agency_id: u.agencyId,
      disabled: false,
      created_at: u.createdAt,
    })
    .returning('id')
  return (row as { id: number }).id
}

/** Changes the fields given; those left undefined stay as they are. */
export async function updateUserRecord(
  db: Queryable,
  id: number,
  patch: { disabled?: boolean; title?: string | null },
): Promise<void> {
  const row = {
    ...(patch.disabled !== undefined && { disabled: patch.disabled }),
    ...(patch.title !== undefined && { title: patch.title }),
  }
  if (Object.keys(row).length) await db('users').where({ id }).update(row)
}

/** A hash made at a lower cost is replaced, unless the password changed meanwhile. */
export async function replacePasswordHash(
  db: Queryable,
  id: number,
  before: string,
  after: string,
): Promise<void> {
  await db('users').where({ id, password_hash: before }).update({ password_hash: after })
}

export async function rolesOf(db: Queryable, userId: number): Promise<Role[]> {
  return (await db('user_roles').where({ user_id: userId }).pluck('role')) as Role[]
}

export async function hasRole(db: Queryable, userId: number, role: Role): Promise<boolean> {
  return Boolean(await db('user_roles').where({ user_id: userId, role }).first())
}

/** The roles of the users given, or of every user. */
export async function userRoles(db: Queryable, userIds?: number[]): Promise<UserRole[]> {
  const q = db('user_roles')
  if (userIds) q.whereIn('user_id', userIds)
  const rows = (await q.select('user_id', 'role')) as { user_id: number; role: Role }[]
  return rows.map((r) => ({ userId: r.user_id, role: r.role }))
}

export async function addUserRoles(db: Queryable, userId: number, roles: Role[]): Promise<void> {
  for (const role of roles) await db('user_roles').insert({ user_id: userId, role })
}

export async function replaceUserRoles(db: Queryable, userId: number, roles: Role[]): Promise<void> {
  await db('user_roles').where({ user_id: userId }).delete()
  await addUserRoles(db, userId, roles)
}
