import { SigningError } from '../errors'

/** Vietnam has kept UTC+7 all year since 1975: a fixed offset is exact, no tz database needed. */
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/**
 * The signing time as Decree 30/2020 Appendix I asks for it: date and time to the second in
 * Vietnam's time zone, written in ISO 8601 with the offset.
 *
 * @example
 * formatSigningTime(new Date('2024-07-25T02:15:30Z')) // '2024-07-25T09:15:30+07:00'
 */
export function formatSigningTime(d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new SigningError('BAD_OPTION', 'signingTime is not a valid date')
  }
  const local = new Date(d.getTime() + VIETNAM_OFFSET_MS)
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  return `${date}T${time}+07:00`
}
