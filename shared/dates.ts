/**
 * The one reader of dates and times that come from outside (request bodies, query strings, CSV
 * files, the command line): every other module asks here. `Date.parse` alone is not enough: it
 * rolls 30 February into 2 March and hour 24 into the next day, and reads a time without a zone
 * in the machine's own zone.
 */

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/

function dayExists(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate()
}

/**
 * Whether `v` is a calendar date `YYYY-MM-DD` that exists.
 *
 * @example
 * isCalendarDate('2026-02-28') // true
 * isCalendarDate('2026-02-29') // false: 2026 is not a leap year
 */
export function isCalendarDate(v: unknown): v is string {
  const m = typeof v === 'string' ? CALENDAR_DATE.exec(v) : null
  return !!m && dayExists(Number(m[1]), Number(m[2]), Number(m[3]))
}

/**
 * An instant written in ISO 8601: a calendar date (midnight UTC), or a date and a time with its
 * zone (`Z` or `+07:00`); seconds and fractions optional. Undefined for anything else, including a
 * time without a zone (whose meaning would depend on the machine) and values that do not exist.
 *
 * @example
 * parseInstant('2029-12-06T10:00:00+07:00')?.toISOString() // '2029-12-06T03:00:00.000Z'
 * parseInstant('2029-12-06T10:00') // undefined: no zone
 */
export function parseInstant(v: unknown): Date | undefined {
  const m = typeof v === 'string' ? INSTANT.exec(v) : null
  if (!m || !dayExists(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59))
    return undefined
  if (m[4] === undefined && m[7] === undefined) return new Date(`${v}T00:00:00Z`)
  const zone = m[7] as string
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(4, 6)) > 59)) return undefined
  const t = Date.parse(v as string)
  return Number.isNaN(t) ? undefined : new Date(t)
}
