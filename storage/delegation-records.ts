import type { Queryable } from './transaction'

/**
 * Dated delegations (DOMAIN.md: a leader authorises a delegate to sign for them between two
 * dates; a record, not a reassignment). Plain camelCase objects out; the rules are
 * workflows/delegations.ts.
 */
export interface DelegationRecord {
  id: number
  principalId: number
  delegateId: number
  marker: string
  validFrom: string
  validTo: string
  revokedAt: string | null
}

/** A delegation as its principal and its delegate list it, with both names. */
export interface DelegationListing {
  id: number
  marker: string
  from: string
  to: string
  endedAt: string | null
  createdAt: string
  principal: string
  principalName: string
  delegate: string
  delegateName: string
  delegateTitle: string | null
}

export interface NewDelegation {
  principalId: number
  delegateId: number
  marker: string
  validFrom: string
  validTo: string
  createdAt: string
}

export async function insertDelegation(db: Queryable, d: NewDelegation): Promise<number> {
  const [row] = await db('delegations')
    .insert({
      principal_id: d.principalId,
      delegate_id: d.delegateId,
      marker: d.marker,
      valid_from: d.validFrom,
      valid_to: d.validTo,
      created_at: d.createdAt,
    })
    .returning('id')
  return (row as { id: number }).id
}

export async function findDelegation(db: Queryable, id: number): Promise<DelegationRecord | undefined> {
  const r = (await db('delegations')
    .where({ id })
    .first('id', 'principal_id', 'delegate_id', 'marker', 'valid_from', 'valid_to', 'revoked_at')) as
    | {
        id: number
        principal_id: number
        delegate_id: number
        marker: string
        valid_from: string
        valid_to: string
        revoked_at: string | null
      }
    | undefined
  return (
    r && {
      id: r.id,
      principalId: r.principal_id,
      delegateId: r.delegate_id,
      marker: r.marker,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      revokedAt: r.revoked_at,
    }
  )
}

/** Who delegated to this user a delegation in force at `at`. */
export async function principalsDelegatingTo(
  db: Queryable,
  delegateId: number,
  at: string,
): Promise<number[]> {
  return (await db('delegations')
    .where({ delegate_id: delegateId })
    .whereNull('revoked_at')
    .where('valid_from', '<=', at)
    .where('valid_to', '>=', at)
    .pluck('principal_id')) as number[]
}

/** The delegations a user gave (`principalId`) or received (`delegateId`), newest first. */
export async function listDelegationListings(
  db: Queryable,
  filter: { principalId: number } | { delegateId: number },
): Promise<DelegationListing[]> {
  const q = db('delegations as d')
    .join('users as p', 'p.id', 'd.principal_id')
    .join('users as g', 'g.id', 'd.delegate_id')
    .orderBy('d.id', 'desc')
    .select(
      'd.id',
      'd.marker',
      'd.valid_from',
      'd.valid_to',
      'd.revoked_at',
      'd.created_at',
      'p.username as principal',
      'p.full_name as principal_name',
      'g.username as delegate',
      'g.full_name as delegate_name',
      'g.title as delegate_title',
    )
  if ('principalId' in filter) q.where('d.principal_id', filter.principalId)
  else q.where('d.delegate_id', filter.delegateId)
  const rows = (await q) as {
    id: number
    marker: string
    valid_from: string
    valid_to: string
    revoked_at: string | null
    created_at: string
    principal: string
    principal_name: string
    delegate: string
    delegate_name: string
    delegate_title: string | null
  }[]
  return rows.map((r) => ({
    id: r.id,
    marker: r.marker,
    from: r.valid_from,
    to: r.valid_to,
    endedAt: r.revoked_at,
    createdAt: r.created_at,
    principal: r.principal,
    principalName: r.principal_name,
    delegate: r.delegate,
    delegateName: r.delegate_name,
    delegateTitle: r.delegate_title,
  }))
}

/** Ends a delegation at `at`; false when it had already ended. */
export async function endDelegationRecord(db: Queryable, id: number, at: string): Promise<boolean> {
  return (await db('delegations').where({ id, revoked_at: null }).update({ revoked_at: at })) > 0
}
