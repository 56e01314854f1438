import { searchKey } from './search-key'
import type { Queryable } from './transaction'

/**
 * Electronic copies and attachments (issue 13) as the database keeps them: a document issued at
 * once, with its only version, a completed round of one seal step done by the clerk, and the seal.
 */

/** The clerk's active seal certificate of their agency (the latest), if they hold one. */
export async function activeSealCertificateId(
  db: Queryable,
  holder: { userId: number; agencyId: number },
): Promise<number | undefined> {
  const row = (await db('certificates')
    .where({
      holder_user_id: holder.userId,
      kind: 'seal',
      source: 'internal',
      status: 'active',
      agency_id: holder.agencyId,
    })
    .whereNull('revoked_at')
    .orderBy('id', 'desc')
    .first('id')) as { id: number } | undefined
  return row?.id
}

export interface NewIssuedCopy {
  agencyId: number
  /** The clerk who made it: drafter, the seal step's assignee and signer. */
  clerkId: number
  title: string
  kind: 'copy' | 'attachment'
  /** The copies register's number, or null (an attachment). */
  outgoingNumber: string | null
  outgoingDate: string | null
  copyOf: number | null
  copyForm: string
  copyJson: Record<string, unknown>
  blob: { sha256: string; size: number }
  /** The seal; its evidence (what was checked before signing) is stored as JSON. */
  signature: { certificateId: number; fieldName: string; evidence: unknown }
  /** ISO instant: created, finished and signed at once. */
  at: string
}

/** Records a copy or an attachment issued at once (in the caller's transaction); its document id. */
export async function insertIssuedCopy(trx: Queryable, c: NewIssuedCopy): Promise<number> {
  const now = c.at
  const [row] = await trx('documents')
    .insert({
      agency_id: c.agencyId,
      drafter_id: c.clerkId,
      title: c.title,
      title_search: searchKey(c.title),
      kind: c.kind,
      status: 'issued',
      created_at: now,
      updated_at: now,
      finished_at: now,
      outgoing_number: c.outgoingNumber,
      outgoing_date: c.outgoingDate,
      copy_of: c.copyOf,
      copy_form: c.copyForm,
      copy_json: JSON.stringify(c.copyJson),
    })
    .returning('id')
  const docId = (row as { id: number }).id
  const [ver] = await trx('versions')
    .insert({
      document_id: docId,
      seq: 1,
      sha256: c.blob.sha256,
      size: c.blob.size,
      created_by: c.clerkId,
      origin: 'copy',
      created_at: now,
    })
    .returning('id')
  const [wf] = await trx('workflows')
    .insert({ document_id: docId, round: 1, status: 'completed', created_at: now })
    .returning('id')
  const [st] = await trx('steps')
    .insert({
      workflow_id: (wf as { id: number }).id,
      seq: 1,
      action: 'seal',
      rule: 'all',
      status: 'done',
      completed_at: now,
    })
    .returning('id')
  const stepId = (st as { id: number }).id
  await trx('step_assignees').insert({
    step_id: stepId,
    user_id: c.clerkId,
    status: 'done',
    acted_by: c.clerkId,
    acted_at: now,
  })
  await trx('signatures').insert({
    document_id: docId,
    step_id: stepId,
    version_id: (ver as { id: number }).id,
    certificate_id: c.signature.certificateId,
    user_id: c.clerkId,
    field_name: c.signature.fieldName,
    created_at: now,
    key_source: 'internal',
    form: 'in-file',
    evidence_json: JSON.stringify(c.signature.evidence),
  })
  return docId
}
