import type { Knex } from 'knex'
import type { Period } from './period'

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
}

/**
 * The facts behind the coverage report, one row per agency, from indexed aggregates over the
 * documents' maintained `fully_signed` / `seal_passed` flags (set when verdicts are recorded), so
 * the query's cost grows with agencies and periods, not with signatures.
 */
export async function coverageFacts(db: Knex, p: Period, agencyIds?: number[]): Promise<Map<number, AgencyFacts>> {
  const out = new Map<number, AgencyFacts>()
  const get = (id: number): AgencyFacts => {
    let f = out.get(id)
    if (!f) out.set(id, (f = { agencyId: id, issued: 0, fullySigned: 0, paper: 0, stopped: 0, procedures: [] }))
    return f
  }
  const scope = <T extends Knex.QueryBuilder>(q: T, col: string): T => (agencyIds ? (q.whereIn(col, agencyIds) as T) : q)
  const internal = (await scope(db('documents').where('kind', 'internal').whereIn('status', ['issued', 'rejected', 'cancelled'])
    .where('finished_at', '>=', p.start).where('finished_at', '<', p.end), 'agency_id')
    .groupBy('agency_id', 'status')
    .select('agency_id', 'status', db.raw('count(*) as n'), db.raw('sum(case when fully_signed then 1 else 0 end) as signed'))) as { agency_id: number; status: string; n: number; signed: number | null }[]
  for (const r of internal) {
    const f = get(r.agency_id)
    if (r.status === 'issued') {
      f.issued += Number(r.n)
      f.fullySigned += Number(r.signed ?? 0)
    } else f.stopped += Number(r.n)
  }
  const paper = (await scope(db('paper_documents').where('issued_on', '>=', p.from).where('issued_on', '<=', p.to), 'agency_id')
    .groupBy('agency_id').select('agency_id', db.raw('count(*) as n'))) as { agency_id: number; n: number }[]
  for (const r of paper) get(r.agency_id).paper += Number(r.n)
  const procedures = (await scope(db('documents').where({ kind: 'procedure', status: 'issued' }).where('seal_passed', true)
    .where('finished_at', '>=', p.start).where('finished_at', '<', p.end).whereNotNull('procedure_code'), 'agency_id')
    .distinct('agency_id', 'procedure_code').orderBy(['agency_id', 'procedure_code'])) as { agency_id: number; procedure_code: string }[]
  for (const r of procedures) get(r.agency_id).procedures.push(r.procedure_code)
  return out
}
