import type { AgencyFacts } from './facts'
import { daysUntil, type Period } from './period'

/** The city's targets (DOMAIN.md); configuration and query parameters. */
export interface Targets {
  /** Internal signing rate an agency must reach (default 1 = 100%). */
  internalRate: number
  /** Documents an agency must have issued in the period to be judged at all (default 1). */
  minDocuments: number
  /** Distinct public procedures with signed results (default 2). */
  procedures: number
  /** YYYY-MM-DD (default 2024-12-31). */
  deadline: string
}

export const DEFAULT_TARGETS: Targets = { internalRate: 1, minDocuments: 1, procedures: 2, deadline: '2024-12-31' }

export type Status = 'met' | 'on_track' | 'at_risk' | 'behind'

export interface AgencyRow {
  code: string
  name: string
  parent: string | null
  /** All internal documents issued in the period: through Kyso plus on paper. */
  documents: number
  issuedInKyso: number
  paper: number
  fullySigned: number
  /** fullySigned / documents, or null when there are none ("no activity", never 100%). */
  rate: number | null
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
}

const EMPTY: Omit<AgencyFacts, 'agencyId'> = { issued: 0, fullySigned: 0, paper: 0, stopped: 0, procedures: [] }

/**
 * One agency's row. Status: `met` when both targets are met; otherwise `behind` once the deadline
 * has passed or with no activity at all; `on_track` when the recent trend (the last 90 days of the
 * period) reaches target 1 and target 2 is at most one procedure away; `at_risk` otherwise.
 */
export function agencyRow(
  agency: { code: string; name: string; parent: string | null },
  facts: Omit<AgencyFacts, 'agencyId'> | undefined,
  recent: Omit<AgencyFacts, 'agencyId'> | undefined,
  t: Targets,
  p: Period,
): AgencyRow {
  const f = facts ?? EMPTY
  const documents = f.issued + f.paper
  const rate = documents > 0 ? f.fullySigned / documents : null
  const signsInternally = rate !== null && documents >= t.minDocuments && rate >= t.internalRate
  const meetsTarget2 = f.procedures.length >= t.procedures
  const meetsBoth = signsInternally && meetsTarget2
  const daysLeft = daysUntil(t.deadline, p.asOf)
  const overdue = daysLeft < 0 && !meetsBoth
  const noActivity = documents === 0 && f.procedures.length === 0
  let status: Status
  if (meetsBoth) status = 'met'
  else if (overdue || noActivity) status = 'behind'
  else {
    const r = recent ?? EMPTY
    const recentDocs = r.issued + r.paper
    const trend1 = signsInternally || (recentDocs > 0 && r.fullySigned / recentDocs >= t.internalRate)
    const trend2 = meetsTarget2 || f.procedures.length >= t.procedures - 1
    status = trend1 && trend2 ? 'on_track' : 'at_risk'
  }
  return {
    code: agency.code, name: agency.name, parent: agency.parent,
    documents, issuedInKyso: f.issued, paper: f.paper, fullySigned: f.fullySigned, rate, noActivity, signsInternally,
    rejectedOrCancelled: f.stopped, signedProcedures: f.procedures, meetsTarget1: signsInternally, meetsTarget2, meetsBoth,
    status, daysLeft, overdue,
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
  documents: number
  fullySigned: number
  rate: number | null
  signedProcedures: number
  daysLeft: number
  behind: string[]
}

export function cityTotals(rows: AgencyRow[], t: Targets, p: Period): CityTotals {
  const n = rows.length
  const share = (k: number): number | null => (n ? k / n : null)
  const documents = rows.reduce((a, r) => a + r.documents, 0)
  const fullySigned = rows.reduce((a, r) => a + r.fullySigned, 0)
  const m1 = rows.filter((r) => r.meetsTarget1).length
  const m2 = rows.filter((r) => r.meetsTarget2).length
  const mb = rows.filter((r) => r.meetsBoth).length
  return {
    agencies: n, meetingTarget1: m1, meetingTarget2: m2, meetingBoth: mb, shareTarget1: share(m1), shareTarget2: share(m2), shareBoth: share(mb),
    documents, fullySigned, rate: documents ? fullySigned / documents : null,
    signedProcedures: rows.reduce((a, r) => a + r.signedProcedures.length, 0),
    daysLeft: daysUntil(t.deadline, p.asOf),
    behind: rows.filter((r) => !r.meetsBoth).map((r) => r.code),
  }
}
