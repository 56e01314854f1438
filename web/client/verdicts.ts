import { L } from './i18n.js'

export const VERDICT: Record<string, [string, string, string]> = {
  PASSED: ['Hợp lệ', 'Valid', 'ok'],
  FAILED: ['Không hợp lệ', 'Invalid', 'bad'],
  INDETERMINATE: ['Chưa xác định được', 'Cannot be determined', 'warn'],
}

/** Plain-language reasons for the validator's sub-indications (ETSI EN 319 102-1). */
const WHY: Record<string, [string, string]> = {
  HASH_FAILURE: ['Nội dung đã bị thay đổi sau khi ký.', 'The content changed after signing.'],
  SIG_CRYPTO_FAILURE: [
    'Chữ ký không khớp với chứng thư số.',
    'The signature does not match the certificate.',
  ],
  REVOKED: ['Chứng thư số đã bị thu hồi trước khi ký.', 'The certificate was revoked before signing.'],
  REVOKED_NO_POE: [
    'Chứng thư số đã bị thu hồi và không có dấu thời gian chứng minh ký trước đó.',
    'The certificate is revoked and no timestamp proves the signature came first.',
  ],
  NO_CERTIFICATE_CHAIN_FOUND: [
    'Chứng thư số không do tổ chức tin cậy cấp.',
    'The certificate is not issued by a trusted authority.',
  ],
  OUT_OF_BOUNDS_NO_POE: ['Chứng thư số đã hết hạn khi ký.', 'The certificate had expired when signing.'],
  OUT_OF_BOUNDS_NOT_REVOKED: ['Chứng thư số đã hết hạn.', 'The certificate has expired.'],
  TRY_LATER: [
    'Chưa có thông tin thu hồi (CRL) để kiểm tra.',
    'No revocation information (CRL) to check yet.',
  ],
  MODIFIED_AFTER_SIGNING: [
    'Văn bản có thay đổi không được phép sau chữ ký này.',
    'The document changed in a way not allowed after this signature.',
  ],
  FORMAT_FAILURE: ['Cấu trúc chữ ký không đúng chuẩn.', 'The signature is malformed.'],
  NO_SIGNING_CERTIFICATE_FOUND: [
    'Không tìm thấy chứng thư số của người ký.',
    "The signer's certificate is missing.",
  ],
  CHAIN_CONSTRAINTS_FAILURE: [
    'Chứng thư số không được phép dùng để ký văn bản.',
    'The certificate may not sign documents.',
  ],
  SIG_CONSTRAINTS_FAILURE: [
    'Chữ ký vi phạm ràng buộc của văn bản.',
    "The signature breaks the document's constraints.",
  ],
  UNSIGNED_TRAILING_DATA: [
    'Có dữ liệu được thêm vào cuối tệp mà không có chữ ký.',
    'Unsigned data was appended after the signed revisions.',
  ],
  INVALID_REVISION: [
    'Một lần sửa đổi của tệp không đúng cấu trúc PDF.',
    'A revision of the file is not a well-formed PDF update.',
  ],
  NOT_VALIDATED: ['Chưa được kiểm tra.', 'Not validated yet.'],
}

/** Why a signature is not valid, for a person: the known reasons, else a plain line with the code. */
export function whyText(subIndication: string | null | undefined): string | undefined {
  if (!subIndication) return undefined
  const known = WHY[subIndication]
  return known ? L(...known) : L(`Lý do kỹ thuật: ${subIndication}.`, `Technical reason: ${subIndication}.`)
}
