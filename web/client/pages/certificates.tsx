import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { Async, Dialog, ErrorNote, Field, PageHead, useAction, useLoad } from '../components.js'
import { formatDate, formatDateTime } from '../format.js'
import { L } from '../i18n.js'
import type { Me } from '../main.js'
import { commonName } from '../signing-tools.js'
import { ChangePinDialog, PinState, UnlockDialog } from './certificate-pin.js'
import { ExternalCertificateForm } from './external-certificate-form.js'

interface MyCertificate {
  id: number
  kind: string
  serialHex: string
  subject: string
  issuer: string | null
  notBefore: string
  notAfter: string
  revokedAt: string | null
  source: 'internal' | 'external'
  status: string
  remoteProvider: string | null
  /** A key Kyso holds (issue 15): PIN tries left, and whether wrong PINs locked it. */
  triesLeft?: number
  keyLocked?: boolean
}
interface Mine {
  pending: { id: number; kind: string; createdAt: string }[]
  certificates: MyCertificate[]
  pinPolicy?: { minLength: number; maxTries: number }
}

/** Where a certificate's key is, for a person. */
function sourceText(c: MyCertificate): string {
  if (c.source === 'internal') return L('Kyso cấp, khóa do Kyso giữ', 'Issued by Kyso, key held by Kyso')
  if (c.remoteProvider) return L(`Ký từ xa: ${c.remoteProvider}`, `Remote signing: ${c.remoteProvider}`)
  return L('Khóa bạn tự giữ (USB token, công cụ khác)', 'A key you hold (USB token, another tool)')
}

function StateBadge(props: { c: MyCertificate }): JSX.Element {
  const c = props.c
  const [vi, en, tone] = c.revokedAt
    ? ['Đã thu hồi', 'Revoked', 'bad']
    : c.status === 'pending'
      ? ['Chờ quản trị phê duyệt', 'Awaiting approval', 'warn']
      : c.status === 'rejected'
        ? ['Bị từ chối', 'Rejected', 'bad']
        : new Date(c.notAfter) < new Date()
          ? ['Hết hạn', 'Expired', 'muted']
          : ['Còn hiệu lực', 'Valid', 'ok']
  return (
    <span class={`badge ${tone}`} data-status={c.revokedAt ? 'revoked' : c.status}>
      {L(vi, en)}
    </span>
  )
}

/** My certificates, those an admin authorised that wait for my PIN, and keys I hold elsewhere (issue 11). */
export function CertificatesPage(props: { me: Me }): JSX.Element {
  const state = useLoad(() => api.get<Mine>('/api/me/certificates'))
  const [activating, setActivating] = useState<number | undefined>()
  const [pinOf, setPinOf] = useState<{ id: number; what: 'change' | 'unlock' } | undefined>()
  const policy = state.data?.pinPolicy ?? { minLength: 4, maxTries: 5 }
  const done = (): void => {
    setPinOf(undefined)
    state.reload()
  }
  return (
    <section>
      <PageHead title={L('Chứng thư số của tôi', 'My certificates')} />
      <Async state={state}>
        {(m) => (
          <>
            {m.pending.map((p) => (
              <div class="card notice-card" key={p.id}>
                <p>
                  <strong>{L('Bạn có chứng thư số chờ kích hoạt', 'A certificate waits for you')}</strong> ·{' '}
                  {p.kind === 'seal' ? L('con dấu của cơ quan', 'the agency seal') : L('cá nhân', 'personal')}{' '}
                  · {formatDateTime(p.createdAt)}
                </p>
                <button type="button" class="primary" onClick={() => setActivating(p.id)}>
                  {L('Đặt mã PIN và kích hoạt', 'Set the PIN and activate')}
                </button>
              </div>
            ))}
            <div class="card table-card">
              {m.certificates.length === 0 ? (
                <p class="muted">{L('Bạn chưa có chứng thư số.', 'You have no certificate yet.')}</p>
              ) : (
                <table class="table" data-testid="my-certificates">
                  <thead>
                    <tr>
                      <th>{L('Chủ thể', 'Subject')}</th>
                      <th>{L('Loại', 'Kind')}</th>
                      <th>{L('Nguồn', 'Source')}</th>
                      <th>{L('Hiệu lực', 'Validity')}</th>
                      <th>{L('Trạng thái', 'State')}</th>
                      <th>{L('Mã PIN', 'PIN')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {m.certificates.map((c) => (
                      <tr key={c.id} data-certificate={c.id}>
                        <td>
                          {commonName(c.subject)}
                          <br />
                          <code class="serial">{c.serialHex}</code>
                          {c.issuer && (
                            <>
                              <br />
                              <small class="muted">
                                {L('Cấp bởi', 'Issued by')} {commonName(c.issuer)}
                              </small>
                            </>
                          )}
                        </td>
                        <td>{c.kind === 'seal' ? L('Cơ quan', 'Seal') : L('Cá nhân', 'Personal')}</td>
                        <td>{sourceText(c)}</td>
                        <td>
                          {formatDate(c.notBefore)} – {formatDate(c.notAfter)}
                        </td>
                        <td>
                          <StateBadge c={c} />
                        </td>
                        <td>
                          <PinState
                            triesLeft={c.triesLeft}
                            keyLocked={c.keyLocked}
                            maxTries={policy.maxTries}
                          />
                          {c.source === 'internal' && !c.revokedAt && (
                            <div class="row-actions">
                              {c.keyLocked ? (
                                <button
                                  type="button"
                                  class="small"
                                  onClick={() => setPinOf({ id: c.id, what: 'unlock' })}
                                >
                                  {L('Mở khóa bằng mã', 'Unlock with a code')}
                                </button>
                              ) : (
                                <button
                                  type="button"
                                  class="small"
                                  onClick={() => setPinOf({ id: c.id, what: 'change' })}
                                >
                                  {L('Đổi mã PIN', 'Change the PIN')}
                                </button>
                              )}
                            </div>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          </>
        )}
      </Async>
      <ExternalCertificateForm me={props.me} onSubmitted={state.reload} />
      {pinOf?.what === 'change' && (
        <ChangePinDialog
          id={pinOf.id}
          minLength={policy.minLength}
          onClose={() => setPinOf(undefined)}
          onDone={done}
        />
      )}
      {pinOf?.what === 'unlock' && (
        <UnlockDialog id={pinOf.id} onClose={() => setPinOf(undefined)} onDone={done} />
      )}
      {activating !== undefined && (
        <ActivateDialog
          minLength={policy.minLength}
          id={activating}
          onClose={() => setActivating(undefined)}
          onDone={() => {
            setActivating(undefined)
            state.reload()
          }}
        />
      )}
    </section>
  )
}

function ActivateDialog(props: {
  id: number
  minLength: number
  onClose: () => void
  onDone: () => void
}): JSX.Element {
  const [pin, setPin] = useState('')
  const [again, setAgain] = useState('')
  const [error, setError] = useState<string | undefined>()
  const { busy, error: failure, run } = useAction()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (!new RegExp(`^\\S{${props.minLength},64}$`).test(pin))
      return setError(
        L(
          `Mã PIN từ ${props.minLength} đến 64 ký tự, không có khoảng trắng.`,
          `The PIN has ${props.minLength} to 64 characters, no spaces.`,
        ),
      )
    if (pin !== again) return setError(L('Hai lần nhập không khớp.', 'The two entries differ.'))
    setError(undefined)
    if (await run(() => api.post(`/api/me/enrolments/${props.id}/activate`, { pin }))) props.onDone()
  }
  return (
    <Dialog title={L('Đặt mã PIN', 'Set your PIN')} onClose={props.onClose}>
      <form class="dialog-body" onSubmit={submit} noValidate>
        <p class="muted small">
          {L(
            'Mã PIN bảo vệ khóa ký của bạn. Máy chủ không lưu mã PIN; nhập sai 5 lần liên tiếp thì khóa ký bị khóa; nếu quên, cần cấp chứng thư mới.',
            'The PIN protects your signing key. The server does not keep it; five wrong PINs in a row lock the key; if ' +
              'you forget it, a new certificate is needed.',
          )}
        </p>
        <Field id="pin-1" label={L('Mã PIN', 'PIN')} error={error}>
          <input
            id="pin-1"
            type="password"
            autocomplete="new-password"
            value={pin}
            onInput={(e) => setPin(e.currentTarget.value)}
          />
        </Field>
        <Field id="pin-2" label={L('Nhập lại mã PIN', 'PIN again')}>
          <input
            id="pin-2"
            type="password"
            autocomplete="new-password"
            value={again}
            onInput={(e) => setAgain(e.currentTarget.value)}
          />
        </Field>
        <ErrorNote error={failure} />
        <div class="dialog-foot">
          <button type="button" onClick={props.onClose}>
            {L('Hủy', 'Cancel')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? L('Đang tạo khóa…', 'Making the key…') : L('Kích hoạt', 'Activate')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
