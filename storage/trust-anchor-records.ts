import type { Knex } from 'knex'

/**
 * The CA certificates an administrator added as trust anchors (the national roots): in the
 * database since issue 15, so that every instance trusts the same ones without a shared folder.
 */
export interface TrustAnchorRecord {
  fingerprint: string
  der: Buffer
  subject: string
  addedAt: string
}

export async function listTrustAnchorRecords(db: Knex): Promise<TrustAnchorRecord[]> {
  const rows = (await db('trust_anchors')
    .orderBy('added_at')
    .orderBy('fingerprint')
    .select('fingerprint', 'der', 'subject', 'added_at')) as {
    fingerprint: string
    der: Uint8Array
    subject: string
    added_at: string | Date
  }[]
  return rows.map((r) => ({
    fingerprint: r.fingerprint,
    der: Buffer.from(r.der),
    subject: r.subject,
    addedAt: typeof r.added_at === 'string' ? r.added_at : r.added_at.toISOString(),
  }))
}

/** False when the anchor was there already. */
export async function insertTrustAnchor(
  db: Knex,
  a: { fingerprint: string; der: Buffer; subject: string; addedBy: number | null },
): Promise<boolean> {
  if (await db('trust_anchors').where({ fingerprint: a.fingerprint }).first('fingerprint')) return false
  await db('trust_anchors').insert({
    fingerprint: a.fingerprint,
    der: a.der,
    subject: a.subject,
    added_by: a.addedBy,
    added_at: new Date().toISOString(),
  })
  return true
}
