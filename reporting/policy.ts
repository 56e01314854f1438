import type { AgencyFacts } from './facts'
import { daysUntil, type Period } from '../shared/period'
import { defaultTargets, type Targets } from './targets'

export type { Targets } from './targets'

/** The targets nobody configured, for a report of 2024 (kept for callers of issue 5's API). */
export const DEFAULT_TARGETS: Targets = defaultTargets(2024)

export type Status = 'met' | 'on_track' | 'at_risk' | 'behind'

type Facts = Omit<AgencyFacts, 'agencyId'>

/** An agency's counts over the period: its own, or its whole subtree's. */
export interface Figures {
  /** Internal documents issued in the period: through Kyso plus on paper. */
  documents: number
  issuedInKyso: number
  paper: number
  fullySigned: number
  /** fullySigned / documents, or null when there are none. */
  rate: number | null
  rejectedOrCancelled: number
  /** Internal documents submitted and not finished at the period's end. */
  open: number
  signedProcedures: string[]
}

export interface AgencyRow {
  code: string
  name: string
  parent: string | null
  /** The agency's own figures (the rest of this list), as before issue 14. */
  documents: number
  issuedInKyso: number
  paper: number
  fullySigned: number
  rate: number | null
  /** Nothing issued, signed or open here nor in any agency below: never 100%. */
  noActivity: boolean
  signsInternally: boolean
  rejectedOrCancelled: number
  signedProcedures: string[]
  meetsTarget1: boolean
  meetsTarget2: boolean
  meetsBoth: boolean
  status: Status
  daysLeft: number
  overdue: boolean
  /** Issue 14 (additions): open documents, the subtree's figures, what the targets were judged on. */
  open: number
  total: Figures & { agencies: number }
  /** `own` when the agency issued anything itself; `total` when only the agencies below did. */
  judgedOn: 'own' | 'total'
  deadlineSet: boolean
}

const EMPTY: Facts = { issued: 0, fullySigned: 0, paper: 0, stopped: 0, procedures: [], open: 0 }

export function figuresOf(f: Facts): Figures {
  const documents = f.issued + f.paper
  return {
    documents,
    issuedInKyso: f.issued,
    paper: f.paper,
    fullySigned: f.fullySigned,
    rate: documents > 0 ? f.fullySigned / documents : null,
    rejectedOrCancelled: f.stopped,
    open: f.open ?? 0,
    signedProcedures: f.procedures,
  }
}

const active = (f: Facts): boolean => f.issued + f.paper > 0 || f.procedures.length > 0 || (f.open ?? 0) > 0

/** The subtree of an agency, when the report knows it (its facts summed with those below). */
export interface Subtree {
  facts: Facts
  recent: Facts
  agencies: number
}

/**
 * One agency's row. Targets are judged on the agency's own figures, or, when it issued nothing
 * itself but agencies below it did, on its subtree's (a parent with active children is never "no
 * activity"). Status: `met` when both targets are met; otherwise `behind` once a deadline that
 * was set has passed, or with no activity at all; `on_track` when the recent trend (the last 90
 * days of the period) reaches target 1 and target 2 is at most one procedure away; `at_risk`
 * otherwise.
 */
export function agencyRow(
  agency: { code: string; name: string; parent: string | null },
  facts: Facts | undefined,
  recent: Facts | undefined,
  t: Targets,
  p: Period,
  subtree?: Subtree,
): AgencyRow {
  const own = facts ?? EMPTY
  const tree = subtree ?? { facts: own, recent: recent ?? EMPTY, agencies: 1 }
  const judgedOn = !active(own) && active(tree.facts) ? 'total' : 'own'
  const j = judgedOn === 'own' ? own : tree.facts
  const jr = (judgedOn === 'own' ? recent : tree.recent) ?? EMPTY
  const judged = figuresOf(j)
  const meetsTarget1 =
    judged.rate !== null && judged.documents >= t.minDocuments && judged.rate >= t.internalRate
  const meetsTarget2 = j.procedures.length >= t.procedures
  const meetsBoth = meetsTarget1 && meetsTarget2
  const daysLeft = daysUntil(t.deadline, p.asOf)
  const overdue = t.deadlineSet && daysLeft < 0 && !meetsBoth
  const noActivity = !active(j)
  let status: Status
  if (meetsBoth) status = 'met'
  else if (overdue || noActivity) status = 'behind'
  else {
    const recentDocs = jr.issued + jr.paper
    const trend1 = meetsTarget1 || (recentDocs > 0 && jr.fullySigned / recentDocs >= t.internalRate)
    const trend2 = meetsTarget2 || j.procedures.length >= t.procedures - 1
    status = trend1 && trend2 ? 'on_track' : 'at_risk'
  }
  const mine = figuresOf(own)
  return {
    code: agency.code,
    name: agency.name,
    parent: agency.parent,
    documents: mine.documents,
    issuedInKyso: mine.issuedInKyso,
    paper: mine.paper,
    fullySigned: mine.fullySigned,
    rate: mine.rate,
    noActivity,
    signsInternally: meetsTarget1,
    rejectedOrCancelled: mine.rejectedOrCancelled,
    signedProcedures: mine.signedProcedures,
    meetsTarget1,
    meetsTarget2,
    meetsBoth,
    status,
    daysLeft,
    overdue,
    open: mine.open,
    total: { ...figuresOf(tree.facts), agencies: tree.agencies },
    judgedOn,
    deadlineSet: t.deadlineSet,
  }
}

export interface CityTotals {
  agencies: number
  meetingTarget1: number
  meetingTarget2: number
  meetingBoth: number
  shareTarget1: number | null
  shareTarget2: number | null
  shareBoth: number | null
  /** Summed over the agencies' own figures: every document counted once. */
  documents: number
  fullySigned: number
  rate: number | null
  signedProcedures: number
  daysLeft: number
  behind: string[]
  /** Issue 14 (additions). */
  paper: number
  rejectedOrCancelled: number
  open: number
  deadlineSet: boolean
}

export function cityTotals(rows: AgencyRow[], t: Targets, p: Period): CityTotals {
  const n = rows.length
  const share = (k: number): number | null => (n ? k / n : null)
  const sum = (pick: (r: AgencyRow) => number): number => rows.reduce((a, r) => a + pick(r), 0)
  const documents = sum((r) => r.documents)
  const fullySigned = sum((r) => r.fullySigned)
  const m1 = rows.filter((r) => r.meetsTarget1).length
  const m2 = rows.filter((r) => r.meetsTarget2).length
  const mb = rows.filter((r) => r.meetsBoth).length
  return {
    agencies: n,
    meetingTarget1: m1,
    meetingTarget2: m2,
    meetingBoth: mb,
    shareTarget1: share(m1),
    shareTarget2: share(m2),
    shareBoth: share(mb),
    documents,
    fullySigned,
    rate: documents ? fullySigned / documents : null,
    signedProcedures: sum((r) => r.signedProcedures.length),
    daysLeft: daysUntil(t.deadline, p.asOf),
    behind: rows.filter((r) => !r.meetsBoth).map((r) => r.code),
    paper: sum((r) => r.paper),
    rejectedOrCancelled: sum((r) => r.rejectedOrCancelled),
    open: sum((r) => r.open),
    deadlineSet: t.deadlineSet,
  }
}
