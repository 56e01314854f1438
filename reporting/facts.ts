import type { Knex } from 'knex'
import { dailyCountsOf, paperCountsOf, signedProceduresOf } from '../storage/coverage-queries'
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
  const counts = { from: p.from, to: p.to, recentFrom, agencyIds }
  const [daily, paper, procedures] = await Promise.all([
    dailyCountsOf(db, counts),
    paperCountsOf(db, counts),
    signedProceduresOf(db, counts),
  ])
  for (const r of daily) {
    const f = get(all, r.agencyId)
    f.issued += r.issued
    f.fullySigned += r.fullySigned
    f.stopped += r.stopped
    const g = get(recent, r.agencyId)
    g.issued += r.recentIssued
    g.fullySigned += r.recentFullySigned
  }
  for (const r of paper) {
    get(all, r.agencyId).paper += r.count
    get(recent, r.agencyId).paper += r.recentCount
  }
  for (const r of procedures) get(all, r.agencyId).procedures.push(...[...r.codes].sort())
  return { all, recent }
}
