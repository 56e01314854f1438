import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { ErrorNote, Field, Link } from '../components.js'
import { L } from '../i18n.js'
import { navigate } from '../router.js'

interface CopyRef {
  id: number
  form: string
  outgoingNumber: string | null
}
const FORM_LABEL: Record<string, string> = {
  'sao-y': 'SAO Y',
  'sao-luc': 'SAO LỤC',
  'trich-sao': 'TRÍCH SAO',
  attachment: 'PHỤ LỤC',
}

/**
 * An issued document's electronic copies (issue 13): the clerk makes a sao y, sao lục or trích
 * sao (chosen pages) signed with the agency's seal at the top right of page 1; existing copies and
 * attachments are listed.
 */
export function CopyCard(props: { doc: { id: number; copies?: CopyRef[] } }): JSX.Element {
  const [form, setForm] = useState('sao-y')
  const [pages, setPages] = useState('')
  const [pin, setPin] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      const list =
        form === 'trich-sao'
          ? pages
              .split(/[ ,;]+/)
              .filter(Boolean)
              .map(Number)
          : undefined
      const copy = await api.post<{ id: number }>(`/api/documents/${props.doc.id}/copies`, {
        form,
        pin,
        ...(list && { pages: list }),
      })
      navigate(`/documents/${copy.id}`)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="card" data-testid="copies">
      <h2>{L('Bản sao điện tử', 'Electronic copies')}</h2>
      {(props.doc.copies ?? []).length > 0 && (
        <ul class="plain">
          {(props.doc.copies ?? []).map((c) => (
            <li key={c.id}>
              <Link href={`/documents/${c.id}`}>
                {FORM_LABEL[c.form] ?? c.form} {c.outgoingNumber ?? ''}
              </Link>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={(e) => void submit(e)}>
        <Field id="copy-form" label={L('Hình thức sao', 'Form')}>
          <select id="copy-form" value={form} onChange={(e) => setForm(e.currentTarget.value)}>
            <option value="sao-y">{L('Sao y', 'Sao y (true copy)')}</option>
            <option value="sao-luc">{L('Sao lục', 'Sao lục (transcript)')}</option>
            <option value="trich-sao">{L('Trích sao (các trang chọn)', 'Trích sao (chosen pages)')}</option>
          </select>
        </Field>
        {form === 'trich-sao' && (
          <Field id="copy-pages" label={L('Các trang (vd. 1, 2)', 'Pages (e.g. 1, 2)')}>
            <input id="copy-pages" value={pages} onInput={(e) => setPages(e.currentTarget.value)} />
          </Field>
        )}
        <Field id="copy-pin" label={L('Mã PIN của văn thư', "Clerk's PIN")}>
          <input
            id="copy-pin"
            type="password"
            autocomplete="off"
            value={pin}
            onInput={(e) => setPin(e.currentTarget.value)}
          />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy || !pin}>
          {L('Sao và ký số', 'Copy and sign')}
        </button>
      </form>
    </div>
  )
}
