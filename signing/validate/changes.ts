import type { PdfDocument } from '../pdf/document'
import { PdfDict, PdfName, PdfRef, PdfStream, type PdfValue } from '../pdf/objects'
import { changedKeys, pdfEqual } from './equal'
import { mapDocument, type Role } from './roles'

export type ChangeKind =
  | 'metadata' | 'catalog' | 'acroform' | 'page' | 'pages' | 'page-tree' | 'content' | 'annotation'
  | 'form-field' | 'signature-field' | 'signature-dictionary' | 'removed' | 'object' | 'certification'

export interface Change {
  /** What sort of change, for readers that word it themselves (the CLI's Vietnamese report). */
  kind: ChangeKind
  /** Object number in the later revision, or null for a document-wide change (page count). */
  object: number | null
  /** 1-based page the change is on, when it can be told. */
  page: number | null
  what: string
  allowed: boolean
  /** The dictionary key that changed, or the /Subtype of an added annotation, when there is one. */
  key?: string
}

export interface ChangePolicy {
  /** DocMDP level of a certification that covers this signature: 1 none, 2 form filling, 3 + annotations. */
  docMdp?: 1 | 2 | 3
  /** FieldMDP: true when the field (fully qualified name) is locked by this signature. */
  isLocked?: (field: string) => boolean
}

/** Catalog entries a later revision may change: metadata, version, the form, DSS (ISO 32000-2 §12.8.4.3). */
const CATALOG_ALLOWED = new Set(['AcroForm', 'DSS', 'Extensions', 'Version', 'Metadata'])
const ACROFORM_ALLOWED = new Set(['Fields', 'SigFlags', 'DR', 'DA'])
const FIELD_FILL_KEYS = new Set(['V', 'AP', 'AS'])

function isContainer(v: PdfValue | undefined): boolean {
  const t = v instanceof PdfStream ? v.dict.get('Type') : undefined
  return t instanceof PdfName && (t.name === 'XRef' || t.name === 'ObjStm')
}

function entryKey(doc: PdfDocument, num: number): string {
  const e = doc.entries.get(num)
  if (!e || e.type === 0) return 'free'
  return e.type === 1 ? `1:${e.offset}` : `2:${e.stream}:${e.index}`
}

/**
 * Compares a later revision with the signed one, object by object, and judges each difference by
 * what the object is: a further signature may add its field, widget and appearance, extend the
 * AcroForm's /Fields and a page's /Annots; /Info, XMP metadata, DSS, /Extensions and /Version may
 * change; form filling only under DocMDP P=2/3 and annotations only under P=3. Everything else
 * (content, resources, pages, annotations, a changed signature dictionary) is reported as not
 * allowed, with its page where one can be told.
 */
export function analyseChanges(before: PdfDocument, after: PdfDocument, policy: ChangePolicy = {}): Change[] {
  const map = mapDocument(before)
  const out: Change[] = []
  const nums = new Set([...before.entries.keys(), ...after.entries.keys()])
  for (const num of nums) {
    if (entryKey(before, num) === entryKey(after, num)) continue
    const oldV = before.entries.get(num)?.type ? safeGet(before, num) : undefined
    const newV = after.entries.get(num)?.type ? safeGet(after, num) : undefined
    if (isContainer(newV) || isContainer(oldV)) continue
    if (oldV === undefined || oldV === null) continue // a new object: judged where it is referenced
    const role = map.roles.get(num)
    const page = role && 'page' in role ? role.page + 1 : null
    if (newV === undefined || newV === null) {
      out.push({ kind: 'removed', object: num, page, what: `${describe(role)} ${num} was removed`, allowed: false })
      continue
    }
    if (pdfEqual(oldV, newV)) continue
    out.push(...judge(num, role, oldV, newV, before, after, policy))
  }
  const pagesAfter = after.collectPages().map((r) => r.num)
  if (pagesAfter.length !== map.pages.length || pagesAfter.some((n, i) => n !== map.pages[i])) {
    out.push({ kind: 'pages', object: null, page: null, what: `the pages changed: ${map.pages.length} signed, ${pagesAfter.length} now`, allowed: false })
  }
  return out
}

function safeGet(doc: PdfDocument, num: number): PdfValue | undefined {
  try {
    return doc.get(num)
  } catch {
    return undefined
  }
}

function describe(role: Role | undefined): string {
  if (!role) return 'object'
  switch (role.kind) {
    case 'page': return `page ${role.page + 1}`
    case 'page-content': return `content of page ${role.page + 1}, object`
    case 'annotation': return `annotation on page ${role.page + 1}, object`
    case 'field': return `form field '${role.name}', object`
    case 'signature-dictionary': return `signature dictionary of '${role.field}', object`
    default: return `${role.kind} object`
  }
}

function judge(num: number, role: Role | undefined, oldV: PdfValue, newV: PdfValue, before: PdfDocument, after: PdfDocument, policy: ChangePolicy): Change[] {
  const page = role && 'page' in role ? role.page + 1 : null
  const bad = (kind: ChangeKind, what: string): Change => ({ kind, object: num, page, what, allowed: false })
  const ok = (kind: ChangeKind, what: string): Change => ({ kind, object: num, page, what, allowed: true })
  const oldD = oldV instanceof PdfDict ? oldV : undefined
  const newD = newV instanceof PdfDict ? newV : undefined
  switch (role?.kind) {
    case 'info':
    case 'metadata':
    case 'dss':
      return [ok('metadata', `${role.kind} updated`)]
    case 'catalog':
      if (!oldD || !newD) return [bad('catalog', 'the catalog was replaced')]
      return dictChanges(num, null, oldD, newD, CATALOG_ALLOWED, 'catalog', before, after, policy)
    case 'acroform':
      if (!oldD || !newD) return [bad('acroform', 'the AcroForm was replaced')]
      return dictChanges(num, null, oldD, newD, ACROFORM_ALLOWED, 'AcroForm', before, after, policy)
    case 'fields-array':
      return growth(num, null, oldV, newV, 'fields', before, after, policy)
    case 'annots-array':
      return growth(num, page, oldV, newV, 'annots', before, after, policy)
    case 'page':
      if (!oldD || !newD) return [bad('page', `page ${page} was replaced`)]
      return dictChanges(num, page, oldD, newD, new Set(['Annots']), `page ${page}`, before, after, policy)
    case 'field': {
      if (!oldD || !newD) return [bad('form-field', `form field '${role.name}' was replaced`)]
      const keys = changedKeys(oldD, newD)
      if (role.signature && !role.signed && keys.every((k) => k === 'V' || k === 'AP')) {
        // The old appearance may go only if nothing else uses it: pyHanko's "sneaky" samples hang it
        // off the catalog or the trailer so that replacing it changes what those paths show.
        const oldAp = oldD.get('AP')
        if (keys.includes('AP') && oldAp instanceof PdfRef && referencedElsewhere(before, oldAp.num, num)) {
          return [bad('signature-field', `signing '${role.name}' replaced an appearance (object ${oldAp.num}) that the document also uses elsewhere`)]
        }
        return [ok('signature-field', `empty signature field '${role.name}' signed`)]
      }
      if (role.signature) return [bad('signature-field', `signed field '${role.name}' changed (${keys.map((k) => '/' + k).join(' ')})`)]
      if (policy.isLocked?.(role.name)) return [bad('form-field', `form field '${role.name}' is locked by the signature (FieldMDP) but changed`)]
      if ((policy.docMdp ?? 1) >= 2 && keys.every((k) => FIELD_FILL_KEYS.has(k))) return [ok('form-field', `form field '${role.name}' filled (allowed by the certification)`)]
      return [bad('form-field', `form field '${role.name}' changed (${keys.map((k) => '/' + k).join(' ')})`)]
    }
    case 'signature-dictionary': {
      const keys = oldD && newD ? changedKeys(oldD, newD) : []
      return [bad('signature-dictionary', `the signature dictionary of '${role.field}' changed (${keys.map((k) => '/' + k).join(' ') || 'replaced'})`)]
    }
    case 'annotation':
      if (policy.docMdp === 3) return [ok('annotation', `annotation on page ${page} changed (allowed by the certification)`)]
      return [bad('annotation', `annotation on page ${page} changed`)]
    case 'page-content':
      return [bad('content', `content of page ${page} changed (object ${num})`)]
    case 'page-tree-node':
      return [bad('page-tree', 'the page tree changed')]
    default:
      return [bad('object', `object ${num} changed`)]
  }
}

function dictChanges(num: number, page: number | null, oldD: PdfDict, newD: PdfDict, allowed: Set<string>, label: string, before: PdfDocument, after: PdfDocument, policy: ChangePolicy): Change[] {
  const out: Change[] = []
  for (const k of changedKeys(oldD, newD)) {
    if (k === 'Annots') out.push(...growth(num, page, oldD.get(k) ?? [], newD.get(k) ?? [], 'annots', before, after, policy))
    else if (k === 'Fields') out.push(...growth(num, page, oldD.get(k) ?? [], newD.get(k) ?? [], 'fields', before, after, policy))
    else if (k === 'AcroForm' && label === 'catalog') out.push(...acroFormEntry(num, oldD.get(k), newD.get(k), before, after, policy))
    else if (k === 'NeedAppearances' && label === 'AcroForm') out.push(needAppearances(num, newD.get(k)))
    else out.push({ kind: label === 'catalog' ? 'catalog' : label === 'AcroForm' ? 'acroform' : 'page', object: num, page, what: `${label}: /${k} changed`, allowed: allowed.has(k), key: k })
  }
  return out
}

/**
 * /NeedAppearances (ISO 32000-2 §12.7.3) only asks a viewer to redraw field appearances; a signer
 * clears it so that viewers draw the signature's own appearance (poppler draws none while it is
 * set, issue 12). Clearing it is allowed; setting it after a signature is not.
 */
function needAppearances(num: number, newV: PdfValue | undefined): Change {
  const cleared = newV === undefined || newV === false
  return { kind: 'acroform', object: num, page: null, what: `AcroForm: /NeedAppearances ${cleared ? 'cleared' : 'set'}`, allowed: cleared, key: 'NeedAppearances' }
}

/** The catalog's /AcroForm: a new or direct form is judged like the AcroForm object itself. */
function acroFormEntry(num: number, oldV: PdfValue | undefined, newV: PdfValue | undefined, before: PdfDocument, after: PdfDocument, policy: ChangePolicy): Change[] {
  const oldD = before.dict(oldV) ?? new PdfDict()
  const newD = after.dict(newV)
  if (!newD) return [{ kind: 'acroform', object: num, page: null, what: 'the AcroForm was removed', allowed: false }]
  return dictChanges(num, null, oldD, newD, ACROFORM_ALLOWED, 'AcroForm', before, after, policy)
}

/** An array that may only grow by new signature fields (or widgets): nothing removed, nothing else added. */
function growth(num: number, page: number | null, oldV: PdfValue, newV: PdfValue, kind: 'fields' | 'annots', before: PdfDocument, after: PdfDocument, policy: ChangePolicy): Change[] {
  const oldArr = before.resolve(oldV)
  const newArr = after.resolve(newV)
  const olds = Array.isArray(oldArr) ? oldArr : []
  const news = Array.isArray(newArr) ? newArr : []
  const out: Change[] = []
  const key = (v: PdfValue): string => (v instanceof PdfRef ? `r${v.num}` : JSON.stringify(v))
  const newKeys = new Set(news.map(key))
  const oldKeys = new Set(olds.map(key))
  for (const o of olds) if (!newKeys.has(key(o))) out.push({ kind: kind === 'fields' ? 'form-field' : 'annotation', object: num, page, what: `${kind === 'fields' ? 'a form field' : 'an annotation'} was removed`, allowed: false })
  for (const n of news) {
    if (oldKeys.has(key(n))) continue
    const d = after.dict(n)
    const isSig = d !== undefined && isSignatureField(after, d)
    const subtype = d?.get('Subtype')
    if (isSig) out.push({ kind: 'signature-field', object: n instanceof PdfRef ? n.num : num, page, what: 'a signature field was added', allowed: true })
    else if (kind === 'annots' && policy.docMdp === 3) out.push({ kind: 'annotation', object: n instanceof PdfRef ? n.num : num, page, what: `annotation ${subtype instanceof PdfName ? '/' + subtype.name : ''} added (allowed by the certification)`, allowed: true })
    else out.push({ kind: kind === 'fields' ? 'form-field' : 'annotation', ...(subtype instanceof PdfName && { key: subtype.name }), object: n instanceof PdfRef ? n.num : num, page, what: kind === 'fields' ? 'a form field that is not a signature was added' : `annotation ${subtype instanceof PdfName ? '/' + subtype.name : ''} added${page ? ` on page ${page}` : ''}`, allowed: false })
  }
  return out
}

function isSignatureField(doc: PdfDocument, d: PdfDict): boolean {
  for (let cur: PdfDict | undefined = d, i = 0; cur && i < 16; i++) {
    const ft = cur.get('FT')
    if (ft instanceof PdfName) return ft.name === 'Sig'
    cur = doc.dict(cur.get('Parent'))
  }
  return false
}

/** Upper bound on objects read when looking for other references to an object. */
const REFERENCE_SCAN_BUDGET = 50_000

/** Whether any object other than `except` (or the trailer) refers to object `target`. */
function referencedElsewhere(doc: PdfDocument, target: number, except: number): boolean {
  const refers = (v: PdfValue | undefined, depth: number): boolean => {
    if (v === undefined || depth > 64) return false
    if (v instanceof PdfRef) return v.num === target
    if (Array.isArray(v)) return v.some((x) => refers(x, depth + 1))
    if (v instanceof PdfDict) return [...v.map.values()].some((x) => refers(x, depth + 1))
    if (v instanceof PdfStream) return refers(v.dict, depth + 1)
    return false
  }
  if (refers(doc.trailer, 0)) return true
  let budget = REFERENCE_SCAN_BUDGET
  for (const [num, e] of doc.entries) {
    if (num === except || num === target || e.type === 0) continue
    if (budget-- <= 0) return false
    if (refers(safeGet(doc, num), 0)) return true
  }
  return false
}
