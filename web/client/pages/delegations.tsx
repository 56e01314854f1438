import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { Async, DateInput, ErrorNote, Field, INVALID_DATE, PageHead, useLoad } from '../components.js'
import { formatDate, todayVn } from '../format.js'
import { L } from '../i18n.js'
import type { Me } from '../main.js'
import type { Directory } from './route-composer.js'

interface Row {
  id: number
  marker: string
  from: string
  to: string
  endedAt: string | null
  active: boolean
  principalName: string
  delegateName: string
  delegateTitle: string | null
}
interface Standing {
  id: number
  marker: string
  holder: string
  holderName: string
  holderTitle: string | null
  principalName: string | null
  principalTitle: string
  from: string
  endedAt: string | null
  active: boolean
}

/** The markers a leader delegates, and whose roles may receive each (the server checks the same). */
const MARKERS: [string, string, string, string[]][] = [
  ['KT.', 'KT. – Ký thay (cấp phó ký thay cấp trưởng)', 'KT. – signs for the head (a deputy)', ['leader']],
  [
    'TL.',
    'TL. – Thừa lệnh (Chánh Văn phòng, trưởng đơn vị)',
    'TL. – by order (chief of office, head of a unit)',
    ['leader', 'head'],
  ],
  ['TUQ.', 'TUQ. – Thừa ủy quyền', 'TUQ. – by written authorisation', ['leader', 'head']],
  ['Q.', 'Q. – Quyền (người được giao quyền)', 'Q. – acting head', ['leader']],
]
const eligible = (marker: string, roles: string[]): boolean =>
  (MARKERS.find(([m]) => m === marker)?.[3] ?? []).some((r) => roles.includes(r))

function stateOf(r: Row): [string, string] {
  if (r.endedAt) return [L('Đã kết thúc', 'Ended'), 'muted']
  if (r.active) return [L('Đang hiệu lực', 'In force'), 'ok']
  return new Date(r.to) < new Date()
    ? [L('Hết hạn', 'Expired'), 'muted']
    : [L('Chưa đến ngày', 'Upcoming'), 'warn']
}

/** A leader's authorisations (create, view, end), and those the user received. */
export function DelegationsPage(props: { me: Me }): JSX.Element {
  const leader = props.me.roles.includes('leader')
  const list = useLoad(() =>
    api.get<{ given: Row[]; received: Row[]; standing: Standing[] }>('/api/delegations'),
  )
  const dir = useLoad(() => (leader ? api.get<Directory>('/api/directory') : Promise.resolve(undefined)))
  const [form, setForm] = useState({ delegate: '', marker: 'KT.', from: todayVn(), to: '' })
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [failure, setFailure] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const create = async (e: Event): Promise<void> => {
    e.preventDefault()
    const found: Record<string, string> = {}
    if (!form.delegate) found.delegate = L('Chọn người được ủy quyền.', 'Pick the delegate.')
    if (!form.from || form.from === INVALID_DATE)
      found.from = L('Nhập ngày bắt đầu (dd/mm/yyyy).', 'Enter the start date (dd/mm/yyyy).')
    if (!form.to || form.to === INVALID_DATE || form.to < form.from)
      found.to = L(
        'Ngày kết thúc (dd/mm/yyyy) không trước ngày bắt đầu.',
        'The end date (dd/mm/yyyy) must not be before the start.',
      )
    setErrors(found)
    if (Object.keys(found).length) return
    setBusy(true)
    setFailure(undefined)
    try {
      await api.post('/api/delegations', {
        delegate: form.delegate,
        marker: form.marker,
        from: new Date(`${form.from}T00:00:00+07:00`).toISOString(),
        to: new Date(`${form.to}T23:59:59+07:00`).toISOString(),
      })
      setForm({ ...form, delegate: '', to: '' })
      list.reload()
    } catch (err) {
      setFailure(err)
    } finally {
      setBusy(false)
    }
  }
  const end = async (id: number): Promise<void> => {
    try {
      await api.post(`/api/delegations/${id}/end`)
      list.reload()
    } catch (err) {
      setFailure(err)
    }
  }
  const table = (rows: Row[], given: boolean): JSX.Element =>
    rows.length === 0 ? (
      <p class="muted">{L('Chưa có.', 'None.')}</p>
    ) : (
      <table class="table">
        <thead>
          <tr>
            <th>{given ? L('Người được ủy quyền', 'Delegate') : L('Người ủy quyền', 'Principal')}</th>
            <th>{L('Hình thức', 'Marker')}</th>
            <th>{L('Thời gian', 'Period')}</th>
            <th>{L('Trạng thái', 'State')}</th>
            {given && <th />}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const [label, tone] = stateOf(r)
            return (
              <tr key={r.id}>
                <td>
                  {given ? r.delegateName : r.principalName}
                  {given && r.delegateTitle && <small class="muted"> · {r.delegateTitle}</small>}
                </td>
                <td>
                  <strong>{r.marker}</strong>
                </td>
                <td>
                  {formatDate(r.from)} – {formatDate(r.to)}
                </td>
                <td>
                  <span class={`badge ${tone}`}>{label}</span>
                </td>
                {given && (
                  <td>
                    {!r.endedAt && new Date(r.to) >= new Date() && (
                      <button type="button" class="danger-outline small" onClick={() => void end(r.id)}>
                        {L('Kết thúc', 'End')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            )
          })}
        </tbody>
      </table>
    )
  return (
    <section>
      <PageHead
        title={L('Ủy quyền ký', 'Signing delegations')}
        sub={L(
          'Ủy quyền là một bản ghi: người được ủy quyền ký bằng chứng thư số của chính mình, kèm chức ' +
            'danh và dấu hiệu KT./TL./TUQ./Q.',
          "A delegation is a record: the delegate signs with their own certificate, with the marker and the principal's title.",
        )}
      />
      <p class="muted small">
        {L(
          'Thẩm quyền ký thường xuyên (KT. của cấp phó, TL. của Chánh Văn phòng, TM. của Chủ tịch) do ' +
            'quản trị hệ thống cấp, không có ngày kết thúc.',
          "Standing authorities (a deputy's KT., a chief of office's TL., a chairman's TM.) are granted by the administrator, with no end date.",
        )}
      </p>
      {leader && (
        <div class="card">
          <h2>{L('Ủy quyền mới', 'New delegation')}</h2>
          <Async state={dir}>
            {(d) => (
              <form class="form-grid" onSubmit={create} noValidate>
                <Field id="del-delegate" label={L('Người được ủy quyền', 'Delegate')} error={errors.delegate}>
                  <select
                    id="del-delegate"
                    value={form.delegate}
                    onChange={(e) => setForm({ ...form, delegate: e.currentTarget.value })}
                  >
                    <option value="">{L('— Chọn —', '— Pick —')}</option>
                    {/* Only people whose role can sign under the marker: never a clerk or a compliance officer. */}
                    {(d?.users ?? [])
                      .filter((u) => u.username !== props.me.username && eligible(form.marker, u.roles))
                      .map((u) => (
                        <option key={u.username} value={u.username}>
                          {u.fullName}
                          {u.title ? ` – ${u.title}` : ''}
                        </option>
                      ))}
                  </select>
                </Field>
                <Field id="del-marker" label={L('Hình thức', 'Marker')}>
                  <select
                    id="del-marker"
                    value={form.marker}
                    onChange={(e) => {
                      const marker = e.currentTarget.value
                      const still = (d?.users ?? []).some(
                        (u) => u.username === form.delegate && eligible(marker, u.roles),
                      )
                      setForm({ ...form, marker, delegate: still ? form.delegate : '' })
                    }}
                  >
                    {MARKERS.map(([m, vi, en]) => (
                      <option key={m} value={m}>
                        {L(vi, en)}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field id="del-from" label={L('Từ ngày', 'From')} error={errors.from}>
                  <DateInput
                    id="del-from"
                    value={form.from}
                    onChange={(v) => setForm({ ...form, from: v ?? INVALID_DATE })}
                    invalid={Boolean(errors.from)}
                  />
                </Field>
                <Field id="del-to" label={L('Đến ngày', 'To')} error={errors.to}>
                  <DateInput
                    id="del-to"
                    value={form.to}
                    onChange={(v) => setForm({ ...form, to: v ?? INVALID_DATE })}
                    invalid={Boolean(errors.to)}
                  />
                </Field>
                <div class="form-actions">
                  <button type="submit" class="primary" disabled={busy}>
                    {L('Ủy quyền', 'Delegate')}
                  </button>
                </div>
              </form>
            )}
          </Async>
          <ErrorNote error={failure} />
        </div>
      )}
      <Async state={list}>
        {(l) => (
          <>
            {leader && (
              <div class="card table-card">
                <h2>{L('Tôi đã ủy quyền', 'Given by me')}</h2>
                {table(l.given, true)}
              </div>
            )}
            <div class="card table-card">
              <h2>{L('Tôi được ủy quyền', 'Received')}</h2>
              {table(l.received, false)}
            </div>
            {l.standing.length > 0 && <StandingTable rows={l.standing} />}
          </>
        )}
      </Async>
    </section>
  )
}

/** Standing authorities I hold or am the principal of (granted by the administrator, no end date). */
function StandingTable(props: { rows: Standing[] }): JSX.Element {
  return (
    <div class="card table-card" data-testid="standing">
      <h2>{L('Thẩm quyền ký thường xuyên', 'Standing authorities')}</h2>
      <table class="table">
        <thead>
          <tr>
            <th>{L('Người ký', 'Holder')}</th>
            <th>{L('Dòng thẩm quyền', 'Authority line')}</th>
            <th>{L('Từ ngày', 'From')}</th>
            <th>{L('Trạng thái', 'State')}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.id}>
              <td>
                {r.holderName}
                {r.holderTitle && <small class="muted"> · {r.holderTitle}</small>}
              </td>
              <td>
                <strong>
                  {r.marker} {r.principalTitle.toLocaleUpperCase('vi')}
                </strong>
                {r.principalName && <small class="muted"> ({r.principalName})</small>}
              </td>
              <td>{formatDate(r.from)}</td>
              <td>
                {r.active ? (
                  <span class="badge ok">{L('Đang hiệu lực', 'In force')}</span>
                ) : (
                  <span class="badge muted">{L('Đã kết thúc', 'Ended')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
