import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api, ApiError, setCsrf } from '../api.js'
import { Field, messageOf } from '../components.js'
import { L } from '../i18n.js'
import type { Me } from '../main.js'

/** Sign in: a wrong password and throttling each get their own plain message under the form. */
export function LoginPage(props: { onSignedIn: (me: Me) => void }): JSX.Element {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<{ code: string; text: string } | undefined>()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (!username.trim() || !password) {
      setError({
        code: 'BAD_REQUEST',
        text: L('Nhập tên đăng nhập và mật khẩu.', 'Enter your username and password.'),
      })
      return
    }
    setBusy(true)
    setError(undefined)
    try {
      const r = await api.post<{ csrfToken: string }>('/api/auth/login', {
        username: username.trim(),
        password,
      })
      setCsrf(r.csrfToken)
      props.onSignedIn(await api.get<Me>('/api/me'))
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'ERROR'
      setError({ code, text: messageOf(err) })
      setPassword('')
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="login">
      <div class="login-card card">
        <h1>{L('Đăng nhập', 'Sign in')}</h1>
        <p class="sub">
          {L('Hệ thống ký số văn bản điện tử của cơ quan', "Your agency's document signing system")}
        </p>
        <form onSubmit={submit} noValidate>
          <Field id="login-username" label={L('Tên đăng nhập', 'Username')}>
            <input
              id="login-username"
              name="username"
              autocomplete="username"
              autoFocus
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </Field>
          <Field id="login-password" label={L('Mật khẩu', 'Password')}>
            <input
              id="login-password"
              name="password"
              type="password"
              autocomplete="current-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </Field>
          {error && (
            <p class="error-note" role="alert" data-code={error.code}>
              {error.text}
            </p>
          )}
          <button type="submit" class="primary wide" disabled={busy}>
            {busy ? L('Đang đăng nhập…', 'Signing in…') : L('Đăng nhập', 'Sign in')}
          </button>
        </form>
      </div>
      <p class="login-note">
        {L(
          'Mã PIN ký số không bao giờ được lưu trên máy chủ.',
          'Signing PINs are never stored on the server.',
        )}
      </p>
    </section>
  )
}
