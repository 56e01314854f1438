import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { Async, Dialog, ErrorNote, Field, FilePick, useAction, useLoad } from '../components.js'
import { formatDate, formatDateTime } from '../format.js'
import { L } from '../i18n.js'
import { pemBlocks, pemFromFile } from '../pem.js'
import { commonName } from '../signing-tools.js'

/** A row of GET /api/admin/certificates. */
export interface AdminCertificate {
  id: number
  kind: string
  status: string
  username: string
  fullName: string
  source?: 'internal' | 'external'
  subject?: string
  issuer?: string | null
  serialHex?: string
  notAfter?: string
  revokedAt?: string | null
  createdAt?: string
  /** A key Kyso holds (issue 15): consecutive wrong PINs, and whether they locked it. */
  pinFailures?: number | null
  keyLocked?: boolean
}

export const sourceLabel = (c: AdminCertificate): string =>
  c.status === 'awaiting-pin' || c.source === 'internal'
    ? L('Kyso cấp', 'Issued by Kyso')
    : L('Bên ngoài', 'External')

/**
 * External certificates waiting for a decision (issue 11): approving binds the certificate to its
 * holder after Kyso checks it once more (trust, validity, revocation); rejecting needs a reason.
 */
export function PendingCertificates(props: {
  list: AdminCertificate[]
  onDecided: () => void
}): JSX.Element | null {
  const pending = props.list.filter((c) => c.status === 'pending')
  const { busy, error, run } = useAction()
  const [rejecting, setRejecting] = useState<AdminCertificate | undefined>()
  if (pending.length === 0) return null
  const approve = async (c: AdminCertificate): Promise<void> => {
    if (await run(() => api.post(`/api/admin/certificates/${c.id}/approve`))) props.onDecided()
  }
  return (
    <div class="card table-card notice-frame">
      <h2>{L('Chứng thư số chờ phê duyệt', 'Certificates awaiting approval')}</h2>
      <p class="muted small">
        {L(
          'Người dùng đăng ký chứng thư số của khóa họ tự giữ (USB token, ký từ xa). Phê duyệt để ' +
            'gắn chứng thư với người đó; Kyso kiểm tra lại trước khi nhận.',
          'Users registered certificates of keys they hold (USB token, remote). ' +
            'Approving binds it to them; Kyso checks it again first.',
        )}
      </p>
      <ErrorNote error={error} id="pending-error" />
      <table class="table" data-testid="admin-pending">
        <thead>
          <tr>
            <th>{L('Người giữ', 'Holder')}</th>
            <th>{L('Chủ thể', 'Subject')}</th>
            <th>{L('Tổ chức cấp', 'Issuer')}</th>
            <th>{L('Loại', 'Kind')}</th>
            <th>{L('Hết hạn', 'Expires')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {pending.map((c) => (
            <tr key={c.id} data-certificate={c.id}>
              <td>
                {c.fullName} <small class="muted">({c.username})</small>
              </td>
              <td>
                {commonName(c.subject ?? '')}
                <br />
                <code class="serial">{c.serialHex}</code>
              </td>
              <td>{c.issuer ? commonName(c.issuer) : '—'}</td>
              <td>{c.kind === 'seal' ? L('Cơ quan', 'Seal') : L('Cá nhân', 'Personal')}</td>
              <td>{c.notAfter ? formatDate(c.notAfter) : '—'}</td>
              <td class="row-actions">
                <button
                  type="button"
                  class="primary small"
                  data-action="approve"
                  disabled={busy}
                  onClick={() => void approve(c)}
                >
                  {L('Phê duyệt', 'Approve')}
                </button>
                <button
                  type="button"
                  class="danger-outline small"
                  data-action="reject"
                  disabled={busy}
                  onClick={() => setRejecting(c)}
                >
                  {L('Từ chối', 'Reject')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rejecting && (
        <RejectDialog
          cert={rejecting}
          onClose={() => setRejecting(undefined)}
          onDone={() => {
            setRejecting(undefined)
            props.onDecided()
          }}
        />
      )}
    </div>
  )
}

function RejectDialog(props: {
  cert: AdminCertificate
  onClose: () => void
  onDone: () => void
}): JSX.Element {
  const [reason, setReason] = useState('')
  const [missing, setMissing] = useState(false)
  const { busy, error, run } = useAction()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setMissing(!reason.trim())
    if (!reason.trim()) return
    if (
      await run(() => api.post(`/api/admin/certificates/${props.cert.id}/reject`, { reason: reason.trim() }))
    )
      props.onDone()
  }
  return (
    <Dialog title={L('Từ chối chứng thư số', 'Reject the certificate')} onClose={props.onClose}>
      <form class="dialog-body" onSubmit={submit} noValidate>
        <p>
          {props.cert.fullName} · {commonName(props.cert.subject ?? '')}
        </p>
        <Field
          id="cert-reject-reason"
          label={L('Lý do (người dùng sẽ thấy)', 'Reason (the user sees it)')}
          error={missing ? L('Lý do là bắt buộc.', 'A reason is required.') : undefined}
        >
          <textarea
            id="cert-reject-reason"
            rows={3}
            autoFocus
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </Field>
        <ErrorNote error={error} />
        <div class="dialog-foot">
          <button type="button" onClick={props.onClose}>
            {L('Hủy', 'Cancel')}
          </button>
          <button type="submit" class="danger" disabled={busy}>
            {L('Từ chối', 'Reject')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}

interface Crl {
  id: number
  issuer: string
  thisUpdate: string
  nextUpdate: string | null
  addedAt?: string
  sha256: string
}

/**
 * Revocation lists of CAs Kyso cannot reach (a dedicated network): uploaded by an admin, kept only
 * when signed by a CA Kyso trusts, used to check external certificates before every signature.
 */
export function RevocationLists(): JSX.Element {
  const list = useLoad(() => api.get<Crl[]>('/api/admin/crls'))
  const [pem, setPem] = useState('')
  const [issuer, setIssuer] = useState('')
  const [file, setFile] = useState<File | undefined>()
  const { busy, error, setError, run } = useAction()
  const pick = async (f: File | undefined): Promise<void> => {
    setFile(f)
    if (f) setPem((await pemFromFile(f, 'X509 CRL'))[0] ?? '')
  }
  const add = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (pemBlocks(pem, 'X509 CRL').length !== 1)
      return setError(
        new ApiError(
          400,
          'BAD_REQUEST',
          L(
            'pem: chọn tệp hoặc dán đúng một danh sách thu hồi (CRL).',
            'pem: pick a file or paste exactly one CRL.',
          ),
        ),
      )
    const body = { pem, ...(issuer.trim() && { issuer: issuer.trim() }) }
    if (!(await run(() => api.post('/api/admin/crls', body)))) return
    setPem('')
    setIssuer('')
    setFile(undefined)
    list.reload()
  }
  const late = (c: Crl): boolean => c.nextUpdate !== null && new Date(c.nextUpdate) < new Date()
  return (
    <>
      <div class="card table-card">
        <h2>{L('Danh sách chứng thư số bị thu hồi (CRL)', 'Certificate revocation lists (CRL)')}</h2>
        <p class="muted small">
          {L(
            'Dùng khi máy chủ không tự tải được CRL của tổ chức cấp (mạng chuyên dùng). Mỗi CRL ' +
              'phải còn hạn để ký được bằng chứng thư do tổ chức đó cấp.',
            'For CAs the server cannot reach (a dedicated network). A CRL must be ' +
              'current for their certificates to sign.',
          )}
        </p>
        <Async state={list}>
          {(crls) =>
            crls.length === 0 ? (
              <p class="muted">{L('Chưa tải lên CRL nào.', 'No CRL uploaded yet.')}</p>
            ) : (
              <table class="table" data-testid="admin-crls">
                <thead>
                  <tr>
                    <th>{L('Tổ chức cấp', 'Issuer')}</th>
                    <th>{L('Phát hành', 'This update')}</th>
                    <th>{L('Cập nhật tiếp', 'Next update')}</th>
                    <th>SHA-256</th>
                  </tr>
                </thead>
                <tbody>
                  {crls.map((c) => (
                    <tr key={c.id}>
                      <td>{commonName(c.issuer)}</td>
                      <td>{formatDateTime(c.thisUpdate)}</td>
                      <td>
                        {c.nextUpdate ? formatDateTime(c.nextUpdate) : '—'}
                        {late(c) && <span class="badge bad">{L('Đã quá hạn', 'Out of date')}</span>}
                      </td>
                      <td>
                        <code class="serial">{c.sha256.slice(0, 16)}…</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Async>
      </div>
      <div class="card">
        <h2>{L('Tải lên CRL', 'Upload a CRL')}</h2>
        <form onSubmit={add} noValidate>
          <Field id="crl-file" label={L('Tệp CRL (.crl, .pem)', 'CRL file (.crl, .pem)')}>
            <FilePick
              id="crl-file"
              accept=".crl,.pem,application/pkix-crl"
              file={file}
              onPick={(f) => void pick(f)}
            />
          </Field>
          <Field id="crl-pem" label={L('Hoặc dán nội dung (PEM)', 'Or paste it (PEM)')}>
            <textarea
              id="crl-pem"
              rows={4}
              class="mono"
              value={pem}
              placeholder="-----BEGIN X509 CRL-----"
              onInput={(e) => setPem(e.currentTarget.value)}
            />
          </Field>
          <Field
            id="crl-issuer"
            label={L(
              'Chứng thư của CA phát hành CRL (không bắt buộc)',
              "The issuing CA's certificate (optional)",
            )}
            hint={L(
              'Cần khi CA đó là CA trung gian Kyso chưa biết',
              'Needed when it is an intermediate CA Kyso does not know yet',
            )}
          >
            <textarea
              id="crl-issuer"
              rows={3}
              class="mono"
              value={issuer}
              placeholder="-----BEGIN CERTIFICATE-----"
              onInput={(e) => setIssuer(e.currentTarget.value)}
            />
          </Field>
          <ErrorNote error={error} id="crl-error" />
          <button type="submit" class="primary" disabled={busy}>
            {L('Tải lên', 'Upload')}
          </button>
        </form>
      </div>
    </>
  )
}

const MODES: [string, string, string][] = [
  ['in-file', 'Trong tệp PDF', 'In the PDF'],
  ['detached', 'Chứng cứ tách rời', 'Detached evidence'],
]

/** How an agency's approvals made with keys Kyso holds travel: in the PDF, or as evidence beside it. */
export function ApprovalMode(props: {
  code: string
  mode: string | undefined
  onChanged: () => void
}): JSX.Element {
  const { busy, error, run } = useAction()
  const change = async (approvalMode: string): Promise<void> => {
    if (await run(() => api.patch(`/api/admin/agencies/${encodeURIComponent(props.code)}`, { approvalMode })))
      props.onChanged()
  }
  return (
    <>
      <select
        id={`mode-${props.code}`}
        aria-label={L('Cách lưu chữ ký duyệt', 'Where approvals go')}
        value={props.mode ?? 'in-file'}
        disabled={busy}
        onChange={(e) => void change(e.currentTarget.value)}
      >
        {MODES.map(([v, vi, en]) => (
          <option key={v} value={v}>
            {L(vi, en)}
          </option>
        ))}
      </select>
      <ErrorNote error={error} />
    </>
  )
}
