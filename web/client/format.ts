import { lang } from './i18n.js'

/** Dates as Vietnamese civil servants write them (dd/MM/yyyy), always in Vietnam's time zone. */
const TZ = 'Asia/Ho_Chi_Minh'

const dateFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
})
const timeFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

function valid(iso: string | null | undefined): Date | undefined {
  if (!iso) return undefined
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00+07:00` : iso)
  return Number.isNaN(d.getTime()) ? undefined : d
}

export function formatDate(iso: string | null | undefined): string {
  const d = valid(iso)
  return d ? dateFmt.format(d) : '—'
}

export function formatDateTime(iso: string | null | undefined): string {
  const d = valid(iso)
  return d ? `${timeFmt.format(d)} ${dateFmt.format(d)}` : '—'
}

/** Today in Vietnam as YYYY-MM-DD (for date inputs). */
export function todayVn(): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date())
  return parts
}

export function percent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined) return '—'
  const n = (rate * 100).toFixed(digits)
  return `${lang() === 'vi' ? n.replace('.', ',') : n}%`
}

export function fileSize(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
