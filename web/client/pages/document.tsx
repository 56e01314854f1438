import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import {
  Async,
  Dialog,
  FilePick,
  useAction,
  ErrorNote,
  Field,
  Link,
  PageHead,
  StatusBadge,
  messageOf,
  useLoad,
} from '../components.js'
import { fileSize, formatDate, formatDateTime } from '../format.js'
import { actionLabel, L } from '../i18n.js'
import type { Me } from '../main.js'
import { PdfView } from '../pdf-view.js'
import { CopyCard } from './copies.js'
import { announceChange } from '../events.js'
import { RouteComposer, type Directory, type StepSpec } from './route-composer.js'
import { SignDialog } from './sign-dialog.js'
import { Timeline, Validation } from './document-chain.js'
import { PagePlacement, type PdfRect } from '../page-placement.js'
import { UploadCheckNote, type UploadCheck } from './upload-check.js'

interface Assignee {
  username: string
  fullName: string
  title: string | null
  status: string
  actedBy: number | null
  actedByName: string | null
  actedAt: string | null
}
/** A remote signature waiting for the signer's phone (issue 11). */
export interface Awaiting {
  status: string
  keySource: string
  expiresAt: string
  username: string
  fullName: string
  signingId?: string
}
interface Step {
  id: number
  seq: number
  action: string
  rule: string
  status: string
  deadline: string | null
  completedAt: string | null
  assignees: Assignee[]
  awaiting?: Awaiting[]
}
interface Workflow {
  id: number
  round: number
  status: string
  steps: Step[]
}
interface Signature {
  id: number
  stepId: number
  field: string
  marker: string | null
  onBehalfOf: number | null
  indication: string | null
  createdAt: string
  fullName: string
  username: string
  /** How it was made (issue 11): internal, agent, two-phase, signed-file, remote:<provider>. */
  keySource?: string
  /** detached: an approval kept as CAdES evidence outside the PDF. */
  form?: 'in-file' | 'detached'
}
interface HistoryEvent {
  id: number
  at: string
  action: string
  fullName: string | null
  title: string | null
  detail: Record<string, unknown>
}
interface MyAction {
  action: string
  stepId?: number
  onBehalfOf?: number
  marker?: string | null
}
/** Where a signature of the current round goes (GET /api/documents/:id `placements`, issue 12). */
interface Placement {
  stepId: number
  page: number
  rect: PdfRect
  how: string
  look: string
  username?: string
  note?: string
}
export interface DocumentDetails {
  id: number
  title: string
  kind: string
  procedureCode: string | null
  status: string
  outgoingNumber: string | null
  outgoingDate: string | null
  agencyName: string
  drafterName: string
  drafterTitle: string | null
  createdAt: string
  updatedAt: string
  finishedAt: string | null
  versions: { id: number; seq: number; sha256: string; size: number; origin: string; createdAt: string }[]
  workflows: Workflow[]
  signatures: Signature[]
  myActions: MyAction[]
  history: HistoryEvent[]
  placements: Placement[]
  /** Issue 13: whether the seal printed the number, the original of a copy, its form, the copies made. */
  numberPrinted?: boolean | null
  copyOf?: number | null
  copyForm?: string | null
  copies?: { id: number; form: string; outgoingNumber: string | null }[]
}

/** My place on a step: mine when each assignee has one, else the step's. */
function placementFor(d: DocumentDetails, stepId: number, me: Me): Placement | undefined {
  const onStep = d.placements.filter((p) => p.stepId === stepId)
  return onStep.find((p) => p.username === me.username) ?? onStep.find((p) => p.username === undefined)
}

/** The document page: the PDF, what I can do now, the validation report, the chain, the versions. */
export function DocumentPage(props: { id: number; me: Me }): JSX.Element {
  const state = useLoad(() => api.get<DocumentDetails>(`/api/documents/${props.id}`), [props.id])
  const [notice, setNotice] = useState<string | undefined>()
  const done = (message: string): void => {
    setNotice(message)
    state.reload()
    announceChange()
  }
  if (state.error instanceof ApiError && state.error.status === 404) {
    return (
      <section class="card empty" data-testid="not-found">
        <h1>{L('Không tìm thấy văn bản', 'Document not found')}</h1>
        <p>
          {L(
            'Văn bản không tồn tại hoặc bạn không có quyền xem.',
            'The document does not exist or you may not see it.',
          )}
        </p>
        <p>
          <Link href="/inbox">{L('Về văn bản chờ xử lý', 'Back to the inbox')}</Link>
        </p>
      </section>
    )
  }
  return (
    <Async state={state}>
      {(d) => {
        const latest = d.versions[d.versions.length - 1]
        return (
          <section class="document" data-testid="document" data-status={d.status}>
            <PageHead
              title={d.title}
              sub={
                <>
                  <StatusBadge status={d.status} /> <span>{d.agencyName}</span>
                  {d.outgoingNumber && (
                    <span class="outgoing">
                      {' '}
                      · {L('Số', 'No.')} {d.outgoingNumber}, {formatDate(d.outgoingDate)}
                    </span>
                  )}
                </>
              }
            >
              {latest && (
                <a class="button" href={`/api/documents/${d.id}/file`} download>
                  {L('Tải văn bản (PDF)', 'Download PDF')}
                </a>
              )}
              {d.signatures.length > 0 && (
                <a
                  class="button"
                  data-testid="evidence-link"
                  href={`/api/documents/${d.id}/evidence`}
                  download
                >
                  {L('Tải gói chứng cứ (ZIP)', 'Evidence package (ZIP)')}
                </a>
              )}
            </PageHead>
            {notice && (
              <p class="notice" role="status">
                {notice}
              </p>
            )}
            <UploadCheckNote
              check={(d as { uploadCheck?: UploadCheck | null }).uploadCheck}
              status={d.status}
            />
            <div class="doc-grid">
              <div class="card pdf-card">
                {latest && (
                  <PdfView url={`/api/documents/${d.id}/file?version=${latest.seq}`} label={d.title} />
                )}
              </div>
              <aside class="doc-side">
                <Actions doc={d} me={props.me} onDone={done} onClosed={state.reload} />
                {d.status === 'issued' &&
                  props.me.roles.includes('clerk') &&
                  d.kind !== 'copy' &&
                  d.kind !== 'attachment' && <CopyCard doc={d} />}
                <Facts doc={d} />
                <Validation doc={d} />
                <Timeline doc={d} />
                <Versions doc={d} />
              </aside>
            </div>
          </section>
        )
      }}
    </Async>
  )
}

/** What the document is: internal, a procedure's result, an electronic copy or an attachment (issue 13). */
function kindOf(d: DocumentDetails): string {
  if (d.kind === 'procedure')
    return `${L('Kết quả thủ tục hành chính', 'Public procedure result')} ${d.procedureCode ?? ''}`
  const forms: Record<string, string> = { 'sao-y': 'SAO Y', 'sao-luc': 'SAO LỤC', 'trich-sao': 'TRÍCH SAO' }
  if (d.kind === 'copy')
    return `${L('Bản sao điện tử', 'Electronic copy')} (${forms[d.copyForm ?? ''] ?? ''})`
  if (d.kind === 'attachment') return L('Phụ lục phát hành kèm theo', 'Attachment issued with')
  return L('Văn bản nội bộ', 'Internal document')
}

function Facts(props: { doc: DocumentDetails }): JSX.Element {
  const d = props.doc
  return (
    <div class="card">
      <h2>{L('Thông tin văn bản', 'About')}</h2>
      <dl class="facts">
        <dt>{L('Loại', 'Kind')}</dt>
        <dd>
          {kindOf(d)}
          {d.copyOf ? (
            <>
              {' '}
              · <Link href={`/documents/${d.copyOf}`}>{L('văn bản gốc', 'the original')}</Link>
            </>
          ) : null}
        </dd>
        {d.numberPrinted === false &&
          d.status === 'issued' &&
          d.kind !== 'copy' &&
          d.kind !== 'attachment' && (
            <>
              <dt>{L('Số, ngày', 'Number, date')}</dt>
              <dd>
                {L('không in lên văn bản (xem nhật ký)', 'not printed on the document (see the history)')}
              </dd>
            </>
          )}
        <dt>{L('Người soạn', 'Drafter')}</dt>
        <dd>
          {d.drafterName}
          {d.drafterTitle && <small> · {d.drafterTitle}</small>}
        </dd>
        <dt>{L('Ngày tạo', 'Created')}</dt>
        <dd>{formatDateTime(d.createdAt)}</dd>
        {d.finishedAt && (
          <>
            <dt>{L('Kết thúc', 'Finished')}</dt>
            <dd>{formatDateTime(d.finishedAt)}</dd>
          </>
        )}
      </dl>
    </div>
  )
}

/** What the signed-in user may do now, from the server's myActions (the API decides, not the page). */
function Actions(props: {
  doc: DocumentDetails
  me: Me
  onDone: (message: string) => void
  onClosed: () => void
}): JSX.Element | null {
  const d = props.doc
  const [open, setOpen] = useState<{ kind: string; stepId?: number } | undefined>()
  if (!d.myActions.length) return null
  const stepActions = d.myActions.filter((a) => a.stepId !== undefined)
  const drafter = d.myActions.filter((a) => a.stepId === undefined).map((a) => a.action)
  // A dialog closed may have left something behind (a remote signature waiting for a phone).
  const close = (): void => {
    setOpen(undefined)
    props.onClosed()
  }
  const finish = (message: string): void => {
    setOpen(undefined)
    props.onDone(message)
  }
  return (
    <div class="card actions-card" data-testid="actions">
      <h2>{L('Việc của bạn', 'Your action')}</h2>
      {stepActions.map((a) => (
        <div class="action-row" key={a.stepId}>
          {a.onBehalfOf !== undefined && (
            <p class="muted small">
              {L(
                `Bạn xử lý thay theo ủy quyền (${a.marker ?? ''})`,
                `You act by delegation (${a.marker ?? ''})`,
              )}
            </p>
          )}
          <div class="button-row">
            <button
              type="button"
              class="primary"
              data-action={a.action}
              onClick={() => setOpen({ kind: a.action, stepId: a.stepId as number })}
            >
              {a.action === 'sign' ? L('Ký số', 'Sign') : actionLabel(a.action)}
            </button>
            <button
              type="button"
              data-action="return"
              onClick={() => setOpen({ kind: 'return', stepId: a.stepId as number })}
            >
              {L('Trả lại', 'Return')}
            </button>
            <button
              type="button"
              class="danger-outline"
              data-action="reject"
              onClick={() => setOpen({ kind: 'reject', stepId: a.stepId as number })}
            >
              {L('Từ chối', 'Reject')}
            </button>
          </div>
        </div>
      ))}
      {drafter.length > 0 && (
        <div class="button-row">
          {drafter.includes('submit') && (
            <button
              type="button"
              class="primary"
              data-action="submit"
              onClick={() => setOpen({ kind: 'submit' })}
            >
              {L('Trình ký', 'Submit')}
            </button>
          )}
          {drafter.includes('revise') && (
            <button type="button" data-action="revise" onClick={() => setOpen({ kind: 'revise' })}>
              {L('Tải bản sửa', 'Upload revision')}
            </button>
          )}
          {drafter.includes('cancel') && (
            <button
              type="button"
              class="danger-outline"
              data-action="cancel"
              onClick={() => setOpen({ kind: 'cancel' })}
            >
              {L('Hủy văn bản', 'Cancel document')}
            </button>
          )}
        </div>
      )}
      {open && ['approve', 'sign', 'seal'].includes(open.kind) && (
        <SignDialog
          action={open.kind}
          stepId={open.stepId as number}
          tools={props.me.signingTools}
          onClose={close}
          onDone={finish}
          preview={previewOf(d, open.stepId as number, props.me)}
        />
      )}
      {open && (open.kind === 'reject' || open.kind === 'return') && (
        <ReasonDialog kind={open.kind} stepId={open.stepId as number} onClose={close} onDone={finish} />
      )}
      {open?.kind === 'submit' && <SubmitDialog doc={d} onClose={close} onDone={finish} />}
      {open?.kind === 'revise' && <ReviseDialog doc={d} onClose={close} onDone={finish} />}
      {open?.kind === 'cancel' && <CancelDialog doc={d} onClose={close} onDone={finish} />}
    </div>
  )
}

/** What the PIN dialog shows of where the signature will go: the page with the box. */
function previewOf(d: DocumentDetails, stepId: number, me: Me): JSX.Element | undefined {
  const p = placementFor(d, stepId, me)
  const latest = d.versions[d.versions.length - 1]
  if (!p || !latest) return undefined
  const label = L(
    `Chữ ký sẽ đặt ở ô đỏ, trang ${p.page}`,
    `The signature goes in the red box, page ${p.page}`,
  )
  return (
    <PagePlacement
      src={`/api/documents/${d.id}/file?version=${latest.seq}`}
      page={p.page}
      rect={p.rect}
      label={label}
    />
  )
}

function ReasonDialog(props: {
  kind: 'reject' | 'return'
  stepId: number
  onClose: () => void
  onDone: (m: string) => void
}): JSX.Element {
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (!reason.trim()) return setError(L('Lý do là bắt buộc.', 'A reason is required.'))
    setBusy(true)
    try {
      await api.post(`/api/steps/${props.stepId}/${props.kind}`, { reason: reason.trim() })
      props.onDone(
        props.kind === 'reject'
          ? L('Đã từ chối văn bản.', 'Rejected.')
          : L('Đã trả lại cho người soạn.', 'Returned to the drafter.'),
      )
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Dialog
      title={
        props.kind === 'reject' ? L('Từ chối văn bản', 'Reject') : L('Trả lại để sửa', 'Return for revision')
      }
      onClose={props.onClose}
    >
      <form onSubmit={submit} noValidate class="dialog-body">
        <Field id="reason" label={L('Lý do', 'Reason')} error={error}>
          <textarea
            id="reason"
            rows={3}
            autoFocus
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
            aria-invalid={Boolean(error)}
          />
        </Field>
        <div class="dialog-foot">
          <button type="button" onClick={props.onClose}>
            {L('Hủy', 'Cancel')}
          </button>
          <button type="submit" class={props.kind === 'reject' ? 'danger' : 'primary'} disabled={busy}>
            {props.kind === 'reject' ? L('Từ chối', 'Reject') : L('Trả lại', 'Return')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}

function latestFile(d: DocumentDetails): string | undefined {
  const latest = d.versions[d.versions.length - 1]
  return latest && `/api/documents/${d.id}/file?version=${latest.seq}`
}

function SubmitDialog(props: {
  doc: DocumentDetails
  onClose: () => void
  onDone: (m: string) => void
}): JSX.Element {
  const dir = useLoad(() => api.get<Directory>('/api/directory'))
  const { busy, error, run } = useAction()
  const send = async (route: { template: string } | { steps: StepSpec[] }): Promise<void> => {
    if (await run(() => api.post(`/api/documents/${props.doc.id}/submit`, route)))
      props.onDone(L('Đã trình ký.', 'Submitted.'))
  }
  return (
    <Dialog title={L('Trình ký', 'Submit for signing')} onClose={props.onClose} wide>
      <div class="dialog-body">
        <Async state={dir}>
          {(d) => (
            <RouteComposer
              directory={d}
              busy={busy}
              onSubmit={send}
              submitLabel={L('Trình ký', 'Submit')}
              pdf={latestFile(props.doc)}
            />
          )}
        </Async>
        <ErrorNote error={error} />
      </div>
    </Dialog>
  )
}

function ReviseDialog(props: {
  doc: DocumentDetails
  onClose: () => void
  onDone: (m: string) => void
}): JSX.Element {
  const [file, setFile] = useState<File | undefined>()
  const { busy, error, setError, run } = useAction()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (!file) return setError(new ApiError(400, 'BAD_REQUEST', L('Chọn tệp PDF.', 'Choose a PDF file.')))
    const form = new FormData()
    form.set('file', file)
    if (await run(() => api.upload(`/api/documents/${props.doc.id}/versions`, form)))
      props.onDone(
        L('Đã tải bản sửa; văn bản trở lại dự thảo.', 'Revision uploaded; the document is a draft again.'),
      )
  }
  return (
    <Dialog title={L('Tải bản sửa', 'Upload a revision')} onClose={props.onClose}>
      <form onSubmit={submit} class="dialog-body">
        <Field id="revise-file" label={L('Tệp PDF', 'PDF file')}>
          <FilePick id="revise-file" accept="application/pdf,.pdf" file={file} onPick={setFile} />
        </Field>
        <ErrorNote error={error} />
        <div class="dialog-foot">
          <button type="button" onClick={props.onClose}>
            {L('Hủy', 'Cancel')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {L('Tải lên', 'Upload')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}

function CancelDialog(props: {
  doc: DocumentDetails
  onClose: () => void
  onDone: (m: string) => void
}): JSX.Element {
  const [error, setError] = useState<unknown>()
  const confirm = async (): Promise<void> => {
    try {
      await api.post(`/api/documents/${props.doc.id}/cancel`)
      props.onDone(L('Đã hủy văn bản.', 'Cancelled.'))
    } catch (err) {
      setError(err)
    }
  }
  return (
    <Dialog title={L('Hủy văn bản?', 'Cancel this document?')} onClose={props.onClose}>
      <div class="dialog-body">
        <p>
          {L(
            'Văn bản sẽ dừng trình ký và không thể phát hành.',
            'The chain stops and the document cannot be issued.',
          )}
        </p>
        <ErrorNote error={error} />
        <div class="dialog-foot">
          <button type="button" autoFocus onClick={props.onClose}>
            {L('Không', 'No')}
          </button>
          <button type="button" class="danger" onClick={() => void confirm()}>
            {L('Hủy văn bản', 'Cancel document')}
          </button>
        </div>
      </div>
    </Dialog>
  )
}

function Versions(props: { doc: DocumentDetails }): JSX.Element {
  const d = props.doc
  return (
    <div class="card">
      <h2>{L('Các phiên bản', 'Versions')}</h2>
      <ol class="versions">
        {[...d.versions].reverse().map((v) => (
          <li key={v.id}>
            <a href={`/api/documents/${d.id}/file?version=${v.seq}`} download>
              {L('Phiên bản', 'Version')} {v.seq}
            </a>
            <small class="muted">
              {' '}
              · {originLabel(v.origin)} · {formatDateTime(v.createdAt)} · {fileSize(v.size)}
            </small>
          </li>
        ))}
      </ol>
    </div>
  )
}

/** How a version came to be: an upload, a signature, or the long-term data added (issue 18). */
function originLabel(origin: string): string {
  if (origin === 'signature') return L('thêm chữ ký', 'signature added')
  if (origin === 'extension') {
    return L(
      'thêm dữ liệu kiểm tra dài hạn và dấu thời gian (PAdES B-LTA)',
      'long-term validation data and a timestamp added',
    )
  }
  return L('tải lên', 'uploaded')
}
