import type { PdfDocument } from '../pdf/document'
import type { PdfDict } from '../pdf/objects'
import type { SignedContent } from './annotations'
import { changedKeys, sameAcross } from './equal'
import type { ChangeFact } from './modification-policy'
import type { DocumentMap } from './roles'
import type { StructureTree } from './structure-tree'

/** What the rules of the change analysis share: both revisions, the roles, the signed content. */
export interface Context {
  before: PdfDocument
  after: PdfDocument
  map: DocumentMap
  content: SignedContent
  structure: StructureTree
}

export type Make = (
  kind: ChangeFact['kind'],
  level: ChangeFact['level'],
  what: string,
  extra?: Partial<ChangeFact>,
) => ChangeFact

/** A maker of the facts about object `num` on `page`. */
export function maker(num: number, page: number | null): Make {
  return (kind, level, what, extra = {}) => ({ kind, object: num, page, level, what, ...extra })
}

/** Keys whose values differ, a value rewritten as an identical new object not counting. */
export function differingKeys(ctx: Context, oldD: PdfDict, newD: PdfDict): string[] {
  return changedKeys(oldD, newD).filter((k) => !sameAcross(ctx.before, oldD.get(k), ctx.after, newD.get(k)))
}

export const slash = (keys: string[]): string => keys.map((k) => '/' + k).join(' ')
