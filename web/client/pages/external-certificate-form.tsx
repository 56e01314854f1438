import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { ErrorNote, Field, FilePick, useAction } from '../components.js'
import { L } from '../i18n.js'
import type { Me } from '../main.js'
import { pemBlocks, pemFromFile } from '../pem.js'

/** The server's BAD_REQUEST about a certificate is technical English: said plainly here. */
function plainly(err: unknown): never {
  const field =
    err instanceof ApiError && err.code === 'BAD_REQUEST'
      ? /^(certificate|chain)/.exec(err.message)?.[1]
      : undefined
  if (!field) throw err
  throw new ApiError(
    400,
    'BAD_REQUEST',
    field === 'chain'
      ? L(
          'chain: không đọc được chứng thư của tổ chức cấp (cần PEM).',
          'chain: the issuer certificates cannot be read (PEM needed).',
        )
      : L(
          'certificate: không đọc được chứng thư số này (cần tệp .cer, .crt, .pem hoặc .der).',
          'certificate: this certificate cannot be read (.cer, .crt, .pem or .der needed).',
        ),
  )
}

interface Credential {
  credentialId: string
  keyAlgorithm: string
  label?: string
}

/**
 * Registering the certificate of a key Kyso never holds (issue 11): from a file or pasted PEM
 * (a token's certificate, exported by its software), or read from a remote-signing provider.
 * An administrator approves it before it signs anything.
 */
export function ExternalCertificateForm(props: { me: Me; onSubmitted: () => void }): JSX.Element {
  const providers = props.me.signingTools?.remoteProviders ?? []
  const [mode, setMode] = useState<'file' | 'remote'>('file')
  const [done, setDone] = useState(false)
  const submitted = (): void => {
    setDone(true)
    props.onSubmitted()
  }
  return (
    <div class="card" data-testid="external-certificate">
      <h2>{L('Đăng ký chứng thư số của khóa bạn tự giữ', 'Register the certificate of a key you hold')}</h2>
      <p class="muted small">
        {L(
          'Chứng thư số công vụ trên USB token (Ban Cơ yếu Chính phủ cấp) hoặc ở dịch vụ ký số từ xa. ' +
            'Tên trên chứng thư phải là tên của bạn; quản trị hệ thống phê duyệt trước khi dùng để ký. ' +
            'Kyso không bao giờ giữ khóa hay mã PIN của bạn.',
          'A public-duty certificate on a USB token, or at a remote-signing service. It must bear your ' +
            'name; an administrator approves it before it signs. Kyso never holds your key or PIN.',
        )}
      </p>
      {providers.length > 0 && (
        <div
          class="segmented"
          role="radiogroup"
          aria-label={L('Nguồn chứng thư', 'Where the certificate is')}
        >
          <label>
            <input type="radio" name="ext-mode" checked={mode === 'file'} onChange={() => setMode('file')} />{' '}
            {L('Tệp chứng thư (.cer, .crt, .pem)', 'Certificate file (.cer, .crt, .pem)')}
          </label>
          <label>
            <input
              type="radio"
              name="ext-mode"
              checked={mode === 'remote'}
              onChange={() => setMode('remote')}
            />{' '}
            {L('Dịch vụ ký số từ xa', 'Remote-signing service')}
          </label>
        </div>
      )}
      {done && (
        <p class="notice" role="status" data-testid="external-submitted">
          {L(
            'Đã gửi. Chứng thư số chờ quản trị hệ thống phê duyệt.',
            "Sent. The certificate awaits an administrator's approval.",
          )}
        </p>
      )}
      {mode === 'file' ? (
        <FromFile me={props.me} onSubmitted={submitted} />
      ) : (
        <FromProvider providers={providers} onSubmitted={submitted} />
      )}
    </div>
  )
}

function FromFile(props: { me: Me; onSubmitted: () => void }): JSX.Element {
  const clerk = props.me.roles.includes('clerk')
  const [file, setFile] = useState<File | undefined>()
  const [pem, setPem] = useState('')
  const [chain, setChain] = useState('')
  const [kind, setKind] = useState('personal')
  const [fileError, setFileError] = useState<string | undefined>()
  const { busy, error, setError, run } = useAction()
  const pick = async (f: File | undefined): Promise<void> => {
    setFile(f)
    setFileError(undefined)
    if (!f) return
    const blocks = await pemFromFile(f, 'CERTIFICATE')
    if (blocks.length === 0)
      return setFileError(
        L('Tệp này không phải chứng thư số (PEM hoặc DER).', 'This file is not a certificate (PEM or DER).'),
      )
    // A file holding the certificate and its CAs: the first is the holder's, the rest its chain.
    setPem(blocks[0] ?? '')
    if (blocks.length > 1) setChain(blocks.slice(1).join(''))
  }
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    const certificate = pemBlocks(pem, 'CERTIFICATE')
    if (certificate.length !== 1) {
      return setError(
        new ApiError(
          400,
          'BAD_REQUEST',
          L(
            'certificate: chọn tệp hoặc dán đúng một chứng thư số (PEM).',
            'certificate: pick a file or paste exactly one PEM certificate.',
          ),
        ),
      )
    }
    const body = {
      certificate: certificate[0],
      chain: pemBlocks(chain, 'CERTIFICATE'),
      ...(clerk && { kind }),
    }
    if (!(await run(() => api.post('/api/me/certificates/external', body).catch(plainly)))) return
    setFile(undefined)
    setPem('')
    setChain('')
    props.onSubmitted()
  }
  return (
    <form onSubmit={submit} noValidate>
      <Field
        id="ext-file"
        label={L('Tệp chứng thư số', 'Certificate file')}
        error={fileError}
        hint={L(
          '.cer, .crt, .pem hoặc .der, xuất từ phần mềm của USB token',
          ".cer, .crt, .pem or .der, exported by the token's software",
        )}
      >
        <FilePick
          id="ext-file"
          accept=".cer,.crt,.pem,.der,application/pkix-cert,application/x-x509-ca-cert"
          file={file}
          onPick={(f) => void pick(f)}
        />
      </Field>
      <Field id="ext-pem" label={L('Hoặc dán nội dung chứng thư (PEM)', 'Or paste the certificate (PEM)')}>
        <textarea
          id="ext-pem"
          rows={4}
          class="mono"
          value={pem}
          placeholder="-----BEGIN CERTIFICATE-----"
          onInput={(e) => setPem(e.currentTarget.value)}
        />
      </Field>
      <Field
        id="ext-chain"
        label={L('Chứng thư của tổ chức cấp (không bắt buộc)', "The issuer's certificates (optional)")}
        hint={L(
          'Chứng thư trung gian, nếu tổ chức cấp cung cấp',
          'Intermediate CA certificates, if the issuer provides them',
        )}
      >
        <textarea
          id="ext-chain"
          rows={3}
          class="mono"
          value={chain}
          placeholder="-----BEGIN CERTIFICATE-----"
          onInput={(e) => setChain(e.currentTarget.value)}
        />
      </Field>
      {clerk && (
        <Field id="ext-kind" label={L('Loại', 'Kind')}>
          <select id="ext-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="personal">{L('Cá nhân', 'Personal')}</option>
            <option value="seal">
              {L('Cơ quan (con dấu, văn thư giữ)', 'Agency seal (held by the clerk)')}
            </option>
          </select>
        </Field>
      )}
      <ErrorNote error={error} id="ext-error" />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? L('Đang kiểm tra…', 'Checking…') : L('Gửi để phê duyệt', 'Send for approval')}
      </button>
    </form>
  )
}

function FromProvider(props: { providers: string[]; onSubmitted: () => void }): JSX.Element {
  const [provider, setProvider] = useState(props.providers[0] ?? '')
  const [userRef, setUserRef] = useState('')
  const [found, setFound] = useState<Credential[] | undefined>()
  const [credentialId, setCredentialId] = useState('')
  const { busy, error, setError, run } = useAction()
  const look = async (e: Event): Promise<void> => {
    e.preventDefault()
    setFound(undefined)
    if (!userRef.trim())
      return setError(
        new ApiError(
          400,
          'BAD_REQUEST',
          L('userRef: nhập mã người dùng tại nhà cung cấp.', 'userRef: enter your user id at the provider.'),
        ),
      )
    await run(async () => {
      const list = await api.get<Credential[]>(
        `/api/me/remote-credentials?provider=${encodeURIComponent(provider)}&userRef=${encodeURIComponent(userRef.trim())}`,
      )
      setFound(list)
      setCredentialId(list[0]?.credentialId ?? '')
    })
  }
  const submit = async (): Promise<void> => {
    const remote = { provider, credentialId, userRef: userRef.trim() }
    if (await run(() => api.post('/api/me/certificates/external', { remote }))) {
      setFound(undefined)
      props.onSubmitted()
    }
  }
  return (
    <form onSubmit={look} noValidate>
      <div class="form-grid">
        <Field id="rc-provider" label={L('Nhà cung cấp', 'Provider')}>
          <select id="rc-provider" value={provider} onChange={(e) => setProvider(e.currentTarget.value)}>
            {props.providers.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="rc-user"
          label={L('Mã người dùng tại nhà cung cấp', 'Your user id at the provider')}
          hint={L('Thường là số CCCD hoặc số điện thoại', 'Often your ID card or phone number')}
        >
          <input id="rc-user" value={userRef} onInput={(e) => setUserRef(e.currentTarget.value)} />
        </Field>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {L('Tìm chứng thư', 'Find certificates')}
          </button>
        </div>
      </div>
      {found && found.length === 0 && (
        <p class="muted">
          {L(
            'Nhà cung cấp không có chứng thư số nào cho mã này.',
            'The provider has no certificate for this id.',
          )}
        </p>
      )}
      {found && found.length > 0 && (
        <fieldset class="ways">
          <legend>{L('Chọn chứng thư số', 'Pick a certificate')}</legend>
          {found.map((c) => (
            <label key={c.credentialId} class={c.credentialId === credentialId ? 'on' : ''}>
              <input
                type="radio"
                name="rc-credential"
                value={c.credentialId}
                checked={c.credentialId === credentialId}
                onChange={() => setCredentialId(c.credentialId)}
              />
              <span>
                {c.label ?? c.credentialId}
                <small>
                  {c.credentialId} · {c.keyAlgorithm}
                </small>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      <ErrorNote error={error} id="rc-error" />
      {found && found.length > 0 && (
        <button type="button" class="primary" disabled={busy || !credentialId} onClick={() => void submit()}>
          {L('Gửi để phê duyệt', 'Send for approval')}
        </button>
      )}
    </form>
  )
}
