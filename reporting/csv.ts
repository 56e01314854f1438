import type { AgencyRow } from './policy'

/** A CSV field: quoted when needed (RFC 4180), with a leading apostrophe against spreadsheet formulas. */
function field(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v)
  if (/^[=+\-@]/.test(s)) s = `'${s}`
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly. */
export function toCsv(headers: string[], rows: unknown[][]): Buffer {
  const text = [headers, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n'
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
}

const STATUS_VI: Record<string, string> = { met: 'Đạt', on_track: 'Đúng tiến độ', at_risk: 'Có nguy cơ', behind: 'Chậm' }

/** The agency table of the coverage report, with Vietnamese column headers by default. */
export function coverageCsv(rows: AgencyRow[], lang: 'vi' | 'en' = 'vi'): Buffer {
  const headers = lang === 'vi'
    ? ['Mã cơ quan', 'Tên cơ quan', 'Cơ quan cấp trên', 'Văn bản đã ban hành', 'Trong đó giấy', 'Ký số đầy đủ', 'Tỷ lệ ký số', 'Đạt chỉ tiêu 1', 'TTHC có kết quả ký số', 'Mã TTHC', 'Đạt chỉ tiêu 2', 'Trạng thái', 'Số ngày còn lại']
    : ['Agency code', 'Agency', 'Parent', 'Documents issued', 'Of which on paper', 'Fully signed', 'Signing rate', 'Meets target 1', 'Signed procedures', 'Procedure codes', 'Meets target 2', 'Status', 'Days left']
  const yes = (b: boolean): string => (lang === 'vi' ? (b ? 'Có' : 'Không') : b ? 'yes' : 'no')
  return toCsv(headers, rows.map((r) => [
    r.code, r.name, r.parent ?? '', r.documents, r.paper, r.fullySigned, r.rate === null ? (lang === 'vi' ? 'Chưa có hoạt động' : 'no activity') : `${(r.rate * 100).toFixed(1)}%`,
    yes(r.meetsTarget1), r.signedProcedures.length, r.signedProcedures.join(' '), yes(r.meetsTarget2), lang === 'vi' ? (STATUS_VI[r.status] ?? r.status) : r.status, r.daysLeft,
  ]))
}
