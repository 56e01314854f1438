import type { AgencyFacts } from './facts'
import type { Subtree } from './policy'

type Facts = Omit<AgencyFacts, 'agencyId'>

export interface TreeNode {
  id: number
  parent_id: number | null
}

function plus(a: Facts, b: Facts): Facts {
  return {
    issued: a.issued + b.issued,
    fullySigned: a.fullySigned + b.fullySigned,
    paper: a.paper + b.paper,
    stopped: a.stopped + b.stopped,
    open: (a.open ?? 0) + (b.open ?? 0),
    procedures: [...new Set([...a.procedures, ...b.procedures])].sort(),
  }
}

const ZERO: Facts = { issued: 0, fullySigned: 0, paper: 0, stopped: 0, open: 0, procedures: [] }

/**
 * Each agency's subtree (itself and every agency below it, issue 14): counts summed, procedures
 * as the union of distinct codes. Agencies outside `nodes` contribute nothing.
 */
export function rollUp(
  nodes: TreeNode[],
  facts: Map<number, Facts>,
  recent: Map<number, Facts>,
): Map<number, Subtree> {
  const children = new Map<number, number[]>()
  for (const n of nodes)
    if (n.parent_id !== null) children.set(n.parent_id, [...(children.get(n.parent_id) ?? []), n.id])
  const out = new Map<number, Subtree>()
  const visit = (id: number, seen: Set<number>): Subtree => {
    const done = out.get(id)
    if (done) return done
    let sub: Subtree = { facts: facts.get(id) ?? ZERO, recent: recent.get(id) ?? ZERO, agencies: 1 }
    seen.add(id)
    for (const c of children.get(id) ?? []) {
      if (seen.has(c)) continue // a loop in the tree is counted once, never forever
      const s = visit(c, seen)
      sub = {
        facts: plus(sub.facts, s.facts),
        recent: plus(sub.recent, s.recent),
        agencies: sub.agencies + s.agencies,
      }
    }
    out.set(id, sub)
    return sub
  }
  for (const n of nodes) visit(n.id, new Set())
  return out
}
