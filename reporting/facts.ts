import type { Knex } from 'knex'
import { listAgg } from '../storage/sql'
import type { Period } from '../shared/period'

export interface AgencyFacts {
  agencyId: number
  /** Internal documents issued through Kyso in the period. */
  issued: number
  fullySigned: number
  /** Internal documents registered as issued on paper in the period. */
  paper: number
  /** Internal documents rejected or cancelled in the period (shown, not in the rate). */
  stopped: number
  /** Distinct procedure codes with a result issued in the period under a PASSED seal of the agency. */
  procedures: string[]
  /** Internal documents submitted and not finished at the period's end (issue 14; added by the report). */
  open?: number
}

/**
 * The facts behind the coverage report, one row per agency, from the maintained per-day counters
 * (storage/coverage-counters.ts) and the paper register: the cost grows with agencies and days
 * in the period, not with documents or signatures.
 */
export async function coverageFacts(
  db: Knex,
  p: Period,
  agencyIds?: number[],
): Promise<Map<number, AgencyFacts>> {
  return (await coverageFactsWithRecent(db, p, p.from, agencyIds)).all
}

/**
 * The period's facts and, from the same scans, those of its last days (from `recentFrom`): the
 * report's trend needs both, and reading the counters once halves its cost.
 */
export async function coverageFactsWithRecent(
  db: Knex,
  p: Period,
  recentFrom: string,
  agencyIds?: number[],
): Promise<{ all: Map<number, AgencyFacts>; recent: Map<number, AgencyFacts> }> {
  const all = new Map<number, AgencyFacts>()
  const recent = new Map<number, AgencyFacts>()
  const get = (m: Map<number, AgencyFacts>, id: number): AgencyFacts => {
    let f = m.get(id)
    if (!f) m.set(id, (f = { agencyId: id, issued: 0, fullySigned: 0, paper: 0, stopped: 0, procedures: [] }))
    return f
  }
  const scope = <T extends Knex.QueryBuilder>(q: T, col: string): T =>
    agencyIds ? (q.whereIn(col, agencyIds) as T) : q
  const [daily, paper, procedures] = await Promise.all([
    scope(db('coverage_daily').where('day', '>=', p.from).where('day', '<=', p.to), 'agency_id')
      .groupBy('agency_id')
      .select(
        'agency_id',
        db.raw('sum(issued) as issued'),
        db.raw('sum(fully_signed) as signed'),
        db.raw('sum(stopped) as stopped'),
        db.raw('sum(case when day >= ? then issued else 0 end) as r_issued', [recentFrom]),
        db.raw('sum(case when day >= ? then fully_signed else 0 end) as r_signed', [recentFrom]),
      ) as Promise<
      {
        agency_id: number
        issued: number
        signed: number
        stopped: number
        r_issued: number
        r_signed: number
      }[]
    >,
    // Internal paper entries only: a procedure's result issued on paper is not an internal document.
    scope(
      db('paper_documents')
        .where('kind', 'internal')
        .where('issued_on', '>=', p.from)
        .where('issued_on', '<=', p.to),
      'agency_id',
    )
      .groupBy('agency_id')
      .select(
        'agency_id',
        db.raw('count(*) as n'),
        db.raw('sum(case when issued_on >= ? then 1 else 0 end) as r_n', [recentFrom]),
      ) as Promise<{ agency_id: number; n: number; r_n: number }[]>,
    db
      .from(
        scope(
          db('coverage_procedure_days')
            .where('day', '>=', p.from)
            .where('day', '<=', p.to)
            .where('results', '>', 0),
          'agency_id',
        )
          .groupBy('agency_id', 'procedure_code')
          .select('agency_id', 'procedure_code')
          .as('p'),
      )
      .groupBy('agency_id')
      .select('agency_id', listAgg(db, 'procedure_code').wrap('', ' as codes')) as Promise<
      { agency_id: number; codes: string }[]
    >,
  ])
  for (const r of daily) {
    const f = get(all, r.agency_id)
    f.issued += Number(r.issued)
    f.fullySigned += Number(r.signed)
    f.stopped += Number(r.stopped)
    const g = get(recent, r.agency_id)
    g.issued += Number(r.r_issued)
    g.fullySigned += Number(r.r_signed)
  }
  for (const r of paper) {
    get(all, r.agency_id).paper += Number(r.n)
    get(recent, r.agency_id).paper += Number(r.r_n)
  }
  for (const r of procedures) get(all, r.agency_id).procedures.push(...r.codes.split(',').sort())
  return { all, recent }
}
