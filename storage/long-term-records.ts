import type { Queryable, Tx } from './transaction'

/**
 * Long-term validation (issue 18) as the documents table keeps it: a lease so one instance extends
 * a document at a time, when it is due again, the last failure, and the evidence each signature
 * kept for the DSS. Instants are ISO strings.
 */

/**
 * Claims an issued document for this instance until `until`, unless another holds it (a lease not
 * yet past `now`). False when it could not be claimed.
 */
export async function claimForExtension(
  db: Queryable,
  documentId: number,
  lease: { now: string; until: string },
): Promise<boolean> {
  const claimed = await db('documents')
    .where({ id: documentId, status: 'issued' })
    .andWhere((q) => void q.whereNull('ltv_lease_until').orWhere('ltv_lease_until', '<', lease.now))
    .update({ ltv_lease_until: lease.until })
  return claimed > 0
}

/** Holds the document's row to the end of the transaction (PostgreSQL; SQLite has one writer). */
export async function lockDocumentRow(trx: Tx, documentId: number): Promise<void> {
  await trx('documents').where({ id: documentId }).forUpdate().first('id')
}

/** The extension recorded: its level, when it is due again; the lease and any failure cleared. */
export async function markExtended(
  db: Queryable,
  documentId: number,
  e: { level: string; renewAt: string | null },
): Promise<void> {
  await db('documents')
    .where({ id: documentId })
    .update({ ltv_level: e.level, ltv_renew_at: e.renewAt, ltv_lease_until: null, ltv_error: null })
}

/** A failed extension: the lease released, due again at `renewAt`, why it failed kept. */
export async function markExtensionFailed(
  db: Queryable,
  documentId: number,
  f: { renewAt: string; error: string },
): Promise<void> {
  await db('documents')
    .where({ id: documentId })
    .update({ ltv_lease_until: null, ltv_renew_at: f.renewAt, ltv_error: f.error })
}

/** Issued documents due for renewal at `at` and held by nobody, oldest due first, at most `limit`. */
export async function dueForRenewal(db: Queryable, at: string, limit: number): Promise<number[]> {
  return (await db('documents')
    .where('status', 'issued')
    .where('ltv_renew_at', '<=', at)
    .andWhere((q) => void q.whereNull('ltv_lease_until').orWhere('ltv_lease_until', '<', at))
    .orderBy('ltv_renew_at')
    .limit(limit)
    .pluck('id')) as number[]
}

/** The evidence (JSON) each signature of a document kept when it was made, where it kept any. */
export async function signatureEvidenceJsonOf(db: Queryable, documentId: number): Promise<string[]> {
  return (await db('signatures')
    .where({ document_id: documentId })
    .whereNotNull('evidence_json')
    .pluck('evidence_json')) as string[]
}
