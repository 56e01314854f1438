import type { AgencyRow } from './policy'
import type { Targets } from './targets'
import { toCsv } from '../shared/csv'

export type Lang = 'vi' | 'en'

/** 0.714 -> "71,4%" (Vietnamese decimal comma) or "71.4%". */
export function percentText(rate: number, lang: Lang): string {
  const n = (rate * 100).toFixed(1)
  return `${lang === 'vi' ? n.replace('.', ',') : n}%`
}

const VN_MS = 7 * 3600_000
const dmy = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`
/** An instant as "22:15:03 05/12/2026" in Vietnam's time. */
function vnDateTime(iso: string): string {
  const t = new Date(Date.parse(iso) + VN_MS).toISOString()
  return `${t.slice(11, 19)} ${dmy(t.slice(0, 10))}`
}

export interface Preamble {
  title: string
  period: { from: string; to: string }
  generatedAt: string
  targets: Targets
}

/** A target rate as the first lines write it: "100%", "95%", "95,5%". */
function targetText(rate: number, lang: Lang): string {
  const pct = rate * 100
  return Number.isInteger(pct) ? `${pct}%` : percentText(rate, lang)
}

/**
 * The CSV's first lines: what it is, its period, when it was made, the targets it judges by. Each
 * is one field, written without commas so that no spreadsheet wraps it in quotes.
 */
export function preambleLines(p: Preamble, lang: Lang): string[] {
  const t = p.targets
  const deadline = t.deadlineSet
    ? dmy(t.deadline)
    : lang === 'vi'
      ? `chưa đặt (mặc định ${dmy(t.deadline)})`
      : `not set (default ${dmy(t.deadline)})`
  return lang === 'vi'
    ? [
        p.title,
        `Kỳ báo cáo: ${dmy(p.period.from)} – ${dmy(p.period.to)}`,
        `Thời điểm lập: ${vnDateTime(p.generatedAt)} (giờ Việt Nam UTC+7)`,
        `Chỉ tiêu năm ${t.year}: ký số đầy đủ từ ${targetText(t.internalRate, lang)} văn bản nội bộ ` +
          `(ít nhất ${t.minDocuments} văn bản) – ít nhất ${t.procedures} TTHC có kết quả ký số – hạn: ${deadline}`,
      ]
    : [
        p.title,
        `Period: ${dmy(p.period.from)} – ${dmy(p.period.to)}`,
        `Generated: ${vnDateTime(p.generatedAt)} (Vietnam time UTC+7)`,
        `Targets for ${t.year}: at least ${targetText(t.internalRate, lang)} of internal documents fully signed ` +
          `(at least ${t.minDocuments} documents) – at least ${t.procedures} procedures with signed results ` +
          `– deadline: ${deadline}`,
      ]
}

const STATUS_VI: Record<string, string> = {
  met: 'Đạt',
  on_track: 'Đúng tiến độ',
  at_risk: 'Có nguy cơ',
  behind: 'Chậm',
}

const HEADERS: Record<Lang, string[]> = {
  vi: [
    'Mã cơ quan',
    'Tên cơ quan',
    'Cơ quan cấp trên',
    'Văn bản đã ban hành',
    'Trong đó giấy',
    'Ký số đầy đủ',
    'Tỷ lệ ký số',
    'Đạt chỉ tiêu 1',
    'TTHC có kết quả ký số',
    'Mã TTHC',
    'Đạt chỉ tiêu 2',
    'Trạng thái',
    'Số ngày còn lại',
    'Bị từ chối hoặc hủy',
    'Đang xử lý',
    'Văn bản (cả đơn vị trực thuộc)',
    'Tỷ lệ ký số (cả đơn vị trực thuộc)',
    'Đánh giá theo',
  ],
  en: [
    'Agency code',
    'Agency',
    'Parent',
    'Documents issued',
    'Of which on paper',
    'Fully signed',
    'Signing rate',
    'Meets target 1',
    'Signed procedures',
    'Procedure codes',
    'Meets target 2',
    'Status',
    'Days left',
    'Rejected or cancelled',
    'Open',
    'Documents (with units below)',
    'Signing rate (with units below)',
    'Judged on',
  ],
}

/** The agency table of the coverage report, Vietnamese by default, after its preamble. */
export function coverageCsv(rows: AgencyRow[], p: Omit<Preamble, 'title'>, lang: Lang = 'vi'): Buffer {
  const vi = lang === 'vi'
  const yes = (b: boolean): string => (vi ? (b ? 'Có' : 'Không') : b ? 'yes' : 'no')
  const rate = (r: number | null): string =>
    r === null ? (vi ? 'Chưa có văn bản' : 'no documents') : percentText(r, lang)
  const judged = (r: AgencyRow): string =>
    r.judgedOn === 'own' ? (vi ? 'cơ quan' : 'own') : vi ? 'cả đơn vị trực thuộc' : 'with units below'
  const title = vi
    ? 'Báo cáo tiến độ ký số theo hai mục tiêu của Thành phố'
    : 'Digital signing progress toward the two targets of the city'
  return toCsv(
    HEADERS[lang],
    rows.map((r) => [
      r.code,
      r.name,
      r.parent ?? '',
      r.documents,
      r.paper,
      r.fullySigned,
      rate(r.rate),
      yes(r.meetsTarget1),
      r.signedProcedures.length,
      r.signedProcedures.join(' '),
      yes(r.meetsTarget2),
      vi ? (STATUS_VI[r.status] ?? r.status) : r.status,
      r.deadlineSet ? r.daysLeft : vi ? 'Chưa đặt hạn' : 'no deadline set',
      r.rejectedOrCancelled,
      r.open,
      r.total.documents,
      rate(r.total.rate),
      judged(r),
    ]),
    preambleLines({ ...p, title }, lang),
  )
}

export interface SeriesPoint {
  month: string
  documents: number
  fullySigned: number
  rate: number | null
  signedProcedures: string[]
}

/** One agency's monthly series, after the same preamble. */
export function seriesCsv(
  agency: string,
  series: SeriesPoint[],
  p: Omit<Preamble, 'title'>,
  lang: Lang = 'vi',
): Buffer {
  const vi = lang === 'vi'
  const headers = vi
    ? ['Tháng', 'Văn bản', 'Ký số đầy đủ', 'Tỷ lệ', 'TTHC có kết quả ký số']
    : ['Month', 'Documents', 'Fully signed', 'Rate', 'Signed procedures']
  const title = vi ? `Báo cáo ký số theo tháng: ${agency}` : `Signing by month: ${agency}`
  return toCsv(
    headers,
    series.map((m) => [
      m.month,
      m.documents,
      m.fullySigned,
      m.rate === null ? '' : percentText(m.rate, lang),
      m.signedProcedures.join(' '),
    ]),
    preambleLines({ ...p, title }, lang),
  )
}
