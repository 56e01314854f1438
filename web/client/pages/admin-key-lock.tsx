import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { Dialog, ErrorNote, useAction } from '../components.js'
import { formatDateTime } from '../format.js'
import { L } from '../i18n.js'
import type { AdminCertificate } from './admin-external.js'

/**
 * A key Kyso holds that wrong PINs locked (issue 15): the administrator unlocks it (audited), or
 * issues a one-time code for the holder to unlock it themselves (shown once, like a card's PUK).
 */
export function KeyLock(props: { cert: AdminCertificate; onDone: () => void }): JSX.Element | null {
  const { cert } = props
  const { busy, error, run } = useAction()
  const [code, setCode] = useState<{ unlockCode: string; expiresAt: string } | undefined>()
  if (!cert.keyLocked) return null
  const unlock = async (): Promise<void> => {
    if (await run(() => api.post(`/api/admin/certificates/${cert.id}/unlock`))) props.onDone()
  }
  const issue = async (): Promise<void> => {
    await run(async () =>
      setCode(
        await api.post<{ unlockCode: string; expiresAt: string }>(
          `/api/admin/certificates/${cert.id}/unlock-code`,
        ),
      ),
    )
  }
  return (
    <div class="key-lock" data-key="locked">
      <span class="badge bad">{L('Khóa ký bị khóa (sai PIN)', 'Key locked (wrong PINs)')}</span>
      <div class="row-actions">
        <button type="button" class="small" disabled={busy} onClick={() => void unlock()}>
          {L('Mở khóa', 'Unlock')}
        </button>
        <button type="button" class="small" disabled={busy} onClick={() => void issue()}>
          {L('Cấp mã mở khóa', 'Issue an unlock code')}
        </button>
      </div>
      <ErrorNote error={error} />
      {code && (
        <Dialog title={L('Mã mở khóa', 'Unlock code')} onClose={() => setCode(undefined)}>
          <div class="dialog-body">
            <p>
              {L('Đọc mã này cho', 'Give this code to')} <strong>{cert.fullName}</strong>{' '}
              {L(
                'sau khi đã xác nhận đúng người; mã chỉ hiện một lần và dùng được một lần.',
                'once you know it is them; it is shown once and works once.',
              )}
            </p>
            <p>
              <code class="unlock-code" data-testid="unlock-code">
                {code.unlockCode}
              </code>
            </p>
            <p class="muted small">
              {L('Hết hạn lúc', 'Expires at')} {formatDateTime(code.expiresAt)}
            </p>
            <div class="dialog-foot">
              <button type="button" class="primary" onClick={() => setCode(undefined)}>
                {L('Đã ghi lại', 'Done')}
              </button>
            </div>
          </div>
        </Dialog>
      )}
    </div>
  )
}
