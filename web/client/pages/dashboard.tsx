import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api, qs } from '../api.js'
import { Async, DateInput, INVALID_DATE, Link, PageHead, Progress, useLoad } from '../components.js'
import { TrendChart, type Point } from '../chart.js'
import { formatDate, percent } from '../format.js'
import { L, lang } from '../i18n.js'
import { navigate, query } from '../router.js'
import {
  DeadlineTile,
  STATUS_KEYS,
  Tile,
  WithTotal,
  deadlineText,
  rateText,
  statusText,
  type AgencyRow,
  type Targets,
} from './coverage-parts.js'

interface City {
  agencies: number
  meetingTarget1: number
  meetingTarget2: number
  meetingBoth: number
  documents: number
  fullySigned: number
  rate: number | null
  signedProcedures: number
  daysLeft: number
  behind: string[]
  open: number
}
interface Report {
  period: { from: string; to: string; asOf: string }
  targets: Targets
  city: City
  agencies: AgencyRow[]
  trend?: (Point & { agenciesWithSignedProcedures: number })[]
}

/** Lower case without Vietnamese marks: "tu phap" finds "Tư pháp". */
const fold = (t: string): string =>
  t.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().trim()

type SortKey = 'name' | 'rate' | 'procedures' | 'documents' | 'status'
const STATUS_ORDER: Record<string, number> = { behind: 0, at_risk: 1, on_track: 2, met: 3 }

/** The city dashboard: tiles, the sortable, filterable agency table, the monthly trend, CSV. */
export function DashboardPage(): JSX.Element {
  const q = query()
  const [from, setFrom] = useState(q.get('from') ?? '')
  const [to, setTo] = useState(q.get('to') ?? '')
  const [applied, setApplied] = useState({ from: q.get('from') ?? '', to: q.get('to') ?? '' })
  const [filter, setFilter] = useState('')
  const [status, setStatus] = useState('')
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'status', desc: false })
  const state = useLoad(
    () => api.get<Report>(`/api/reports/coverage${qs({ from: applied.from, to: applied.to, trend: 1 })}`),
    [applied.from, applied.to],
  )
  const [periodError, setPeriodError] = useState<string | undefined>()
  const apply = (e: Event): void => {
    e.preventDefault()
    if (from === INVALID_DATE || to === INVALID_DATE)
      return setPeriodError(L('Nhập ngày theo dạng dd/mm/yyyy.', 'Type dates as dd/mm/yyyy.'))
    if (from && to && to < from)
      return setPeriodError(L('"Đến" phải sau "Từ".', '"To" must not be before "From".'))
    setPeriodError(undefined)
    setApplied({ from, to })
    navigate(`/dashboard${qs({ from, to })}`, true)
  }
  return (
    <section>
      <PageHead
        title={L('Tiến độ ký số của các cơ quan', "Agencies' progress in digital signing")}
        sub={L(
          'Mục tiêu 1: 100% cơ quan ký số văn bản nội bộ. Mục tiêu 2: mỗi cơ quan có ít nhất 2 thủ tục hành chính có kết quả được ký số.',
          'Target 1: 100% of agencies sign internal documents. Target 2: at least 2 public procedures per agency with signed results.',
        )}
      >
        <form class="period" onSubmit={apply}>
          <label>
            {L('Từ', 'From')}{' '}
            <DateInput
              value={from}
              onChange={(v) => setFrom(v ?? INVALID_DATE)}
              aria-label={L('Từ ngày', 'From')}
            />
          </label>
          <label>
            {L('Đến', 'To')}{' '}
            <DateInput
              value={to}
              onChange={(v) => setTo(v ?? INVALID_DATE)}
              aria-label={L('Đến ngày', 'To')}
            />
          </label>
          <button type="submit">{L('Xem', 'Show')}</button>
          {periodError && (
            <small class="field-error" role="alert" data-testid="period-error">
              {periodError}
            </small>
          )}
        </form>
      </PageHead>
      <Async state={state}>
        {(r) => {
          const t = r.targets
          const needle = fold(filter)
          const rows = r.agencies
            .filter((a) => !needle || fold(a.name).includes(needle) || fold(a.code).includes(needle))
            .filter((a) => !status || a.status === status)
            .sort((a, b) => {
              const v =
                sort.key === 'name'
                  ? a.name.localeCompare(b.name, 'vi')
                  : sort.key === 'rate'
                    ? (a.rate ?? -1) - (b.rate ?? -1)
                    : sort.key === 'procedures'
                      ? a.signedProcedures.length - b.signedProcedures.length
                      : sort.key === 'documents'
                        ? a.documents - b.documents
                        : (STATUS_ORDER[a.status] ?? 0) - (STATUS_ORDER[b.status] ?? 0)
              return sort.desc ? -v : v
            })
          const head = (key: SortKey, label: string): JSX.Element => (
            <th aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
              <button
                type="button"
                class="sort"
                onClick={() =>
                  setSort({ key, desc: sort.key === key ? !sort.desc : key !== 'name' && key !== 'status' })
                }
              >
                {label}
                {sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}
              </button>
            </th>
          )
          return (
            <>
              <p class="muted small" data-testid="period-line">
                {L('Kỳ báo cáo', 'Period')}: {formatDate(r.period.from)} – {formatDate(r.period.to)} ·{' '}
                {L('Hạn hoàn thành', 'Deadline')} {deadlineText(t)}
                {' · '}
                {L('Đang xử lý', 'Open')}: {r.city.open}
              </p>
              <div class="tiles" data-testid="tiles">
                <Tile
                  testid="tile-target1"
                  label={L('Đạt mục tiêu 1 (ký số nội bộ)', 'Meet target 1 (internal signing)')}
                  value={`${r.city.meetingTarget1}/${r.city.agencies}`}
                  sub={L('cơ quan', 'agencies')}
                  tone={r.city.meetingTarget1 === r.city.agencies ? 'ok' : ''}
                />
                <Tile
                  testid="tile-target2"
                  label={L('Đạt mục tiêu 2 (≥ 2 TTHC ký số)', 'Meet target 2 (≥ 2 signed procedures)')}
                  value={`${r.city.meetingTarget2}/${r.city.agencies}`}
                  sub={L('cơ quan', 'agencies')}
                  tone={r.city.meetingTarget2 === r.city.agencies ? 'ok' : ''}
                />
                <Tile
                  testid="tile-both"
                  label={L('Đạt cả hai mục tiêu', 'Meet both')}
                  value={`${r.city.meetingBoth}/${r.city.agencies}`}
                  sub={percent(r.city.agencies ? r.city.meetingBoth / r.city.agencies : null, 0)}
                />
                <Tile
                  testid="tile-rate"
                  label={L('Văn bản ký số đầy đủ', 'Documents fully signed')}
                  value={percent(r.city.rate)}
                  sub={`${r.city.fullySigned}/${r.city.documents} ${L('văn bản', 'documents')}`}
                />
                <DeadlineTile t={t} daysLeft={r.city.daysLeft} />
              </div>
              {r.trend && r.trend.length > 0 && (
                <div class="card">
                  <h2>{L('Diễn biến theo tháng', 'Monthly trend')}</h2>
                  <TrendChart
                    points={r.trend}
                    target={t.internalRate}
                    title={L(
                      'Văn bản phát hành và tỷ lệ ký số theo tháng',
                      'Documents issued and signing rate by month',
                    )}
                  />
                </div>
              )}
              <div class="card table-card">
                <div class="table-tools">
                  <h2>{L('Các cơ quan', 'Agencies')}</h2>
                  <input
                    type="search"
                    aria-label={L('Lọc theo tên cơ quan', 'Filter by agency name')}
                    placeholder={L('Lọc theo tên…', 'Filter by name…')}
                    value={filter}
                    onInput={(e) => setFilter(e.currentTarget.value)}
                  />
                  <select
                    aria-label={L('Lọc theo trạng thái', 'Filter by status')}
                    value={status}
                    onChange={(e) => setStatus(e.currentTarget.value)}
                  >
                    <option value="">{L('Mọi trạng thái', 'Any status')}</option>
                    {STATUS_KEYS.map((s) => (
                      <option key={s} value={s}>
                        {statusText(s)}
                      </option>
                    ))}
                  </select>
                  <select
                    class="narrow-only"
                    aria-label={L('Sắp xếp', 'Sort by')}
                    value={`${sort.key}:${sort.desc ? 'desc' : 'asc'}`}
                    onChange={(e) => {
                      const [key, dir] = e.currentTarget.value.split(':')
                      setSort({ key: key as SortKey, desc: dir === 'desc' })
                    }}
                  >
                    <option value="status:asc">
                      {L('Trạng thái (chậm trước)', 'Status (behind first)')}
                    </option>
                    <option value="name:asc">{L('Tên cơ quan', 'Agency name')}</option>
                    <option value="rate:asc">
                      {L('Tỷ lệ ký số (thấp trước)', 'Signing rate (lowest first)')}
                    </option>
                    <option value="rate:desc">
                      {L('Tỷ lệ ký số (cao trước)', 'Signing rate (highest first)')}
                    </option>
                    <option value="procedures:asc">
                      {L('TTHC ký số (ít trước)', 'Signed procedures (fewest first)')}
                    </option>
                    <option value="documents:desc">
                      {L('Văn bản (nhiều trước)', 'Documents (most first)')}
                    </option>
                  </select>
                  <a
                    class="button"
                    href={`/api/reports/coverage${qs({ from: applied.from, to: applied.to, format: 'csv', lang: lang() === 'en' ? 'en' : undefined })}`}
                    download
                  >
                    {L('Tải CSV', 'Download CSV')}
                  </a>
                </div>
                <table class="table coverage" data-testid="coverage-table">
                  <thead>
                    <tr>
                      {head('name', L('Cơ quan', 'Agency'))}
                      {head('documents', L('Văn bản', 'Documents'))}
                      {head('rate', L('Ký số nội bộ', 'Internal signing'))}
                      {head('procedures', L('TTHC ký số', 'Signed procedures'))}
                      {head('status', L('Trạng thái', 'Status'))}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((a) => (
                      <tr key={a.code} data-agency={a.code} data-status={a.status}>
                        <td data-label={L('Cơ quan', 'Agency')}>
                          <Link
                            href={`/dashboard/${encodeURIComponent(a.code)}${qs({ from: applied.from, to: applied.to })}`}
                            class="strong-link"
                          >
                            {a.name}
                          </Link>
                          <small class="muted"> {a.code}</small>
                        </td>
                        <td data-label={L('Văn bản', 'Documents')} class="num">
                          <span data-testid="documents">
                            {a.documents}
                            {a.paper > 0 && (
                              <small class="muted">
                                {' '}
                                ({a.paper} {L('giấy', 'paper')})
                              </small>
                            )}
                          </span>
                          {a.total.agencies > 1 && (
                            <small class="sub-figure" data-testid="documents-total">
                              {L('cả đơn vị trực thuộc', 'with units below')}: {a.total.documents}
                            </small>
                          )}
                          {a.open > 0 && (
                            <small class="sub-figure">
                              {L('đang xử lý', 'open')}: {a.open}
                            </small>
                          )}
                        </td>
                        <td data-label={L('Ký số nội bộ', 'Internal signing')}>
                          <div class="bar-cell">
                            <Progress
                              value={a.judgedOn === 'own' ? a.rate : a.total.rate}
                              target={t.internalRate}
                              label={`${a.name}: ${percent(a.rate)}`}
                            />
                            <span class="num">
                              <WithTotal
                                testid="rate"
                                own={rateText(a.rate, a.fullySigned, a.documents)}
                                total={rateText(a.total.rate, a.total.fullySigned, a.total.documents)}
                                agencies={a.total.agencies}
                              />
                            </span>
                          </div>
                        </td>
                        <td data-label={L('TTHC ký số', 'Signed procedures')}>
                          <div class="bar-cell">
                            <Progress
                              value={t.procedures ? a.signedProcedures.length / t.procedures : 1}
                              target={1}
                              label={`${a.name}: ${a.signedProcedures.length}/${t.procedures}`}
                            />
                            <span class="num" data-testid="procedures">
                              {a.signedProcedures.length}/{t.procedures}
                            </span>
                          </div>
                        </td>
                        <td data-label={L('Trạng thái', 'Status')}>
                          <span class={`badge cov-${a.status}`}>{statusText(a.status)}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {rows.length === 0 && (
                  <p class="muted">
                    {L('Không có cơ quan nào khớp bộ lọc.', 'No agency matches the filter.')}
                  </p>
                )}
              </div>
            </>
          )
        }}
      </Async>
    </section>
  )
}
