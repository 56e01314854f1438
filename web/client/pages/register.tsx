import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api, qs } from '../api.js'
import { Async, Link, PageHead, useLoad } from '../components.js'
import { formatDate } from '../format.js'
import { L } from '../i18n.js'

interface Entry {
  register: 'general' | 'normative' | 'copies'
  seq: number | null
  number: string
  date: string
  status: 'used' | 'reserved' | 'unused'
  title: string | null
  source: 'kyso' | 'paper'
  documentId: number | null
}
interface Register {
  agency: { code: string; name: string }
  year: number
  next: Record<string, string>
  entries: Entry[]
}

const REGISTER_LABEL = (r: Entry['register']): string =>
  r === 'general'
    ? L('Văn bản đi', 'Outgoing')
    : r === 'normative'
      ? L('Quy phạm pháp luật', 'Normative')
      : L('Bản sao', 'Copies')
const STATUS_LABEL = (s: Entry['status']): string =>
  s === 'used'
    ? L('Đã dùng', 'Used')
    : s === 'reserved'
      ? L('Đang giữ', 'Reserved')
      : L('Giữ, không dùng', 'Reserved, not used')

/**
 * "Sổ đăng ký văn bản đi" (issue 13; Decree 30/2020 Appendix IV): the agency's numbers of a year,
 * paper and electronic, each with its register, date, state and document; the CSV to download.
 */
export function RegisterPage(): JSX.Element {
  const thisYear = new Date(Date.now() + 7 * 3600_000).getUTCFullYear()
  const [year, setYear] = useState(thisYear)
  const state = useLoad(() => api.get<Register>(`/api/registers/outgoing${qs({ year })}`), [year])
  return (
    <section>
      <PageHead title={L('Sổ đăng ký văn bản đi', 'Outgoing register')}>
        <label class="inline" for="register-year">
          {L('Năm', 'Year')}
        </label>
        <input
          id="register-year"
          type="number"
          min={1990}
          max={2200}
          value={year}
          onChange={(e) => setYear(Number(e.currentTarget.value) || thisYear)}
        />
        <a class="button" href={`/api/registers/outgoing${qs({ year, format: 'csv' })}`} download>
          {L('Tải CSV', 'Download CSV')}
        </a>
      </PageHead>
      <Async state={state}>
        {(r) => (
          <div class="card table-card">
            <p class="muted small">
              {r.agency.name} · {L('Số tiếp theo', 'Next number')}: {r.next.general} (
              {L('văn bản đi', 'outgoing')}), {r.next.normative} ({L('quy phạm pháp luật', 'normative')}),{' '}
              {r.next.copies} ({L('bản sao', 'copies')})
            </p>
            {r.entries.length === 0 ? (
              <p>{L('Sổ năm này chưa có số nào.', 'No number yet this year.')}</p>
            ) : (
              <table class="table" data-testid="register">
                <thead>
                  <tr>
                    <th>{L('Số, ký hiệu', 'Number')}</th>
                    <th>{L('Ngày', 'Date')}</th>
                    <th>{L('Trích yếu', 'Summary')}</th>
                    <th>{L('Sổ', 'Register')}</th>
                    <th>{L('Trạng thái', 'State')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.entries.map((e) => (
                    <tr key={`${e.register}-${e.number}`} data-status={e.status}>
                      <td data-label={L('Số, ký hiệu', 'Number')}>
                        {e.documentId ? (
                          <Link href={`/documents/${e.documentId}`}>{e.number}</Link>
                        ) : (
                          e.number
                        )}
                      </td>
                      <td data-label={L('Ngày', 'Date')}>{formatDate(e.date)}</td>
                      <td data-label={L('Trích yếu', 'Summary')}>
                        {e.title ?? ''}
                        {e.source === 'paper' && <small class="muted"> · {L('văn bản giấy', 'paper')}</small>}
                      </td>
                      <td data-label={L('Sổ', 'Register')}>{REGISTER_LABEL(e.register)}</td>
                      <td data-label={L('Trạng thái', 'State')}>{STATUS_LABEL(e.status)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        )}
      </Async>
    </section>
  )
}
