import type { Knex } from 'knex'
import { agencyAndDescendants } from '../workflows/access'
import type { Actor } from '../workflows/context'
import { WorkflowError } from '../workflows/errors'
import { coverageFacts, coverageFactsWithRecent } from './facts'
import { periodOf, recentWindow, type Period } from './period'
import { agencyRow, cityTotals, DEFAULT_TARGETS, type AgencyRow, type CityTotals, type Targets } from './policy'

interface AgencyRec { id: number; code: string; name: string; parent_id: number | null }

export interface CoverageReport {
  period: { from: string; to: string; asOf: string }
  targets: Targets
  city: CityTotals
  agencies: AgencyRow[]
  trend?: TrendPoint[]
}

export interface TrendPoint { month: string; documents: number; fullySigned: number; rate: number | null; agenciesWithSignedProcedures: number }

/** Targets from query parameters over the defaults; a bad value is a 400 naming it. */
export function targetsOf(q: Record<string, unknown>, base: Targets = DEFAULT_TARGETS): Targets {
  const num = (k: string, min: number, max: number): number | undefined => {
    const v = q[k]
    if (v === undefined || v === '') return undefined
    const n = Number(v)
    if (!Number.isFinite(n) || n < min || n > max) throw new WorkflowError('BAD_REQUEST', `${k}: a number from ${min} to ${max}`)
    return n
  }
  const deadline = q.deadline
  if (deadline !== undefined && (typeof deadline !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(deadline))) throw new WorkflowError('BAD_REQUEST', 'deadline: a date YYYY-MM-DD')
  return {
    internalRate: num('targetRate', 0, 1) ?? base.internalRate,
    minDocuments: num('minDocuments', 0, 1e9) ?? base.minDocuments,
    procedures: num('targetProcedures', 0, 1000) ?? base.procedures,
    deadline: (deadline as string | undefined) ?? base.deadline,
  }
}

/** The agencies this actor may report on: the city for compliance/admin, a leader's own subtree. */
async function visibleAgencies(db: Knex, actor: Actor): Promise<Set<number> | 'all'> {
  if (actor.roles.has('compliance') || actor.roles.has('admin')) return 'all'
  if (actor.roles.has('leader')) return agencyAndDescendants(db, actor.agencyId)
  throw new WorkflowError('FORBIDDEN', 'Chỉ cán bộ kiểm tra, quản trị và lãnh đạo được xem báo cáo')
}

/** GET /api/reports/coverage: one row per agency and the city's totals, optionally under a parent. */
export async function coverageReport(db: Knex, actor: Actor, q: Record<string, unknown>, base?: Targets): Promise<CoverageReport> {
  const period = periodOf(q)
  const targets = targetsOf(q, base)
  const visible = await visibleAgencies(db, actor)
  const all = (await db('agencies').orderBy('code').select('id', 'code', 'name', 'parent_id')) as AgencyRec[]
  let ids = visible === 'all' ? new Set(all.map((a) => a.id)) : visible
  if (typeof q.parent === 'string' && q.parent !== '') {
    const parent = all.find((a) => a.code === q.parent)
    if (!parent || !ids.has(parent.id)) throw new WorkflowError('NOT_FOUND', `parent: no agency '${q.parent}' you may see`)
    const under = await agencyAndDescendants(db, parent.id)
    ids = new Set([...ids].filter((id) => under.has(id)))
  }
  const agencies = all.filter((a) => ids.has(a.id))
  const scope = visible === 'all' && !q.parent ? undefined : agencies.map((a) => a.id)
  const { all: facts, recent } = await coverageFactsWithRecent(db, period, recentWindow(period, 90).from, scope)
  const codeOf = new Map(all.map((a) => [a.id, a.code]))
  const rows = agencies.map((a) => agencyRow({ code: a.code, name: a.name, parent: a.parent_id ? (codeOf.get(a.parent_id) ?? null) : null }, facts.get(a.id), recent.get(a.id), targets, period))
  const report: CoverageReport = { period: periodJson(period), targets, city: cityTotals(rows, targets, period), agencies: rows }
  if (q.trend === '1' || q.trend === 'true') report.trend = await monthlyTrend(db, period, agencies.map((a) => a.id))
  return report
}

/**
 * With trend=1: the month-by-month city series the dashboard charts (documents, fully signed, the
 * rate, and agencies with at least one signed procedure result that month), one aggregate per month.
 */
async function monthlyTrend(db: Knex, period: Period, scope: number[]): Promise<TrendPoint[]> {
  const out: TrendPoint[] = []
  for (const m of months(period)) {
    const facts = await coverageFacts(db, periodOf({ from: m.from, to: m.to, asOf: period.asOf.toISOString() }), scope)
    let documents = 0
    let fullySigned = 0
    let withProcedures = 0
    for (const f of facts.values()) {
      documents += f.issued + f.paper
      fullySigned += f.fullySigned
      if (f.procedures.length) withProcedures++
    }
    out.push({ month: m.month, documents, fullySigned, rate: documents ? fullySigned / documents : null, agenciesWithSignedProcedures: withProcedures })
  }
  return out
}

function periodJson(p: Period): { from: string; to: string; asOf: string } {
  return { from: p.from, to: p.to, asOf: p.asOf.toISOString() }
}

/** Calendar months (YYYY-MM) of a period, each as its own [from, to] within the period. */
function months(p: Period): { month: string; from: string; to: string }[] {
  const out: { month: string; from: string; to: string }[] = []
  for (let cur = p.from.slice(0, 7); cur <= p.to.slice(0, 7); ) {
    const [y, m] = cur.split('-').map(Number) as [number, number]
    const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
    out.push({ month: cur, from: cur === p.from.slice(0, 7) ? p.from : `${cur}-01`, to: last < p.to ? last : p.to })
    cur = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
    if (out.length > 240) break
  }
  return out
}

/**
 * GET /api/reports/coverage/:agencyCode: the monthly series of both measures, the issued documents
 * that are not fully signed with the reason, the procedures with their signed results, and the
 * rejected or cancelled documents of the period.
 */
export async function coverageDrillDown(db: Knex, actor: Actor, agencyCode: string, q: Record<string, unknown>, base?: Targets): Promise<Record<string, unknown>> {
  const period = periodOf(q)
  const targets = targetsOf(q, base)
  const visible = await visibleAgencies(db, actor)
  const agency = (await db('agencies').where({ code: agencyCode }).first()) as AgencyRec | undefined
  if (!agency || (visible !== 'all' && !visible.has(agency.id))) throw new WorkflowError('NOT_FOUND', `no agency '${agencyCode}' you may see`)
  const parent = agency.parent_id ? ((await db('agencies').where({ id: agency.parent_id }).first('code')) as { code: string }).code : null
  const { all: facts, recent } = await coverageFactsWithRecent(db, period, recentWindow(period, 90).from, [agency.id])
  const row = agencyRow({ code: agency.code, name: agency.name, parent }, facts.get(agency.id), recent.get(agency.id), targets, period)
  const series = []
  for (const m of months(period)) {
    const mp = periodOf({ from: m.from, to: m.to, asOf: period.asOf.toISOString() })
    const f = (await coverageFacts(db, mp, [agency.id])).get(agency.id)
    const docs = (f?.issued ?? 0) + (f?.paper ?? 0)
    series.push({ month: m.month, documents: docs, fullySigned: f?.fullySigned ?? 0, rate: docs ? (f?.fullySigned ?? 0) / docs : null, signedProcedures: f?.procedures ?? [] })
  }
  const inPeriod = (qb: Knex.QueryBuilder): Knex.QueryBuilder => qb.where('d.finished_at', '>=', period.start).where('d.finished_at', '<', period.end).where('d.agency_id', agency.id)
  const notFully = (await inPeriod(db('documents as d')).where({ 'd.kind': 'internal', 'd.status': 'issued', 'd.fully_signed': false }).select('d.id', 'd.title', 'd.finished_at')) as { id: number; title: string; finished_at: string }[]
  const reasons = notFully.length
    ? ((await db('signatures as g').join('steps as st', 'st.id', 'g.step_id').whereIn('g.document_id', notFully.map((d) => d.id)).where((w) => void w.whereNot('g.indication', 'PASSED').orWhereNull('g.indication'))
        .select('g.document_id', 'st.seq', 'st.action', 'g.indication', 'g.sub_indication')) as { document_id: number; seq: number; action: string; indication: string | null; sub_indication: string | null }[])
    : []
  const stopped = (await inPeriod(db('documents as d')).where('d.kind', 'internal').whereIn('d.status', ['rejected', 'cancelled']).select('d.id', 'd.title', 'd.status', 'd.finished_at')) as Record<string, unknown>[]
  const results = (await inPeriod(db('documents as d')).where({ 'd.kind': 'procedure', 'd.status': 'issued' }).join('procedures as p', 'p.code', 'd.procedure_code')
    .select('d.id', 'd.title', 'd.procedure_code', 'p.name as procedure', 'd.seal_passed', 'd.finished_at')) as { id: number; title: string; procedure_code: string; procedure: string; seal_passed: number | boolean; finished_at: string }[]
  return {
    period: periodJson(period), targets, agency: row, series,
    notFullySigned: notFully.map((d) => ({
      id: d.id, title: d.title, issuedAt: d.finished_at, link: `/api/documents/${d.id}`, verification: `/api/documents/${d.id}/verification`,
      reasons: reasons.filter((r) => r.document_id === d.id).map((r) => ({ step: r.seq, action: r.action, indication: r.indication ?? 'NOT_VALIDATED', subIndication: r.sub_indication })),
    })),
    rejectedOrCancelled: stopped,
    procedures: [...new Set(results.map((r) => r.procedure_code))].map((code) => ({
      code, name: results.find((r) => r.procedure_code === code)?.procedure,
      signed: results.some((r) => r.procedure_code === code && Boolean(r.seal_passed)),
      results: results.filter((r) => r.procedure_code === code).map((r) => ({ id: r.id, title: r.title, issuedAt: r.finished_at, sealPassed: Boolean(r.seal_passed), link: `/api/documents/${r.id}` })),
    })),
  }
}
