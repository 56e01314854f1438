import type { PdfDocument } from '../pdf/document'
import { walkFields } from '../pdf/fields'
import { PdfDict, PdfRef, PdfStream, type PdfValue } from '../pdf/objects'

/** What an object is in the signed revision: the change analysis judges a change by its role. */
export type Role =
  | { kind: 'catalog' }
  | { kind: 'info' }
  | { kind: 'metadata' }
  | { kind: 'acroform' }
  | { kind: 'fields-array' }
  | { kind: 'page-tree-node' }
  | { kind: 'page'; page: number }
  | { kind: 'annots-array'; page: number }
  | { kind: 'field'; name: string; signature: boolean; signed: boolean }
  | { kind: 'signature-dictionary'; field: string }
  | { kind: 'dss' }
  | { kind: 'page-content'; page: number }
  | { kind: 'annotation'; page: number }

export interface DocumentMap {
  roles: Map<number, Role>
  pages: number[]
}

/** Budget of objects visited when attributing content objects to pages. */
const CONTENT_BUDGET = 20_000

/** Maps the objects of a revision to their roles: catalog, form, pages, their content, signatures. */
export function mapDocument(doc: PdfDocument): DocumentMap {
  const roles = new Map<number, Role>()
  const set = (v: PdfValue | undefined, role: Role): void => {
    if (v instanceof PdfRef && !roles.has(v.num)) roles.set(v.num, role)
  }
  const catalog = doc.catalog()
  roles.set(doc.catalogRef().num, { kind: 'catalog' })
  set(doc.trailer.get('Info'), { kind: 'info' })
  set(catalog.get('Metadata'), { kind: 'metadata' })
  set(catalog.get('DSS'), { kind: 'dss' })
  mapForm(doc, catalog, set)
  const pages = mapPages(doc, catalog, roles, set)
  return { roles, pages }
}

function mapForm(doc: PdfDocument, catalog: PdfDict, set: (v: PdfValue | undefined, r: Role) => void): void {
  const acroV = catalog.get('AcroForm')
  set(acroV, { kind: 'acroform' })
  const acro = doc.dict(acroV)
  set(acro?.get('Fields'), { kind: 'fields-array' })
  walkFields(doc, ({ value, dict, name, type }) => {
    const signed = type === 'Sig' && doc.dict(dict.get('V')) !== undefined
    set(value, { kind: 'field', name, signature: type === 'Sig', signed })
    if (type === 'Sig') set(dict.get('V'), { kind: 'signature-dictionary', field: name })
  })
}

function mapPages(doc: PdfDocument, catalog: PdfDict, roles: Map<number, Role>, set: (v: PdfValue | undefined, r: Role) => void): number[] {
  const pages: number[] = []
  const seen = new Set<number>()
  const walk = (v: PdfValue | undefined, depth: number): void => {
    if (!(v instanceof PdfRef) || seen.has(v.num) || depth > 64) return
    seen.add(v.num)
    const node = doc.dict(v)
    if (!node) return
    const kids = doc.resolve(node.get('Kids'))
    if (Array.isArray(kids)) {
      roles.set(v.num, { kind: 'page-tree-node' })
      for (const k of kids) walk(k, depth + 1)
      return
    }
    const page = pages.length
    pages.push(v.num)
    roles.set(v.num, { kind: 'page', page })
    set(node.get('Annots'), { kind: 'annots-array', page })
    const annots = doc.resolve(node.get('Annots'))
    if (Array.isArray(annots)) for (const a of annots) set(a, { kind: 'annotation', page })
  }
  walk(catalog.get('Pages'), 0)
  // Second pass: what each page draws (contents, resources, fonts, images, forms), one level of
  // resources deep, within a budget, so a change can be named by its page.
  let budget = CONTENT_BUDGET
  const mark = (v: PdfValue | undefined, page: number, depth: number): void => {
    if (budget-- <= 0 || depth > 4 || v === undefined) return
    if (v instanceof PdfRef) {
      if (roles.has(v.num)) return
      roles.set(v.num, { kind: 'page-content', page })
      mark(doc.get(v), page, depth + 1)
      return
    }
    if (Array.isArray(v)) for (const x of v) mark(x, page, depth + 1)
    else if (v instanceof PdfDict) for (const [k, x] of v.map) k !== 'Parent' && k !== 'P' && mark(x, page, depth + 1)
    else if (v instanceof PdfStream) for (const [k, x] of v.dict.map) k !== 'Length' && mark(x, page, depth + 1)
  }
  pages.forEach((num, page) => {
    const node = doc.dict(new PdfRef(num, 0))
    mark(node?.get('Contents'), page, 0)
    mark(node?.get('Resources'), page, 0)
  })
  return pages
}
