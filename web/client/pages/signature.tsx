import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { Async, ErrorNote, Field, FilePick, PageHead, useAction, useLoad } from '../components.js'
import { formatDateTime } from '../format.js'
import { L } from '../i18n.js'

interface Info {
  image: { width: number; height: number; sha256: string; updatedAt: string } | null
}

const WARNING: Record<string, [string, string]> = {
  NO_TRANSPARENCY: [
    'Ảnh không có nền trong suốt: nền trắng sẽ che nét của văn bản nếu chồng lên.',
    'The image has no transparent background: its white would hide the document under it.',
  ],
  NOT_BLUE: [
    'Nét chữ ký không phải màu xanh (Nghị định 30/2020 quy định màu xanh).',
    'The ink is not blue (Decree 30/2020 asks for blue).',
  ],
}

/**
 * My handwritten signature (issue 12): the image my signatures show between the title and my
 * name on documents I sign. Only I see it here; it is never shown to anyone else but inside the
 * documents I sign, and it is deleted with my account.
 */
export function SignaturePage(): JSX.Element {
  const state = useLoad(() => api.get<Info>('/api/me/signature-image?info'))
  const [file, setFile] = useState<File | undefined>()
  const [warnings, setWarnings] = useState<string[]>([])
  const { busy, error, setError, run } = useAction()
  const upload = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (!file) return setError(new Error(L('Chọn ảnh PNG.', 'Choose a PNG image.')))
    const form = new FormData()
    form.set('file', file)
    let answer: { warnings: string[] } | undefined
    if (
      await run(
        async () => (answer = await api.putForm<{ warnings: string[] }>('/api/me/signature-image', form)),
      )
    ) {
      setWarnings(answer?.warnings ?? [])
      setFile(undefined)
      state.reload()
    }
  }
  const remove = async (): Promise<void> => {
    if (await run(() => api.del('/api/me/signature-image'))) {
      setWarnings([])
      state.reload()
    }
  }
  return (
    <section>
      <PageHead title={L('Chữ ký của tôi', 'My signature')} />
      <div class="card">
        <p class="muted">
          {L(
            'Ảnh chữ ký tay (PNG, nét màu xanh, nền trong suốt) được đặt giữa chức vụ và họ tên trên văn bản bạn ký. Chỉ bạn xem được ảnh ở đây; ảnh bị xóa cùng tài khoản.',
            'Your handwritten signature (PNG, blue ink, transparent background) goes between the title and your name on documents you sign. Only you see it here; it is deleted with your account.',
          )}
        </p>
        <Async state={state}>
          {(info) =>
            info.image ? (
              <div class="signature-current" data-testid="signature-current">
                <img
                  src={`/api/me/signature-image?v=${info.image.sha256}`}
                  alt={L('Ảnh chữ ký hiện tại', 'Current signature image')}
                  class="signature-img"
                />
                <p class="small muted">
                  {info.image.width}×{info.image.height} · {formatDateTime(info.image.updatedAt)}
                </p>
                <button type="button" class="danger-outline" disabled={busy} onClick={() => void remove()}>
                  {L('Xóa ảnh chữ ký', 'Delete the image')}
                </button>
              </div>
            ) : (
              <p data-testid="signature-none">
                {L(
                  'Bạn chưa có ảnh chữ ký: chữ ký sẽ hiện họ tên bạn theo nét viết tay.',
                  'No image yet: your signatures show your name in a handwriting-like hand.',
                )}
              </p>
            )
          }
        </Async>
        {warnings.length > 0 && (
          <ul class="warn-list" role="status">
            {warnings.map((w) => (
              <li key={w}>{WARNING[w] ? L(...(WARNING[w] as [string, string])) : w}</li>
            ))}
          </ul>
        )}
        <form onSubmit={upload} class="form-grid" noValidate>
          <Field id="signature-file" label={L('Ảnh chữ ký (PNG)', 'Signature image (PNG)')}>
            <FilePick id="signature-file" accept="image/png" file={file} onPick={setFile} />
          </Field>
          <ErrorNote error={error} />
          <div class="button-row">
            <button type="submit" class="primary" disabled={busy}>
              {L('Tải lên', 'Upload')}
            </button>
          </div>
        </form>
      </div>
    </section>
  )
}
