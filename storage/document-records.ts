import type { Queryable, Tx } from './transaction'

/**
 * The documents table as the document use cases write it (issue 16): an upload, the moves of its
 * status, what a signature or a seal records on it, and the issue 13 facts the document page shows.
 * Plain camelCase objects out. Reading a document with its access rule is shared/access.ts.
 */
export type DocumentStatus = 'draft' | 'in_progress' | 'returned' | 'issued' | 'rejected' | 'cancelled'

export interface NewDocument {
  agencyId: number
  drafterId: number
  title: string
  titleSearch: string
  kind: 'internal' | 'procedure'
  procedureCode: string | null | undefined
  status: DocumentStatus
  createdAt: string
  docType: string
  unitCode: string | null
  normative: boolean
  urgency: string | null
  /** The recipients as JSON; null when there are none. */
  recipientsJson: string | null
}

export async function insertDocument(db: Queryable, d: NewDocument): Promise<number> {
  const [row] = await db('documents')
    .insert({
      agency_id: d.agencyId,
      drafter_id: d.drafterId,
      title: d.title,
      title_search: d.titleSearch,
      kind: d.kind,
      procedure_code: d.procedureCode,
      status: d.status,
      created_at: d.createdAt,
      updated_at: d.createdAt,
      doc_type: d.docType,
      unit_code: d.unitCode,
      normative: d.normative,
      urgency: d.urgency,
      recipients_json: d.recipientsJson,
    })
    .returning('id')
  return (row as { id: number }).id
}

/**
 * Takes the document's row for the rest of the transaction (FOR UPDATE on PostgreSQL): every change
 * to a document's chain or versions takes it first, so two of them run one after the other.
 */
export async function lockDocument(trx: Tx, documentId: number): Promise<{ status: DocumentStatus }> {
  return (await trx('documents').where({ id: documentId }).forUpdate().first('status')) as {
    status: DocumentStatus
  }
}

export interface StatusChange {
  status: DocumentStatus
  updatedAt: string
  finishedAt?: string
}

/**
 * Moves a document to another status; with `from`, only out of one of those (a conditional update,
 * which also takes the row's lock). True when the row changed.
 */
export async function changeDocumentStatus(
  db: Queryable,
  documentId: number,
  change: StatusChange,
  from?: DocumentStatus[],
): Promise<boolean> {
  const q = db('documents').where({ id: documentId })
  if (from) q.whereIn('status', from)
  const changed = await q.update({
    status: change.status,
    updated_at: change.updatedAt,
    ...(change.finishedAt !== undefined && { finished_at: change.finishedAt }),
  })
  return changed > 0
}

/** What a step's signature changes on its document; a key left out is left as it is. */
export interface SignedDocumentUpdate {
  updatedAt: string
  /** A seal's number and date (issue 13). */
  outgoingNumber?: string | undefined
  outgoingDate?: string | undefined
  numberPrinted?: boolean
  issuanceJson?: string
  status?: 'issued'
  finishedAt?: string
  /** When the renewal job extends the file should the instance stop first (issue 18). */
  ltvRenewAt?: string
}

export async function recordSignatureOnDocument(
  db: Queryable,
  documentId: number,
  u: SignedDocumentUpdate,
): Promise<void> {
  const row: Record<string, unknown> = { updated_at: u.updatedAt }
  if ('outgoingNumber' in u) row.outgoing_number = u.outgoingNumber
  if ('outgoingDate' in u) row.outgoing_date = u.outgoingDate
  if ('numberPrinted' in u) row.number_printed = u.numberPrinted
  if ('issuanceJson' in u) row.issuance_json = u.issuanceJson
  if ('status' in u) row.status = u.status
  if ('finishedAt' in u) row.finished_at = u.finishedAt
  if ('ltvRenewAt' in u) row.ltv_renew_at = u.ltvRenewAt
  await db('documents').where({ id: documentId }).update(row)
}

/** The signatures of the final file that no step made, as judged (issue 14), as JSON. */
export async function setForeignSignatures(db: Queryable, documentId: number, json: string): Promise<void> {
  await db('documents').where({ id: documentId }).update({ foreign_signatures_json: json })
}

/** A document's type, register and copy facts (issue 13), as its page shows them. */
export interface IssuanceFactsRecord {
  title: string
  status: DocumentStatus
  docType: string | null
  unitCode: string | null
  normative: boolean
  urgency: string | null
  recipientsJson: string | null
  numberPrinted: boolean | null
  issuanceJson: string | null
  copyOf: number | null
  copyForm: string | null
  copyJson: string | null
  outgoingNumber: string | null
  /** YYYY-MM-DD. */
  outgoingDate: string | null
}

interface IssuanceRow {
  title: string
  status: DocumentStatus
  doc_type: string | null
  unit_code: string | null
  normative: boolean | number
  urgency: string | null
  recipients_json: string | null
  number_printed: boolean | number | null
  issuance_json: string | null
  copy_of: number | null
  copy_form: string | null
  copy_json: string | null
  outgoing_number: string | null
  outgoing_date: string | Date | null
}

export async function issuanceFacts(db: Queryable, documentId: number): Promise<IssuanceFactsRecord> {
  const d = (await db('documents').where({ id: documentId }).first()) as IssuanceRow
  return {
    title: d.title,
    status: d.status,
    docType: d.doc_type,
    unitCode: d.unit_code,
    normative: Boolean(d.normative),
    urgency: d.urgency,
    recipientsJson: d.recipients_json,
    numberPrinted: d.number_printed === null ? null : Boolean(d.number_printed),
    issuanceJson: d.issuance_json,
    copyOf: d.copy_of,
    copyForm: d.copy_form,
    copyJson: d.copy_json,
    outgoingNumber: d.outgoing_number,
    outgoingDate:
      d.outgoing_date instanceof Date ? d.outgoing_date.toISOString().slice(0, 10) : d.outgoing_date,
  }
}

/** A certified copy made of a document (issue 13). */
export interface CopyListing {
  id: number
  form: string
  outgoingNumber: string | null
  status: DocumentStatus
}

/** The copies made of a document, oldest first. */
export async function copiesOfDocument(db: Queryable, documentId: number): Promise<CopyListing[]> {
  const rows = (await db('documents')
    .where({ copy_of: documentId })
    .orderBy('id')
    .select('id', 'copy_form', 'outgoing_number', 'status')) as {
    id: number
    copy_form: string
    outgoing_number: string | null
    status: DocumentStatus
  }[]
  return rows.map((r) => ({
    id: r.id,
    form: r.copy_form,
    outgoingNumber: r.outgoing_number,
    status: r.status,
  }))
}

/** The agency a document belongs to, as its page and its metadata name it. */
export async function agencyIdentity(
  db: Queryable,
  agencyId: number,
): Promise<{ code: string; name: string }> {
  return (await db('agencies').where({ id: agencyId }).first('code', 'name')) as {
    code: string
    name: string
  }
}

/** A user as a document page names them (the drafter). */
export async function userNameAndTitle(
  db: Queryable,
  userId: number,
): Promise<{ fullName: string; title: string | null }> {
  const r = (await db('users').where({ id: userId }).first('full_name', 'title')) as {
    full_name: string
    title: string | null
  }
  return { fullName: r.full_name, title: r.title }
}

/**
 * Issued documents with a signature whose verdict was never stored (the instance stopped between
 * the last signature's commit and the validation after it), lowest id first.
 */
export async function issuedWithoutVerdicts(db: Queryable, limit: number): Promise<number[]> {
  return (await db('documents as d')
    .join('signatures as g', 'g.document_id', 'd.id')
    .where('d.status', 'issued')
    .whereNull('g.indication')
    .distinct('d.id')
    .orderBy('d.id')
    .limit(limit)
    .pluck('d.id')) as number[]
}
