import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import {
  Async,
  Dialog,
  ErrorNote,
  Field,
  Link,
  PageHead,
  fieldOf,
  messageOf,
  useAction,
  useLoad,
} from '../components.js'
import { formatDate, formatDateTime } from '../format.js'
import { L, ROLE_NAMES, roleLabel } from '../i18n.js'
import type { Me } from '../main.js'
import { commonName } from '../signing-tools.js'
import {
  ApprovalMode,
  PendingCertificates,
  RevocationLists,
  sourceLabel,
  type AdminCertificate as Cert,
} from './admin-external.js'
import { AuthoritiesTab, PersonalDataDialog, TargetsTab } from './admin-policy.js'
import { KeyLock } from './admin-key-lock.js'

interface Agency {
  id: number
  code: string
  name: string
  parentCode: string | null
  approvalMode?: string
}
interface User {
  id: number
  username: string
  fullName: string
  title: string | null
  disabled: boolean
  agencyCode: string
  agency: string
  roles: string[]
}
interface Anchor {
  fingerprint: string
  subject: string
  issuer: string
  notBefore: string
  notAfter: string
  source: string
}

const TABS: [string, string, string][] = [
  ['users', 'Người dùng', 'Users'],
  ['agencies', 'Cơ quan', 'Agencies'],
  ['certificates', 'Chứng thư số', 'Certificates'],
  ['trust', 'Chứng thư số gốc tin cậy', 'Trust anchors'],
  ['crls', 'Danh sách thu hồi (CRL)', 'Revocation lists'],
  ['authorities', 'Thẩm quyền ký', 'Signing authorities'],
  ['targets', 'Chỉ tiêu', 'Targets'],
]

/** Administration for the admin role: the API refuses everyone else, the page only hides the menu. */
export function AdminPage(props: { me: Me; tab: string }): JSX.Element {
  return (
    <section>
      <PageHead title={L('Quản trị hệ thống', 'Administration')} />
      <nav class="tabs" aria-label={L('Mục quản trị', 'Administration sections')}>
        {TABS.map(([t, vi, en]) => (
          <Link
            key={t}
            href={`/admin/${t}`}
            class={props.tab === t ? 'tab current' : 'tab'}
            aria-current={props.tab === t ? 'page' : undefined}
          >
            {L(vi, en)}
          </Link>
        ))}
      </nav>
      {props.tab === 'users' && <Users me={props.me} />}
      {props.tab === 'agencies' && <Agencies />}
      {props.tab === 'certificates' && <Certificates />}
      {props.tab === 'trust' && <Trust />}
      {props.tab === 'crls' && <RevocationLists />}
      {props.tab === 'authorities' && <AuthoritiesTab />}
      {props.tab === 'targets' && <TargetsTab />}
    </section>
  )
}

function Users(props: { me: Me }): JSX.Element {
  const users = useLoad(() => api.get<User[]>('/api/admin/users'))
  const agencies = useLoad(() => api.get<Agency[]>('/api/admin/agencies'))
  const [editing, setEditing] = useState<User | 'new' | undefined>()
  const [personal, setPersonal] = useState<User | undefined>()
  const { busy, error: failure, run } = useAction()
  const toggle = async (u: User): Promise<void> => {
    if (await run(() => api.patch(`/api/admin/users/${u.id}`, { disabled: !u.disabled }))) users.reload()
  }
  return (
    <div class="card table-card">
      <div class="table-tools">
        <h2>{L('Người dùng và vai trò', 'Users and roles')}</h2>
        <button type="button" class="primary" onClick={() => setEditing('new')}>
          {L('+ Thêm người dùng', '+ Add user')}
        </button>
      </div>
      <ErrorNote error={failure} />
      <Async state={users}>
        {(list) => (
          <table class="table" data-testid="admin-users">
            <thead>
              <tr>
                <th>{L('Họ tên', 'Name')}</th>
                <th>{L('Tên đăng nhập', 'Username')}</th>
                <th>{L('Cơ quan', 'Agency')}</th>
                <th>{L('Vai trò', 'Roles')}</th>
                <th>{L('Trạng thái', 'State')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id} class={u.disabled ? 'disabled-row' : ''}>
                  <td>
                    {u.fullName}
                    {u.title && <small class="muted"> · {u.title}</small>}
                  </td>
                  <td>
                    <code>{u.username}</code>
                  </td>
                  <td>{u.agencyCode}</td>
                  <td>{u.roles.map(roleLabel).join(', ')}</td>
                  <td>
                    {u.disabled ? (
                      <span class="badge muted">{L('Đã khóa', 'Disabled')}</span>
                    ) : (
                      <span class="badge ok">{L('Hoạt động', 'Active')}</span>
                    )}
                  </td>
                  <td class="row-actions">
                    <button type="button" class="small" onClick={() => setEditing(u)}>
                      {L('Sửa', 'Edit')}
                    </button>
                    {u.id !== props.me.id && (
                      <button type="button" class="small" disabled={busy} onClick={() => void toggle(u)}>
                        {u.disabled ? L('Mở khóa', 'Enable') : L('Khóa', 'Disable')}
                      </button>
                    )}
                    {u.id !== props.me.id && (
                      <button
                        type="button"
                        class="small"
                        data-testid="personal-data"
                        onClick={() => setPersonal(u)}
                      >
                        {L('Dữ liệu cá nhân', 'Personal data')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
      {personal && (
        <PersonalDataDialog user={personal} onClose={() => setPersonal(undefined)} onErased={users.reload} />
      )}
      {editing && (
        <UserDialog
          user={editing === 'new' ? undefined : editing}
          agencies={agencies.data ?? []}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined)
            users.reload()
          }}
        />
      )}
    </div>
  )
}

function UserDialog(props: {
  user?: User | undefined
  agencies: Agency[]
  onClose: () => void
  onSaved: () => void
}): JSX.Element {
  const u = props.user
  const [form, setForm] = useState({
    username: u?.username ?? '',
    fullName: u?.fullName ?? '',
    title: u?.title ?? '',
    agencyCode: u?.agencyCode ?? props.agencies[0]?.code ?? '',
    password: '',
    roles: u?.roles ?? ['staff'],
  })
  const { busy, error: failure, run } = useAction()
  const save = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (
      await run(() =>
        u
          ? api.patch(`/api/admin/users/${u.id}`, { roles: form.roles, title: form.title })
          : api.post('/api/admin/users', form),
      )
    )
      props.onSaved()
  }
  // A refusal that names a field is shown under that field; anything else under the form.
  const field = fieldOf(failure)
  const errorAt = (name: string): string | undefined => (field === name ? messageOf(failure) : undefined)
  return (
    <Dialog
      title={u ? L('Sửa người dùng', 'Edit user') : L('Thêm người dùng', 'Add user')}
      onClose={props.onClose}
    >
      <form class="dialog-body" onSubmit={save} noValidate>
        {!u && (
          <Field id="u-username" error={errorAt('username')} label={L('Tên đăng nhập', 'Username')}>
            <input
              id="u-username"
              value={form.username}
              onInput={(e) => setForm({ ...form, username: e.currentTarget.value })}
            />
          </Field>
        )}
        {!u && (
          <Field id="u-name" error={errorAt('fullName')} label={L('Họ tên', 'Full name')}>
            <input
              id="u-name"
              value={form.fullName}
              onInput={(e) => setForm({ ...form, fullName: e.currentTarget.value })}
            />
          </Field>
        )}
        <Field id="u-title" error={errorAt('title')} label={L('Chức danh', 'Title')}>
          <input
            id="u-title"
            value={form.title}
            onInput={(e) => setForm({ ...form, title: e.currentTarget.value })}
          />
        </Field>
        {!u && (
          <Field id="u-agency" error={errorAt('agencyCode')} label={L('Cơ quan', 'Agency')}>
            <select
              id="u-agency"
              value={form.agencyCode}
              onChange={(e) => setForm({ ...form, agencyCode: e.currentTarget.value })}
            >
              {props.agencies.map((a) => (
                <option key={a.code} value={a.code}>
                  {a.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        {!u && (
          <Field
            id="u-password"
            error={errorAt('password')}
            label={L('Mật khẩu ban đầu', 'Initial password')}
            hint={L('Ít nhất 8 ký tự', 'At least 8 characters')}
          >
            <input
              id="u-password"
              type="password"
              autocomplete="new-password"
              value={form.password}
              onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
            />
          </Field>
        )}
        <fieldset class="checks">
          <legend>{L('Vai trò', 'Roles')}</legend>
          {ROLE_NAMES.map((r) => (
            <label key={r}>
              <input
                type="checkbox"
                checked={form.roles.includes(r)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    roles: e.currentTarget.checked ? [...form.roles, r] : form.roles.filter((x) => x !== r),
                  })
                }
              />{' '}
              {roleLabel(r)}
            </label>
          ))}
        </fieldset>
        {field === 'roles' && (
          <small class="field-error" role="alert">
            {messageOf(failure)}
          </small>
        )}
        {(!field ||
          !['username', 'fullName', 'title', 'agencyCode', 'password', 'roles'].includes(field)) && (
          <ErrorNote error={failure} />
        )}
        <div class="dialog-foot">
          <button type="button" onClick={props.onClose}>
            {L('Hủy', 'Cancel')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {L('Lưu', 'Save')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}

function Agencies(): JSX.Element {
  const list = useLoad(() => api.get<Agency[]>('/api/admin/agencies'))
  const [form, setForm] = useState({ code: '', name: '', parentCode: '' })
  const { busy, error: failure, run } = useAction()
  const add = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (
      !(await run(() =>
        api.post('/api/admin/agencies', {
          code: form.code.trim(),
          name: form.name.trim(),
          ...(form.parentCode && { parentCode: form.parentCode }),
        }),
      ))
    )
      return
    setForm({ code: '', name: '', parentCode: '' })
    list.reload()
  }
  return (
    <Async state={list}>
      {(agencies) => (
        <>
          <div class="card">
            <h2>{L('Thêm cơ quan', 'Add an agency')}</h2>
            <form class="form-grid" onSubmit={add} noValidate>
              <Field id="a-code" label={L('Mã', 'Code')}>
                <input
                  id="a-code"
                  value={form.code}
                  placeholder="UBND-P-..."
                  onInput={(e) => setForm({ ...form, code: e.currentTarget.value.toUpperCase() })}
                />
              </Field>
              <Field id="a-name" label={L('Tên cơ quan', 'Name')}>
                <input
                  id="a-name"
                  value={form.name}
                  onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
                />
              </Field>
              <Field id="a-parent" label={L('Cơ quan cấp trên', 'Parent')}>
                <select
                  id="a-parent"
                  value={form.parentCode}
                  onChange={(e) => setForm({ ...form, parentCode: e.currentTarget.value })}
                >
                  <option value="">—</option>
                  {agencies.map((a) => (
                    <option key={a.code} value={a.code}>
                      {a.name}
                    </option>
                  ))}
                </select>
              </Field>
              <div class="form-actions">
                <button type="submit" class="primary" disabled={busy}>
                  {L('Thêm', 'Add')}
                </button>
              </div>
            </form>
            <ErrorNote error={failure} />
          </div>
          <div class="card table-card">
            <p class="muted small">
              {L(
                'Chữ ký duyệt bằng khóa do Kyso giữ: nằm trong tệp PDF, hoặc lưu riêng làm chứng cứ tách rời để tệp phát hành chỉ mang chữ ký mà nơi nhận kiểm tra được.',
                'Approvals made with keys Kyso holds: in the PDF, or kept apart as detached evidence so the issued file carries only signatures its readers can check.',
              )}
            </p>
            <table class="table" data-testid="admin-agencies">
              <thead>
                <tr>
                  <th>{L('Mã', 'Code')}</th>
                  <th>{L('Tên', 'Name')}</th>
                  <th>{L('Cấp trên', 'Parent')}</th>
                  <th>{L('Chữ ký duyệt', 'Approvals')}</th>
                </tr>
              </thead>
              <tbody>
                {agencies.map((a) => (
                  <tr key={a.id} data-agency={a.code}>
                    <td>
                      <code>{a.code}</code>
                    </td>
                    <td>{a.name}</td>
                    <td>{a.parentCode ?? '—'}</td>
                    <td>
                      <ApprovalMode code={a.code} mode={a.approvalMode} onChanged={list.reload} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Async>
  )
}

const CERT_STATUS: Record<string, [string, string, string]> = {
  'awaiting-pin': ['Chờ người dùng đặt PIN', "Awaiting the holder's PIN", 'warn'],
  valid: ['Còn hiệu lực', 'Valid', 'ok'],
  expired: ['Hết hạn', 'Expired', 'muted'],
  revoked: ['Đã thu hồi', 'Revoked', 'bad'],
  pending: ['Chờ phê duyệt', 'Awaiting approval', 'warn'],
  rejected: ['Bị từ chối', 'Rejected', 'bad'],
}

function Certificates(): JSX.Element {
  const list = useLoad(() => api.get<Cert[]>('/api/admin/certificates'))
  const users = useLoad(() => api.get<User[]>('/api/admin/users'))
  const [form, setForm] = useState({ username: '', kind: 'personal' })
  const { busy, error: failure, run } = useAction()
  const [revoking, setRevoking] = useState<Cert | undefined>()
  const request = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (await run(() => api.post('/api/admin/certificates', form))) list.reload()
  }
  return (
    <>
      {list.data && <PendingCertificates list={list.data} onDecided={list.reload} />}
      <div class="card">
        <h2>{L('Cấp chứng thư số', 'Issue a certificate')}</h2>
        <p class="muted small">
          {L(
            'Người dùng tự đặt mã PIN khi kích hoạt (mục "Chứng thư số của tôi"); khóa ký chỉ được tạo lúc đó và quản trị không biết PIN.',
            'The holder sets the PIN when activating it ("My certificates"); the key is made then, and the admin never knows the PIN.',
          )}
        </p>
        <form class="form-grid" onSubmit={request} noValidate>
          <Field id="c-user" label={L('Người dùng', 'User')}>
            <select
              id="c-user"
              value={form.username}
              onChange={(e) => setForm({ ...form, username: e.currentTarget.value })}
            >
              <option value="">—</option>
              {(users.data ?? [])
                .filter((u) => !u.disabled)
                .map((u) => (
                  <option key={u.username} value={u.username}>
                    {u.fullName} ({u.username})
                  </option>
                ))}
            </select>
          </Field>
          <Field id="c-kind" label={L('Loại', 'Kind')}>
            <select
              id="c-kind"
              value={form.kind}
              onChange={(e) => setForm({ ...form, kind: e.currentTarget.value })}
            >
              <option value="personal">{L('Cá nhân', 'Personal')}</option>
              <option value="seal">
                {L('Cơ quan (con dấu, văn thư giữ)', 'Agency seal (held by the clerk)')}
              </option>
            </select>
          </Field>
          <div class="form-actions">
            <button type="submit" class="primary" disabled={busy}>
              {L('Cấp', 'Issue')}
            </button>
          </div>
        </form>
        <ErrorNote error={failure} />
      </div>
      <div class="card table-card">
        <Async state={list}>
          {(certs) => (
            <table class="table" data-testid="admin-certificates">
              <thead>
                <tr>
                  <th>{L('Người giữ', 'Holder')}</th>
                  <th>{L('Loại', 'Kind')}</th>
                  <th>{L('Nguồn', 'Source')}</th>
                  <th>{L('Tổ chức cấp', 'Issuer')}</th>
                  <th>{L('Số sê-ri', 'Serial')}</th>
                  <th>{L('Hết hạn', 'Expires')}</th>
                  <th>{L('Trạng thái', 'State')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {certs.map((c) => {
                  const [vi, en, tone] = CERT_STATUS[c.status] ?? [c.status, c.status, '']
                  return (
                    <tr key={`${c.status}-${c.id}`}>
                      <td>{c.fullName}</td>
                      <td>{c.kind === 'seal' ? L('Cơ quan', 'Seal') : L('Cá nhân', 'Personal')}</td>
                      <td data-source={c.source}>{sourceLabel(c)}</td>
                      <td>
                        {c.issuer
                          ? commonName(c.issuer)
                          : c.source === 'internal'
                            ? L('CA nội bộ', 'Internal CA')
                            : '—'}
                      </td>
                      <td>
                        <code class="serial">{c.serialHex ?? '—'}</code>
                      </td>
                      <td>{c.notAfter ? formatDate(c.notAfter) : '—'}</td>
                      <td>
                        <span class={`badge ${tone}`}>{L(vi, en)}</span>
                        {c.revokedAt && <small class="muted"> {formatDateTime(c.revokedAt)}</small>}
                        {!c.revokedAt && <KeyLock cert={c} onDone={list.reload} />}
                      </td>
                      <td>
                        {c.status === 'valid' && (
                          <button type="button" class="danger-outline small" onClick={() => setRevoking(c)}>
                            {L('Thu hồi', 'Revoke')}
                          </button>
                        )}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          )}
        </Async>
      </div>
      {revoking && (
        <RevokeDialog
          cert={revoking}
          onClose={() => setRevoking(undefined)}
          onDone={() => {
            setRevoking(undefined)
            list.reload()
          }}
        />
      )}
    </>
  )
}

const REASONS: [string, string, string][] = [
  ['unspecified', 'Không nêu lý do', 'Unspecified'],
  ['keyCompromise', 'Lộ khóa / mất thiết bị', 'Key compromise'],
  ['affiliationChanged', 'Chuyển công tác', 'Affiliation changed'],
  ['superseded', 'Đã cấp chứng thư mới', 'Superseded'],
  ['cessationOfOperation', 'Thôi việc / nghỉ hưu', 'Cessation of operation'],
]

function RevokeDialog(props: { cert: Cert; onClose: () => void; onDone: () => void }): JSX.Element {
  const [reason, setReason] = useState('unspecified')
  const { busy, error: failure, run } = useAction()
  const revoke = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (await run(() => api.post(`/api/admin/certificates/${props.cert.id}/revoke`, { reason })))
      props.onDone()
  }
  return (
    <Dialog title={L('Thu hồi chứng thư số', 'Revoke the certificate')} onClose={props.onClose}>
      <form class="dialog-body" onSubmit={revoke}>
        <p>
          {props.cert.fullName} · <code>{props.cert.serialHex}</code>
        </p>
        <p class="muted small">
          {L(
            'Chữ ký đã có dấu thời gian trước lúc thu hồi vẫn hợp lệ; từ nay chứng thư này không ký được nữa.',
            'Signatures timestamped before the revocation stay valid; from now on this certificate cannot sign.',
          )}
        </p>
        <Field id="r-reason" label={L('Lý do', 'Reason')}>
          <select id="r-reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
            {REASONS.map(([v, vi, en]) => (
              <option key={v} value={v}>
                {L(vi, en)}
              </option>
            ))}
          </select>
        </Field>
        <ErrorNote error={failure} />
        <div class="dialog-foot">
          <button type="button" onClick={props.onClose}>
            {L('Hủy', 'Cancel')}
          </button>
          <button type="submit" class="danger" disabled={busy}>
            {L('Thu hồi', 'Revoke')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}

function Trust(): JSX.Element {
  const list = useLoad(() => api.get<Anchor[]>('/api/admin/trust-anchors'))
  const [pem, setPem] = useState('')
  const { busy, error: failure, run } = useAction()
  const add = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (!(await run(() => api.post('/api/admin/trust-anchors', { pem })))) return
    setPem('')
    list.reload()
  }
  return (
    <>
      <div class="card table-card">
        <h2>{L('Chứng thư số gốc tin cậy', 'Trust anchors')}</h2>
        <p class="muted small">
          {L(
            'Chữ ký chỉ được coi là tin cậy khi chứng thư của người ký dẫn về một trong các chứng thư gốc này.',
            'A signature is trusted only when its certificate chains to one of these roots.',
          )}
        </p>
        <Async state={list}>
          {(anchors) => (
            <table class="table">
              <thead>
                <tr>
                  <th>{L('Chủ thể', 'Subject')}</th>
                  <th>{L('Hiệu lực', 'Validity')}</th>
                  <th>SHA-256</th>
                  <th>{L('Nguồn', 'Source')}</th>
                </tr>
              </thead>
              <tbody>
                {anchors.map((a) => (
                  <tr key={a.fingerprint}>
                    <td>{a.subject}</td>
                    <td>
                      {formatDate(a.notBefore)} – {formatDate(a.notAfter)}
                    </td>
                    <td>
                      <code class="serial">{a.fingerprint.slice(0, 16)}…</code>
                    </td>
                    <td>
                      {a.source === 'internal-ca' ? L('CA nội bộ', 'Internal CA') : L('Đã thêm', 'Added')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Async>
      </div>
      <div class="card">
        <h2>{L('Thêm chứng thư gốc (PEM)', 'Add a root certificate (PEM)')}</h2>
        <form onSubmit={add}>
          <Field id="t-pem" label="PEM">
            <textarea
              id="t-pem"
              rows={6}
              class="mono"
              value={pem}
              placeholder="-----BEGIN CERTIFICATE-----"
              onInput={(e) => setPem(e.currentTarget.value)}
            />
          </Field>
          <ErrorNote error={failure} />
          <button type="submit" class="primary" disabled={busy}>
            {L('Thêm', 'Add')}
          </button>
        </form>
      </div>
    </>
  )
}
