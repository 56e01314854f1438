import type { Knex } from 'knex'

export type PaperKind = 'internal' | 'procedure'

export interface PaperEntry {
  agencyId: number
  number: string
  date: string
  title: string
  signer: string
  kind: PaperKind
  procedureCode: string | null
  createdBy: number
  createdAt: string
}

export interface PaperRow {
  id: number
  number: string
  date: string
  title: string
  signer: string
  kind: PaperKind
  procedureCode: string | null
}

export async function insertPaperEntry(db: Knex, e: PaperEntry): Promise<number> {
  const [row] = await db('paper_documents')
    .insert({
      agency_id: e.agencyId,
      number: e.number,
      issued_on: e.date,
      title: e.title,
      signer: e.signer,
      kind: e.kind,
      procedure_code: e.procedureCode,
      created_by: e.createdBy,
      created_at: e.createdAt,
    })
    .returning('id')
  return (row as { id: number }).id
}

/** An agency's paper entries dated in [from, to] (Vietnam calendar dates), oldest first. */
export async function paperEntriesOf(
  db: Knex,
  agencyId: number,
  from: string,
  to: string,
): Promise<PaperRow[]> {
  const rows = (await db('paper_documents')
    .where({ agency_id: agencyId })
    .where('issued_on', '>=', from)
    .where('issued_on', '<=', to)
    .orderBy(['issued_on', 'id'])
    .select('id', 'number', 'issued_on', 'title', 'signer', 'kind', 'procedure_code')) as {
    id: number
    number: string
    issued_on: string
    title: string
    signer: string
    kind: PaperKind
    procedure_code: string | null
  }[]
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    date: String(r.issued_on).slice(0, 10),
    title: r.title,
    signer: r.signer,
    kind: r.kind,
    procedureCode: r.procedure_code,
  }))
}

export async function procedureKnown(db: Knex, code: string): Promise<boolean> {
  return Boolean(await db('procedures').where({ code }).first('code'))
}
