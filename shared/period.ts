import { isCalendarDate as isDate, parseInstant } from './dates'
import { WorkflowError } from './errors'

// Dates in Vietnam time: report periods (reporting/), register and copy dates (workflows/), demo history
// (storage/) all count days the same way, so this lives below them all.

/** Vietnam is UTC+7 all year (no daylight saving). */
const VN_MS = 7 * 3600_000
const DAY_MS = 86_400_000

export interface Period {
  /** Inclusive calendar dates in Vietnam, YYYY-MM-DD. */
  from: string
  to: string
  /** The same as UTC instants: [start, end) as ISO strings, for timestamp comparisons. */
  start: string
  end: string
  asOf: Date
}

/** The Vietnam calendar date of an instant. */
export function vnDate(d: Date): string {
  return new Date(d.getTime() + VN_MS).toISOString().slice(0, 10)
}

/** Midnight at the start of a Vietnam calendar date, as a UTC instant. */
export function vnMidnight(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) - VN_MS)
}

/**
 * The report's period: `from`/`to` are inclusive dates in Vietnam's time zone; without them it
 * runs from 1 January of `asOf`'s year to `asOf` (default now).
 */
export function periodOf(q: { from?: unknown; to?: unknown; asOf?: unknown }, now = new Date()): Period {
  const str = (k: string, v: unknown): string | undefined => {
    if (v === undefined || v === '') return undefined
    if (typeof v !== 'string') throw new WorkflowError('BAD_REQUEST', `${k}: a date YYYY-MM-DD`)
    return v
  }
  const asOfRaw = str('asOf', q.asOf)
  const asOf = asOfRaw
    ? isDate(asOfRaw)
      ? new Date(vnMidnight(asOfRaw).getTime() + DAY_MS - 1)
      : (parseInstant(asOfRaw) ?? new Date(Number.NaN))
    : now
  if (Number.isNaN(asOf.getTime()))
    throw new WorkflowError('BAD_REQUEST', 'asOf: a date YYYY-MM-DD or an ISO 8601 instant')
  const from = str('from', q.from) ?? `${vnDate(asOf).slice(0, 4)}-01-01`
  const to = str('to', q.to) ?? vnDate(asOf)
  if (!isDate(from)) throw new WorkflowError('BAD_REQUEST', 'from: a date YYYY-MM-DD')
  if (!isDate(to)) throw new WorkflowError('BAD_REQUEST', 'to: a date YYYY-MM-DD')
  if (to < from) throw new WorkflowError('BAD_REQUEST', 'to: not before from')
  return {
    from,
    to,
    start: vnMidnight(from).toISOString(),
    end: new Date(vnMidnight(to).getTime() + DAY_MS).toISOString(),
    asOf,
  }
}

/** Whole days from asOf's Vietnam date to the deadline date (negative once past). */
export function daysUntil(deadline: string, asOf: Date): number {
  return Math.round((Date.parse(`${deadline}T00:00:00Z`) - Date.parse(`${vnDate(asOf)}T00:00:00Z`)) / DAY_MS)
}

/** The same length of period ending at `to`, shifted back: for the recent-trend window. */
export function recentWindow(p: Period, days: number): Period {
  const toMs = Date.parse(`${p.to}T00:00:00Z`)
  const fromDate = new Date(Math.max(Date.parse(`${p.from}T00:00:00Z`), toMs - (days - 1) * DAY_MS))
    .toISOString()
    .slice(0, 10)
  return { ...p, from: fromDate, start: vnMidnight(fromDate).toISOString() }
}

/** Calendar months (YYYY-MM) of a period, each as its own [from, to] within the period. */
export function monthsOf(p: Period): { month: string; from: string; to: string }[] {
  const out: { month: string; from: string; to: string }[] = []
  for (let cur = p.from.slice(0, 7); cur <= p.to.slice(0, 7); ) {
    const [y, m] = cur.split('-').map(Number) as [number, number]
    const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
    const from = cur === p.from.slice(0, 7) ? p.from : `${cur}-01`
    // biome-ignore lint/complexity/useMathMinMax: ISO dates compared as strings, not numbers
    out.push({ month: cur, from, to: last < p.to ? last : p.to })
    cur = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
    if (out.length > 240) break
  }
  return out
}

/** Whole days from one instant to another (never negative). */
export function daysBetween(from: string | Date, to: string | Date): number {
  return Math.max(0, Math.floor((new Date(to).getTime() - new Date(from).getTime()) / DAY_MS))
}
