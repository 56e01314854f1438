import type { ComponentChildren, JSX } from 'preact'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from './api.js'
import { L, lang, statusLabel } from './i18n.js'
import { navigate } from './router.js'

/** An in-app link: a real <a href> (opens in a new tab with a modifier), navigated without reload. */
export function Link(props: {
  href: string
  class?: string
  children: ComponentChildren
  'aria-current'?: 'page' | undefined
}): JSX.Element {
  const onClick = (e: MouseEvent): void => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(props.href)
  }
  return (
    <a href={props.href} class={props.class} onClick={onClick} aria-current={props['aria-current']}>
      {props.children}
    </a>
  )
}

export function Loading(props: { label?: string }): JSX.Element {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {props.label ?? L('Đang tải…', 'Loading…')}
    </div>
  )
}

/** The message of an error for a person: the server's message (Vietnamese), or a plain fallback. */
/** What a refusal means, by its code, in both languages (the server's own text is Vietnamese). */
const REFUSALS: Record<string, [string, string]> = {
  FORBIDDEN: ['Bạn không có quyền thực hiện thao tác này.', 'You may not do this.'],
  NOT_FOUND: ['Không tìm thấy.', 'Not found.'],
  CONFLICT: [
    'Đã có thay đổi hoặc dữ liệu trùng; hãy tải lại trang và thử lại.',
    'Something changed meanwhile or already exists; reload and try again.',
  ],
  STEP_NOT_ACTIVE: ['Bước này chưa đến lượt hoặc đã kết thúc.', 'This step is not active.'],
  NOT_ASSIGNEE: ['Bước này không được giao cho bạn.', 'This step is not assigned to you.'],
  OWN_DRAFT: ['Không ký trên văn bản do chính mình soạn thảo.', 'You cannot sign your own draft.'],
  NO_CERTIFICATE: [
    'Bạn chưa có chứng thư số còn hiệu lực cho việc này.',
    'You have no valid certificate for this.',
  ],
  PIN_INCORRECT: ['Mã PIN không đúng.', 'Wrong PIN.'],
  KEY_LOCKED: [
    'Khóa ký đã bị khóa vì nhập sai mã PIN quá nhiều lần. Hãy liên hệ quản trị hệ thống để mở khóa, hoặc nhập mã mở khóa quản trị cấp ở mục "Chứng thư số của tôi".',
    'Your signing key is locked after too many wrong PINs. Ask an administrator to unlock it, or enter the unlock code they give you in "My certificates".',
  ],
  UNLOCK_CODE_INVALID: ['Mã mở khóa không đúng hoặc đã hết hạn.', 'The unlock code is wrong or has expired.'],
  ASSIGNEE_OUTSIDE_AGENCY: [
    'Người được giao xử lý phải thuộc cơ quan ban hành văn bản.',
    "Every assignee must belong to the document's agency.",
  ],
  CERT_REVOKED: ['Chứng thư số của bạn đã bị thu hồi.', 'Your certificate is revoked.'],
  CERT_EXPIRED: ['Chứng thư số của bạn đã hết hạn.', 'Your certificate has expired.'],
  UPLOAD_TOO_LARGE: ['Tệp quá lớn.', 'The file is too large.'],
  NOT_A_PDF: ['Tệp tải lên không phải PDF.', 'The file is not a PDF.'],
  PDF_ENCRYPTED: [
    'Tệp PDF có mật khẩu; hãy tải bản không đặt mật khẩu.',
    'The PDF is password-protected; upload one without a password.',
  ],
  PDF_UNREADABLE: ['Không đọc được tệp PDF này.', 'This PDF cannot be read.'],
  TSA_FAILED: ['Không lấy được dấu thời gian; hãy thử lại.', 'No timestamp could be obtained; try again.'],
  CSRF_REJECTED: ['Phiên làm việc đã thay đổi; hãy tải lại trang.', 'The session changed; reload the page.'],
  IDEMPOTENCY_MISMATCH: ['Yêu cầu trùng với một yêu cầu khác.', 'This request clashes with another.'],
  // Keys Kyso never holds (issue 11): a file signed elsewhere, a certificate checked before use.
  NOT_AN_INCREMENT: [
    'Tệp tải lên không phải là đúng văn bản đã tải về cộng thêm một chữ ký. Hãy ký đúng tệp vừa tải về, một lần, không sửa gì khác.',
    'The file is not the downloaded version plus one signature. Sign exactly the file you downloaded, once, changing nothing else.',
  ],
  WRONG_SIGNER: [
    'Tệp được ký bằng chứng thư số không phải của bạn hoặc không đúng loại cho bước này (đóng dấu cần chứng thư số của cơ quan).',
    "The file is signed with a certificate that is not yours or not right for this step (a seal needs the agency's certificate).",
  ],
  SIGNATURE_INVALID: [
    'Chữ ký không hợp lệ: không khớp với chứng thư số, hoặc nội dung đã bị thay đổi sau khi ký.',
    'The signature is not valid: it does not match the certificate, or the content changed after signing.',
  ],
  DISALLOWED_CHANGES: [
    'Ngoài chữ ký, tệp còn bị thay đổi nội dung, trang hoặc chú thích nên không được nhận. Hãy ký lại từ tệp vừa tải về.',
    "Besides the signature, the file's content, pages or annotations changed, so it is refused. Sign the downloaded file again.",
  ],
  VERSION_CONFLICT: [
    'Văn bản vừa có phiên bản mới. Hãy tải về lại và ký bản mới.',
    'The document has a newer version. Download it again and sign that.',
  ],
  PRECONDITION_REQUIRED: [
    'Hãy tải văn bản về trước khi tải tệp đã ký lên.',
    'Download the document before uploading the signed file.',
  ],
  CERT_NOT_ACTIVE: [
    'Chứng thư số này chưa được quản trị hệ thống phê duyệt.',
    'This certificate is not approved by an administrator yet.',
  ],
  CERT_SUBJECT_MISMATCH: [
    'Tên trên chứng thư số không khớp với tên của bạn (với chứng thư con dấu: tên cơ quan).',
    "The name in the certificate does not match yours (for a seal: the agency's name).",
  ],
  CERT_UNTRUSTED: [
    'Chứng thư số không do tổ chức chứng thực mà hệ thống tin cậy cấp (chưa có chứng thư gốc của tổ chức cấp).',
    'The certificate is not issued by an authority this system trusts (its root is not configured).',
  ],
  CERT_REVOCATION_UNKNOWN: [
    'Chưa kiểm tra được chứng thư số có bị thu hồi hay không (thiếu danh sách thu hồi CRL còn hạn). Hãy báo quản trị hệ thống.',
    'Whether the certificate is revoked cannot be checked (no current CRL). Tell the administrator.',
  ],
  CERT_NOT_YET_VALID: ['Chứng thư số chưa đến ngày có hiệu lực.', 'The certificate is not valid yet.'],
  CERT_KEY_USAGE: [
    'Chứng thư số này không được phép dùng để ký văn bản.',
    'This certificate may not sign documents.',
  ],
  SIGNING_EXPIRED: ['Phiên ký đã hết hạn. Hãy ký lại.', 'The signing session expired. Sign again.'],
  SIGNING_USED: [
    'Phiên ký này đã kết thúc. Hãy tải lại trang.',
    'This signing session is over. Reload the page.',
  ],
  REMOTE_NOT_CONFIGURED: [
    'Máy chủ chưa kết nối dịch vụ ký số từ xa này.',
    'This remote-signing service is not connected.',
  ],
  REMOTE_UNAVAILABLE: [
    'Dịch vụ ký số từ xa đang không trả lời. Hãy thử lại sau.',
    'The remote-signing service does not answer. Try later.',
  ],
  REMOTE_AUTH_FAILED: [
    'Máy chủ không đăng nhập được dịch vụ ký số từ xa. Hãy báo quản trị hệ thống.',
    'The server cannot sign in to the remote-signing service.',
  ],
  REMOTE_SIGNING_FAILED: [
    'Dịch vụ ký số từ xa không ký được. Hãy thử lại.',
    'The remote-signing service could not sign. Try again.',
  ],
  REMOTE_NOT_FOUND: [
    'Nhà cung cấp không có người dùng hoặc chứng thư này.',
    'The provider has no such user or credential.',
  ],
}

/** Codes whose Vietnamese message from the server says more than the table (it names the names). */
const SERVER_WORDS = new Set(['CONFLICT', 'CERT_SUBJECT_MISMATCH'])

/** A BAD_REQUEST names its field first ("username: ..."): the field, for showing the error beside it. */
export function fieldOf(err: unknown): string | undefined {
  return err instanceof ApiError && err.code === 'BAD_REQUEST'
    ? /^([A-Za-z][\w.[\]]*):/.exec(err.message)?.[1]
    : undefined
}

/** A wrong PIN and how many tries are left before the key locks (issue 15). */
export function wrongPinText(triesLeft: number | undefined): string {
  if (triesLeft === undefined) return L('Mã PIN không đúng.', 'Wrong PIN.')
  if (triesLeft === 0)
    return L(
      'Mã PIN không đúng. Khóa ký đã bị khóa; hãy liên hệ quản trị hệ thống.',
      'Wrong PIN. Your signing key is now locked; ask an administrator.',
    )
  return L(
    `Mã PIN không đúng. Còn ${triesLeft} lần thử.`,
    `Wrong PIN. ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left.`,
  )
}

/** The message of an error for a person, in the page's language. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'NETWORK')
      return L(
        'Không kết nối được máy chủ. Kiểm tra mạng và thử lại.',
        'Cannot reach the server. Check the network and try again.',
      )
    if (err.code === 'PIN_INCORRECT') return wrongPinText(err.triesLeft)
    const known = REFUSALS[err.code]
    if (known && (lang() === 'en' || !SERVER_WORDS.has(err.code) || !err.message)) return L(...known)
    if (err.status >= 500)
      return L('Máy chủ gặp lỗi. Hãy thử lại sau.', 'The server failed. Please try again later.')
    if (err.code === 'BAD_REQUEST') {
      const detail = err.message.replace(/^[A-Za-z][\w.[\]]*:\s*/, '')
      return L(`Dữ liệu chưa hợp lệ: ${detail}`, `Invalid input: ${err.message}`)
    }
    return lang() === 'en' ? `Refused (${err.code}).` : err.message
  }
  return L('Đã có lỗi xảy ra.', 'Something went wrong.')
}

export function ErrorNote(props: { error: unknown; id?: string }): JSX.Element | null {
  if (!props.error) return null
  const code = props.error instanceof ApiError ? props.error.code : undefined
  return (
    <p class="error-note" role="alert" id={props.id} data-code={code}>
      {messageOf(props.error)}
    </p>
  )
}

export interface Loaded<T> {
  data?: T
  error?: unknown
  loading: boolean
  reload: () => void
}

/** Loads once per key; `reload` loads again (after an action). */
export function useLoad<T>(load: () => Promise<T>, key: unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true })
  const [tick, setTick] = useState(0)
  const lastKey = useRef<string | undefined>(undefined)
  useEffect(() => {
    let live = true
    // A reload keeps what is shown until the new data comes; another key (say, a new version) does not.
    const k = JSON.stringify(key)
    const sameKey = lastKey.current === k
    lastKey.current = k
    setState((s) => (sameKey ? { ...s, loading: true, error: undefined } : { loading: true }))
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    )
    return () => {
      live = false
    }
  }, [...key, tick])
  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []) }
}

/** Shows loading, the error, or the content once data is there. */
export function Async<T>(props: { state: Loaded<T>; children: (data: T) => ComponentChildren }): JSX.Element {
  const { state } = props
  if (state.data === undefined && state.loading) return <Loading />
  if (state.data === undefined) return <ErrorNote error={state.error} />
  return <>{props.children(state.data)}</>
}

/**
 * A modal dialog on the native <dialog>: focus moves into it, Tab stays inside, Escape closes it,
 * and focus returns to what opened it.
 */
export function Dialog(props: {
  title: string
  onClose: () => void
  children: ComponentChildren
  wide?: boolean
}): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null
    const d = ref.current
    if (d && !d.open) d.showModal()
    // The field marked autofocus (the PIN, the reason), else the first control of the body: never
    // the header's close button, or typing would go nowhere.
    const first =
      d?.querySelector<HTMLElement>('[autofocus]') ??
      d?.querySelector<HTMLElement>(
        '.dialog-body input, .dialog-body select, .dialog-body textarea, .dialog-body button',
      )
    first?.focus()
    return () => opener?.focus()
  }, [])
  return (
    <dialog
      ref={ref}
      class={props.wide ? 'dialog wide' : 'dialog'}
      aria-labelledby="dialog-title"
      onCancel={(e) => {
        e.preventDefault()
        props.onClose()
      }}
    >
      <header class="dialog-head">
        <h2 id="dialog-title">{props.title}</h2>
        <button type="button" class="icon-button" aria-label={L('Đóng', 'Close')} onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  )
}

export function StatusBadge(props: { status: string }): JSX.Element {
  return <span class={`badge status-${props.status}`}>{statusLabel(props.status)}</span>
}

/** A labelled form control with its error right under it. */
export function Field(props: {
  label: string
  error?: string | undefined
  hint?: string
  children: ComponentChildren
  id: string
}): JSX.Element {
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <small class="hint">{props.hint}</small>}
      {props.error && (
        <small class="field-error" role="alert" id={`${props.id}-error`}>
          {props.error}
        </small>
      )}
    </div>
  )
}

export function Progress(props: { value: number | null; target: number; label: string }): JSX.Element {
  const pct = props.value === null ? 0 : Math.max(0, Math.min(1, props.value))
  const ok = props.value !== null && props.value >= props.target
  return (
    // biome-ignore lint/a11y/useSemanticElements: <meter> cannot draw the target's mark; role=meter with its values is what screen readers read
    <div
      class="progress"
      role="meter"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct * 100)}
      aria-label={props.label}
    >
      <div class={ok ? 'progress-bar ok' : 'progress-bar'} style={{ width: `${pct * 100}%` }} />
      <div class="progress-target" style={{ left: `${Math.min(1, props.target) * 100}%` }} />
    </div>
  )
}

/** A page header: the title, an optional line under it, actions on the right. */
export function PageHead(props: {
  title: string
  sub?: ComponentChildren
  children?: ComponentChildren
}): JSX.Element {
  return (
    <div class="page-head">
      <div>
        <h1>{props.title}</h1>
        {props.sub && <p class="sub">{props.sub}</p>}
      </div>
      {props.children && <div class="page-actions">{props.children}</div>}
    </div>
  )
}

/** Replaces the address (after render, not during it). */
export function Redirect(props: { to: string }): JSX.Element {
  useEffect(() => navigate(props.to, true), [props.to])
  return <Loading />
}

/** What a date field's owner keeps while its text is not a real date (DateInput's onChange gave null). */
export const INVALID_DATE = 'invalid'

/** dd/MM/yyyy -> YYYY-MM-DD, or undefined when it is not a real date. */
export function parseVnDate(text: string): string | undefined {
  const m = /^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$/.exec(text)
  if (!m) return undefined
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined
  return date.toISOString().slice(0, 10)
}

const vnText = (iso: string): string =>
  /^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : ''

/**
 * A date typed as dd/MM/yyyy whatever the browser's locale (a native date input follows the
 * operating system's). `onChange` gets YYYY-MM-DD, '' when the field is empty, or null while the
 * text is not a real date (the field is then marked invalid and says so).
 */
export function DateInput(props: {
  id?: string
  value: string
  onChange: (iso: string | null) => void
  'aria-label'?: string
  invalid?: boolean
}): JSX.Element {
  const [text, setText] = useState(vnText(props.value))
  useEffect(() => {
    // Follow the parent when it sets a date or clears a valid one; never wipe what is being typed.
    const parsed = parseVnDate(text)
    if (
      props.value === ''
        ? parsed !== undefined
        : /^\d{4}-\d{2}-\d{2}$/.test(props.value) && parsed !== props.value
    )
      setText(vnText(props.value))
  }, [props.value])
  const bad = text.trim() !== '' && parseVnDate(text) === undefined
  return (
    <span class="date-wrap">
      <input
        id={props.id}
        class="date-input"
        inputMode="numeric"
        placeholder="dd/mm/yyyy"
        maxLength={10}
        value={text}
        aria-label={props['aria-label']}
        aria-invalid={Boolean(props.invalid) || bad}
        onInput={(e) => {
          const t = e.currentTarget.value
          setText(t)
          props.onChange(t.trim() === '' ? '' : (parseVnDate(t) ?? null))
        }}
      />
      {bad && (
        <small class="field-error">{L('Ngày không hợp lệ (dd/mm/yyyy)', 'Not a date (dd/mm/yyyy)')}</small>
      )}
    </span>
  )
}

/** A file picker labelled in the page's language (the native button speaks the browser's). */
export function FilePick(props: {
  id: string
  accept: string
  file?: File | undefined
  disabled?: boolean
  invalid?: boolean
  onPick: (f: File | undefined) => void
}): JSX.Element {
  return (
    <div class="file-pick">
      <input
        id={props.id}
        type="file"
        class="file-input"
        accept={props.accept}
        disabled={props.disabled}
        aria-invalid={props.invalid}
        onChange={(e) => props.onPick(e.currentTarget.files?.[0])}
      />
      <label for={props.id} class="button">
        {L('Chọn tệp…', 'Choose a file…')}
      </label>
      <span class="file-name">{props.file ? props.file.name : L('Chưa chọn tệp', 'No file chosen')}</span>
    </div>
  )
}

/**
 * One user action against the API: `run` marks it busy, clears the last error, and keeps the
 * error of a refusal to show next to the form; it resolves true when the action succeeded.
 */
export function useAction(): {
  busy: boolean
  error: unknown
  setError: (e: unknown) => void
  run: (fn: () => Promise<unknown>) => Promise<boolean>
} {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true)
    setError(undefined)
    try {
      await fn()
      return true
    } catch (err) {
      setError(err)
      return false
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, setError, run }
}
