import type { Knex } from 'knex'
import type { Queryable } from './transaction'

/** A standing signing authority (issue 14): no end date, granted by an administrator. */
export interface StandingAuthority {
  id: number
  holderId: number
  holder: string
  holderName: string
  holderTitle: string | null
  agencyId: number
  agencyCode: string
  marker: string
  principalId: number | null
  principal: string | null
  principalName: string | null
  /** What the marker line names: "Giám đốc" (KT. GIÁM ĐỐC), "Ủy ban nhân dân" (TM. ỦY BAN NHÂN DÂN). */
  principalTitle: string
  from: string
  grantedBy: number
  grantedAt: string
  endedAt: string | null
}

interface Row {
  id: number
  holder_id: number
  holder: string
  holder_name: string
  holder_title: string | null
  agency_id: number
  agency_code: string
  marker: string
  principal_id: number | null
  principal: string | null
  principal_name: string | null
  principal_title: string
  valid_from: string | Date
  granted_by: number
  granted_at: string | Date
  ended_at: string | Date | null
}

const iso = (v: string | Date): string => new Date(v).toISOString()

function authority(r: Row): StandingAuthority {
  return {
    id: r.id,
    holderId: r.holder_id,
    holder: r.holder,
    holderName: r.holder_name,
    holderTitle: r.holder_title,
    agencyId: r.agency_id,
    agencyCode: r.agency_code,
    marker: r.marker,
    principalId: r.principal_id,
    principal: r.principal,
    principalName: r.principal_name,
    principalTitle: r.principal_title,
    from: iso(r.valid_from),
    grantedBy: r.granted_by,
    grantedAt: iso(r.granted_at),
    endedAt: r.ended_at === null ? null : iso(r.ended_at),
  }
}

function base(db: Queryable): Knex.QueryBuilder {
  return db('signing_authorities as s')
    .join('users as h', 'h.id', 's.holder_id')
    .join('agencies as a', 'a.id', 's.agency_id')
    .leftJoin('users as p', 'p.id', 's.principal_id')
    .orderBy('s.id', 'desc')
    .select(
      's.id',
      's.holder_id',
      'h.username as holder',
      'h.full_name as holder_name',
      'h.title as holder_title',
      's.agency_id',
      'a.code as agency_code',
      's.marker',
      's.principal_id',
      'p.username as principal',
      'p.full_name as principal_name',
      's.principal_title',
      's.valid_from',
      's.granted_by',
      's.granted_at',
      's.ended_at',
    )
}

export async function listStandingAuthorities(
  db: Queryable,
  filter: { userId?: number } = {},
): Promise<StandingAuthority[]> {
  const q = base(db)
  if (filter.userId !== undefined)
    q.where((w) => void w.where('s.holder_id', filter.userId).orWhere('s.principal_id', filter.userId))
  return ((await q) as Row[]).map(authority)
}

export async function findStandingAuthority(
  db: Queryable,
  id: number,
): Promise<StandingAuthority | undefined> {
  const row = (await base(db).where('s.id', id).first()) as Row | undefined
  return row ? authority(row) : undefined
}

/** The holder's authority in force at `at` (one at most: granting a second is refused). */
export async function standingAuthorityOf(
  db: Queryable,
  holderId: number,
  at: string,
): Promise<StandingAuthority | undefined> {
  const row = (await base(db)
    .where('s.holder_id', holderId)
    .whereNull('s.ended_at')
    .where('s.valid_from', '<=', at)
    .first()) as Row | undefined
  return row ? authority(row) : undefined
}

export async function openAuthorityOf(
  db: Queryable,
  holderId: number,
): Promise<StandingAuthority | undefined> {
  const row = (await base(db).where('s.holder_id', holderId).whereNull('s.ended_at').first()) as
    | Row
    | undefined
  return row ? authority(row) : undefined
}

export interface NewAuthority {
  holderId: number
  agencyId: number
  marker: string
  principalId: number | null
  principalTitle: string
  from: string
  grantedBy: number
  grantedAt: string
}

export async function insertStandingAuthority(db: Queryable, a: NewAuthority): Promise<number> {
  const [row] = await db('signing_authorities')
    .insert({
      holder_id: a.holderId,
      agency_id: a.agencyId,
      marker: a.marker,
      principal_id: a.principalId,
      principal_title: a.principalTitle,
      valid_from: a.from,
      granted_by: a.grantedBy,
      granted_at: a.grantedAt,
    })
    .returning('id')
  return (row as { id: number }).id
}

/** Ends an authority now; false when it had already ended. */
export async function endStandingAuthority(
  db: Queryable,
  id: number,
  by: number,
  at: string,
): Promise<boolean> {
  return (
    (await db('signing_authorities')
      .where({ id })
      .whereNull('ended_at')
      .update({ ended_at: at, ended_by: by })) > 0
  )
}
