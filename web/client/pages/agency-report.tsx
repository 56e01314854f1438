import type { JSX } from 'preact'
import { api, qs } from '../api.js'
import { Async, Link, PageHead, useLoad } from '../components.js'
import { TrendChart, type Point } from '../chart.js'
import { formatDate, percent } from '../format.js'
import { actionLabel, L, lang, statusLabel } from '../i18n.js'
import { whyText } from '../verdicts.js'
import { query } from '../router.js'
import { DeadlineTile, Tile, rateText, statusText, type AgencyRow, type Targets } from './coverage-parts.js'

interface Reason {
  kind: string
  step: number | null
  action: string | null
  indication: string
  subIndication: string | null
  signer?: string | null
}
interface DrillDown {
  period: { from: string; to: string }
  targets: Targets
  agency: AgencyRow
  units: AgencyRow[]
  series: (Point & { signedProcedures: string[] })[]
  rateExplained: { documents: number; fullySigned: number; notFullySigned: number; paper: number }
  notFullySigned: { id: number; title: string; issuedAt: string; reasons: Reason[] }[]
  paper: { id: number; number: string; date: string; title: string; signer: string }[]
  open: { id: number; title: string; status: string; submittedAt: string; ageDays: number }[]
  rejectedOrCancelled: { id: number; title: string; status: string; finished_at: string }[]
  procedures: {
    code: string
    name: string
    signed: boolean
    results: { id: number; title: string; issuedAt: string }[]
    paperResults: { id: number; number: string; date: string }[]
  }[]
}

const INDICATION: Record<string, [string, string]> = {
  FAILED: ['không hợp lệ', 'invalid'],
  INDETERMINATE: ['chưa xác định', 'indeterminate'],
  NOT_VALIDATED: ['chưa kiểm tra', 'not validated yet'],
  NOT_SIGNED: ['không có chữ ký', 'not signed'],
}

/** Why one issued document is not fully signed, in a line. */
function reasonText(r: Reason): string {
  const verdict = L(...(INDICATION[r.indication] ?? [r.indication, r.indication]))
  const why = r.subIndication ? ` – ${whyText(r.subIndication) ?? ''}` : ''
  if (r.kind === 'foreign-signature')
    return `${L('Chữ ký có sẵn trong tệp tải lên', 'A signature that came with the upload')} (${r.signer ?? '?'}): ${verdict}${why}`
  if (r.kind === 'no-chain')
    return L('Không có chuỗi ký trong Kyso (dữ liệu nhập)', 'No chain recorded in Kyso (imported)')
  return `${L('Bước', 'Step')} ${r.step ?? '?'} (${actionLabel(r.action ?? '')}): ${verdict}${why}`
}

function List<T>(props: {
  title: string
  items: T[]
  testid: string
  empty?: string
  children: (x: T) => JSX.Element
}): JSX.Element {
  return (
    <div class="card" data-testid={props.testid}>
      <h2>
        {props.title} <small class="muted">({props.items.length})</small>
      </h2>
      {props.items.length === 0 ? (
        <p class="muted">{props.empty ?? L('Không có.', 'None.')}</p>
      ) : (
        <ul class="evidence">{props.items.map(props.children)}</ul>
      )}
    </div>
  )
}

/** One agency: own and subtree figures, its units, the monthly series, and every document behind the rate. */
export function AgencyPage(props: { code: string }): JSX.Element {
  const q = query()
  const params = { from: q.get('from') ?? undefined, to: q.get('to') ?? undefined }
  const state = useLoad(
    () => api.get<DrillDown>(`/api/reports/coverage/${encodeURIComponent(props.code)}${qs(params)}`),
    [props.code],
  )
  return (
    <Async state={state}>
      {(d) => {
        const a = d.agency
        const csv = `/api/reports/coverage/${encodeURIComponent(props.code)}${qs({ ...params, format: 'csv', lang: lang() === 'en' ? 'en' : undefined })}`
        return (
          <section data-testid="agency-report">
            <PageHead
              title={a.name}
              sub={
                <>
                  <Link href={`/dashboard${qs(params)}`}>{L('← Tất cả cơ quan', '← All agencies')}</Link> ·{' '}
                  <span class={`badge cov-${a.status}`}>{statusText(a.status)}</span>
                  {a.judgedOn === 'total' && (
                    <span class="muted small">
                      {' '}
                      {L('(đánh giá theo các đơn vị trực thuộc)', '(judged on its units)')}
                    </span>
                  )}
                </>
              }
            >
              <a class="button" href={csv} download>
                {L('Tải CSV', 'Download CSV')}
              </a>
            </PageHead>
            <div class="tiles">
              <Tile
                label={L('Văn bản nội bộ đã phát hành', 'Internal documents issued')}
                value={String(a.documents)}
                sub={`${a.issuedInKyso} Kyso · ${a.paper} ${L('giấy', 'paper')}`}
              />
              <Tile
                testid="tile-agency-rate"
                label={L('Ký số đầy đủ', 'Fully signed')}
                value={percent(a.rate)}
                sub={`${a.fullySigned}/${a.documents}`}
                tone={a.meetsTarget1 ? 'ok' : ''}
              />
              {a.total.agencies > 1 && (
                <Tile
                  testid="tile-total"
                  label={L('Cả đơn vị trực thuộc', 'With units below')}
                  value={rateText(a.total.rate, a.total.fullySigned, a.total.documents)}
                  sub={`${a.total.agencies} ${L('cơ quan', 'agencies')}`}
                />
              )}
              <Tile
                label={L('TTHC có kết quả ký số', 'Procedures with signed results')}
                value={`${a.signedProcedures.length}/${d.targets.procedures}`}
                tone={a.meetsTarget2 ? 'ok' : ''}
              />
              <Tile
                label={L('Đang xử lý · Bị từ chối/hủy', 'Open · Rejected/cancelled')}
                value={`${a.open} · ${a.rejectedOrCancelled}`}
              />
              <DeadlineTile t={d.targets} daysLeft={a.daysLeft} />
            </div>
            <p class="muted small" data-testid="rate-explained">
              {L('Tỷ lệ', 'Rate')}: {d.rateExplained.fullySigned} {L('ký số đầy đủ', 'fully signed')} /{' '}
              {d.rateExplained.documents} {L('văn bản', 'documents')}
              {' = '}
              {d.rateExplained.fullySigned} + {d.rateExplained.notFullySigned}{' '}
              {L('chưa đầy đủ', 'not fully signed')} + {d.rateExplained.paper} {L('văn bản giấy', 'on paper')}
            </p>
            {d.units.length > 0 && (
              <div class="card table-card">
                <h2>{L('Đơn vị trực thuộc', 'Units below')}</h2>
                <table class="table" data-testid="units">
                  <thead>
                    <tr>
                      <th>{L('Cơ quan', 'Agency')}</th>
                      <th>{L('Văn bản', 'Documents')}</th>
                      <th>{L('Ký số nội bộ', 'Internal signing')}</th>
                      <th>{L('Trạng thái', 'Status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.units.map((u) => (
                      <tr key={u.code} data-agency={u.code}>
                        <td>
                          <Link href={`/dashboard/${encodeURIComponent(u.code)}${qs(params)}`}>{u.name}</Link>
                        </td>
                        <td class="num">{u.total.documents}</td>
                        <td class="num">{rateText(u.total.rate, u.total.fullySigned, u.total.documents)}</td>
                        <td>
                          <span class={`badge cov-${u.status}`}>{statusText(u.status)}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <div class="card">
              <h2>{L('Theo tháng', 'By month')}</h2>
              <TrendChart
                points={d.series}
                target={d.targets.internalRate}
                title={L('Văn bản và tỷ lệ ký số theo tháng', 'Documents and signing rate by month')}
              />
            </div>
            <div class="two-cards">
              <List
                title={L('Văn bản chưa ký số đầy đủ', 'Not fully signed')}
                items={d.notFullySigned}
                testid="not-fully-signed"
              >
                {(x) => (
                  <li key={x.id}>
                    <Link href={`/documents/${x.id}`}>{x.title}</Link>{' '}
                    <small class="muted">{formatDate(x.issuedAt)}</small>
                    <ul>
                      {x.reasons.map((r, i) => (
                        <li key={i} class="small" data-kind={r.kind}>
                          {reasonText(r)}
                        </li>
                      ))}
                    </ul>
                  </li>
                )}
              </List>
              <List
                title={L('Văn bản giấy (làm giảm tỷ lệ)', 'On paper (lowers the rate)')}
                items={d.paper}
                testid="paper"
              >
                {(p) => (
                  <li key={p.id}>
                    <strong>{p.number}</strong> · {formatDate(p.date)} · {p.title}{' '}
                    <small class="muted">{p.signer}</small>
                  </li>
                )}
              </List>
              <List title={L('Đang xử lý hoặc bị trả lại', 'Open or returned')} items={d.open} testid="open">
                {(o) => (
                  <li key={o.id}>
                    <Link href={`/documents/${o.id}`}>{o.title}</Link>{' '}
                    <span class="badge">{statusLabel(o.status)}</span>{' '}
                    <small class="muted">
                      {o.ageDays} {L('ngày', 'days')}
                    </small>
                  </li>
                )}
              </List>
              <List
                title={L('Bị từ chối hoặc hủy (không tính)', 'Rejected or cancelled (not counted)')}
                items={d.rejectedOrCancelled}
                testid="stopped"
              >
                {(x) => (
                  <li key={x.id}>
                    <Link href={`/documents/${x.id}`}>{x.title}</Link>{' '}
                    <span class="badge">{statusLabel(x.status)}</span>{' '}
                    <small class="muted">{formatDate(x.finished_at)}</small>
                  </li>
                )}
              </List>
              <List
                title={L('Thủ tục hành chính', 'Public procedures')}
                items={d.procedures}
                testid="procedures"
                empty={L('Chưa có kết quả thủ tục nào trong kỳ.', 'No procedure results in the period.')}
              >
                {(p) => (
                  <li key={p.code}>
                    <strong>{p.code}</strong> {p.name}{' '}
                    {p.signed ? (
                      <span class="badge ok">{L('Có kết quả ký số', 'Signed result')}</span>
                    ) : (
                      <span class="badge warn">{L('Chưa có dấu hợp lệ', 'No valid seal')}</span>
                    )}
                    <ul>
                      {p.results.map((r) => (
                        <li key={r.id} class="small">
                          <Link href={`/documents/${r.id}`}>{r.title}</Link> · {formatDate(r.issuedAt)}
                        </li>
                      ))}
                      {p.paperResults.map((r) => (
                        <li key={`p${r.id}`} class="small">
                          {L('Giấy', 'Paper')} {r.number} · {formatDate(r.date)}
                        </li>
                      ))}
                    </ul>
                  </li>
                )}
              </List>
            </div>
          </section>
        )
      }}
    </Async>
  )
}
