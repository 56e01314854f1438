import type { JSX } from 'preact'
import { api } from '../api.js'
import { Async, useLoad } from '../components.js'
import { formatDate, formatDateTime } from '../format.js'
import { actionLabel, L } from '../i18n.js'
import { keySourceLabel } from '../signing-tools.js'
import { VERDICT, whyText } from '../verdicts.js'
import type { DocumentDetails } from './document.js'

interface Check {
  check: string
  passed: boolean
  detail: string
}
interface SignatureReport {
  field: string
  signer: string | null
  issuer: string | null
  signedAt: string | null
  signedAtProven: boolean
  level: string | null
  indication: string
  subIndication: string | null
  coversWholeDocument: boolean
  revocation: string
  checks: Check[]
  problems: string[]
  /** What changed after the signature that is allowed but worth a look (issue 17): comments, form values. */
  warnings?: { kind: string; object: number | null; page: number | null; what: string; what_vi: string }[]
  kind?: string
}
/** An approval kept outside the file (issue 11): a CAdES detached signature over a version. */
interface DetachedReport extends SignatureReport {
  signatureId: number
  version: number
}
interface VerifyReport {
  indication: string
  signatures: SignatureReport[]
  detached?: DetachedReport[]
}

type Signature = DocumentDetails['signatures'][number]

const DETACHED = (): string => L('Duyệt (chứng cứ tách rời)', 'Approved (detached evidence)')

/** One signature's verdict in plain words; the same for the file's signatures and detached ones. */
function SignatureItem(props: {
  report: SignatureReport
  n: number
  record?: Signature | undefined
  detachedVersion?: number
}): JSX.Element {
  const g = props.report
  const [vi, en, tone] = VERDICT[g.indication] ?? [g.indication, g.indication, 'warn']
  const why = whyText(g.subIndication)
  const failed = g.checks.filter((c) => !c.passed)
  const how = props.record?.keySource ? keySourceLabel(props.record.keySource) : undefined
  const time = g.signedAt
    ? `${formatDateTime(g.signedAt)}${g.signedAtProven ? L(' · có dấu thời gian', ' · timestamped') : ''}`
    : ''
  const level =
    props.detachedVersion !== undefined
      ? ` · CAdES · ${L('phiên bản', 'version')} ${props.detachedVersion}`
      : g.level
        ? ` · PAdES ${g.level}`
        : ''
  return (
    <li class={`sig ${tone}`} data-indication={g.indication} data-key-source={props.record?.keySource}>
      <div class="sig-head">
        <span class={`verdict ${tone}`}>{L(vi, en)}</span>
        <strong>
          {props.n}. {g.signer ?? L('Không rõ người ký', 'Unknown signer')}
        </strong>
      </div>
      <div class="muted small">
        {time}
        {level}
        {how && ` · ${how}`}
      </div>
      {why && <p class="why">{why}</p>}
      {!why && failed.length > 0 && <p class="why">{failed.map((c) => c.detail).join('; ')}</p>}
      {(g.warnings ?? []).length > 0 && (
        <div class="warn-list" data-testid="signature-warnings">
          <p class="small">
            {L(
              'Có thay đổi sau khi ký, được phép nhưng cần xem:',
              'Changed after signing, allowed but worth a look:',
            )}
          </p>
          <ul class="small">
            {(g.warnings ?? []).map((w, i) => (
              <li key={i}>{L(w.what_vi, w.what)}</li>
            ))}
          </ul>
        </div>
      )}
      {g.indication === 'PASSED' && (
        <p class="small ok-text">
          {props.detachedVersion !== undefined
            ? L(
                'Nguyên vẹn, tin cậy, chưa bị thu hồi; ký đúng phiên bản đã duyệt.',
                'Intact, trusted, not revoked; over exactly the approved version.',
              )
            : g.coversWholeDocument
              ? L(
                  'Nguyên vẹn, tin cậy, chưa bị thu hồi; không có thay đổi sau khi ký.',
                  'Intact, trusted, not revoked; nothing changed after it.',
                )
              : L(
                  'Nguyên vẹn, tin cậy, chưa bị thu hồi; các thay đổi sau đó là chữ ký được phép.',
                  'Intact, trusted, not revoked; later changes are permitted signatures.',
                )}
        </p>
      )}
    </li>
  )
}

/** The validation report of the latest version, and of the approvals kept beside it. */
export function Validation(props: { doc: DocumentDetails }): JSX.Element {
  const d = props.doc
  const latest = d.versions[d.versions.length - 1]
  // A detached approval adds no version: the count of signatures is part of what is validated.
  const state = useLoad(
    () => api.get<VerifyReport>(`/api/documents/${d.id}/verification`),
    [d.id, latest?.seq, d.signatures.length],
  )
  const byField = (field: string): Signature | undefined =>
    d.signatures.find((s) => s.form !== 'detached' && s.field === field)
  return (
    <div class="card" data-testid="validation">
      <h2>{L('Kiểm tra chữ ký số', 'Signature validation')}</h2>
      <Async state={state}>
        {(r) => {
          const detached = r.detached ?? []
          if (r.signatures.length === 0 && detached.length === 0)
            return <p class="muted">{L('Văn bản chưa có chữ ký số.', 'No signatures yet.')}</p>
          return (
            <>
              {r.signatures.length > 0 && (
                <ol class="sig-list">
                  {r.signatures.map((g, i) => (
                    <SignatureItem key={g.field} report={g} n={i + 1} record={byField(g.field)} />
                  ))}
                </ol>
              )}
              {detached.length > 0 && (
                <>
                  <h3>
                    {L(
                      'Chữ ký duyệt lưu ngoài tệp (chứng cứ tách rời)',
                      'Approvals kept outside the file (detached evidence)',
                    )}
                  </h3>
                  <ol class="sig-list" data-testid="detached">
                    {detached.map((g, i) => (
                      <SignatureItem
                        key={g.signatureId}
                        report={g}
                        n={r.signatures.length + i + 1}
                        detachedVersion={g.version}
                        record={d.signatures.find((s) => s.id === g.signatureId)}
                      />
                    ))}
                  </ol>
                </>
              )}
            </>
          )
        }}
      </Async>
    </div>
  )
}

const EVENT: Record<string, [string, string]> = {
  'document.uploaded': ['Tải lên dự thảo', 'Draft uploaded'],
  'document.revised': ['Tải bản sửa', 'Revision uploaded'],
  'document.submitted': ['Trình ký', 'Submitted'],
  'step.approve': ['Duyệt và ký số', 'Approved (signed)'],
  'step.sign': ['Ký số', 'Signed'],
  'step.seal': ['Đóng dấu, phát hành', 'Sealed and issued'],
  'document.rejected': ['Từ chối', 'Rejected'],
  'document.returned': ['Trả lại để sửa', 'Returned for revision'],
  'document.cancelled': ['Hủy', 'Cancelled'],
  // Issue 18: long-term validation data and a document time-stamp, at issuance or when renewed.
  'document.extended': [
    'Thêm dữ liệu kiểm tra dài hạn và dấu thời gian',
    'Long-term validation data and timestamp added',
  ],
  'document.numbered': ['Lấy số và in số, ngày lên văn bản', 'Numbered: number and date printed'],
  'document.copied': ['Sao văn bản điện tử', 'Electronic copy made'],
  'document.attachment-issued': ['Phát hành phụ lục', 'Attachment issued'],
}

type Step = DocumentDetails['workflows'][number]['steps'][number]

/** One step of the chain: who, when, how each signature was made, and who is confirming on a phone. */
function StepItem(props: { doc: DocumentDetails; step: Step }): JSX.Element {
  const { doc: d, step: st } = props
  const mine = d.signatures.filter((g) => g.stepId === st.id)
  return (
    <li class={`step step-${st.status}`} data-step={st.id}>
      <span class="dot" aria-hidden="true" />
      <div>
        <strong>
          {st.seq}. {actionLabel(st.action)}
        </strong>
        {st.assignees.length > 1 && (
          <small class="muted"> · {st.rule === 'any' ? L('một người', 'any one') : L('tất cả', 'all')}</small>
        )}
        <ul class="assignees">
          {st.assignees.map((a) => {
            // Signed by a delegate: the delegate's name, the marker and the principal's title,
            // as the signature itself reads ("KT. Giám đốc"), never as if the principal signed.
            const delegated = a.status === 'done' && a.actedByName && a.actedByName !== a.fullName
            const marker = mine.find((g) => g.marker)?.marker
            const signer = a.actedByName ?? a.fullName
            const sig =
              a.status === 'done'
                ? (mine.find((g) => g.fullName === signer) ?? (mine.length === 1 ? mine[0] : undefined))
                : undefined
            return (
              <li key={a.username} class={`as-${a.status}`}>
                {delegated ? (
                  <>
                    {a.actedByName}{' '}
                    <span class="badge muted">
                      {marker ?? L('thay', 'for')} {a.title ?? a.fullName}
                    </span>
                    <small class="muted">
                      {L('thay', 'for')} {a.fullName}
                    </small>
                  </>
                ) : (
                  a.fullName
                )}
                {a.status === 'done' && a.actedAt && <small> · {formatDateTime(a.actedAt)}</small>}
                {a.status === 'skipped' && <small> · {L('không cần', 'not needed')}</small>}
                {sig && (
                  <span class="how">
                    {sig.form === 'detached' && (
                      <span class="badge" data-testid="detached-approval">
                        {DETACHED()}
                      </span>
                    )}
                    {sig.keySource && (
                      <span class="badge muted" data-testid="key-source" data-key-source={sig.keySource}>
                        {keySourceLabel(sig.keySource)}
                      </span>
                    )}
                  </span>
                )}
              </li>
            )
          })}
        </ul>
        {(st.awaiting ?? []).map((w) => (
          <p key={`${w.username}-${w.expiresAt}`} class="awaiting small" data-testid="awaiting">
            {L('Chờ xác nhận trên điện thoại', 'Waiting for confirmation on a phone')}:{' '}
            <strong>{w.fullName}</strong> · {keySourceLabel(w.keySource)}
            {' · '}
            {L('đến', 'until')} {formatDateTime(w.expiresAt)}
          </p>
        ))}
        {st.deadline && (
          <small class="muted">
            {L('Hạn', 'Due')} {formatDate(st.deadline)}
          </small>
        )}
      </div>
    </li>
  )
}

export function Timeline(props: { doc: DocumentDetails }): JSX.Element {
  const d = props.doc
  const wf = d.workflows[d.workflows.length - 1]
  return (
    <div class="card" data-testid="timeline">
      <h2>{L('Quy trình xử lý', 'Approval chain')}</h2>
      {wf && (
        <ol class="steps">
          {wf.steps.map((st) => (
            <StepItem key={st.id} doc={d} step={st} />
          ))}
        </ol>
      )}
      <h3>{L('Lịch sử', 'History')}</h3>
      <ol class="history">
        {d.history.map((e) => {
          const label = EVENT[e.action]
          const marker = d.signatures.find((g) => g.stepId === e.detail.stepId && g.marker)?.marker
          return (
            <li key={e.id} data-action={e.action}>
              <time>{formatDateTime(e.at)}</time>
              <div>
                <strong>{label ? L(...label) : e.action}</strong> · {e.fullName ?? L('Hệ thống', 'System')}
                {typeof e.detail.onBehalfOf === 'string' && (
                  <span class="badge muted" title={e.detail.onBehalfOf}>
                    {marker ?? L('Thay mặt', 'For')}{' '}
                    {typeof e.detail.onBehalfOfTitle === 'string'
                      ? e.detail.onBehalfOfTitle
                      : e.detail.onBehalfOf}
                  </span>
                )}
                {typeof e.detail.comment === 'string' && <q>{e.detail.comment}</q>}
                {typeof e.detail.reason === 'string' && <q class="reason">{e.detail.reason}</q>}
                {typeof e.detail.outgoingNumber === 'string' && (
                  <small>
                    {' '}
                    · {L('Số', 'No.')} {e.detail.outgoingNumber}
                  </small>
                )}
              </div>
            </li>
          )
        })}
      </ol>
    </div>
  )
}
