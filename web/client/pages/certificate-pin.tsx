import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { Dialog, ErrorNote, Field, useAction } from '../components.js'
import { L } from '../i18n.js'

/** The PIN of a key Kyso holds, as the holder sees it (issue 15): tries left, or locked. */
export function PinState(props: {
  triesLeft?: number | undefined
  keyLocked?: boolean | undefined
  maxTries: number
}): JSX.Element | null {
  if (props.triesLeft === undefined) return null
  if (props.keyLocked)
    return (
      <span class="badge bad" data-key="locked">
        {L('Khóa ký đã bị khóa', 'Key locked')}
      </span>
    )
  if (props.triesLeft < props.maxTries) {
    return (
      <small class="muted" data-key="tries">
        {L(`Còn ${props.triesLeft} lần thử mã PIN`, `${props.triesLeft} PIN tries left`)}
      </small>
    )
  }
  return null
}

/** Change my PIN: the old one opens the key (a counted try), the new one seals it again. */
export function ChangePinDialog(props: {
  id: number
  minLength: number
  onClose: () => void
  onDone: () => void
}): JSX.Element {
  const [oldPin, setOld] = useState('')
  const [pin, setPin] = useState('')
  const [again, setAgain] = useState('')
  const [error, setError] = useState<string | undefined>()
  const { busy, error: failure, run } = useAction()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    const rule = new RegExp(`^\\S{${props.minLength},64}$`)
    if (!rule.test(pin)) {
      return setError(
        L(
          `Mã PIN từ ${props.minLength} đến 64 ký tự, không có khoảng trắng.`,
          `The PIN has ${props.minLength} to 64 characters, no spaces.`,
        ),
      )
    }
    if (pin !== again) return setError(L('Hai lần nhập không khớp.', 'The two entries differ.'))
    setError(undefined)
    if (await run(() => api.post(`/api/me/certificates/${props.id}/pin`, { oldPin, newPin: pin })))
      props.onDone()
    setOld('')
  }
  const input = (id: string, value: string, set: (v: string) => void, autocomplete: string): JSX.Element => (
    <input
      id={id}
      type="password"
      autocomplete={autocomplete}
      value={value}
      onInput={(e) => set(e.currentTarget.value)}
    />
  )
  return (
    <Dialog title={L('Đổi mã PIN', 'Change the PIN')} onClose={props.onClose}>
      <form class="dialog-body" onSubmit={submit} noValidate>
        <p class="muted small">
          {L(
            'Nhập sai mã PIN hiện tại cũng được tính là một lần thử.',
            'A wrong current PIN counts as a try too.',
          )}
        </p>
        <Field id="pin-old" label={L('Mã PIN hiện tại', 'Current PIN')}>
          {input('pin-old', oldPin, setOld, 'current-password')}
        </Field>
        <Field id="pin-new" label={L('Mã PIN mới', 'New PIN')} error={error}>
          {input('pin-new', pin, setPin, 'new-password')}
        </Field>
        <Field id="pin-again" label={L('Nhập lại mã PIN mới', 'New PIN again')}>
          {input('pin-again', again, setAgain, 'new-password')}
        </Field>
        <ErrorNote error={failure} id="pin-change-error" />
        <div class="dialog-foot">
          <button type="button" onClick={props.onClose}>
            {L('Hủy', 'Cancel')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {L('Đổi mã PIN', 'Change')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}

/** Unlock my key with the one-time code an administrator gave me (like a card's PUK). */
export function UnlockDialog(props: { id: number; onClose: () => void; onDone: () => void }): JSX.Element {
  const [code, setCode] = useState('')
  const { busy, error: failure, run } = useAction()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (await run(() => api.post(`/api/me/certificates/${props.id}/unlock`, { unlockCode: code })))
      props.onDone()
  }
  return (
    <Dialog title={L('Mở khóa bằng mã', 'Unlock with a code')} onClose={props.onClose}>
      <form class="dialog-body" onSubmit={submit} noValidate>
        <p class="muted small">
          {L(
            'Quản trị hệ thống cấp mã mở khóa sau khi xác nhận đúng là bạn. Mã PIN của bạn không đổi.',
            'The administrator gives you an unlock code once they know it is you. Your PIN stays the same.',
          )}
        </p>
        <Field id="unlock-code" label={L('Mã mở khóa', 'Unlock code')}>
          <input
            id="unlock-code"
            autocomplete="off"
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </Field>
        <ErrorNote error={failure} />
        <div class="dialog-foot">
          <button type="button" onClick={props.onClose}>
            {L('Hủy', 'Cancel')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {L('Mở khóa', 'Unlock')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
