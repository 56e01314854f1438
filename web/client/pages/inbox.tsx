import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api, qs } from '../api.js'
import { Async, Link, PageHead, StatusBadge, useLoad } from '../components.js'
import { formatDate, formatDateTime } from '../format.js'
import { actionLabel, L } from '../i18n.js'
import type { Me } from '../main.js'

interface InboxItem {
  stepId: number
  documentId: number
  title: string
  action: string
  deadline: string | null
  drafter: string
  agency: string
  onBehalfOf: number | null
  overdue: boolean
}

/** "Văn bản chờ xử lý": what waits for me, the action, the drafter, the deadline; overdue first. */
export function InboxPage(props: { me: Me }): JSX.Element {
  const state = useLoad(() => api.get<InboxItem[]>('/api/inbox'))
  return (
    <section>
      <PageHead
        title={L('Văn bản chờ xử lý', 'Waiting for me')}
        sub={L(
          `Xin chào ${props.me.fullName}. Các văn bản dưới đây đang chờ bạn duyệt, ký hoặc đóng dấu.`,
          `Hello ${props.me.fullName}. These documents wait for you to approve, sign or seal.`,
        )}
      >
        <Link href="/new" class="button primary">
          {L('+ Soạn văn bản', '+ New document')}
        </Link>
      </PageHead>
      <Async state={state}>
        {(items) => {
          const sorted = [...items].sort(
            (a, b) =>
              Number(b.overdue) - Number(a.overdue) || (a.deadline ?? '9').localeCompare(b.deadline ?? '9'),
          )
          if (!sorted.length)
            return (
              <div class="card empty" data-testid="inbox-empty">
                <p>{L('Không có văn bản nào chờ bạn xử lý.', 'Nothing waits for you.')}</p>
              </div>
            )
          return (
            <div class="card table-card">
              <table class="table" data-testid="inbox">
                <thead>
                  <tr>
                    <th>{L('Văn bản', 'Document')}</th>
                    <th>{L('Việc cần làm', 'Action')}</th>
                    <th>{L('Người soạn', 'Drafter')}</th>
                    <th>{L('Cơ quan', 'Agency')}</th>
                    <th>{L('Hạn xử lý', 'Deadline')}</th>
                  </tr>
                </thead>
                <tbody>
                  {sorted.map((i) => (
                    <tr key={i.stepId} class={i.overdue ? 'overdue' : ''} data-document={i.documentId}>
                      <td data-label={L('Văn bản', 'Document')}>
                        <Link href={`/documents/${i.documentId}`} class="strong-link">
                          {i.title}
                        </Link>
                      </td>
                      <td data-label={L('Việc cần làm', 'Action')}>
                        <span class={`badge action-${i.action}`}>{actionLabel(i.action)}</span>
                        {i.onBehalfOf !== null && (
                          <span class="badge muted" title={L('Theo ủy quyền', 'By delegation')}>
                            {L('Ủy quyền', 'Delegated')}
                          </span>
                        )}
                      </td>
                      <td data-label={L('Người soạn', 'Drafter')}>{i.drafter}</td>
                      <td data-label={L('Cơ quan', 'Agency')}>{i.agency}</td>
                      <td data-label={L('Hạn xử lý', 'Deadline')}>
                        {i.deadline ? (
                          <span class={i.overdue ? 'deadline late' : 'deadline'}>
                            {formatDate(i.deadline)}
                            {i.overdue && <strong> · {L('Quá hạn', 'Overdue')}</strong>}
                          </span>
                        ) : (
                          <span class="muted">—</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }}
      </Async>
    </section>
  )
}

interface ListItem {
  id: number
  title: string
  kind: string
  status: string
  outgoingNumber: string | null
  outgoingDate: string | null
  updatedAt: string
  agency: string
  drafter: string
  procedureCode: string | null
}

/** "Đã gửi" (drafted by me) and "Đã phát hành" (issued in the agencies I may read), with a title filter. */
export function DocumentListPage(props: { box: 'sent' | 'issued' }): JSX.Element {
  const [q, setQ] = useState('')
  const [applied, setApplied] = useState('')
  const state = useLoad(
    () => api.get<ListItem[]>(`/api/documents${qs({ box: props.box, q: applied })}`),
    [props.box, applied],
  )
  const title =
    props.box === 'sent' ? L('Văn bản đã gửi', 'Sent by me') : L('Văn bản đã phát hành', 'Issued documents')
  return (
    <section>
      <PageHead title={title}>
        {/* biome-ignore lint/a11y/useSemanticElements: a form with role=search is the landmark every browser maps; <search> is not in every one yet */}
        <form
          class="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault()
            setApplied(q)
          }}
        >
          <label class="visually-hidden" for="doc-search">
            {L('Tìm theo trích yếu', 'Search titles')}
          </label>
          <input
            id="doc-search"
            type="search"
            placeholder={L('Tìm theo trích yếu…', 'Search titles…')}
            value={q}
            onInput={(e) => setQ(e.currentTarget.value)}
          />
          <button type="submit">{L('Tìm', 'Search')}</button>
        </form>
      </PageHead>
      <Async state={state}>
        {(items) =>
          items.length === 0 ? (
            <div class="card empty">
              <p>{L('Chưa có văn bản nào.', 'No documents yet.')}</p>
            </div>
          ) : (
            <div class="card table-card">
              <table class="table" data-testid={`list-${props.box}`}>
                <thead>
                  <tr>
                    <th>{L('Trích yếu', 'Title')}</th>
                    <th>{L('Trạng thái', 'Status')}</th>
                    <th>{L('Số, ký hiệu', 'Number')}</th>
                    <th>{L('Cơ quan', 'Agency')}</th>
                    <th>{L('Người soạn', 'Drafter')}</th>
                    <th>{L('Cập nhật', 'Updated')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((d) => (
                    <tr key={d.id}>
                      <td data-label={L('Trích yếu', 'Title')}>
                        <Link href={`/documents/${d.id}`} class="strong-link">
                          {d.title}
                        </Link>
                        {d.kind === 'procedure' && <span class="badge muted">TTHC {d.procedureCode}</span>}
                      </td>
                      <td data-label={L('Trạng thái', 'Status')}>
                        <StatusBadge status={d.status} />
                      </td>
                      <td data-label={L('Số, ký hiệu', 'Number')}>
                        {d.outgoingNumber ? `${d.outgoingNumber} · ${formatDate(d.outgoingDate)}` : '—'}
                      </td>
                      <td data-label={L('Cơ quan', 'Agency')}>{d.agency}</td>
                      <td data-label={L('Người soạn', 'Drafter')}>{d.drafter}</td>
                      <td data-label={L('Cập nhật', 'Updated')}>{formatDateTime(d.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
    </section>
  )
}
