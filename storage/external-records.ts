import type { Queryable } from './transaction'

/**
 * What registering certificates held elsewhere reads beside the certificates themselves (issue 11):
 * the holder, their roles, and the CA certificates offered with earlier submissions.
 */

export interface ActiveUser {
  id: number
  agencyId: number
  fullName: string
}

/** A user who is not disabled, by username. */
export async function activeUserByUsername(db: Queryable, username: string): Promise<ActiveUser | undefined> {
  const u = (await db('users').where({ username, disabled: false }).first('id', 'agency_id', 'full_name')) as
    | { id: number; agency_id: number; full_name: string }
    | undefined
  return u && { id: u.id, agencyId: u.agency_id, fullName: u.full_name }
}

export async function holdsRole(db: Queryable, userId: number, role: string): Promise<boolean> {
  return Boolean(await db('user_roles').where({ user_id: userId, role }).first())
}

/** Every certificate (DER) of the chains offered with the certificates Kyso knows, in order. */
export async function offeredChainCertificates(db: Queryable): Promise<Buffer[]> {
  const rows = (await db('certificates').whereNotNull('chain_json').pluck('chain_json')) as string[]
  return rows.flatMap((j) => (JSON.parse(j) as string[]).map((b) => Buffer.from(b, 'base64')))
}
