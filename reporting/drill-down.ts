import type { Knex } from 'knex'
import {
  notFullySignedOf,
  openDocumentsOf,
  procedureNames,
  procedureResultsOf,
  stoppedOf,
  type NotFullySigned,
  type OpenDocument,
  type ProcedureResult,
  type StoppedDocument,
} from '../storage/coverage-evidence'
import { paperEntriesOf, type PaperRow } from '../storage/paper-documents'
import { agenciesByCode } from '../storage/coverage-queries'
import { agencyAndDescendants } from '../storage/document-access'
import type { Actor } from '../shared/actor'
import { WorkflowError } from '../shared/errors'
import { coverageFacts } from './facts'
import { daysBetween, monthsOf, periodOf, type Period } from '../shared/period'
import type { SeriesPoint } from './csv'
import type { AgencyRow } from './policy'
import { periodJson, rowsFor, visibleAgencies } from './rows'
import { targetsFor, type Targets } from './targets'

/** A procedure with a result in the period: signed when a result carries the agency's PASSED seal. */
export interface ProcedureCoverage {
  code: string
  /** Undefined (left out) for a code no longer in the catalogue. */
  name: string | undefined
  signed: boolean
  results: (Pick<ProcedureResult, 'id' | 'title' | 'issuedAt' | 'sealPassed'> & { link: string })[]
  paperResults: Pick<PaperRow, 'id' | 'number' | 'date' | 'title'>[]
}

/** `GET /api/reports/coverage/:agencyCode`: the agency's row, its units, every document behind the rate. */
export interface CoverageDrillDown {
  period: ReturnType<typeof periodJson>
  targets: Targets
  /** Undefined only if the agency's row could not be computed. */
  agency: AgencyRow | undefined
  units: AgencyRow[]
  series: SeriesPoint[]
  /** fullySigned + notFullySigned + paper = documents. */
  rateExplained: {
    documents: number | undefined
    fullySigned: number | undefined
    notFullySigned: number
    paper: number
  }
  notFullySigned: (NotFullySigned & { link: string; verification: string })[]
  paper: (PaperRow & { reason: 'PAPER' })[]
  open: (OpenDocument & { ageDays: number; link: string })[]
  /** snake_case `finished_at`, as the API always answered; the instant as the driver reads it. */
  rejectedOrCancelled: (Pick<StoppedDocument, 'id' | 'title' | 'status'> & {
    finished_at: StoppedDocument['finishedAt']
  })[]
  procedures: ProcedureCoverage[]
}

/**
 * GET /api/reports/coverage/:agencyCode: the agency's row (own and subtree figures), the agencies
 * directly below it, the monthly series, and every document behind the rate (issue 14): issued
 * but not fully signed (with the step, verdict or failed foreign signature behind each), paper
 * entries (each lowers the rate), open and returned documents with their age, rejected or
 * cancelled ones, and the procedures with their signed (and paper) results.
 */
export async function coverageDrillDown(
  db: Knex,
  actor: Actor,
  agencyCode: string,
  q: Record<string, unknown>,
): Promise<CoverageDrillDown> {
  const period = periodOf(q)
  const targets = await targetsFor(db, period, q)
  const visible = await visibleAgencies(db, actor)
  const all = await agenciesByCode(db)
  const agency = all.find((a) => a.code === agencyCode)
  if (!agency || (visible !== 'all' && !visible.has(agency.id)))
    throw new WorkflowError('NOT_FOUND', `no agency '${agencyCode}' you may see`)
  const under = await agencyAndDescendants(db, agency.id)
  const tree = all.filter((a) => under.has(a.id))
  const units = tree.filter((a) => a.parentId === agency.id)
  const [row, ...unitRows] = await rowsFor(db, {
    period,
    targets,
    all,
    tree,
    rows: [agency, ...units],
    scope: [...under],
  })
  const [notFully, paper, open, stopped, results] = await Promise.all([
    notFullySignedOf(db, agency.id, period.start, period.end),
    paperEntriesOf(db, agency.id, period.from, period.to),
    openDocumentsOf(db, agency.id, period.end),
    stoppedOf(db, agency.id, period.start, period.end),
    procedureResultsOf(db, agency.id, period.start, period.end),
  ])
  const ageAt = new Date(Math.min(period.asOf.getTime(), Date.parse(period.end)))
  const internalPaper = paper.filter((p) => p.kind === 'internal')
  return {
    period: periodJson(period),
    targets,
    agency: row,
    units: unitRows,
    series: await monthlySeries(db, period, agency.id),
    // fullySigned + notFullySigned + paper = documents: every document of the rate, once.
    rateExplained: {
      documents: row?.documents,
      fullySigned: row?.fullySigned,
      notFullySigned: notFully.length,
      paper: internalPaper.length,
    },
    notFullySigned: notFully.map((d) => ({
      ...d,
      link: `/api/documents/${d.id}`,
      verification: `/api/documents/${d.id}/verification`,
    })),
    paper: internalPaper.map((p) => ({ ...p, reason: 'PAPER' })),
    open: open.map((d) => ({
      ...d,
      ageDays: daysBetween(d.submittedAt, ageAt),
      link: `/api/documents/${d.id}`,
    })),
    // The API's own key for the instant (snake_case, as it always answered).
    rejectedOrCancelled: stopped.map((d) => ({
      id: d.id,
      title: d.title,
      status: d.status,
      finished_at: d.finishedAt,
    })),
    procedures: await proceduresOf(
      db,
      results,
      paper.filter((p) => p.kind === 'procedure'),
    ),
  }
}

/** Month by month, the agency's own documents, fully signed ones and signed procedures. */
async function monthlySeries(db: Knex, period: Period, agencyId: number): Promise<SeriesPoint[]> {
  const series = []
  for (const m of monthsOf(period)) {
    const mp = periodOf({ from: m.from, to: m.to, asOf: period.asOf.toISOString() })
    const f = (await coverageFacts(db, mp, [agencyId])).get(agencyId)
    const docs = (f?.issued ?? 0) + (f?.paper ?? 0)
    const fullySigned = f?.fullySigned ?? 0
    series.push({
      month: m.month,
      documents: docs,
      fullySigned,
      rate: docs ? fullySigned / docs : null,
      signedProcedures: f?.procedures ?? [],
    })
  }
  return series
}

/** Each procedure with a result in the period: signed when a result carries the agency's PASSED seal. */
async function proceduresOf(
  db: Knex,
  results: ProcedureResult[],
  paper: PaperRow[],
): Promise<ProcedureCoverage[]> {
  const codes = [
    ...new Set([...results.map((r) => r.procedureCode), ...paper.map((p) => p.procedureCode as string)]),
  ]
  const names = await procedureNames(db, codes)
  return codes.map((code) => {
    const mine = results.filter((r) => r.procedureCode === code)
    return {
      code,
      name: names.get(code),
      signed: mine.some((r) => r.sealPassed),
      results: mine.map((r) => ({
        id: r.id,
        title: r.title,
        issuedAt: r.issuedAt,
        sealPassed: r.sealPassed,
        link: `/api/documents/${r.id}`,
      })),
      paperResults: paper
        .filter((p) => p.procedureCode === code)
        .map((p) => ({ id: p.id, number: p.number, date: p.date, title: p.title })),
    }
  })
}
