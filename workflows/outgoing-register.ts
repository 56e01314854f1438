import { vnDate } from '../shared/period'
import {
  insertEntry,
  moveEntries,
  nextSeq,
  normaliseNumber,
  numberKey,
  numberTaken,
  registerOfNumber,
  reservationOf,
  seqOf,
  setEntryDate,
  type RegisterName,
} from '../storage/outgoing-register'
import { isUniqueViolation } from '../storage/sql'
import { inTransaction, type Tx } from '../storage/transaction'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { isCalendarDate } from '../shared/dates'

/**
 * Document types and their abbreviations (Decree 30/2020, Appendix III). A công văn has none: its
 * notation is the agency's code and the drafting unit's ("1587/SKHCN-CĐS").
 */
export const DOCUMENT_TYPES: Record<string, string> = {
  CV: 'Công văn',
  NQ: 'Nghị quyết',
  QĐ: 'Quyết định',
  CT: 'Chỉ thị',
  QC: 'Quy chế',
  QyĐ: 'Quy định',
  TC: 'Thông cáo',
  TB: 'Thông báo',
  HD: 'Hướng dẫn',
  CTr: 'Chương trình',
  KH: 'Kế hoạch',
  PA: 'Phương án',
  ĐA: 'Đề án',
  DA: 'Dự án',
  BC: 'Báo cáo',
  BB: 'Biên bản',
  TTr: 'Tờ trình',
  HĐ: 'Hợp đồng',
  CĐ: 'Công điện',
  GM: 'Giấy mời',
  GGT: 'Giấy giới thiệu',
}

/** A type from a title that starts with its name ("Quyết định về việc …" is QĐ); a công văn otherwise. */
export function typeFromTitle(title: string): string {
  const t = title.normalize('NFC').trim().toLowerCase()
  const found = Object.entries(DOCUMENT_TYPES).find(
    ([code, label]) => code !== 'CV' && t.startsWith(label.toLowerCase()),
  )
  return found ? found[0] : 'CV'
}

export interface NumberingFacts {
  docType: string
  agencyCode: string
  unitCode: string | null
  normative: boolean
}

/** The notation after the number (Decree 30/2020 Appendix I item 4): "/QĐ-SKHCN", "/SKHCN-CĐS", "/2026/QĐ-UBND". */
export function notationFor(f: NumberingFacts, year: number): string {
  if (f.normative) return `/${year}/${f.docType}-${f.agencyCode}`
  if (f.docType === 'CV') return `/${f.agencyCode}${f.unitCode ? `-${f.unitCode}` : ''}`
  return `/${f.docType}-${f.agencyCode}`
}

/** Numbers under 10 take a leading zero: the register starts at 01 (Decree 30/2020 Art. 15). */
export const formatSeq = (seq: number): string => String(seq).padStart(2, '0')

/** What goes into the draft's blank: the number before its notation ("15" of "15/QĐ-SKHCN"). */
export function printedPart(number: string): string {
  const n = normaliseNumber(number)
  const slash = n.indexOf('/')
  return slash > 0 ? n.slice(0, slash) : n
}

/** A date given for issuance: YYYY-MM-DD, today in Vietnam when absent, never after today. */
export function issuanceDate(raw: string | undefined): string {
  const today = vnDate(new Date())
  if (raw === undefined) return today
  if (!isCalendarDate(raw)) throw new WorkflowError('BAD_REQUEST', 'outgoingDate: YYYY-MM-DD')
  if (raw > today)
    throw new WorkflowError('DATE_IN_FUTURE', `outgoingDate: ngày ${raw} sau ngày hôm nay (${today})`)
  return raw
}

export interface Reservation {
  entryId: number
  number: string
  date: string
  register: RegisterName
}

const takenError = (number: string, year: string, paper: boolean): WorkflowError =>
  new WorkflowError(
    'NUMBER_TAKEN',
    `outgoingNumber: số ${number} năm ${year} đã được cấp cho ${paper ? 'một văn bản giấy' : 'một văn bản khác'} trong sổ đăng ký`,
  )

/**
 * The number a seal will print, reserved in the register before anything is signed (the number
 * goes into the PDF): the one typed, taken as given unless the register holds it (NUMBER_TAKEN);
 * else the next of the document's register. A document keeps its reservation across retries (a
 * wrong PIN); a reservation replaced by another number stays in the register as "reserved, not
 * used". The register's unique indexes decide between two seals at once: the loser takes the next.
 */
export async function reserveNumber(
  s: Services,
  actor: Actor,
  doc: { id: number; agencyId: number; title: string },
  facts: NumberingFacts & { notation?: string },
  input: { outgoingNumber?: string; outgoingDate?: string },
): Promise<Reservation> {
  const date = issuanceDate(input.outgoingDate)
  const year = Number(date.slice(0, 4))
  const own = await reservationOf(s.db, doc.id)
  const register: RegisterName = input.outgoingNumber
    ? registerOfNumber(input.outgoingNumber)
    : facts.normative
      ? 'normative'
      : 'general'
  const keep =
    own &&
    own.year === year &&
    (input.outgoingNumber
      ? numberKey(own.number) === numberKey(input.outgoingNumber)
      : own.register === register)
  if (own && keep) {
    if (own.date !== date) await setEntryDate(s.db, own.id, date)
    return { entryId: own.id, number: own.number, date, register: own.register }
  }
  const typed = input.outgoingNumber && normaliseNumber(input.outgoingNumber)
  if (typed) {
    const holder = await numberTaken(s.db, doc.agencyId, typed, year, { documentId: doc.id })
    if (holder) throw takenError(typed, String(year), holder.source === 'paper')
  }
  for (let attempt = 0; attempt < 8; attempt++) {
    const seq = typed ? seqOf(typed) : await nextSeq(s.db, doc.agencyId, register, year)
    const number = typed || `${formatSeq(seq as number)}${facts.notation ?? notationFor(facts, year)}`
    try {
      const entryId = await inTransaction(s.db, async (trx) => {
        await moveEntries(trx, { documentId: doc.id }, 'reserved', 'unused')
        const e = {
          agencyId: doc.agencyId,
          register,
          seq,
          number,
          date,
          status: 'reserved' as const,
          documentId: doc.id,
          title: doc.title,
          createdBy: actor.id,
        }
        return insertEntry(trx, e)
      })
      return { entryId, number, date, register }
    } catch (err) {
      if (!isUniqueViolation(err)) throw err
      if (typed) throw takenError(typed, String(year), false)
    }
  }
  throw new WorkflowError('CONFLICT', 'Sổ đăng ký đang bận; hãy thử lại')
}

/** The seal committed: its reservation is now a used number (in the seal's transaction). */
export async function useReservation(trx: Tx, entryId: number): Promise<void> {
  if (!(await moveEntries(trx, { id: entryId }, 'reserved', 'used'))) {
    throw new WorkflowError('CONFLICT', 'Số văn bản giữ cho lần đóng dấu này không còn; hãy ký lại')
  }
}

/** A chain stopped (rejected, returned, cancelled): a number reserved for it is kept as not used. */
export async function releaseReservations(trx: Tx, documentId: number): Promise<void> {
  await moveEntries(trx, { documentId }, 'reserved', 'unused')
}
