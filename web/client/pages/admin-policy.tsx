import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import {
  Async,
  DateInput,
  Dialog,
  ErrorNote,
  Field,
  INVALID_DATE,
  useAction,
  useLoad,
} from '../components.js'
import { formatDate, formatDateTime, todayVn } from '../format.js'
import { L } from '../i18n.js'

interface YearTargets {
  year: number
  internalRate: number
  minDocuments: number
  procedures: number
  deadline: string
  updatedAt: string
}
interface Standing {
  id: number
  holder: string
  holderName: string
  holderTitle: string | null
  agencyCode: string
  marker: string
  principal: string | null
  principalName: string | null
  principalTitle: string
  from: string
  endedAt: string | null
}
interface Person {
  username: string
  fullName: string
  disabled: boolean
  roles: string[]
}

/** Each year's targets and deadline (issue 14): configuration, defaulting to the end of the year. */
export function TargetsTab(): JSX.Element {
  const list = useLoad(() =>
    api.get<{ currentYear: number; years: YearTargets[] }>('/api/admin/coverage-targets'),
  )
  const year = list.data?.currentYear ?? Number(todayVn().slice(0, 4))
  const [form, setForm] = useState({
    year: '',
    rate: '100',
    minDocuments: '1',
    procedures: '2',
    deadline: '',
  })
  const { busy, error, run } = useAction()
  const y = form.year || String(year)
  const save = async (e: Event): Promise<void> => {
    e.preventDefault()
    const body = {
      internalRate: Number(form.rate) / 100,
      minDocuments: Number(form.minDocuments),
      procedures: Number(form.procedures),
      ...(form.deadline && form.deadline !== INVALID_DATE && { deadline: form.deadline }),
    }
    if (await run(() => api.put(`/api/admin/coverage-targets/${y}`, body))) list.reload()
  }
  return (
    <>
      <div class="card">
        <h2>{L('Chỉ tiêu và hạn hoàn thành theo năm', 'Targets and deadline by year')}</h2>
        <p class="muted small">
          {L(
            'Năm chưa đặt: tỷ lệ 100%, ít nhất 2 TTHC, hạn chưa đặt (báo cáo ghi rõ và không tính quá ' +
              'hạn). Hạn để trống: 31/12 của năm đó.',
            'A year not set: 100%, at least 2 procedures, no deadline (the report says so and counts ' +
              'nothing overdue). An empty deadline: 31 December of that year.',
          )}
        </p>
        <form class="form-grid" onSubmit={save} noValidate data-testid="targets-form">
          <Field id="t-year" label={L('Năm', 'Year')}>
            <input
              id="t-year"
              inputMode="numeric"
              value={y}
              onInput={(e) => setForm({ ...form, year: e.currentTarget.value })}
            />
          </Field>
          <Field id="t-rate" label={L('Tỷ lệ ký số đầy đủ (%)', 'Fully signed rate (%)')}>
            <input
              id="t-rate"
              inputMode="decimal"
              value={form.rate}
              onInput={(e) => setForm({ ...form, rate: e.currentTarget.value })}
            />
          </Field>
          <Field id="t-min" label={L('Số văn bản tối thiểu', 'Minimum documents')}>
            <input
              id="t-min"
              inputMode="numeric"
              value={form.minDocuments}
              onInput={(e) => setForm({ ...form, minDocuments: e.currentTarget.value })}
            />
          </Field>
          <Field id="t-proc" label={L('Số TTHC có kết quả ký số', 'Procedures with signed results')}>
            <input
              id="t-proc"
              inputMode="numeric"
              value={form.procedures}
              onInput={(e) => setForm({ ...form, procedures: e.currentTarget.value })}
            />
          </Field>
          <Field id="t-deadline" label={L('Hạn hoàn thành', 'Deadline')}>
            <DateInput
              id="t-deadline"
              value={form.deadline}
              onChange={(v) => setForm({ ...form, deadline: v ?? INVALID_DATE })}
            />
          </Field>
          <div class="form-actions">
            <button type="submit" class="primary" disabled={busy}>
              {L('Lưu', 'Save')}
            </button>
          </div>
        </form>
        <ErrorNote error={error} />
      </div>
      <div class="card table-card">
        <Async state={list}>
          {(l) =>
            l.years.length === 0 ? (
              <p class="muted">{L('Chưa năm nào được đặt chỉ tiêu.', 'No year has targets set yet.')}</p>
            ) : (
              <table class="table" data-testid="targets">
                <thead>
                  <tr>
                    <th>{L('Năm', 'Year')}</th>
                    <th>{L('Tỷ lệ', 'Rate')}</th>
                    <th>{L('Tối thiểu', 'Minimum')}</th>
                    <th>TTHC</th>
                    <th>{L('Hạn', 'Deadline')}</th>
                    <th>{L('Cập nhật', 'Updated')}</th>
                  </tr>
                </thead>
                <tbody>
                  {l.years.map((t) => (
                    <tr key={t.year} data-year={t.year}>
                      <td>{t.year}</td>
                      <td>{Math.round(t.internalRate * 1000) / 10}%</td>
                      <td>{t.minDocuments}</td>
                      <td>{t.procedures}</td>
                      <td>{formatDate(t.deadline)}</td>
                      <td>{formatDateTime(t.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Async>
      </div>
    </>
  )
}

const STANDING_MARKERS: [string, string, string][] = [
  ['KT.', 'KT. – cấp phó ký thay cấp trưởng', 'KT. – a deputy for the head'],
  ['TL.', 'TL. – thừa lệnh (Chánh Văn phòng)', 'TL. – by order (chief of office)'],
  ['TM.', 'TM. – thay mặt tập thể (Chủ tịch UBND)', 'TM. – for a collective body (chairman)'],
  ['TUQ.', 'TUQ. – thừa ủy quyền', 'TUQ. – by written authorisation'],
  ['Q.', 'Q. – quyền (cấp trưởng)', 'Q. – acting head'],
]
const needsPrincipal = (m: string): boolean => m === 'KT.' || m === 'TL.' || m === 'TUQ.'
const mayHold = (m: string, roles: string[]): boolean =>
  roles.includes('leader') || ((m === 'TL.' || m === 'TUQ.') && roles.includes('head'))

/** Standing signing authorities: the division of duties, granted here, with no end date. */
export function AuthoritiesTab(): JSX.Element {
  const list = useLoad(() => api.get<Standing[]>('/api/admin/standing-authorities'))
  const users = useLoad(() => api.get<Person[]>('/api/admin/users'))
  const [form, setForm] = useState({ holder: '', marker: 'KT.', principal: '', principalTitle: '' })
  const { busy, error, run } = useAction()
  const people = (users.data ?? []).filter((u) => !u.disabled)
  const grant = async (e: Event): Promise<void> => {
    e.preventDefault()
    const body = {
      holder: form.holder,
      marker: form.marker,
      ...(needsPrincipal(form.marker) && { principal: form.principal }),
      ...(form.principalTitle.trim() && { principalTitle: form.principalTitle.trim() }),
    }
    if (await run(() => api.post('/api/admin/standing-authorities', body))) {
      setForm({ ...form, holder: '', principal: '', principalTitle: '' })
      list.reload()
    }
  }
  const end = async (id: number): Promise<void> => {
    if (await run(() => api.post(`/api/admin/standing-authorities/${id}/end`))) list.reload()
  }
  return (
    <>
      <div class="card">
        <h2>{L('Cấp thẩm quyền ký thường xuyên', 'Grant a standing authority')}</h2>
        <p class="muted small">
          {L(
            'Thẩm quyền theo phân công (không phải ủy quyền khi vắng mặt): in dòng "KT. GIÁM ĐỐC", "TL. ' +
              'GIÁM ĐỐC" hoặc "TM. ỦY BAN NHÂN DÂN" trên chức danh người ký ở mọi văn bản họ ký. Chỉ lãnh ' +
              'đạo (và với TL./TUQ., trưởng đơn vị) được nhận.',
            'The division of duties, not an absence: prints "KT. GIÁM ĐỐC", "TL. GIÁM ĐỐC" or "TM. ỦY BAN NHÂN DÂN" over the signer\'s title on every document they sign. Only leaders (and for TL./TUQ. heads of units) may hold one.',
          )}
        </p>
        <form class="form-grid" onSubmit={grant} noValidate data-testid="authority-form">
          <Field id="s-marker" label={L('Hình thức', 'Marker')}>
            <select
              id="s-marker"
              value={form.marker}
              onChange={(e) => setForm({ ...form, marker: e.currentTarget.value, holder: '' })}
            >
              {STANDING_MARKERS.map(([m, vi, en]) => (
                <option key={m} value={m}>
                  {L(vi, en)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="s-holder" label={L('Người ký', 'Holder')}>
            <select
              id="s-holder"
              value={form.holder}
              onChange={(e) => setForm({ ...form, holder: e.currentTarget.value })}
            >
              <option value="">—</option>
              {people
                .filter((u) => mayHold(form.marker, u.roles))
                .map((u) => (
                  <option key={u.username} value={u.username}>
                    {u.fullName} ({u.username})
                  </option>
                ))}
            </select>
          </Field>
          {needsPrincipal(form.marker) && (
            <Field id="s-principal" label={L('Ký thay / thừa lệnh cho', 'For')}>
              <select
                id="s-principal"
                value={form.principal}
                onChange={(e) => setForm({ ...form, principal: e.currentTarget.value })}
              >
                <option value="">—</option>
                {people
                  .filter((u) => u.roles.includes('leader') && u.username !== form.holder)
                  .map((u) => (
                    <option key={u.username} value={u.username}>
                      {u.fullName} ({u.username})
                    </option>
                  ))}
              </select>
            </Field>
          )}
          <Field
            id="s-title"
            label={L('Dòng thẩm quyền ghi', 'The line names')}
            hint={L(
              'Để trống: chức danh người được ký thay; TM.: Ủy ban nhân dân',
              "Empty: the principal's title; TM.: Ủy ban nhân dân",
            )}
          >
            <input
              id="s-title"
              value={form.principalTitle}
              onInput={(e) => setForm({ ...form, principalTitle: e.currentTarget.value })}
            />
          </Field>
          <div class="form-actions">
            <button type="submit" class="primary" disabled={busy}>
              {L('Cấp', 'Grant')}
            </button>
          </div>
        </form>
        <ErrorNote error={error} />
      </div>
      <div class="card table-card">
        <Async state={list}>
          {(rows) => (
            <table class="table" data-testid="authorities">
              <thead>
                <tr>
                  <th>{L('Người ký', 'Holder')}</th>
                  <th>{L('Cơ quan', 'Agency')}</th>
                  <th>{L('Dòng thẩm quyền', 'Authority line')}</th>
                  <th>{L('Từ ngày', 'From')}</th>
                  <th>{L('Trạng thái', 'State')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} data-holder={r.holder}>
                    <td>
                      {r.holderName}
                      {r.holderTitle && <small class="muted"> · {r.holderTitle}</small>}
                    </td>
                    <td>{r.agencyCode}</td>
                    <td>
                      <strong>
                        {r.marker} {r.principalTitle.toLocaleUpperCase('vi')}
                      </strong>
                      {r.principalName && <small class="muted"> ({r.principalName})</small>}
                    </td>
                    <td>{formatDate(r.from)}</td>
                    <td>
                      {r.endedAt ? (
                        <span class="badge muted">{L('Đã kết thúc', 'Ended')}</span>
                      ) : (
                        <span class="badge ok">{L('Đang hiệu lực', 'In force')}</span>
                      )}
                    </td>
                    <td>
                      {!r.endedAt && (
                        <button type="button" class="danger-outline small" onClick={() => void end(r.id)}>
                          {L('Kết thúc', 'End')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Async>
      </div>
    </>
  )
}

/**
 * An access or erasure request for one person (Law 91/2025/QH15): download what is held, or erase
 * it with a reason.
 */
export function PersonalDataDialog(props: {
  user: { id: number; fullName: string; username: string }
  onClose: () => void
  onErased: () => void
}): JSX.Element {
  const [reason, setReason] = useState('')
  const [done, setDone] = useState<{ redactedEvents: number; certificatesRevoked: number } | undefined>()
  const { busy, error, run } = useAction()
  const erase = async (e: Event): Promise<void> => {
    e.preventDefault()
    await run(async () => {
      setDone(
        await api.post<{ redactedEvents: number; certificatesRevoked: number }>(
          `/api/admin/users/${props.user.id}/erase`,
          { reason },
        ),
      )
      props.onErased()
    })
  }
  return (
    <Dialog title={L('Dữ liệu cá nhân', 'Personal data')} onClose={props.onClose}>
      <div class="dialog-body">
        <p>
          {props.user.fullName} · <code>{props.user.username}</code>
        </p>
        <p>
          <a
            class="button"
            href={`/api/admin/users/${props.user.id}/personal-data`}
            download={`du-lieu-ca-nhan-${props.user.id}.json`}
            data-testid="personal-export"
          >
            {L('Tải dữ liệu đang lưu (JSON)', 'Download what is held (JSON)')}
          </a>
        </p>
        <p class="muted small">
          {L(
            'Xóa: thay họ tên, chức danh, tên đăng nhập; khóa tài khoản; thu hồi chứng thư số; xóa phần ' +
              'dữ liệu cá nhân trong nhật ký (chuỗi băm vẫn kiểm tra được). Văn bản đã ký và chữ ký được ' +
              'giữ theo quy định lưu trữ.',
            'Erase: replaces name, title and username; disables the account; revokes its certificates; ' +
              'removes the personal part of its audit events (the hash chain still verifies). Signed ' +
              'documents and signatures are kept as the archives rules require.',
          )}
        </p>
        {done ? (
          <p class="notice" role="status">
            {L(
              `Đã xóa. ${done.redactedEvents} sự kiện nhật ký đã bỏ dữ liệu cá nhân; ${done.certificatesRevoked} chứng thư số bị thu hồi.`,
              `Erased. ${done.redactedEvents} audit events lost their personal part; ${done.certificatesRevoked} certificates revoked.`,
            )}
          </p>
        ) : (
          <form onSubmit={erase}>
            <Field
              id="erase-reason"
              label={L('Lý do (ghi vào nhật ký)', 'Reason (recorded in the audit log)')}
            >
              <textarea
                id="erase-reason"
                rows={3}
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            </Field>
            <ErrorNote error={error} />
            <div class="dialog-foot">
              <button type="button" onClick={props.onClose}>
                {L('Đóng', 'Close')}
              </button>
              <button type="submit" class="danger" disabled={busy || !reason.trim()}>
                {L('Xóa dữ liệu cá nhân', 'Erase personal data')}
              </button>
            </div>
          </form>
        )}
      </div>
    </Dialog>
  )
}
