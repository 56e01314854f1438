/**
 * UTCTime and GeneralizedTime (X.680 §46-47) as the profiles we read use them: in UTC ("Z") with
 * seconds (RFC 5280 §4.1.2.5, §5.1.2.4; RFC 5652 §11.3 for signing-time; RFC 6960 and RFC 3161
 * use GeneralizedTime, RFC 3161 §2.4.2 with a fraction of a second). Every field is range-checked:
 * month 13 or 30 February is refused, never rolled over into another date.
 */
import { Asn1Error } from './asn1-error'
import type { DerNode } from './der-read'

/** YYMMDDHHMMSSZ; RFC 5280 §4.1.2.5.1: YY below 50 is 20YY, otherwise 19YY. */
const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/
/** YYYYMMDDHHMMSS[.fff]Z. */
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/

/** A UTCTime or GeneralizedTime node as a Date (a fraction is cut to milliseconds). */
export function timeOf(node: DerNode | undefined): Date {
  if (node?.tagClass !== 'universal' || (node.tag !== 0x17 && node.tag !== 0x18) || node.constructed) {
    throw new Asn1Error('expected a UTCTime or GeneralizedTime')
  }
  const text = node.content.toString('latin1')
  const utc = node.tag === 0x17
  const match = (utc ? UTC_TIME : GENERALIZED_TIME).exec(text)
  if (!match) throw new Asn1Error(`unsupported time value ${JSON.stringify(text.slice(0, 40))}`)
  type Fields = [number, number, number, number, number, number]
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as Fields
  const fullYear = utc ? year + (year < 50 ? 2000 : 1900) : year
  const inRange = month >= 1 && month <= 12 && day >= 1 && day <= daysIn(fullYear, month)
  if (!inRange || hour > 23 || minute > 59 || second > 59) {
    throw new Asn1Error(`time value out of range ${JSON.stringify(text.slice(0, 40))}`)
  }
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3))
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(0)
  date.setUTCFullYear(fullYear, month - 1, day)
  date.setUTCHours(hour, minute, second, millis)
  return date
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}
