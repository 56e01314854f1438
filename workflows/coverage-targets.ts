import { appendAudit } from '../storage/audit'
import {
  listYearTargets,
  saveYearTargets,
  targetsForYear,
  type YearTargets,
} from '../storage/coverage-targets'
import { inTransaction } from '../storage/transaction'
import { DEFAULT_MIN_DOCUMENTS, DEFAULT_PROCEDURES, DEFAULT_RATE } from '../shared/target-defaults'
import { vnDate } from '../shared/period'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { isCalendarDate } from '../shared/dates'

/** A year's targets as the administration shows them. */
export type TargetsView = Omit<YearTargets, 'updatedBy'>

/** `GET /api/admin/coverage-targets`: the configured years, and what a year without targets is judged by. */
export interface CoverageTargetsList {
  currentYear: number
  years: TargetsView[]
  defaults: Pick<YearTargets, 'internalRate' | 'minDocuments' | 'procedures'> & { deadline: null }
}

function view(t: YearTargets): TargetsView {
  const { updatedBy: _by, ...rest } = t
  return rest
}

/** GET /api/admin/coverage-targets: the years an administrator configured, and the defaults. */
export async function listCoverageTargets(s: Services, actor: Actor): Promise<CoverageTargetsList> {
  if (!actor.roles.has('admin') && !actor.roles.has('compliance')) {
    throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị và cán bộ kiểm tra xem được chỉ tiêu')
  }
  const currentYear = Number(vnDate(new Date()).slice(0, 4))
  return {
    currentYear,
    years: (await listYearTargets(s.db)).map(view),
    defaults: {
      internalRate: DEFAULT_RATE,
      minDocuments: DEFAULT_MIN_DOCUMENTS,
      procedures: DEFAULT_PROCEDURES,
      deadline: null,
    },
  }
}

function numberIn(
  b: Record<string, unknown>,
  k: string,
  dflt: number,
  min: number,
  max: number,
  integer = false,
): number {
  const v = b[k]
  if (v === undefined || v === null || v === '') return dflt
  const n = typeof v === 'number' ? v : Number(v)
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new WorkflowError(
      'BAD_REQUEST',
      `${k}: ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
    )
  }
  return n
}

/**
 * PUT /api/admin/coverage-targets/:year: the year's targets and deadline (issue 14: configuration,
 * not a constant). The deadline defaults to 31 December of that year.
 */
export async function setCoverageTargets(
  s: Services,
  actor: Actor,
  year: number,
  b: Record<string, unknown>,
): Promise<TargetsView> {
  if (!actor.roles.has('admin')) throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị hệ thống đặt chỉ tiêu')
  if (!Number.isInteger(year) || year < 2000 || year > 2100)
    throw new WorkflowError('BAD_REQUEST', 'year: from 2000 to 2100')
  const deadline =
    b.deadline === undefined || b.deadline === null || b.deadline === '' ? `${year}-12-31` : b.deadline
  if (!isCalendarDate(deadline)) {
    throw new WorkflowError('BAD_REQUEST', 'deadline: a date YYYY-MM-DD')
  }
  const t: YearTargets = {
    year,
    internalRate: numberIn(b, 'internalRate', DEFAULT_RATE, 0, 1),
    minDocuments: numberIn(b, 'minDocuments', DEFAULT_MIN_DOCUMENTS, 0, 1e9, true),
    procedures: numberIn(b, 'procedures', DEFAULT_PROCEDURES, 0, 1000, true),
    deadline,
    updatedBy: actor.id,
    updatedAt: new Date().toISOString(),
  }
  const was = await targetsForYear(s.db, year)
  await inTransaction(s.db, async (trx) => {
    await saveYearTargets(trx, t)
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'coverage-targets.set',
      requestId: actor.requestId ?? null,
      detail: { ...view(t), ...(was && { was: view(was) }) },
    })
  })
  return view(t)
}
