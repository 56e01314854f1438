import type { Knex } from 'knex'
import { openCountsByAgency } from '../storage/coverage-evidence'
import type { AgencyRecord } from '../storage/coverage-queries'
import { agencyAndDescendants } from '../storage/document-access'
import type { Actor } from '../shared/actor'
import { WorkflowError } from '../shared/errors'
import { coverageFactsWithRecent, type AgencyFacts } from './facts'
import { recentWindow, type Period } from '../shared/period'
import { agencyRow, type AgencyRow } from './policy'
import { rollUp } from './rollup'
import type { Targets } from './targets'

/** The agencies this actor may report on: the city for compliance/admin, a leader's own subtree. */
export async function visibleAgencies(db: Knex, actor: Actor): Promise<Set<number> | 'all'> {
  if (actor.roles.has('compliance') || actor.roles.has('admin')) return 'all'
  if (actor.roles.has('leader')) return agencyAndDescendants(db, actor.agencyId)
  throw new WorkflowError('FORBIDDEN', 'Chỉ cán bộ kiểm tra, quản trị và lãnh đạo được xem báo cáo')
}

export function periodJson(p: Period): { from: string; to: string; asOf: string } {
  return { from: p.from, to: p.to, asOf: p.asOf.toISOString() }
}

type Facts = Map<number, AgencyFacts>

export interface RowsInput {
  period: Period
  targets: Targets
  /** Every agency (for the parents' codes). */
  all: AgencyRecord[]
  /** The agencies whose figures count: a complete subtree, or the whole city. */
  tree: AgencyRecord[]
  rows: AgencyRecord[]
  /** Agency ids to read facts for; absent: all. */
  scope?: number[]
}

/**
 * The period's facts, its last 90 days' and the open documents at its end, for some agencies (all
 * when `scope` is absent), and each agency's subtree summed; then one row per agency in `rows`.
 */
export async function rowsFor(db: Knex, input: RowsInput): Promise<AgencyRow[]> {
  const { period, targets, scope } = input
  const { all: facts, recent } = await coverageFactsWithRecent(
    db,
    period,
    recentWindow(period, 90).from,
    scope,
  )
  const open = await openCountsByAgency(db, period.end, scope)
  for (const [id, n] of open) withEntry(facts, id).open = n
  const nodes = input.tree.map((a) => ({ id: a.id, parent_id: a.parentId }))
  const subtrees = rollUp(nodes, facts, recent)
  const codeOf = new Map(input.all.map((a) => [a.id, a.code]))
  return input.rows.map((a) => {
    const parent = a.parentId ? (codeOf.get(a.parentId) ?? null) : null
    return agencyRow(
      { code: a.code, name: a.name, parent },
      facts.get(a.id),
      recent.get(a.id),
      targets,
      period,
      subtrees.get(a.id),
    )
  })
}

function withEntry(m: Facts, id: number): AgencyFacts {
  let f = m.get(id)
  if (!f) m.set(id, (f = { agencyId: id, issued: 0, fullySigned: 0, paper: 0, stopped: 0, procedures: [] }))
  return f
}
