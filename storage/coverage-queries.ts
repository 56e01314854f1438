import type { Knex } from 'knex'
import { listAgg } from './sql'
import type { Queryable } from './transaction'

/**
 * The queries behind the coverage report (issue 14): the agencies, and per agency the sums of the
 * maintained per-day counters (storage/coverage-counters.ts) and of the paper register over a
 * period of Vietnam calendar days (YYYY-MM-DD, both ends included). Each sum is given for the
 * whole period and for its last days (from `recentFrom`), read in the same scan.
 */

export interface AgencyRecord {
  id: number
  code: string
  name: string
  parentId: number | null
}

/** Every agency, by code. */
export async function agenciesByCode(db: Queryable): Promise<AgencyRecord[]> {
  const rows = (await db('agencies').orderBy('code').select('id', 'code', 'name', 'parent_id')) as {
    id: number
    code: string
    name: string
    parent_id: number | null
  }[]
  return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, parentId: r.parent_id }))
}

export interface CountsQuery {
  from: string
  to: string
  /** The first day of the period's last days, counted apart. */
  recentFrom: string
  /** Agencies to count for; absent: all. */
  agencyIds?: number[] | undefined
}

export interface DailyCounts {
  agencyId: number
  issued: number
  fullySigned: number
  stopped: number
  recentIssued: number
  recentFullySigned: number
}

export interface PaperCounts {
  agencyId: number
  /** Internal documents registered as issued on paper. */
  count: number
  recentCount: number
}

export interface SignedProcedures {
  agencyId: number
  /** Distinct procedure codes with a result under a PASSED seal of the agency, in no order. */
  codes: string[]
}

function scoped<T extends Knex.QueryBuilder>(q: T, agencyIds: number[] | undefined): T {
  return agencyIds ? (q.whereIn('agency_id', agencyIds) as T) : q
}

/** The coverage_daily counters summed per agency. */
export async function dailyCountsOf(db: Queryable, c: CountsQuery): Promise<DailyCounts[]> {
  const rows = (await scoped(
    db('coverage_daily').where('day', '>=', c.from).where('day', '<=', c.to),
    c.agencyIds,
  )
    .groupBy('agency_id')
    .select(
      'agency_id',
      db.raw('sum(issued) as issued'),
      db.raw('sum(fully_signed) as signed'),
      db.raw('sum(stopped) as stopped'),
      db.raw('sum(case when day >= ? then issued else 0 end) as r_issued', [c.recentFrom]),
      db.raw('sum(case when day >= ? then fully_signed else 0 end) as r_signed', [c.recentFrom]),
    )) as {
    agency_id: number
    issued: number | string
    signed: number | string
    stopped: number | string
    r_issued: number | string
    r_signed: number | string
  }[]
  return rows.map((r) => ({
    agencyId: r.agency_id,
    issued: Number(r.issued),
    fullySigned: Number(r.signed),
    stopped: Number(r.stopped),
    recentIssued: Number(r.r_issued),
    recentFullySigned: Number(r.r_signed),
  }))
}

/** Internal paper entries counted per agency: a procedure's result issued on paper is not one. */
export async function paperCountsOf(db: Queryable, c: CountsQuery): Promise<PaperCounts[]> {
  const rows = (await scoped(
    db('paper_documents')
      .where('kind', 'internal')
      .where('issued_on', '>=', c.from)
      .where('issued_on', '<=', c.to),
    c.agencyIds,
  )
    .groupBy('agency_id')
    .select(
      'agency_id',
      db.raw('count(*) as n'),
      db.raw('sum(case when issued_on >= ? then 1 else 0 end) as r_n', [c.recentFrom]),
    )) as { agency_id: number; n: number | string; r_n: number | string }[]
  return rows.map((r) => ({ agencyId: r.agency_id, count: Number(r.n), recentCount: Number(r.r_n) }))
}

/** The procedures with a signed result in the period, per agency (coverage_procedure_days). */
export async function signedProceduresOf(
  db: Queryable,
  c: Omit<CountsQuery, 'recentFrom'>,
): Promise<SignedProcedures[]> {
  const rows = (await db
    .from(
      scoped(
        db('coverage_procedure_days')
          .where('day', '>=', c.from)
          .where('day', '<=', c.to)
          .where('results', '>', 0),
        c.agencyIds,
      )
        .groupBy('agency_id', 'procedure_code')
        .select('agency_id', 'procedure_code')
        .as('p'),
    )
    .groupBy('agency_id')
    .select('agency_id', listAgg(db, 'procedure_code').wrap('', ' as codes'))) as {
    agency_id: number
    codes: string
  }[]
  return rows.map((r) => ({ agencyId: r.agency_id, codes: r.codes.split(',') }))
}
