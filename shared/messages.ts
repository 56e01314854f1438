/**
 * The service's words for people, one catalogue per language (issue 16): what a refusal means, by
 * its error code, and why a signature is not valid, by its sub-indication. One source for all who
 * show them: the API serves it (GET /api/messages), `kyso verify` prints its reasons, and the build
 * writes it as an ES module for the web client (scripts/build-assets.ts -> dist/web/client/messages.js).
 * Pure data and lookups, so the build can load it without the rest of the service.
 */
import type { WorkflowErrorCode } from './errors'

export type Lang = 'vi' | 'en'

type Texts = Readonly<Record<Lang, string>>

/** Codes of the signing library (signing/errors.ts) that reach a person through the API. */
type SigningRefusalCode =
  | 'PIN_INCORRECT'
  | 'CERT_REVOKED'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_KEY_USAGE'
  | 'CERT_UNTRUSTED'
  | 'CERT_REVOCATION_UNKNOWN'
  | 'PDF_ENCRYPTED'
  | 'PDF_UNREADABLE'
  | 'TSA_FAILED'
  | 'REMOTE_UNAVAILABLE'
  | 'REMOTE_AUTH_FAILED'
  | 'REMOTE_SIGNING_FAILED'
  | 'REMOTE_NOT_FOUND'
  | 'REMOTE_REFUSED'
  | 'REMOTE_EXPIRED'
  | 'PIN_TOO_SHORT'
  | 'PIN_LOCKED'
  | 'PDF_TOO_LARGE'
  | 'PDF_NOT_SIGNED'
  | 'PDF_PAGE_NOT_FOUND'
  | 'CERT_UNREADABLE'
  | 'CRL_UNREADABLE'
  | 'IMAGE_UNREADABLE'
  | 'TOKEN_NOT_FOUND'
  | 'VALIDATION_TIMEOUT'
  | 'VALIDATION_OUT_OF_MEMORY'

/** Every use-case code, the signing codes above, and INTERNAL: what a 5xx means to a person. */
export type RefusalCode = WorkflowErrorCode | SigningRefusalCode | 'INTERNAL'

const REFUSALS: Record<RefusalCode, Texts> = {
  UNAUTHENTICATED: {
    vi: 'Bạn chưa đăng nhập hoặc phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.',
    en: 'You are not signed in, or your session has expired. Sign in again.',
  },
  LOGIN_FAILED: { vi: 'Tên đăng nhập hoặc mật khẩu không đúng.', en: 'Wrong username or password.' },
  LOGIN_THROTTLED: {
    vi: 'Đăng nhập sai quá nhiều lần. Hãy đợi vài phút rồi thử lại.',
    en: 'Too many failed attempts. Wait a few minutes and try again.',
  },
  CSRF_REJECTED: {
    vi: 'Phiên làm việc đã thay đổi; hãy tải lại trang.',
    en: 'The session changed; reload the page.',
  },
  FORBIDDEN: { vi: 'Bạn không có quyền thực hiện thao tác này.', en: 'You may not do this.' },
  NOT_FOUND: { vi: 'Không tìm thấy.', en: 'Not found.' },
  BAD_REQUEST: { vi: 'Dữ liệu chưa hợp lệ.', en: 'Invalid input.' },
  CONFLICT: {
    vi: 'Đã có thay đổi hoặc dữ liệu trùng; hãy tải lại trang và thử lại.',
    en: 'Something changed meanwhile or already exists; reload and try again.',
  },
  STEP_NOT_ACTIVE: { vi: 'Bước này chưa đến lượt hoặc đã kết thúc.', en: 'This step is not active.' },
  NOT_ASSIGNEE: { vi: 'Bước này không được giao cho bạn.', en: 'This step is not assigned to you.' },
  OWN_DRAFT: { vi: 'Không ký trên văn bản do chính mình soạn thảo.', en: 'You cannot sign your own draft.' },
  VERSION_CONFLICT: {
    vi: 'Văn bản vừa có phiên bản mới. Hãy tải về lại và ký bản mới.',
    en: 'The document has a newer version. Download it again and sign that.',
  },
  NO_CERTIFICATE: {
    vi: 'Bạn chưa có chứng thư số còn hiệu lực cho việc này.',
    en: 'You have no valid certificate for this.',
  },
  UPLOAD_TOO_LARGE: { vi: 'Tệp quá lớn.', en: 'The file is too large.' },
  NOT_A_PDF: { vi: 'Tệp tải lên không phải PDF.', en: 'The file is not a PDF.' },
  IDEMPOTENCY_MISMATCH: {
    vi: 'Yêu cầu trùng với một yêu cầu khác.',
    en: 'This request clashes with another.',
  },
  // Keys Kyso never holds (issue 11): a file signed elsewhere, a certificate checked before use.
  SIGNING_USED: {
    vi: 'Phiên ký này đã kết thúc. Hãy tải lại trang.',
    en: 'This signing session is over. Reload the page.',
  },
  SIGNING_EXPIRED: { vi: 'Phiên ký đã hết hạn. Hãy ký lại.', en: 'The signing session expired. Sign again.' },
  SIGNATURE_INVALID: {
    vi: 'Chữ ký không hợp lệ: không khớp với chứng thư số, hoặc nội dung đã bị thay đổi sau khi ký.',
    en:
      'The signature is not valid: it does not match the certificate, ' +
      'or the content changed after signing.',
  },
  NOT_AN_INCREMENT: {
    vi:
      'Tệp tải lên không phải là đúng văn bản đã tải về cộng thêm một chữ ký. ' +
      'Hãy ký đúng tệp vừa tải về, một lần, không sửa gì khác.',
    en:
      'The file is not the downloaded version plus one signature. ' +
      'Sign exactly the file you downloaded, once, changing nothing else.',
  },
  WRONG_SIGNER: {
    vi:
      'Tệp được ký bằng chứng thư số không phải của bạn hoặc không đúng loại cho bước này ' +
      '(đóng dấu cần chứng thư số của cơ quan).',
    en:
      'The file is signed with a certificate that is not yours or not right for this step ' +
      "(a seal needs the agency's certificate).",
  },
  DISALLOWED_CHANGES: {
    vi:
      'Ngoài chữ ký, tệp còn bị thay đổi nội dung, trang hoặc chú thích nên không được nhận. ' +
      'Hãy ký lại từ tệp vừa tải về.',
    en:
      "Besides the signature, the file's content, pages or annotations changed, so it is refused. " +
      'Sign the downloaded file again.',
  },
  CERT_SUBJECT_MISMATCH: {
    vi: 'Tên trên chứng thư số không khớp với tên của bạn (với chứng thư con dấu: tên cơ quan).',
    en: "The name in the certificate does not match yours (for a seal: the agency's name).",
  },
  CERT_NOT_ACTIVE: {
    vi: 'Chứng thư số này chưa được quản trị hệ thống phê duyệt.',
    en: 'This certificate is not approved by an administrator yet.',
  },
  PRECONDITION_REQUIRED: {
    vi: 'Hãy tải văn bản về trước khi tải tệp đã ký lên.',
    en: 'Download the document before uploading the signed file.',
  },
  REMOTE_NOT_CONFIGURED: {
    vi: 'Máy chủ chưa kết nối dịch vụ ký số từ xa này.',
    en: 'This remote-signing service is not connected.',
  },
  IMAGE_UNSUITABLE: {
    vi: 'Ảnh không dùng được: kích thước hoặc định dạng không phù hợp.',
    en: 'The image cannot be used: its size or format is unsuitable.',
  },
  NUMBER_TAKEN: { vi: 'Số văn bản này đã được cấp.', en: 'This document number is already taken.' },
  DATE_IN_FUTURE: { vi: 'Ngày không được sau ngày hôm nay.', en: 'The date may not be later than today.' },
  NOT_ELIGIBLE: {
    vi: 'Người được chọn không có vai trò phù hợp cho việc này.',
    en: 'The person chosen does not have a role that allows this.',
  },
  ERASURE_BLOCKED: {
    vi: 'Người này còn việc đang xử lý; hãy giao lại hoặc kết thúc trước khi xóa.',
    en: 'This person still has work in progress; reassign or finish it before erasing.',
  },
  KEY_LOCKED: {
    vi:
      'Khóa ký đã bị khóa vì nhập sai mã PIN quá nhiều lần. Hãy liên hệ quản trị hệ thống để mở khóa, ' +
      'hoặc nhập mã mở khóa quản trị cấp ở mục "Chứng thư số của tôi".',
    en:
      'Your signing key is locked after too many wrong PINs. Ask an administrator to unlock it, ' +
      'or enter the unlock code they give you in "My certificates".',
  },
  UNLOCK_CODE_INVALID: {
    vi: 'Mã mở khóa không đúng hoặc đã hết hạn.',
    en: 'The unlock code is wrong or has expired.',
  },
  ASSIGNEE_OUTSIDE_AGENCY: {
    vi: 'Người được giao xử lý phải thuộc cơ quan ban hành văn bản.',
    en: "Every assignee must belong to the document's agency.",
  },
  STATE_SECRET: {
    vi:
      'Văn bản có độ mật không được xử lý trên hệ thống kết nối Internet ' +
      '(Luật Bảo vệ bí mật nhà nước số 29/2018/QH14).',
    en: 'A classified document may not be handled on a system connected to the Internet (Law 29/2018/QH14).',
  },
  NOT_ISSUED: { vi: 'Văn bản chưa được phát hành.', en: 'The document has not been issued.' },
  PIN_INCORRECT: { vi: 'Mã PIN không đúng.', en: 'Wrong PIN.' },
  CERT_REVOKED: { vi: 'Chứng thư số của bạn đã bị thu hồi.', en: 'Your certificate is revoked.' },
  CERT_EXPIRED: { vi: 'Chứng thư số của bạn đã hết hạn.', en: 'Your certificate has expired.' },
  CERT_NOT_YET_VALID: {
    vi: 'Chứng thư số chưa đến ngày có hiệu lực.',
    en: 'The certificate is not valid yet.',
  },
  CERT_KEY_USAGE: {
    vi: 'Chứng thư số này không được phép dùng để ký văn bản.',
    en: 'This certificate may not sign documents.',
  },
  CERT_UNTRUSTED: {
    vi:
      'Chứng thư số không do tổ chức chứng thực mà hệ thống tin cậy cấp ' +
      '(chưa có chứng thư gốc của tổ chức cấp).',
    en: 'The certificate is not issued by an authority this system trusts (its root is not configured).',
  },
  CERT_REVOCATION_UNKNOWN: {
    vi:
      'Chưa kiểm tra được chứng thư số có bị thu hồi hay không (thiếu danh sách thu hồi CRL còn hạn). ' +
      'Hãy báo quản trị hệ thống.',
    en: 'Whether the certificate is revoked cannot be checked (no current CRL). Tell the administrator.',
  },
  PDF_ENCRYPTED: {
    vi: 'Tệp PDF có mật khẩu; hãy tải bản không đặt mật khẩu.',
    en: 'The PDF is password-protected; upload one without a password.',
  },
  PDF_UNREADABLE: { vi: 'Không đọc được tệp PDF này.', en: 'This PDF cannot be read.' },
  TSA_FAILED: {
    vi: 'Không lấy được dấu thời gian; hãy thử lại.',
    en: 'No timestamp could be obtained; try again.',
  },
  REMOTE_UNAVAILABLE: {
    vi: 'Dịch vụ ký số từ xa đang không trả lời. Hãy thử lại sau.',
    en: 'The remote-signing service does not answer. Try later.',
  },
  REMOTE_AUTH_FAILED: {
    vi: 'Máy chủ không đăng nhập được dịch vụ ký số từ xa. Hãy báo quản trị hệ thống.',
    en: 'The server cannot sign in to the remote-signing service. Tell the administrator.',
  },
  REMOTE_SIGNING_FAILED: {
    vi: 'Dịch vụ ký số từ xa không ký được. Hãy thử lại.',
    en: 'The remote-signing service could not sign. Try again.',
  },
  REMOTE_NOT_FOUND: {
    vi: 'Nhà cung cấp không có người dùng hoặc chứng thư này.',
    en: 'The provider has no such user or credential.',
  },
  REMOTE_REFUSED: {
    vi: 'Người ký đã từ chối ký trên điện thoại.',
    en: 'The signer declined on their phone.',
  },
  REMOTE_EXPIRED: {
    vi: 'Hết thời gian chờ người ký xác nhận trên điện thoại.',
    en: 'The signer did not confirm on their phone in time.',
  },
  PIN_TOO_SHORT: { vi: 'Mã PIN quá ngắn.', en: 'The PIN is too short.' },
  PIN_LOCKED: {
    vi: 'Mã PIN của thiết bị ký đã bị khóa; hãy liên hệ quản trị hệ thống.',
    en: "The signing device's PIN is locked; ask an administrator.",
  },
  PDF_TOO_LARGE: { vi: 'Tệp PDF quá lớn.', en: 'The PDF is too large.' },
  PDF_NOT_SIGNED: { vi: 'Tệp PDF chưa có chữ ký số nào.', en: 'The PDF carries no signature.' },
  PDF_PAGE_NOT_FOUND: { vi: 'Văn bản không có trang này.', en: 'The document has no such page.' },
  CERT_UNREADABLE: {
    vi: 'Không đọc được chứng thư số (PEM hoặc DER).',
    en: 'The certificate cannot be read (PEM or DER).',
  },
  CRL_UNREADABLE: {
    vi: 'Không đọc được danh sách chứng thư bị thu hồi (CRL).',
    en: 'The certificate revocation list (CRL) cannot be read.',
  },
  IMAGE_UNREADABLE: { vi: 'Không đọc được ảnh PNG.', en: 'The PNG image cannot be read.' },
  TOKEN_NOT_FOUND: {
    vi: 'Không tìm thấy thiết bị ký (USB token hoặc HSM).',
    en: 'The signing device (USB token or HSM) was not found.',
  },
  VALIDATION_TIMEOUT: {
    vi: 'Kiểm tra chữ ký quá thời gian cho phép; tệp có thể quá phức tạp.',
    en: 'Checking the signatures took too long; the file may be too complex.',
  },
  VALIDATION_OUT_OF_MEMORY: {
    vi: 'Kiểm tra chữ ký cần quá nhiều bộ nhớ; tệp có thể quá phức tạp.',
    en: 'Checking the signatures needed too much memory; the file may be too complex.',
  },
  INTERNAL: {
    vi: 'Máy chủ gặp lỗi. Hãy thử lại sau.',
    en: 'The server failed. Please try again later.',
  },
}

/**
 * Why a signature is not valid, in plain words, by the validator's sub-indication
 * (signing/verify/report.ts SUB_INDICATIONS; ETSI EN 319 102-1 §5.1.3 and ours).
 */
const REASONS: Record<string, Texts> = {
  FORMAT_FAILURE: { vi: 'Cấu trúc chữ ký không đúng chuẩn.', en: 'The signature is malformed.' },
  HASH_FAILURE: { vi: 'Nội dung đã bị thay đổi sau khi ký.', en: 'The content changed after signing.' },
  SIG_CRYPTO_FAILURE: {
    vi: 'Chữ ký hoặc dấu thời gian của nó không khớp với chứng thư số.',
    en: 'The signature or its timestamp does not match the certificate.',
  },
  SIG_CONSTRAINTS_FAILURE: {
    vi: 'Thuộc tính chứng thư ký trong chữ ký không khớp với chứng thư số.',
    en: 'The signing-certificate attribute does not match the certificate.',
  },
  CHAIN_CONSTRAINTS_FAILURE: {
    vi: 'Chứng thư số không được phép dùng để ký văn bản.',
    en: 'The certificate may not sign documents.',
  },
  CRYPTO_CONSTRAINTS_FAILURE: {
    vi: 'Thuật toán hoặc độ dài khóa không được chấp nhận, hoặc không kiểm tra được.',
    en: 'An algorithm or key size is not accepted, or cannot be checked.',
  },
  NO_CERTIFICATE_CHAIN_FOUND: {
    vi: 'Chứng thư số không do tổ chức tin cậy cấp.',
    en: 'The certificate is not issued by a trusted authority.',
  },
  NO_SIGNING_CERTIFICATE_FOUND: {
    vi: 'Không tìm thấy chứng thư số của người ký.',
    en: "The signer's certificate is missing.",
  },
  OUT_OF_BOUNDS_NO_POE: {
    vi: 'Chứng thư số ngoài thời hạn hiệu lực và không có dấu thời gian chứng minh thời điểm ký.',
    en: 'The certificate is outside its validity and no timestamp proves when the signature was made.',
  },
  OUT_OF_BOUNDS_NOT_REVOKED: {
    vi: 'Chứng thư số không có hiệu lực tại thời điểm ký đã được chứng thực.',
    en: 'The certificate was not valid at the proven signing time.',
  },
  REVOKED: {
    vi: 'Chứng thư số đã bị thu hồi trước khi ký.',
    en: 'The certificate was revoked before signing.',
  },
  REVOKED_NO_POE: {
    vi: 'Chứng thư số đã bị thu hồi và không có dấu thời gian chứng minh ký trước đó.',
    en: 'The certificate is revoked and no timestamp proves the signature came first.',
  },
  TRY_LATER: {
    vi: 'Chưa có thông tin thu hồi chứng thư số (CRL hoặc OCSP) để kiểm tra.',
    en: 'There is no revocation information (CRL or OCSP) to check yet.',
  },
  MODIFIED_AFTER_SIGNING: {
    vi: 'Văn bản có thay đổi không được phép sau chữ ký này.',
    en: 'The document changed in a way not allowed after this signature.',
  },
  UNSIGNED_TRAILING_DATA: {
    vi: 'Có dữ liệu được thêm vào cuối tệp mà không có chữ ký.',
    en: 'Unsigned data was appended after the signed revisions.',
  },
  INVALID_REVISION: {
    vi: 'Một lần cập nhật tệp sau khi ký không đúng cấu trúc PDF.',
    en: 'A revision added after signing is not a well-formed PDF update.',
  },
}

/** The fixed texts of the API's own refusals (server/errors.ts); its 4xx and 5xx bodies are Vietnamese. */
export const API_TEXTS = {
  unknownApi: { vi: 'Không có API này', en: 'No such API' },
  internal: { vi: 'Lỗi máy chủ', en: 'Server error' },
} as const satisfies Record<string, Texts>

/** One language's catalogue, as GET /api/messages and dist/web/client/messages.js give it. */
export interface Catalogue {
  refusals: Record<string, string>
  reasons: Record<string, string>
}

export type Messages = Record<Lang, Catalogue>

const inLanguage = (table: Record<string, Texts>, lang: Lang): Record<string, string> =>
  Object.fromEntries(Object.entries(table).map(([key, texts]) => [key, texts[lang]]))

const catalogue = (lang: Lang): Catalogue => ({
  refusals: inLanguage(REFUSALS, lang),
  reasons: inLanguage(REASONS, lang),
})

export const MESSAGES: Readonly<Messages> = { vi: catalogue('vi'), en: catalogue('en') }

/** What a refusal with this code means, or undefined for a code the catalogue does not know. */
export function refusalText(code: string, lang: Lang): string | undefined {
  const table = MESSAGES[lang].refusals
  return Object.hasOwn(table, code) ? table[code] : undefined
}

/** Why a signature with this sub-indication is not valid, or undefined for one not known. */
export function reasonText(subIndication: string, lang: Lang): string | undefined {
  const table = MESSAGES[lang].reasons
  return Object.hasOwn(table, subIndication) ? table[subIndication] : undefined
}
