import type { SignatureReport, VerifyReport } from '../signing/verify'
import type { Change } from '../signing/validate/changes'
import { changeVi } from '../signing/verify/warnings'
import { type Lang, reasonText } from '../shared/messages'

const T = {
  vi: {
    PASSED: 'HỢP LỆ',
    FAILED: 'KHÔNG HỢP LỆ',
    INDETERMINATE: 'CHƯA XÁC ĐỊNH ĐƯỢC',
    signature: 'Chữ ký',
    field: 'trường',
    signer: 'Người ký',
    issuer: 'Tổ chức cấp chứng thư số',
    time: 'Thời điểm ký',
    proven: 'đã được chứng thực bằng dấu thời gian',
    claimed: 'do phần mềm ký khai báo, chưa được chứng thực',
    integrity: 'Toàn vẹn',
    intact: 'nội dung được ký còn nguyên vẹn',
    broken: 'nội dung được ký đã bị thay đổi hoặc chữ ký bị hỏng',
    trust: 'Chứng thư số',
    trusted: 'tin cậy (chuỗi chứng thư tới gốc tin cậy)',
    untrusted: 'không xác định được chuỗi tới gốc tin cậy',
    validity: 'Hiệu lực tại thời điểm ký',
    valid: 'còn hiệu lực',
    invalid: 'không còn hiệu lực hoặc không chứng minh được',
    revocation: 'Thu hồi',
    good: 'chưa bị thu hồi',
    revoked: 'đã bị thu hồi',
    unknown: 'không có thông tin thu hồi',
    notChecked: 'chưa kiểm tra',
    changes: 'Thay đổi sau khi ký',
    none: 'không có',
    onlyAllowed: (n: number) => `chỉ có thay đổi được phép (${n}: thêm chữ ký, cập nhật thông tin tài liệu)`,
    notAllowed: 'thay đổi không được phép',
    covers: 'Phạm vi',
    whole: 'toàn bộ tệp',
    part: (r: number | null) => `đến hết phiên bản ${r ?? '?'} (có phiên bản cập nhật sau đó)`,
    reason: 'Lý do',
    overall: 'Kết luận chung',
    noSignatures: 'Tệp không có chữ ký số.',
    level: 'Định dạng',
    docTs: 'Dấu thời gian',
    docTsKind: 'dấu thời gian tài liệu (document timestamp, PAdES B-LTA)',
    tsa: 'Tổ chức cấp dấu thời gian',
    stampedAt: 'Thời điểm đóng dấu',
    kindLabel: 'Loại',
    proof: 'Bằng chứng tồn tại',
    proofText: (t: string, by: string) => `chữ ký đã tồn tại trước ${t} (${by})`,
    byOwn: 'dấu thời gian của chữ ký',
    byDoc: (f: string | null) => `dấu thời gian tài liệu ${f ?? ''}`.trim(),
    algorithms: 'Thuật toán',
    warnings: 'Lưu ý (thay đổi được phép nhưng cần biết)',
    validationTime: 'Thời điểm kiểm tra',
    inFile: 'dữ liệu lưu trong tệp (DSS)',
    held: 'dữ liệu của bên kiểm tra',
    dss: (c: number, r: number, o: number) =>
      `Dữ liệu kiểm tra dài hạn (DSS): ${c} chứng thư số, ${r} CRL, ${o} phản hồi OCSP`,
  },
  en: {
    PASSED: 'VALID',
    FAILED: 'INVALID',
    INDETERMINATE: 'CANNOT BE DETERMINED',
    signature: 'Signature',
    field: 'field',
    signer: 'Signer',
    issuer: 'Issuing CA',
    time: 'Signing time',
    proven: 'proven by a timestamp',
    claimed: 'claimed by the signing software, not proven',
    integrity: 'Integrity',
    intact: 'the signed content is intact',
    broken: 'the signed content was changed or the signature is broken',
    trust: 'Certificate',
    trusted: 'trusted (chains to a trust anchor)',
    untrusted: 'no chain to a trust anchor',
    validity: 'Valid at signing time',
    valid: 'yes',
    invalid: 'no, or not provable',
    revocation: 'Revocation',
    good: 'not revoked',
    revoked: 'revoked',
    unknown: 'no revocation information',
    notChecked: 'not checked',
    changes: 'Changes after signing',
    none: 'none',
    onlyAllowed: (n: number) => `only allowed changes (${n}: further signatures, document information)`,
    notAllowed: 'changes not allowed',
    covers: 'Coverage',
    whole: 'the whole file',
    part: (r: number | null) => `up to revision ${r ?? '?'} (later revisions follow)`,
    reason: 'Reason',
    overall: 'Overall',
    noSignatures: 'The file has no digital signature.',
    level: 'Format',
    docTs: 'Timestamp',
    docTsKind: 'document timestamp (PAdES B-LTA)',
    tsa: 'Time-stamping authority',
    stampedAt: 'Time-stamped at',
    kindLabel: 'Kind',
    proof: 'Proof of existence',
    proofText: (t: string, by: string) => `the signature existed by ${t} (${by})`,
    byOwn: 'its signature timestamp',
    byDoc: (f: string | null) => `document timestamp ${f ?? ''}`.trim(),
    algorithms: 'Algorithms',
    warnings: 'Warnings (allowed changes worth knowing)',
    validationTime: 'Validation time',
    inFile: 'data kept in the file (DSS)',
    held: "the validator's data",
    dss: (c: number, r: number, o: number) =>
      `Long-term validation data (DSS): ${c} certificates, ${r} CRLs, ${o} OCSP responses`,
  },
} as const

function changeText(c: Change, lang: Lang): string {
  return lang === 'vi' ? changeVi(c) : placed(c.what, c.page, c.object)
}

/** An English description with its page and object, unless it already names them. */
function placed(what: string, page: number | null, object: number | null): string {
  const where = [
    page && !what.includes(`page ${page}`) ? `page ${page}` : '',
    object !== null && !what.includes(`${object}`) ? `object ${object}` : '',
  ]
  const text = where.filter(Boolean).join(', ')
  return text ? `${what} [${text}]` : what
}

/** Vietnam time as dd/MM/yyyy HH:mm:ss (UTC+7, no daylight saving). */
export function vnTime(iso: string): string {
  const t = new Date(new Date(iso).getTime() + 7 * 3600_000)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${p(t.getUTCDate())}/${p(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())} (UTC+7)`
}

function one(s: SignatureReport, i: number, lang: Lang): string {
  const t = T[lang]
  const passed = (check: string): boolean | null => {
    const list = s.checks.filter((c) => c.check === check)
    return list.length ? list.every((c) => c.passed) : null
  }
  const docTs = s.kind === 'document-timestamp'
  const lines = [
    `${docTs ? t.docTs : t.signature} ${i + 1} (${t.field} ${s.fields.join(', ')}): ${t[s.indication]}`,
  ]
  if (docTs) lines.push(`  ${t.kindLabel}: ${t.docTsKind}`)
  lines.push(`  ${docTs ? t.tsa : t.signer}: ${s.signer ?? '?'}`)
  if (s.issuer) lines.push(`  ${t.issuer}: ${s.issuer}`)
  if (s.signedAt)
    lines.push(
      `  ${docTs ? t.stampedAt : t.time}: ${vnTime(s.signedAt)}${docTs ? '' : `, ${s.signedAtProven ? t.proven : t.claimed}`}`,
    )
  if (s.proofOfExistence) {
    const by =
      s.proofOfExistence.source === 'signature-timestamp' ? t.byOwn : t.byDoc(s.proofOfExistence.field)
    lines.push(`  ${t.proof}: ${t.proofText(vnTime(s.proofOfExistence.time), by)}`)
  }
  if (s.level)
    lines.push(`  ${t.level}: ${s.level === 'PKCS7' ? (s.subFilter ?? 'PKCS#7') : `PAdES ${s.level}`}`)
  if (s.algorithms)
    lines.push(
      `  ${t.algorithms}: ${[s.algorithms.digest, s.algorithms.signature, s.algorithms.key].filter(Boolean).join(', ')}`,
    )
  const integ = passed('integrity')
  if (integ !== null) lines.push(`  ${t.integrity}: ${integ ? t.intact : t.broken}`)
  const trust = passed('trust')
  if (trust !== null) lines.push(`  ${t.trust}: ${trust ? t.trusted : t.untrusted}`)
  const validity = passed('validity')
  if (validity !== null) lines.push(`  ${t.validity}: ${validity ? t.valid : t.invalid}`)
  const rev = { good: t.good, revoked: t.revoked, unknown: t.unknown, 'not-checked': t.notChecked }[
    s.revocation
  ]
  const from = s.revocationEvidence === 'document' ? t.inFile : t.held
  const source = s.revocationSource ? ` (${s.revocationSource.toUpperCase()}, ${from})` : ''
  lines.push(`  ${t.revocation}: ${rev}${source}`)
  lines.push(`  ${t.covers}: ${s.coversWholeDocument ? t.whole : t.part(s.revision)}`)
  const bad = s.changes.filter((c) => !c.allowed)
  const laterProblems = s.checks.filter(
    (c) => c.check === 'changes' && !c.passed && !s.changes.some((x) => x.what === c.detail),
  )
  if (bad.length === 0 && laterProblems.length === 0)
    lines.push(`  ${t.changes}: ${s.changes.length ? t.onlyAllowed(s.changes.length) : t.none}`)
  else {
    lines.push(`  ${t.changes}: ${t.notAllowed}`)
    for (const c of bad) lines.push(`    - ${changeText(c, lang)}`)
    for (const c of laterProblems) lines.push(`    - ${c.detail}`)
  }
  if (s.warnings.length) {
    lines.push(`  ${t.warnings}:`)
    for (const w of s.warnings)
      lines.push(`    - ${lang === 'vi' ? w.what_vi : placed(w.what, w.page, w.object)}`)
  }
  if (s.subIndication) lines.push(`  ${t.reason}: ${reasonText(s.subIndication, lang) ?? s.subIndication}`)
  return lines.join('\n')
}

/** The human report of `kyso verify`: Vietnamese by default, English with --lang en. */
export function renderReport(report: VerifyReport, lang: Lang): string {
  const t = T[lang]
  if (report.signatures.length === 0) return `${t.noSignatures}\n${t.overall}: ${t.INDETERMINATE}\n`
  const head = [`${t.validationTime}: ${vnTime(report.validationTime)}`]
  if (report.dss) head.push(t.dss(report.dss.certificates, report.dss.crls, report.dss.ocspResponses))
  const body = report.signatures.map((s, i) => one(s, i, lang)).join('\n\n')
  return `${head.join('\n')}\n\n${body}\n\n${t.overall}: ${t[report.indication]}\n`
}
