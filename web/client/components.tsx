import type { ComponentChildren, JSX } from 'preact'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from './api.js'
import { L, lang, statusLabel } from './i18n.js'
import { MESSAGES } from './messages.js'
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

/**
 * Codes whose Vietnamese message from the server says more than the catalogue: it names the names,
 * numbers and dates (the catalogue's text is used in English, and when the server sent none).
 */
const SERVER_WORDS = new Set([
  'CONFLICT',
  'CERT_SUBJECT_MISMATCH',
  'UNAUTHENTICATED',
  'IMAGE_UNSUITABLE',
  'NUMBER_TAKEN',
  'DATE_IN_FUTURE',
  'NOT_ELIGIBLE',
  'ERASURE_BLOCKED',
  'STATE_SECRET',
  'NOT_ISSUED',
  // Signing codes whose server message names the reason, size or limit (the catalogue serves English).
  'REMOTE_REFUSED',
  'REMOTE_EXPIRED',
  'PIN_TOO_SHORT',
  'PIN_LOCKED',
  'PDF_TOO_LARGE',
  'PDF_NOT_SIGNED',
  'PDF_PAGE_NOT_FOUND',
  'CERT_UNREADABLE',
  'CRL_UNREADABLE',
  'IMAGE_UNREADABLE',
  'TOKEN_NOT_FOUND',
  'VALIDATION_TIMEOUT',
  'VALIDATION_OUT_OF_MEMORY',
])

/** What a refusal with this code means, in the page's language, from the one catalogue (issue 16). */
function refusalText(code: string): string | undefined {
  const refusals = MESSAGES[lang()].refusals
  return Object.hasOwn(refusals, code) ? refusals[code] : undefined
}

/** A BAD_REQUEST names its field first ("username: ..."): the field, for showing the error beside it. */
export function fieldOf(err: unknown): string | undefined {
  return err instanceof ApiError && err.code === 'BAD_REQUEST'
    ? /^([A-Za-z][\w.[\]]*):/.exec(err.message)?.[1]
    : undefined
}

/** A wrong PIN and how many tries are left before the key locks (issue 15). */
export function wrongPinText(triesLeft: number | undefined): string {
  const wrong = refusalText('PIN_INCORRECT') ?? ''
  if (triesLeft === undefined) return wrong
  if (triesLeft === 0)
    return `${wrong} ${L(
      'Khóa ký đã bị khóa; hãy liên hệ quản trị hệ thống.',
      'Your signing key is now locked; ask an administrator.',
    )}`
  return `${wrong} ${L(
    `Còn ${triesLeft} lần thử.`,
    `${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left.`,
  )}`
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
    if (err.code === 'BAD_REQUEST') {
      const invalid = (refusalText('BAD_REQUEST') ?? '').replace(/\.$/, '')
      const detail = err.message.replace(/^[A-Za-z][\w.[\]]*:\s*/, '')
      return `${invalid}: ${lang() === 'en' ? err.message : detail}`
    }
    const known = refusalText(err.code)
    if (known && (lang() === 'en' || !SERVER_WORDS.has(err.code) || !err.message)) return known
    if (err.status >= 500) return refusalText('INTERNAL') ?? err.message
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
