import { verifyPdfIsolated, type Indication } from '../signing/verify'
import { listRevocationLists } from '../storage/revocation-lists'
import type { Services } from './context'
import { foreignSignatures, type ForeignSignature } from './verdicts'

/**
 * What an upload's own signatures look like before anyone signs it (issue 14): a file that arrives
 * already signed (a scanned-and-signed original, another agency's signed draft) and whose
 * signatures fail will never count as fully signed, so the drafter is told at once.
 */
export interface UploadCheck {
  /** Signatures the file carried when uploaded. */
  signatures: number
  /** The worst verdict among them; null when they could not be validated (see `problem`). */
  indication: Indication | null
  /** Those that FAILED, with why. */
  failed: ForeignSignature[]
  /** For the drafter, in Vietnamese; null when every signature passed. */
  warning: string | null
  problem?: string
}

/** Validates the signatures an upload already carries (in the worker, under its limits). */
export async function checkExistingSignatures(
  s: Services,
  pdf: Buffer,
  fields: number,
): Promise<UploadCheck | null> {
  if (fields === 0) return null
  const crls = [...(await s.crls()), ...(await listRevocationLists(s.db)).map((r) => r.der)]
  try {
    const report = await verifyPdfIsolated(
      { pdf, trustAnchors: await s.trustAnchors(), crls },
      { timeoutMs: s.config.validationTimeoutMs },
    )
    const failed = foreignSignatures(report.signatures, new Set()).filter((g) => g.indication === 'FAILED')
    const who = failed.map((g) => g.signer ?? g.field).join(', ')
    const warning =
      failed.length > 0
        ? `Tệp tải lên có ${failed.length} chữ ký số không hợp lệ (${who}): văn bản sẽ không được tính là ` +
          'ký số đầy đủ. Hãy kiểm tra lại tệp trước khi trình ký.'
        : report.indication === 'PASSED'
          ? null
          : 'Tệp tải lên có chữ ký số chưa xác định được hiệu lực (chưa tin cậy hoặc thiếu thông tin thu hồi).'
    return { signatures: report.signatures.length, indication: report.indication, failed, warning }
  } catch (err) {
    const problem = (err as Error).message
    return {
      signatures: fields,
      indication: null,
      failed: [],
      warning: 'Không kiểm tra được chữ ký số có sẵn trong tệp tải lên.',
      problem,
    }
  }
}
