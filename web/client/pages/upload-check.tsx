import type { JSX } from 'preact'
import { L } from '../i18n.js'
import { whyText } from '../verdicts.js'

/** The signatures an uploaded file already carried, as validated at upload (issue 14). */
export interface UploadCheck {
  signatures: number
  indication: 'PASSED' | 'INDETERMINATE' | 'FAILED' | null
  failed: { field: string; signer: string | null; indication: string; subIndication: string | null }[]
  warning: string | null
}

/**
 * Tells the drafter, before the document is submitted, that the file arrived with signatures that
 * fail (the document will never count as fully signed) or that could not be judged.
 */
export function UploadCheckNote(props: {
  check: UploadCheck | null | undefined
  status: string
}): JSX.Element | null {
  const c = props.check
  if (!c?.warning || !['draft', 'returned', 'in_progress'].includes(props.status)) return null
  const failed = c.indication === 'FAILED'
  return (
    <div
      class={`card upload-check ${failed ? 'bad' : 'warn'}`}
      role="alert"
      data-testid="upload-check"
      data-indication={c.indication ?? 'UNKNOWN'}
    >
      <strong>
        {failed
          ? L('Tệp tải lên có chữ ký số không hợp lệ', 'The uploaded file carries signatures that fail')
          : L(
              'Chưa xác định được chữ ký số có sẵn trong tệp',
              'The signatures the file carries could not be confirmed',
            )}
      </strong>
      <p class="small">
        {failed
          ? L(
              'Văn bản này sẽ không được tính là ký số đầy đủ trong báo cáo. Hãy kiểm tra lại tệp trước ' +
                'khi trình ký.',
              'This document will not count as fully signed in the report. Check the file before ' +
                'submitting it.',
            )
          : L(
              'Chữ ký chưa tin cậy hoặc thiếu thông tin thu hồi; văn bản vẫn có thể được ký tiếp.',
              'A signature is untrusted or lacks revocation information; the document can still be signed.',
            )}
      </p>
      {c.failed.length > 0 && (
        <ul class="small">
          {c.failed.map((f) => (
            <li key={f.field}>
              {f.signer ?? f.field}: {whyText(f.subIndication) ?? f.indication}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
