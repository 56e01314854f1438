import { toCsv } from '../shared/csv'
import { vnDate } from '../shared/period'
import { appendAudit } from '../storage/audit'
import { agencyNameOf, type AgencyName } from '../storage/issuance-records'
import {
  nextSeq,
  openingsOf,
  registerEntries,
  setOpening,
  type EntryStatus,
  type RegisterName,
} from '../storage/outgoing-register'
import { inTransaction } from '../storage/transaction'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { formatSeq } from './outgoing-register'

export const REGISTERS: RegisterName[] = ['general', 'normative', 'copies']
const REGISTER_VI: Record<RegisterName, string> = {
  general: 'Văn bản đi',
  normative: 'Văn bản quy phạm pháp luật',
  copies: 'Bản sao',
}
const STATUS_VI = {
  used: 'Đã dùng',
  reserved: 'Đang giữ cho lần đóng dấu',
  unused: 'Giữ nhưng không dùng',
} as const

/** The records clerks, leaders and administrators of an agency keep and read its register. */
function mayRead(actor: Actor): void {
  if (!['clerk', 'leader', 'admin'].some((r) => actor.roles.has(r as never))) {
    throw new WorkflowError('FORBIDDEN', 'Chỉ văn thư, lãnh đạo hoặc quản trị xem sổ đăng ký văn bản đi')
  }
}

function yearOf(raw: unknown): number {
  if (raw === undefined || raw === '') return Number(vnDate(new Date()).slice(0, 4))
  const y = Number(raw)
  if (!Number.isInteger(y) || y < 1990 || y > 2200)
    throw new WorkflowError('BAD_REQUEST', 'year: a calendar year')
  return y
}

/** One number of the register as the API shows it. */
export interface RegisterViewEntry {
  register: RegisterName
  seq: number | null
  number: string
  date: string
  status: EntryStatus
  title: string | null
  source: 'paper' | 'kyso'
  documentId: number | null
  paperId: number | null
}

export interface RegisterView {
  agency: AgencyName
  year: number
  openings: Record<string, number>
  /** Each register's next number, as it would be printed ("07"). */
  next: Record<string, string>
  entries: RegisterViewEntry[]
}

/** A register's opening as set, and the next number it gives (as printed, "07"). */
export interface RegisterOpening {
  year: number
  register: RegisterName
  firstSeq: number
  next: string
}

/**
 * `GET /api/registers/outgoing?year=`: the actor's agency's register for a year (Decree 30/2020
 * Appendix IV, sổ đăng ký văn bản đi), every number in order with its state and source (a document
 * issued in Kyso or a paper entry), each register's opening and next number.
 */
export async function registerView(
  s: Services,
  actor: Actor,
  query: Record<string, unknown>,
): Promise<RegisterView> {
  mayRead(actor)
  const year = yearOf(query.year)
  const agency = await agencyNameOf(s.db, actor.agencyId)
  const entries = await registerEntries(s.db, actor.agencyId, year)
  const next: Record<string, string> = {}
  for (const r of REGISTERS) next[r] = formatSeq(await nextSeq(s.db, actor.agencyId, r, year))
  return {
    agency,
    year,
    openings: await openingsOf(s.db, actor.agencyId, year),
    next,
    entries: entries.map((e) => ({
      register: e.register,
      seq: e.seq,
      number: e.number,
      date: e.date,
      status: e.status,
      title: e.title,
      source: e.paperId !== null ? ('paper' as const) : ('kyso' as const),
      documentId: e.documentId,
      paperId: e.paperId,
    })),
  }
}

/** The register as CSV (UTF-8 with a BOM): its title, agency and year first, then one row per number. */
export async function registerCsv(
  s: Services,
  actor: Actor,
  query: Record<string, unknown>,
): Promise<{ csv: Buffer; filename: string }> {
  const view = await registerView(s, actor, query)
  const preamble = [
    'Sổ đăng ký văn bản đi',
    `Cơ quan: ${view.agency.name}`,
    `Năm: ${view.year}`,
    `Thời điểm lập: ${new Date().toISOString()}`,
  ]
  const headers = ['Sổ', 'Số thứ tự', 'Số, ký hiệu', 'Ngày', 'Trích yếu', 'Trạng thái', 'Nguồn', 'Mã văn bản']
  const rows = view.entries.map((e) => [
    REGISTER_VI[e.register],
    e.seq,
    e.number,
    e.date,
    e.title,
    STATUS_VI[e.status],
    e.source === 'paper' ? 'Văn bản giấy' : 'Phát hành trên Kyso',
    e.documentId ?? e.paperId,
  ])
  return {
    csv: toCsv(headers, rows, preamble),
    filename: `so-van-ban-di-${view.agency.code}-${view.year}.csv`,
  }
}

/**
 * `PUT /api/registers/outgoing/opening {year, register?, firstSeq}`: an agency that starts using
 * Kyso mid-year continues its paper register: numbering goes on from `firstSeq`. Clerks and
 * administrators of the agency; audited.
 */
export async function setRegisterOpening(
  s: Services,
  actor: Actor,
  body: Record<string, unknown>,
): Promise<RegisterOpening> {
  if (!actor.roles.has('clerk') && !actor.roles.has('admin'))
    throw new WorkflowError('FORBIDDEN', 'Chỉ văn thư hoặc quản trị đặt số đầu năm của sổ')
  const year = yearOf(body.year)
  const register = (body.register ?? 'general') as RegisterName
  if (!REGISTERS.includes(register))
    throw new WorkflowError('BAD_REQUEST', `register: ${REGISTERS.join(', ')}`)
  const firstSeq = body.firstSeq
  if (typeof firstSeq !== 'number' || !Number.isInteger(firstSeq) || firstSeq < 1 || firstSeq > 1_000_000) {
    throw new WorkflowError('BAD_REQUEST', 'firstSeq: the first number Kyso gives (an integer from 1)')
  }
  await inTransaction(s.db, async (trx) => {
    await setOpening(trx, { agencyId: actor.agencyId, register, year, firstSeq, setBy: actor.id })
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'register.opened',
      requestId: actor.requestId ?? null,
      detail: { year, register, firstSeq },
    })
  })
  return { year, register, firstSeq, next: formatSeq(await nextSeq(s.db, actor.agencyId, register, year)) }
}
