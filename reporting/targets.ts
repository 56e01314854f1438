import type { Knex } from 'knex'
import { targetsForYear } from '../storage/coverage-targets'
import { WorkflowError } from '../shared/errors'
import type { Period } from '../shared/period'
import { DEFAULT_MIN_DOCUMENTS, DEFAULT_PROCEDURES, DEFAULT_RATE } from '../shared/target-defaults'
import { isCalendarDate } from '../shared/dates'

/**
 * The city's targets for a year (DOMAIN.md): configuration an administrator sets per year
 * (`PUT /api/admin/coverage-targets/:year`), overridable per request by query parameters.
 */
export interface Targets {
  /** Internal signing rate an agency must reach (default 1 = 100%). */
  internalRate: number
  /** Documents an agency must have issued in the period to be judged at all (default 1). */
  minDocuments: number
  /** Distinct public procedures with signed results (default 2). */
  procedures: number
  /** YYYY-MM-DD: the deadline set for the year, or 31 December of that year when none is. */
  deadline: string
  /** The year the targets are read for: the year of the period's last day. */
  year: number
  /** Whether an administrator set this year's targets (or the request gave them). */
  source: 'configured' | 'default'
  /** False when no deadline was set: nothing is then ever "overdue". */
  deadlineSet: boolean
}

/** The targets of a year nobody configured: the city's own figures, the deadline not set. */
export function defaultTargets(year: number): Targets {
  return {
    internalRate: DEFAULT_RATE,
    minDocuments: DEFAULT_MIN_DOCUMENTS,
    procedures: DEFAULT_PROCEDURES,
    deadline: `${year}-12-31`,
    year,
    source: 'default',
    deadlineSet: false,
  }
}

function numberParam(q: Record<string, unknown>, k: string, min: number, max: number): number | undefined {
  const v = q[k]
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < min || n > max)
    throw new WorkflowError('BAD_REQUEST', `${k}: a number from ${min} to ${max}`)
  return n
}

/** Targets from query parameters over the base; a bad value is a 400 naming it. */
export function targetsOf(q: Record<string, unknown>, base: Targets): Targets {
  const deadline = q.deadline
  if (deadline !== undefined && deadline !== '' && !isCalendarDate(deadline)) {
    throw new WorkflowError('BAD_REQUEST', 'deadline: a date YYYY-MM-DD')
  }
  const given = typeof deadline === 'string' && deadline !== ''
  return {
    ...base,
    internalRate: numberParam(q, 'targetRate', 0, 1) ?? base.internalRate,
    minDocuments: numberParam(q, 'minDocuments', 0, 1e9) ?? base.minDocuments,
    procedures: numberParam(q, 'targetProcedures', 0, 1000) ?? base.procedures,
    ...(given && { deadline, deadlineSet: true }),
  }
}

/** The targets a report uses: the year's configuration (or its defaults), then the query's overrides. */
export async function targetsFor(db: Knex, period: Period, q: Record<string, unknown>): Promise<Targets> {
  const year = Number(period.to.slice(0, 4))
  const set = await targetsForYear(db, year)
  const base: Targets = set
    ? {
        internalRate: set.internalRate,
        minDocuments: set.minDocuments,
        procedures: set.procedures,
        deadline: set.deadline,
        year,
        source: 'configured',
        deadlineSet: true,
      }
    : defaultTargets(year)
  return targetsOf(q, base)
}
