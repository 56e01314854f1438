import type { PdfDocument } from '../pdf/document'
import { PdfDict, PdfName, PdfRef, type PdfValue } from '../pdf/objects'

/** Keys of the structure tree root that tagging tools update as content is tagged (§14.7.3). */
export const STRUCT_ROOT_KEYS = new Set(['K', 'ParentTree', 'ParentTreeNextKey', 'IDTree'])
/** A structure element's kids (§14.7.2): what changes when an annotation is tagged or untagged. */
export const STRUCT_ELEMENT_KEYS = new Set(['K'])

/** Bound on the nodes of a parent tree walked to know its objects. */
const PARENT_TREE_BUDGET = 50_000

/**
 * The tagged structure of a signed revision (ISO 32000-2 §14.7): which objects are its root,
 * its elements and its parent tree. Updating them follows annotations and fields being added or
 * removed and changes nothing a reader sees, so a later revision may touch them (as iText's and
 * DSS's validators allow) as long as an element changes only its /K.
 */
export class StructureTree {
  private parentTree: Set<number> | undefined

  constructor(private readonly doc: PdfDocument) {}

  rootNum(): number | null {
    const root = this.doc.catalog().get('StructTreeRoot')
    return root instanceof PdfRef ? root.num : null
  }

  /** A node or a value array of the parent tree (a number tree, §7.9.7, of arrays of elements). */
  inParentTree(num: number): boolean {
    this.parentTree ??= this.walkParentTree()
    return this.parentTree.has(num)
  }

  /** §14.7.2 Table 355: /Type /StructElem is optional; /S and /P are required. */
  static isElement(v: PdfValue | undefined): boolean {
    if (!(v instanceof PdfDict)) return false
    const type = v.get('Type')
    if (type instanceof PdfName) return type.name === 'StructElem'
    return v.get('S') instanceof PdfName && v.get('P') instanceof PdfRef
  }

  private walkParentTree(): Set<number> {
    const out = new Set<number>()
    const root = this.doc.dict(this.doc.catalog().get('StructTreeRoot'))
    let budget = PARENT_TREE_BUDGET
    const walk = (v: PdfValue | undefined, depth: number): void => {
      if (!(v instanceof PdfRef) || out.has(v.num) || depth > 32 || budget-- <= 0) return
      out.add(v.num)
      const node = this.doc.dict(v)
      const nums = this.doc.resolve(node?.get('Nums'))
      if (Array.isArray(nums))
        for (let i = 1; i < nums.length; i += 2)
          if (nums[i] instanceof PdfRef) out.add((nums[i] as PdfRef).num)
      const kids = this.doc.resolve(node?.get('Kids'))
      if (Array.isArray(kids)) for (const k of kids) walk(k, depth + 1)
    }
    walk(root?.get('ParentTree'), 0)
    return out
  }
}
