import type { Knex } from 'knex'
import type { Queryable } from './transaction'

/** The registers of an agency's year (Decree 30/2020 Art. 15; Appendix IV): numbers run apart. */
export type RegisterName = 'general' | 'normative' | 'copies'
export type EntryStatus = 'used' | 'reserved' | 'unused'

/** Who already holds a number in an agency's register. */
export interface NumberHolder {
  source: 'kyso' | 'paper'
  /** The document's id (Kyso) or the paper entry's id. */
  id: number
  number: string
  date: string
  status: EntryStatus
}

export interface RegisterEntry {
  id: number
  agencyId: number
  year: number
  register: RegisterName
  seq: number | null
  number: string
  date: string
  status: EntryStatus
  documentId: number | null
  paperId: number | null
  title: string | null
}

/** "15/SKHCN-VP" and " 15/SKHCN-VP " are one number; spacing inside is folded to one space. */
export function normaliseNumber(number: string): string {
  return number.normalize('NFC').trim().replace(/\s+/g, ' ')
}

/** What uniqueness compares: the normalised number in capitals ("15/qđ-skhcn" is "15/QĐ-SKHCN"). */
export const numberKey = (number: string): string => normaliseNumber(number).toUpperCase()

/** The register a number belongs to: a normative document's carries its year ("12/2026/QĐ-UBND"). */
export function registerOfNumber(number: string): RegisterName {
  return /^\d+\/\d{4}\//.test(normaliseNumber(number)) ? 'normative' : 'general'
}

/** The ordinal of a number in its register: its leading digits ("015/QĐ" is 15), or null. */
export function seqOf(number: string): number | null {
  const m = /^(\d{1,9})(?!\d)/.exec(normaliseNumber(number))
  return m?.[1] ? Number(m[1]) : null
}

type Row = {
  id: number
  agency_id: number
  year: number
  register: RegisterName
  seq: number | null
  number: string
  issued_on: string | Date
  status: EntryStatus
  document_id: number | null
  paper_id: number | null
  title: string | null
}

const dateOf = (v: string | Date): string => (v instanceof Date ? v.toISOString() : String(v)).slice(0, 10)

function entryOf(r: Row): RegisterEntry {
  return {
    id: r.id,
    agencyId: r.agency_id,
    year: Number(r.year),
    register: r.register,
    seq: r.seq === null ? null : Number(r.seq),
    number: r.number,
    date: dateOf(r.issued_on),
    status: r.status,
    documentId: r.document_id,
    paperId: r.paper_id,
    title: r.title,
  }
}

/**
 * Is this number taken in the agency's year? Decree 30/2020, Art. 15: an agency's numbers run from
 * 01 on 1 January to 31 December, one register for paper and electronic documents alike, so a
 * number is taken for the year once the register holds it (used, reserved for a seal under way,
 * or reserved and not used), or once its ordinal is taken in its register ("15/TB-…" after
 * "15/QĐ-…"). `except` is a document whose own reservation does not count.
 */
export async function numberTaken(
  db: Knex,
  agencyId: number,
  number: string,
  year: number,
  except?: { documentId: number },
): Promise<NumberHolder | undefined> {
  const seq = seqOf(number)
  const q = db('outgoing_register')
    .where({ agency_id: agencyId, year })
    .where((w) => {
      w.where({ number_key: numberKey(number) })
      if (seq !== null) w.orWhere({ register: registerOfNumber(number), seq })
    })
  if (except) q.where((w) => w.whereNull('document_id').orWhereNot({ document_id: except.documentId }))
  const row = (await q.first()) as Row | undefined
  if (!row) return undefined
  const source = row.paper_id !== null ? 'paper' : 'kyso'
  return {
    source,
    id: (row.paper_id ?? row.document_id ?? row.id) as number,
    number: row.number,
    date: dateOf(row.issued_on),
    status: row.status,
  }
}

/** The next ordinal of a register: after the highest given, or the year's opening number, or 1. */
export async function nextSeq(
  db: Knex,
  agencyId: number,
  register: RegisterName,
  year: number,
): Promise<number> {
  const top = (await db('outgoing_register')
    .where({ agency_id: agencyId, register, year })
    .max('seq as seq')
    .first()) as { seq: number | null } | undefined
  const opening = (await db('register_openings')
    .where({ agency_id: agencyId, register, year })
    .first('first_seq')) as { first_seq: number } | undefined
  const first = opening ? Number(opening.first_seq) : 1
  return top?.seq === null || top?.seq === undefined ? first : Math.max(Number(top.seq) + 1, first)
}

export interface NewEntry {
  agencyId: number
  register: RegisterName
  seq: number | null
  number: string
  date: string
  status: EntryStatus
  documentId?: number
  paperId?: number
  title?: string
  createdBy: number
}

/** Adds a number to the register; a unique violation (taken meanwhile) reaches the caller. */
export async function insertEntry(db: Knex, e: NewEntry): Promise<number> {
  const number = normaliseNumber(e.number)
  const [row] = await db('outgoing_register')
    .insert({
      agency_id: e.agencyId,
      year: Number(e.date.slice(0, 4)),
      register: e.register,
      seq: e.seq,
      number,
      number_key: numberKey(number),
      issued_on: e.date,
      status: e.status,
      document_id: e.documentId ?? null,
      paper_id: e.paperId ?? null,
      title: e.title ?? null,
      created_by: e.createdBy,
      created_at: new Date().toISOString(),
    })
    .returning('id')
  return (row as { id: number }).id
}

/** A document's reservation still waiting for its seal, if any. */
export async function reservationOf(db: Knex, documentId: number): Promise<RegisterEntry | undefined> {
  const row = (await db('outgoing_register')
    .where({ document_id: documentId, status: 'reserved' })
    .orderBy('id', 'desc')
    .first()) as Row | undefined
  return row && entryOf(row)
}

/** Moves a document's entries from one state to another (reserved -> used at the seal; -> unused when stopped). */
export async function moveEntries(
  db: Knex,
  where: { id?: number; documentId?: number },
  from: EntryStatus,
  to: EntryStatus,
): Promise<number> {
  const q = db('outgoing_register').where({ status: from })
  if (where.id !== undefined) q.where({ id: where.id })
  if (where.documentId !== undefined) q.where({ document_id: where.documentId })
  return q.update({ status: to })
}

/** A kept reservation takes the date the seal now gives. */
export async function setEntryDate(db: Queryable, id: number, date: string): Promise<void> {
  await db('outgoing_register').where({ id }).update({ issued_on: date })
}

/** A reservation nothing carries yet is taken back (a refused PIN leaves no gap in the register). */
export async function deleteReservedEntry(db: Queryable, id: number): Promise<void> {
  await db('outgoing_register').where({ id, status: 'reserved' }).delete()
}

/** A reserved number is now a document's: used, and pointing at it. */
export async function useEntryFor(db: Queryable, id: number, documentId: number): Promise<void> {
  await db('outgoing_register').where({ id }).update({ document_id: documentId, status: 'used' })
}

/** An agency's register for a year, every register, in order. */
export async function registerEntries(db: Knex, agencyId: number, year: number): Promise<RegisterEntry[]> {
  const rows = (await db('outgoing_register')
    .where({ agency_id: agencyId, year })
    .orderBy([{ column: 'register' }, { column: 'seq' }, { column: 'id' }])) as Row[]
  return rows.map(entryOf)
}

/** The opening number of an agency's register for a year (an agency that starts mid-year). */
export async function setOpening(
  db: Knex,
  o: { agencyId: number; register: RegisterName; year: number; firstSeq: number; setBy: number },
): Promise<void> {
  const row = {
    agency_id: o.agencyId,
    register: o.register,
    year: o.year,
    first_seq: o.firstSeq,
    set_by: o.setBy,
    set_at: new Date().toISOString(),
  }
  await db('register_openings').insert(row).onConflict(['agency_id', 'register', 'year']).merge()
}

export async function openingsOf(db: Knex, agencyId: number, year: number): Promise<Record<string, number>> {
  const rows = (await db('register_openings')
    .where({ agency_id: agencyId, year })
    .select('register', 'first_seq')) as { register: string; first_seq: number }[]
  return Object.fromEntries(rows.map((r) => [r.register, Number(r.first_seq)]))
}
