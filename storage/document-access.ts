import type { Actor } from '../shared/actor'
import { agencyAndBelow, mayRead } from '../shared/access'
import type { DocumentRow } from '../shared/document-row'
import { WorkflowError } from '../shared/errors'
import type { Queryable } from './transaction'

/** Ids of an agency and every agency below it. */
export async function agencyAndDescendants(db: Queryable, agencyId: number): Promise<Set<number>> {
  const rows = (await db('agencies').select('id', 'parent_id')) as { id: number; parent_id: number | null }[]
  return agencyAndBelow(
    rows.map((r) => ({ id: r.id, parentId: r.parent_id })),
    agencyId,
  )
}

/** Whether the actor may read the document (shared/access.ts has the rule). */
export async function canRead(db: Queryable, actor: Actor, doc: DocumentRow): Promise<boolean> {
  return mayRead(actor, doc.agency_id, () => agencyAndDescendants(db, actor.agencyId))
}

/** The document if the actor may read it; otherwise NOT_FOUND, so its existence is not revealed. */
export async function readableDocument(db: Queryable, actor: Actor, id: number): Promise<DocumentRow> {
  const doc = Number.isInteger(id)
    ? ((await db('documents').where({ id }).first()) as DocumentRow | undefined)
    : undefined
  if (!doc || !(await canRead(db, actor, doc))) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy văn bản')
  return doc
}
