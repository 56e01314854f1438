import type { Knex } from 'knex'
import { verifyAudit } from '../../storage/audit'
import type { BlobStore } from '../../storage/blob-store'

/**
 * What must hold after any crash, as a list of problems (empty when consistent):
 *  - every assignment marked done has its signature, and every signature its version;
 *  - every step marked done has a signature; every signed version has its signature;
 *  - versions are numbered 1..n per document;
 *  - every version's blob exists, with its SHA-256 and size;
 *  - every signature has its audit event, and the audit chain verifies.
 */
export async function consistencyProblems(db: Knex, blobs: BlobStore): Promise<string[]> {
  const problems: string[] = []
  const done = (await db('step_assignees as a')
    .leftJoin('signatures as g', function () {
      this.on('g.step_id', 'a.step_id').andOn('g.user_id', 'a.acted_by')
    })
    .where('a.status', 'done')
    .select('a.step_id', 'a.acted_by', 'g.id as signature_id')) as {
    step_id: number
    acted_by: number
    signature_id: number | null
  }[]
  for (const a of done)
    if (a.signature_id === null) problems.push(`step ${a.step_id}: done by ${a.acted_by} without a signature`)
  const stepsDone = (await db('steps as s')
    .leftJoin('signatures as g', 'g.step_id', 's.id')
    .where('s.status', 'done')
    .groupBy('s.id')
    .select('s.id', db.raw('count(g.id) as n'))) as { id: number; n: number | string }[]
  for (const st of stepsDone) if (Number(st.n) === 0) problems.push(`step ${st.id}: done without a signature`)
  const signed = (await db('versions as v')
    .leftJoin('signatures as g', 'g.version_id', 'v.id')
    .where('v.origin', 'signature')
    .whereNull('g.id')
    .select('v.id')) as { id: number }[]
  for (const v of signed) problems.push(`version ${v.id}: made by a signature that is not recorded`)
  const orphans = (await db('signatures as g')
    .leftJoin('versions as v', 'v.id', 'g.version_id')
    .whereNull('v.id')
    .select('g.id')) as { id: number }[]
  for (const g of orphans) problems.push(`signature ${g.id}: its version is missing`)
  const versions = (await db('versions')
    .orderBy(['document_id', 'seq'])
    .select('id', 'document_id', 'seq', 'sha256', 'size')) as {
    id: number
    document_id: number
    seq: number
    sha256: string
    size: number
  }[]
  const next = new Map<number, number>()
  for (const v of versions) {
    const expected = next.get(v.document_id) ?? 1
    if (v.seq !== expected)
      problems.push(`document ${v.document_id}: version ${v.seq} where ${expected} was expected`)
    next.set(v.document_id, v.seq + 1)
    const bytes = await blobs
      .get(v.sha256)
      .catch((err: unknown) => problems.push(`version ${v.id}: blob ${v.sha256}: ${String(err)}`))
    if (Buffer.isBuffer(bytes) && bytes.length !== Number(v.size))
      problems.push(`version ${v.id}: ${bytes.length} bytes, recorded ${v.size}`)
  }
  const signatures = Number(((await db('signatures').count('* as n').first()) as { n: number }).n)
  const events = Number(
    ((await db('audit_events').where('action', 'like', 'step.%').count('* as n').first()) as { n: number }).n,
  )
  if (events !== signatures) problems.push(`${signatures} signatures but ${events} step.* audit events`)
  const audit = await verifyAudit(db)
  if (!audit.ok) problems.push(`audit chain broken at event ${audit.brokenAt}`)
  return problems
}
