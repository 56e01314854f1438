import type { Knex } from 'knex'

/** A CRL an administrator uploaded for a CA reachable only on a dedicated network. */
export interface RevocationListRecord {
  id: number
  sha256: string
  issuer: string
  thisUpdate: string
  nextUpdate: string | null
  der: Buffer
  addedBy: number
  addedAt: string
}

interface Row {
  id: number
  sha256: string
  issuer: string
  this_update: string | Date
  next_update: string | Date | null
  der: Buffer | Uint8Array
  added_by: number
  added_at: string | Date
}

const iso = (v: string | Date): string => new Date(v).toISOString()

function record(r: Row): RevocationListRecord {
  return {
    id: r.id,
    sha256: r.sha256,
    issuer: r.issuer,
    thisUpdate: iso(r.this_update),
    nextUpdate: r.next_update === null ? null : iso(r.next_update),
    der: Buffer.from(r.der),
    addedBy: r.added_by,
    addedAt: iso(r.added_at),
  }
}

export async function listRevocationLists(db: Knex): Promise<RevocationListRecord[]> {
  return ((await db('revocation_lists').orderBy('id').select()) as Row[]).map(record)
}

/** The newest upload per issuer is what counts; older ones stay as the record of what was known. */
export async function insertRevocationList(db: Knex, r: Omit<RevocationListRecord, 'id'>): Promise<number> {
  const [row] = await db('revocation_lists')
    .insert({
      sha256: r.sha256,
      issuer: r.issuer,
      this_update: r.thisUpdate,
      next_update: r.nextUpdate,
      der: r.der,
      added_by: r.addedBy,
      added_at: r.addedAt,
    })
    .returning('id')
  return (row as { id: number }).id
}
