import type { JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { Async, ErrorNote, Field, FilePick, PageHead, messageOf, useLoad } from '../components.js'
import { fileSize } from '../format.js'
import { L } from '../i18n.js'
import { navigate } from '../router.js'
import { RouteComposer, type Directory, type StepSpec } from './route-composer.js'

const FILE_CODES = new Set([
  'NOT_A_PDF',
  'UPLOAD_TOO_LARGE',
  'PDF_ENCRYPTED',
  'PDF_UNREADABLE',
  'PDF_TOO_LARGE',
  'PDF_PAGE_NOT_FOUND',
  'PDF_CERTIFIED_NO_CHANGES',
])

/** A new document: the PDF, its title and kind, then its route; uploaded and submitted in one go. */
export function NewDocumentPage(): JSX.Element {
  const dir = useLoad(() => api.get<Directory>('/api/directory'))
  const [file, setFile] = useState<File | undefined>()
  const [title, setTitle] = useState('')
  const [kind, setKind] = useState<'internal' | 'procedure'>('internal')
  const [procedure, setProcedure] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [failure, setFailure] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [draftId, setDraftId] = useState<number | undefined>()
  // The chosen file's bytes, so the composer can show its pages to drag a signature's box on.
  const [bytes, setBytes] = useState<Uint8Array | undefined>()
  useEffect(() => {
    let live = true
    setBytes(undefined)
    if (file) void file.arrayBuffer().then((b) => live && setBytes(new Uint8Array(b)))
    return () => {
      live = false
    }
  }, [file])

  const check = (): boolean => {
    const found: Record<string, string> = {}
    if (!file && draftId === undefined)
      found.file = L('Chọn tệp PDF của văn bản.', "Choose the document's PDF.")
    else if (file?.type && file.type !== 'application/pdf' && !file.name.toLowerCase().endsWith('.pdf'))
      found.file = L('Tệp phải là PDF.', 'The file must be a PDF.')
    if (!title.trim()) found.title = L('Nhập trích yếu văn bản.', 'Enter the title.')
    if (kind === 'procedure' && !procedure)
      found.procedure = L('Chọn thủ tục hành chính.', 'Pick the public procedure.')
    setErrors(found)
    return Object.keys(found).length === 0
  }

  /** Uploads once (kept if submitting then fails, so a retry does not upload twice). */
  const upload = async (): Promise<number> => {
    if (draftId !== undefined) return draftId
    const form = new FormData()
    form.set('title', title.trim())
    form.set('kind', kind)
    if (kind === 'procedure') form.set('procedureCode', procedure)
    form.set('file', file as File)
    try {
      const doc = await api.upload<{ id: number }>('/api/documents', form)
      setDraftId(doc.id)
      return doc.id
    } catch (err) {
      if (err instanceof ApiError && FILE_CODES.has(err.code)) setErrors({ file: messageOf(err) })
      else if (err instanceof ApiError && /^title/.test(err.message)) setErrors({ title: messageOf(err) })
      throw err
    }
  }

  const submit = async (route: { template: string } | { steps: StepSpec[] }): Promise<void> => {
    if (!check()) return
    setBusy(true)
    setFailure(undefined)
    try {
      const id = await upload()
      await api.post(`/api/documents/${id}/submit`, route)
      navigate(`/documents/${id}`)
    } catch (err) {
      if (!(err instanceof ApiError && FILE_CODES.has(err.code))) setFailure(err)
    } finally {
      setBusy(false)
    }
  }
  const saveDraft = async (): Promise<void> => {
    if (!check()) return
    setBusy(true)
    try {
      navigate(`/documents/${await upload()}`)
    } catch (err) {
      if (!(err instanceof ApiError && FILE_CODES.has(err.code))) setFailure(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section>
      <PageHead
        title={L('Soạn văn bản mới', 'New document')}
        sub={L(
          'Tải lên bản PDF của văn bản, chọn quy trình và trình ký.',
          "Upload the document's PDF, choose its route and submit it.",
        )}
      />
      <Async state={dir}>
        {(d) => (
          <div class="new-grid">
            <div class="card">
              <h2>{L('1. Văn bản', '1. Document')}</h2>
              <Field
                id="new-file"
                label={L('Tệp PDF', 'PDF file')}
                error={errors.file}
                hint={
                  file
                    ? `${file.name} · ${fileSize(file.size)}`
                    : L(
                        'Tối đa theo cấu hình máy chủ; không nhận tệp có mật khẩu.',
                        "Up to the server's limit; password-protected files are refused.",
                      )
                }
              >
                <FilePick
                  id="new-file"
                  accept="application/pdf,.pdf"
                  file={file}
                  disabled={draftId !== undefined}
                  invalid={Boolean(errors.file)}
                  onPick={(f) => {
                    setFile(f)
                    setErrors({ ...errors, file: '' })
                  }}
                />
              </Field>
              <Field id="new-title" label={L('Trích yếu', 'Title')} error={errors.title}>
                <input
                  id="new-title"
                  maxLength={500}
                  value={title}
                  disabled={draftId !== undefined}
                  onInput={(e) => setTitle(e.currentTarget.value)}
                  placeholder={L(
                    'V/v triển khai chữ ký số trong cơ quan',
                    'On rolling out digital signatures',
                  )}
                  aria-invalid={Boolean(errors.title)}
                />
              </Field>
              <fieldset class="segmented" disabled={draftId !== undefined}>
                <legend>{L('Loại văn bản', 'Kind')}</legend>
                <label>
                  <input
                    type="radio"
                    name="kind"
                    checked={kind === 'internal'}
                    onChange={() => setKind('internal')}
                  />{' '}
                  {L('Văn bản nội bộ', 'Internal document')}
                </label>
                <label>
                  <input
                    type="radio"
                    name="kind"
                    checked={kind === 'procedure'}
                    onChange={() => setKind('procedure')}
                  />{' '}
                  {L('Kết quả thủ tục hành chính', 'Public procedure result')}
                </label>
              </fieldset>
              {kind === 'procedure' && (
                <Field
                  id="new-procedure"
                  label={L('Thủ tục hành chính', 'Public procedure')}
                  error={errors.procedure}
                >
                  <select
                    id="new-procedure"
                    value={procedure}
                    disabled={draftId !== undefined}
                    onChange={(e) => setProcedure(e.currentTarget.value)}
                  >
                    <option value="">{L('— Chọn thủ tục —', '— Pick a procedure —')}</option>
                    {d.procedures.map((p) => (
                      <option key={p.code} value={p.code}>
                        {p.code} · {p.name}
                      </option>
                    ))}
                  </select>
                </Field>
              )}
              {draftId !== undefined && (
                <p class="notice">
                  {L('Đã lưu dự thảo; bạn có thể trình ký lại.', 'Draft saved; you can submit again.')}
                </p>
              )}
              <button type="button" onClick={() => void saveDraft()} disabled={busy}>
                {L('Chỉ lưu dự thảo', 'Save as draft only')}
              </button>
            </div>
            <div class="card">
              <h2>{L('2. Quy trình', '2. Route')}</h2>
              <RouteComposer
                directory={d}
                busy={busy}
                onSubmit={(r) => void submit(r)}
                submitLabel={L('Tải lên và trình ký', 'Upload and submit')}
                pdf={bytes}
              />
              <ErrorNote error={failure} />
            </div>
          </div>
        )}
      </Async>
    </section>
  )
}
