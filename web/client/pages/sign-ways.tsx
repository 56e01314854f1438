import type { ComponentChildren, JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { Field, FilePick, messageOf, wrongPinText } from '../components.js'
import { formatDate, formatDateTime } from '../format.js'
import { L } from '../i18n.js'
import {
  AgentFailure,
  agentMessage,
  agentSign,
  commonName,
  saveFile,
  signWithVgca,
  vgcaCall,
  VgcaFailure,
  type Issuance,
} from '../signing-tools.js'
import type { SigningCertificate } from './sign-dialog.js'

/** What every way of signing gets from the dialog. */
export interface PanelProps {
  stepId: number
  seal: boolean
  /** The dialog's title, also the main button's label. */
  title: string
  /** The seal's number and date and the comment, or undefined when the dialog shows what is missing. */
  issuance: () => Issuance | undefined
  /** False once the dialog is closed: nothing is finished after that. */
  live: { current: boolean }
  onClose: () => void
  onDone: () => void
}

interface Failure {
  text: string
  code?: string | undefined
}

const failureOf = (err: unknown): Failure => {
  if (err instanceof AgentFailure) return { text: agentMessage(err), code: err.code }
  if (err instanceof VgcaFailure) return { text: err.message, code: 'VGCA' }
  return { text: messageOf(err), code: err instanceof ApiError ? err.code : undefined }
}

/** One way's form: its controls, its refusal, and the dialog's buttons. */
function WayForm(props: {
  onSubmit: () => void
  onClose: () => void
  busy: boolean
  failure?: Failure | undefined
  children: ComponentChildren
  button?: string | undefined
  busyLabel?: string
  closeLabel?: string
}): JSX.Element {
  return (
    <form
      class="way-panel"
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        props.onSubmit()
      }}
    >
      {props.children}
      {props.failure && (
        <p class="error-note" role="alert" id="sign-error" data-code={props.failure.code}>
          {props.failure.text}
        </p>
      )}
      <div class="dialog-foot">
        <button type="button" onClick={props.onClose}>
          {props.closeLabel ?? L('Hủy', 'Cancel')}
        </button>
        {props.button && (
          <button type="submit" class="primary" disabled={props.busy} data-testid="confirm-sign">
            {props.busy ? (props.busyLabel ?? L('Đang ký…', 'Signing…')) : props.button}
          </button>
        )}
      </div>
    </form>
  )
}

function Waiting(props: { children: ComponentChildren }): JSX.Element {
  return (
    <div class="waiting" role="status" data-testid="sign-waiting">
      <span class="spinner" aria-hidden="true" />
      <div>{props.children}</div>
    </div>
  )
}

/** Today's way: the PIN unlocks the key Kyso holds for the signer (every id and behaviour kept). */
export function PinPanel(p: PanelProps): JSX.Element {
  const [pin, setPin] = useState('')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<{ pin?: string; form?: Failure }>({})
  const submit = async (): Promise<void> => {
    const issuance = p.issuance()
    setErrors(pin ? {} : { pin: L('Nhập mã PIN của bạn.', 'Enter your PIN.') })
    if (!pin || !issuance) return
    setBusy(true)
    try {
      await api.post(`/api/steps/${p.stepId}/sign`, { pin, ...issuance })
      p.onDone()
    } catch (err) {
      if (err instanceof ApiError && err.code === 'PIN_INCORRECT')
        setErrors({ pin: wrongPinText(err.triesLeft) })
      else setErrors({ form: failureOf(err) })
      setPin('')
    } finally {
      setBusy(false)
    }
  }
  return (
    <WayForm
      onSubmit={() => void submit()}
      onClose={p.onClose}
      busy={busy}
      failure={errors.form}
      button={p.title}
    >
      <Field
        id="sign-pin"
        label={L('Mã PIN', 'PIN')}
        error={errors.pin}
        hint={L('Mã PIN mở khóa khóa ký của bạn; không được lưu.', 'Unlocks your signing key; never stored.')}
      >
        <input
          id="sign-pin"
          type="password"
          inputMode="numeric"
          autocomplete="off"
          autoFocus
          value={pin}
          onInput={(e) => setPin(e.currentTarget.value)}
          aria-invalid={Boolean(errors.pin)}
        />
      </Field>
    </WayForm>
  )
}

/** A token's key through `kyso agent`: Kyso prepares, the token signs after its PIN is typed at the agent. */
export function AgentPanel(
  p: PanelProps & { agentUrl: string; keys: { keyId: string; cert: SigningCertificate }[] },
): JSX.Element {
  const [keyId, setKeyId] = useState(p.keys[0]?.keyId ?? '')
  const [stage, setStage] = useState<'idle' | 'preparing' | 'pin' | 'completing'>('idle')
  const [failure, setFailure] = useState<Failure | undefined>()
  const chosen = p.keys.find((k) => k.keyId === keyId) ?? p.keys[0]
  const submit = async (): Promise<void> => {
    const issuance = p.issuance()
    if (!issuance || !chosen) return
    setFailure(undefined)
    try {
      setStage('preparing')
      const body = { certificateId: chosen.cert.id, via: 'agent', ...issuance }
      const prepared = await api.post<{ signingId: string; signedAttributes: string }>(
        `/api/steps/${p.stepId}/prepare`,
        body,
      )
      setStage('pin')
      const signature = await agentSign(p.agentUrl, chosen.keyId, prepared.signedAttributes)
      // Closed while the PIN was asked: the person cancelled; the prepared signature just expires.
      if (!p.live.current) return
      setStage('completing')
      await api.post(`/api/steps/${p.stepId}/complete`, { signingId: prepared.signingId, signature })
      p.onDone()
    } catch (err) {
      if (p.live.current) setFailure(failureOf(err))
    } finally {
      if (p.live.current) setStage('idle')
    }
  }
  const label = (c: SigningCertificate): string =>
    `${commonName(c.subject)} · ${L('hết hạn', 'expires')} ${formatDate(c.notAfter)}`
  return (
    <WayForm
      onSubmit={() => void submit()}
      onClose={p.onClose}
      busy={stage !== 'idle'}
      failure={failure}
      button={p.title}
    >
      {p.keys.length > 1 ? (
        <Field id="sign-agent-cert" label={L('Chứng thư số trên USB token', 'Certificate on the token')}>
          <select id="sign-agent-cert" value={keyId} onChange={(e) => setKeyId(e.currentTarget.value)}>
            {p.keys.map((k) => (
              <option key={k.keyId} value={k.keyId}>
                {label(k.cert)}
              </option>
            ))}
          </select>
        </Field>
      ) : (
        chosen && (
          <p class="small">
            {L('Chứng thư số', 'Certificate')}: <strong>{label(chosen.cert)}</strong>
          </p>
        )
      )}
      {stage === 'pin' ? (
        <Waiting>
          <strong>
            {L('Nhập mã PIN của token tại cửa sổ Kyso Agent', 'Type the token PIN in the Kyso Agent window')}
          </strong>
          <small>
            {L(
              'Kyso Agent hỏi mã PIN trong cửa sổ của nó; mã PIN không đi qua trang web.',
              'Kyso Agent asks in its own window; the PIN never goes through the web page.',
            )}
          </small>
        </Waiting>
      ) : (
        <p class="muted small">
          {L(
            'Khi bấm nút dưới đây, nhập mã PIN của token tại cửa sổ Kyso Agent trên máy này.',
            'After pressing the button, type the token PIN in the Kyso Agent window on this computer.',
          )}
        </p>
      )}
    </WayForm>
  )
}

/**
 * Issue 13: for a seal made in the clerk's own tool, Kyso prints the register's number and the
 * date into a version of its own first (POST /issuance); the tool then signs that version.
 */
async function numberFirst(
  stepId: number,
  issuance: Issuance,
): Promise<{ outgoingNumber: string; outgoingDate: string }> {
  const body = {
    ...(issuance.outgoingNumber && { outgoingNumber: issuance.outgoingNumber }),
    ...(issuance.outgoingDate && { outgoingDate: issuance.outgoingDate }),
  }
  const r = await api.post<{ outgoingNumber: string; outgoingDate: string }>(
    `/api/steps/${stepId}/issuance`,
    body,
  )
  return { outgoingNumber: r.outgoingNumber, outgoingDate: r.outgoingDate }
}

/** The VGCA plugin: it fetches the version and posts the signed file back, on a ticket (signing-tools.ts). */
export function VgcaPanel(p: PanelProps): JSX.Element {
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<Failure | undefined>()
  const submit = async (): Promise<void> => {
    const issuance = p.issuance()
    if (!issuance) return
    setFailure(undefined)
    setBusy(true)
    try {
      // A seal: number and date printed first in a version of Kyso's, which the plugin then signs.
      const numbered = p.seal ? { ...issuance, ...(await numberFirst(p.stepId, issuance)) } : issuance
      const ticket = await api.post<{ toSignUrl: string; signedFileUrl: string }>(
        `/api/steps/${p.stepId}/file-ticket`,
      )
      await signWithVgca(vgcaCall(ticket, location.origin, p.seal, numbered))
      if (p.live.current) p.onDone()
    } catch (err) {
      if (p.live.current) setFailure(failureOf(err))
    } finally {
      if (p.live.current) setBusy(false)
    }
  }
  return (
    <WayForm
      onSubmit={() => void submit()}
      onClose={p.onClose}
      busy={busy}
      failure={failure}
      button={p.title}
      busyLabel={L('Đang chờ plugin…', 'Waiting for the plugin…')}
    >
      {busy ? (
        <Waiting>
          <strong>{L('Đang chờ plugin ký số VGCA', 'Waiting for the VGCA plugin')}</strong>
          <small>
            {L(
              'Chọn chứng thư số và nhập mã PIN trong cửa sổ của plugin. Nếu không thấy cửa sổ đó, ' +
                'hãy kiểm tra phần mềm ký số VGCA đã được cài và đang chạy.',
              "Pick your certificate and type the PIN in the plugin's window. If it does not appear, " +
                'check that the VGCA signing software is installed and running.',
            )}
          </small>
        </Waiting>
      ) : (
        <p class="muted small">
          {L(
            'Plugin VGCA mở cửa sổ để bạn chọn chứng thư số và nhập mã PIN của ' +
              'USB token, rồi tự gửi tệp đã ký về Kyso.',
            'The VGCA plugin opens a window to pick your certificate and type the token ' +
              'PIN, then sends the signed file back to Kyso.',
          )}
        </p>
      )}
    </WayForm>
  )
}

interface RemoteState {
  signingId: string
  expiresAt: string
  status: string
  detail: string | null
}

const REMOTE_ENDS: Record<string, [string, string]> = {
  refused: [
    'Yêu cầu ký đã bị từ chối trên điện thoại. Bạn có thể gửi lại.',
    'The request was refused on the phone. You can send it again.',
  ],
  expired: [
    'Đã hết thời gian chờ xác nhận trên điện thoại. Bạn có thể gửi lại.',
    'The confirmation timed out. You can send it again.',
  ],
  failed: ['Ký từ xa không thành công. Bạn có thể gửi lại.', 'Remote signing failed. You can send it again.'],
}

const clock = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/** A remote provider: the signer confirms on the phone; the page polls every 2 s while the dialog is open. */
export function RemotePanel(p: PanelProps & { certificates: SigningCertificate[] }): JSX.Element {
  const [certId, setCertId] = useState(p.certificates[0]?.id ?? 0)
  const [busy, setBusy] = useState(false)
  const [state, setState] = useState<RemoteState | undefined>()
  const [failure, setFailure] = useState<Failure | undefined>()
  const [now, setNow] = useState(Date.now())
  const waiting = state?.status === 'awaiting_confirmation'
  useEffect(() => {
    if (!waiting || !state) return
    let stop = false
    const tick = setInterval(() => setNow(Date.now()), 1000)
    const poll = async (): Promise<void> => {
      while (!stop) {
        await new Promise((r) => setTimeout(r, 2000))
        if (stop) return
        try {
          const next = await api.get<RemoteState>(`/api/signings/${encodeURIComponent(state.signingId)}`)
          if (stop) return
          if (next.status === 'completed') return p.onDone()
          if (next.status !== 'awaiting_confirmation') return setState(next)
        } catch (err) {
          // A network hiccup: try again at the next round; a refusal ends the wait.
          if (err instanceof ApiError && err.code !== 'NETWORK' && !stop) return setFailure(failureOf(err))
        }
      }
    }
    void poll()
    return () => {
      stop = true
      clearInterval(tick)
    }
  }, [state?.signingId, waiting])
  const submit = async (): Promise<void> => {
    const issuance = p.issuance()
    if (!issuance) return
    setFailure(undefined)
    setBusy(true)
    try {
      const started = await api.post<RemoteState>(`/api/steps/${p.stepId}/remote`, {
        certificateId: certId,
        ...issuance,
      })
      if (p.live.current) {
        setNow(Date.now())
        setState(started)
      }
    } catch (err) {
      if (p.live.current) setFailure(failureOf(err))
    } finally {
      if (p.live.current) setBusy(false)
    }
  }
  const ended = state && !waiting ? REMOTE_ENDS[state.status] : undefined
  const chosen = p.certificates.find((c) => c.id === certId)
  return (
    <WayForm
      onSubmit={() => void submit()}
      onClose={p.onClose}
      busy={busy}
      failure={failure}
      closeLabel={waiting ? L('Đóng', 'Close') : undefined}
      button={
        waiting
          ? undefined
          : ended
            ? L('Gửi lại yêu cầu', 'Send again')
            : L('Gửi yêu cầu ký đến điện thoại', 'Send to my phone')
      }
      busyLabel={L('Đang gửi…', 'Sending…')}
    >
      {p.certificates.length > 1 && !waiting ? (
        <Field id="sign-remote-cert" label={L('Chứng thư số ký từ xa', 'Remote-signing certificate')}>
          <select
            id="sign-remote-cert"
            value={String(certId)}
            onChange={(e) => setCertId(Number(e.currentTarget.value))}
          >
            {p.certificates.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {commonName(c.subject)} · {c.remote?.provider}
              </option>
            ))}
          </select>
        </Field>
      ) : (
        chosen && (
          <p class="small">
            {L('Chứng thư số', 'Certificate')}: <strong>{commonName(chosen.subject)}</strong> ·{' '}
            {chosen.remote?.provider}
          </p>
        )
      )}
      {waiting && state && (
        <Waiting>
          <strong>{L('Chờ xác nhận trên điện thoại', 'Waiting for confirmation on your phone')}</strong>
          <small data-testid="remote-time-left">
            {L(
              `Còn ${clock(new Date(state.expiresAt).getTime() - now)} (đến ${formatDateTime(state.expiresAt)})`,
              `${clock(new Date(state.expiresAt).getTime() - now)} left (until ${formatDateTime(state.expiresAt)})`,
            )}
          </small>
          <small>
            {L(
              'Mở ứng dụng ký số trên điện thoại và xác nhận. Đóng hộp thoại chỉ dừng theo ' +
                'dõi: nếu bạn xác nhận sau đó, văn bản vẫn được ký.',
              'Open the signing app on your phone and confirm. Closing this only stops ' +
                'watching: a later confirmation still signs.',
            )}
          </small>
        </Waiting>
      )}
      {ended && (
        <p class="error-note" role="alert" data-code={state?.status}>
          {L(...ended)}
          {state?.detail ? ` (${state.detail})` : ''}
        </p>
      )}
      {!state && (
        <p class="muted small">
          {L(
            'Nhà cung cấp sẽ gửi yêu cầu đến ứng dụng ký số trên điện thoại của ' +
              'bạn; văn bản được ký khi bạn xác nhận.',
            'The provider sends the request to the signing app on your phone; ' +
              'the document is signed when you confirm.',
          )}
        </p>
      )}
    </WayForm>
  )
}

/** Download the exact version, sign it in any tool, upload the signed file (If-Match: its ETag). */
export function FilePanel(p: PanelProps): JSX.Element {
  const [got, setGot] = useState<{ etag: string; name: string } | undefined>()
  const [file, setFile] = useState<File | undefined>()
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<Failure | undefined>()
  const [numbered, setNumbered] = useState<Issuance | undefined>()
  const download = async (): Promise<void> => {
    setFailure(undefined)
    try {
      const issuance = p.issuance()
      if (!issuance) return
      if (p.seal) setNumbered({ ...issuance, ...(await numberFirst(p.stepId, issuance)) })
      const f = await api.file(`/api/steps/${p.stepId}/to-sign`)
      if (!f.etag) throw new ApiError(0, 'NETWORK', 'no ETag')
      const name = f.name ?? 'van-ban-can-ky.pdf'
      saveFile(f.blob, name)
      setGot({ etag: f.etag, name })
    } catch (err) {
      setFailure(failureOf(err))
    }
  }
  const submit = async (): Promise<void> => {
    const issuance = p.issuance()
    if (!issuance) return
    if (!got)
      return setFailure({
        text: L('Hãy tải văn bản về (bước 1) trước.', 'Download the document first (step 1).'),
      })
    if (!file)
      return setFailure({ text: L('Hãy chọn tệp PDF đã ký (bước 3).', 'Choose the signed PDF (step 3).') })
    const form = new FormData()
    for (const [k, v] of Object.entries({ ...issuance, ...numbered })) form.set(k, v)
    form.set('file', file)
    setFailure(undefined)
    setBusy(true)
    try {
      await api.upload(`/api/steps/${p.stepId}/signed-file`, form, { 'If-Match': got.etag })
      p.onDone()
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VERSION_CONFLICT') setGot(undefined)
      setFailure(failureOf(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <WayForm
      onSubmit={() => void submit()}
      onClose={p.onClose}
      busy={busy}
      failure={failure}
      button={L('Tải lên tệp đã ký', 'Upload the signed file')}
      busyLabel={L('Đang kiểm tra…', 'Checking…')}
    >
      <ol class="file-steps">
        <li>
          <button type="button" data-testid="download-to-sign" onClick={() => void download()}>
            {L('Tải văn bản về để ký', 'Download the document')}
          </button>
          {got && <small class="ok-text"> ✓ {got.name}</small>}
        </li>
        <li>
          {L(
            'Ký tệp đó bằng phần mềm ký số của bạn, không sửa nội dung.',
            'Sign that file in your signing software, changing nothing else.',
          )}
        </li>
        <li>
          {L('Chọn tệp PDF đã ký:', 'Choose the signed PDF:')}{' '}
          <FilePick
            id="sign-file"
            accept="application/pdf,.pdf"
            file={file}
            onPick={(f) => {
              setFile(f)
              setFailure(undefined)
            }}
          />
        </li>
      </ol>
      <p class="muted small">
        {L(
          'Kyso chỉ nhận tệp là đúng văn bản đã tải về cộng thêm một chữ ký ' +
            'bằng chứng thư số đã được duyệt của bạn.',
          'Kyso accepts only the downloaded version plus one signature made with your approved certificate.',
        )}
      </p>
    </WayForm>
  )
}
