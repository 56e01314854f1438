import type { Actor } from './actor'

// Who may read what: the one rule workflows/ (documents) and reporting/ (coverage, drill-down) both
// apply. The data it needs is read in storage/document-access.ts, which applies it.

/** An agency and its parent, as the rule needs the tree. */
export interface AgencyLink {
  id: number
  parentId: number | null
}

/** Ids of an agency and every agency below it, from the whole tree. */
export function agencyAndBelow(tree: readonly AgencyLink[], agencyId: number): Set<number> {
  const out = new Set<number>([agencyId])
  for (let grew = true; grew; ) {
    grew = false
    for (const a of tree)
      if (a.parentId !== null && out.has(a.parentId) && !out.has(a.id)) {
        out.add(a.id)
        grew = true
      }
  }
  return out
}

/**
 * Who may read a document of `agencyId`: its own agency's users; leaders also those of the
 * agencies below theirs (`below`, asked only for a leader of another agency); compliance officers
 * and admins the whole city.
 */
export async function mayRead(
  actor: Actor,
  agencyId: number,
  below: () => Promise<Set<number>>,
): Promise<boolean> {
  if (actor.roles.has('compliance') || actor.roles.has('admin')) return true
  if (agencyId === actor.agencyId) return true
  if (actor.roles.has('leader')) return (await below()).has(agencyId)
  return false
}
