import type { Knex } from 'knex'
import { agenciesByCode } from '../storage/coverage-queries'
import { agencyAndDescendants } from '../storage/document-access'
import type { Actor } from '../shared/actor'
import { WorkflowError } from '../shared/errors'
import { coverageFacts } from './facts'
import { monthsOf, periodOf, type Period } from '../shared/period'
import { cityTotals, type AgencyRow, type CityTotals } from './policy'
import { periodJson, rowsFor, visibleAgencies } from './rows'
import { targetsFor, type Targets } from './targets'

export { coverageDrillDown } from './drill-down'
export { targetsOf } from './targets'

export interface CoverageReport {
  period: { from: string; to: string; asOf: string }
  targets: Targets
  city: CityTotals
  agencies: AgencyRow[]
  trend?: TrendPoint[]
  /** When the report was computed (the CSV's first lines say it). */
  generatedAt: string
}

export interface TrendPoint {
  month: string
  documents: number
  fullySigned: number
  rate: number | null
  agenciesWithSignedProcedures: number
}

/** GET /api/reports/coverage: one row per agency and the city's totals, optionally under a parent. */
export async function coverageReport(
  db: Knex,
  actor: Actor,
  q: Record<string, unknown>,
): Promise<CoverageReport> {
  const period = periodOf(q)
  const targets = await targetsFor(db, period, q)
  const visible = await visibleAgencies(db, actor)
  const all = await agenciesByCode(db)
  let ids = visible === 'all' ? new Set(all.map((a) => a.id)) : visible
  if (typeof q.parent === 'string' && q.parent !== '') {
    const parent = all.find((a) => a.code === q.parent)
    if (!parent || !ids.has(parent.id))
      throw new WorkflowError('NOT_FOUND', `parent: no agency '${q.parent}' you may see`)
    const under = await agencyAndDescendants(db, parent.id)
    ids = new Set([...ids].filter((id) => under.has(id)))
  }
  const agencies = all.filter((a) => ids.has(a.id))
  const scope = visible === 'all' && !q.parent ? undefined : agencies.map((a) => a.id)
  // The subtrees are those of the visible agencies: a leader's or a parent's subtree is complete.
  const rows = await rowsFor(db, {
    period,
    targets,
    all,
    tree: agencies,
    rows: agencies,
    ...(scope && { scope }),
  })
  const report: CoverageReport = {
    period: periodJson(period),
    targets,
    city: cityTotals(rows, targets, period),
    agencies: rows,
    generatedAt: new Date().toISOString(),
  }
  if (q.trend === '1' || q.trend === 'true')
    report.trend = await monthlyTrend(
      db,
      period,
      agencies.map((a) => a.id),
    )
  return report
}

/**
 * With trend=1: the month-by-month city series the dashboard charts (documents, fully signed, the
 * rate, and agencies with at least one signed procedure result that month), one aggregate per month.
 */
async function monthlyTrend(db: Knex, period: Period, scope: number[]): Promise<TrendPoint[]> {
  const out: TrendPoint[] = []
  for (const m of monthsOf(period)) {
    const facts = await coverageFacts(
      db,
      periodOf({ from: m.from, to: m.to, asOf: period.asOf.toISOString() }),
      scope,
    )
    let documents = 0
    let fullySigned = 0
    let withProcedures = 0
    for (const f of facts.values()) {
      documents += f.issued + f.paper
      fullySigned += f.fullySigned
      if (f.procedures.length) withProcedures++
    }
    const rate = documents ? fullySigned / documents : null
    out.push({ month: m.month, documents, fullySigned, rate, agenciesWithSignedProcedures: withProcedures })
  }
  return out
}
