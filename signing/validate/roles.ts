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
  /** An appearance stream (ISO 32000-2 §12.5.5) of a field's widget or of an annotation. */
  | {
      kind: 'appearance'
      owner: number
      page: number | null
      field?: { name: string; signature: boolean; signed: boolean }
    }

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
  mapForm(doc, catalog, set)
  const pages = mapPages(doc, catalog, roles, set)
  // Last, so that an object the pages or the form also use keeps that stricter role: a shadow
  // document must not get its page content changed as "metadata" or "revocation data".
  set(doc.trailer.get('Info'), { kind: 'info' })
  set(catalog.get('Metadata'), { kind: 'metadata' })
  mapDss(doc, catalog.get('DSS'), set)
  return { roles, pages }
}

/** Budget of objects of the DSS (ISO 32000-2 §12.8.4.3) mapped as revocation data. */
const DSS_BUDGET = 10_000

/** The DSS and what it holds: /Certs, /OCSPs, /CRLs arrays and their streams, /VRI and its entries. */
function mapDss(
  doc: PdfDocument,
  dss: PdfValue | undefined,
  set: (v: PdfValue | undefined, r: Role) => void,
): void {
  let budget = DSS_BUDGET
  const walk = (v: PdfValue | undefined, depth: number): void => {
    if (v === undefined || depth > 4 || budget-- <= 0) return
    set(v, { kind: 'dss' })
    const value = v instanceof PdfRef ? doc.resolve(v) : v
    if (Array.isArray(value)) for (const x of value) walk(x, depth + 1)
    else if (value instanceof PdfDict) for (const x of value.map.values()) walk(x, depth + 1)
  }
  walk(dss, 0)
}

/** The appearance streams of an /AP dictionary: /N, /D, /R, each a stream or a dictionary of states. */
export function appearanceRefs(doc: PdfDocument, ap: PdfValue | undefined): PdfRef[] {
  const apDict = doc.dict(ap)
  const out: PdfRef[] = []
  if (ap instanceof PdfRef) out.push(ap)
  for (const k of ['N', 'D', 'R']) {
    const v = apDict?.get(k)
    if (v instanceof PdfRef) out.push(v)
    const states = v instanceof PdfRef ? doc.resolve(v) : v
    if (states instanceof PdfDict) for (const s of states.map.values()) if (s instanceof PdfRef) out.push(s)
  }
  return out
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
    if (value instanceof PdfRef) {
      const field = { name, signature: type === 'Sig', signed }
      for (const r of appearanceRefs(doc, dict.get('AP')))
        set(r, { kind: 'appearance', owner: value.num, page: null, field })
    }
  })
}

function mapPages(
  doc: PdfDocument,
  catalog: PdfDict,
  roles: Map<number, Role>,
  set: (v: PdfValue | undefined, r: Role) => void,
): number[] {
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
    if (!Array.isArray(annots)) return
    for (const a of annots) {
      set(a, { kind: 'annotation', page })
      if (!(a instanceof PdfRef)) continue
      for (const r of appearanceRefs(doc, doc.dict(a)?.get('AP')))
        set(r, { kind: 'appearance', owner: a.num, page })
    }
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
    else if (v instanceof PdfDict)
      for (const [k, x] of v.map) k !== 'Parent' && k !== 'P' && mark(x, page, depth + 1)
    else if (v instanceof PdfStream)
      for (const [k, x] of v.dict.map) k !== 'Length' && mark(x, page, depth + 1)
  }
  pages.forEach((num, page) => {
    const node = doc.dict(new PdfRef(num, 0))
    mark(node?.get('Contents'), page, 0)
    mark(node?.get('Resources'), page, 0)
  })
  return pages
}
