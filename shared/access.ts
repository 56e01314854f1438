import type { Knex } from 'knex'
import { WorkflowError } from './errors'
import type { Actor } from './actor'
import type { DocumentRow } from './document-row'

// Who may read what: the one rule workflows/ (documents) and reporting/ (coverage, drill-down) both
// apply, over the handle they are given.

/** Ids of an agency and every agency below it. */
export async function agencyAndDescendants(db: Knex, agencyId: number): Promise<Set<number>> {
  const rows = (await db('agencies').select('id', 'parent_id')) as { id: number; parent_id: number | null }[]
  const out = new Set<number>([agencyId])
  for (let grew = true; grew; ) {
    grew = false
    for (const r of rows)
      if (r.parent_id !== null && out.has(r.parent_id) && !out.has(r.id)) {
        out.add(r.id)
        grew = true
      }
  }
  return out
}

/**
 * Who may read a document: its own agency's users; leaders also those of the agencies below
 * theirs; compliance officers and admins the whole city.
 */
export async function canRead(db: Knex, actor: Actor, doc: DocumentRow): Promise<boolean> {
  if (actor.roles.has('compliance') || actor.roles.has('admin')) return true
  if (doc.agency_id === actor.agencyId) return true
  if (actor.roles.has('leader')) return (await agencyAndDescendants(db, actor.agencyId)).has(doc.agency_id)
  return false
}

/** The document if the actor may read it; otherwise NOT_FOUND, so its existence is not revealed. */
export async function readableDocument(db: Knex, actor: Actor, id: number): Promise<DocumentRow> {
  const doc = Number.isInteger(id)
    ? ((await db('documents').where({ id }).first()) as DocumentRow | undefined)
    : undefined
  if (!doc || !(await canRead(db, actor, doc))) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy văn bản')
  return doc
}
