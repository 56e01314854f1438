import type { JSX } from 'preact'
import { formatDate, percent } from '../format.js'
import { L } from '../i18n.js'

/** The shapes of GET /api/reports/coverage and its drill-down that the pages read. */
export interface Targets {
  internalRate: number
  minDocuments: number
  procedures: number
  deadline: string
  year: number
  deadlineSet: boolean
  source: 'configured' | 'default'
}
export interface Figures {
  documents: number
  issuedInKyso: number
  paper: number
  fullySigned: number
  rate: number | null
  rejectedOrCancelled: number
  open: number
  signedProcedures: string[]
}
export interface AgencyRow extends Omit<Figures, 'open'> {
  code: string
  name: string
  parent: string | null
  noActivity: boolean
  meetsTarget1: boolean
  meetsTarget2: boolean
  meetsBoth: boolean
  status: string
  daysLeft: number
  overdue: boolean
  open: number
  total: Figures & { agencies: number }
  judgedOn: 'own' | 'total'
  deadlineSet: boolean
}

const STATUS: Record<string, [string, string]> = {
  met: ['Đạt cả hai', 'Both met'],
  on_track: ['Đúng tiến độ', 'On track'],
  at_risk: ['Có nguy cơ chậm', 'At risk'],
  behind: ['Chậm', 'Behind'],
}
export const STATUS_KEYS = Object.keys(STATUS)
export const statusText = (s: string): string => L(...(STATUS[s] ?? [s, s]))

export function Tile(props: {
  label: string
  value: string
  sub?: string
  tone?: string
  testid?: string
}): JSX.Element {
  return (
    <div class={`tile ${props.tone ?? ''}`} data-testid={props.testid}>
      <span class="tile-label">{props.label}</span>
      <strong class="tile-value">{props.value}</strong>
      {props.sub && <span class="tile-sub">{props.sub}</span>}
    </div>
  )
}

/** "31/12/2026", or "chưa đặt (mặc định 31/12/2026)" when no administrator set this year's deadline. */
export function deadlineText(t: Targets): string {
  return t.deadlineSet
    ? formatDate(t.deadline)
    : L(`chưa đặt (mặc định ${formatDate(t.deadline)})`, `not set (default ${formatDate(t.deadline)})`)
}

/** The deadline tile: days left, past, or not set (never counted from an old date). */
export function DeadlineTile(props: { t: Targets; daysLeft: number }): JSX.Element {
  const { t, daysLeft } = props
  if (!t.deadlineSet) {
    return (
      <Tile
        testid="tile-deadline"
        label={L('Hạn hoàn thành', 'Deadline')}
        value={L('Chưa đặt hạn', 'Not set')}
        sub={L(
          `năm ${t.year}: mặc định ${formatDate(t.deadline)}`,
          `${t.year}: default ${formatDate(t.deadline)}`,
        )}
      />
    )
  }
  return (
    <Tile
      testid="tile-deadline"
      label={L('Số ngày đến hạn', 'Days to the deadline')}
      value={daysLeft >= 0 ? String(daysLeft) : L('Quá hạn', 'Past')}
      sub={daysLeft < 0 ? `${-daysLeft} ${L('ngày', 'days')}` : formatDate(t.deadline)}
      tone={daysLeft < 0 ? 'bad' : daysLeft < 30 ? 'warn' : ''}
    />
  )
}

/** Own figure, and under it the subtree's when the agency has units below it. */
export function WithTotal(props: {
  own: string
  total: string
  agencies: number
  testid?: string
}): JSX.Element {
  return (
    <>
      <span data-testid={props.testid}>{props.own}</span>
      {props.agencies > 1 && (
        <small class="sub-figure" data-testid={props.testid && `${props.testid}-total`}>
          {L('cả đơn vị trực thuộc', 'with units below')}: {props.total}
        </small>
      )}
    </>
  )
}

export const rateText = (rate: number | null, fully: number, documents: number): string =>
  rate === null ? L('Chưa có văn bản', 'No documents') : `${percent(rate)} (${fully}/${documents})`
