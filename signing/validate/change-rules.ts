import { ISSUANCE_FIELD_NAMES } from '../pdf/fields'
import {
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  decodeTextString,
  type PdfValue,
} from '../pdf/objects'
import { annotationChanges, appearanceChanges } from './annotation-rules'
import { changedKeys } from './equal'
import { growth, signatureKind } from './growth'
import type { ChangeFact } from './modification-policy'
import { referencedElsewhere } from './references'
import type { Role } from './roles'
import { differingKeys, maker, slash, type Context } from './rule-kit'
import { STRUCT_ELEMENT_KEYS, STRUCT_ROOT_KEYS, StructureTree } from './structure-tree'

/** Catalog entries a later revision may change at the signatures level (ISO 32000-2 §12.8.4.3, §14.7). */
const CATALOG_SIGNATURES = new Set(['DSS', 'Extensions', 'Version', 'Metadata'])
const CATALOG_STRUCTURE = new Set(['StructTreeRoot', 'MarkInfo'])
const ACROFORM_ALLOWED = new Set(['SigFlags', 'DR', 'DA'])
/** What signing an empty signature field sets on it (§12.7.5.5, §12.5.6.19). */
const SIGNING_KEYS = new Set(['V', 'AP', 'AS', 'F', 'DA', 'MK'])
const FIELD_FILL_KEYS = new Set(['V', 'AP', 'AS'])
/** Keys of a page-tree node that decide what pages show (§7.7.3.2, the inheritable attributes). */
const PAGE_TREE_KEYS = new Set([
  'Type',
  'Kids',
  'Count',
  'Parent',
  'Resources',
  'MediaBox',
  'CropBox',
  'Rotate',
])

/** Judges a changed object of the signed revision by its role. */
export function judgeRole(
  ctx: Context,
  num: number,
  role: Role | undefined,
  oldV: PdfValue,
  newV: PdfValue,
): ChangeFact[] {
  const page = role && 'page' in role && role.page !== null ? role.page + 1 : null
  const fact = maker(num, page)
  const oldD = oldV instanceof PdfDict ? oldV : oldV instanceof PdfStream ? oldV.dict : undefined
  const newD = newV instanceof PdfDict ? newV : newV instanceof PdfStream ? newV.dict : undefined
  switch (role?.kind) {
    case 'info':
    case 'metadata':
    case 'dss':
      return [fact('metadata', 'signatures', `${role.kind} updated`)]
    case 'catalog':
      if (!oldD || !newD) return [fact('catalog', 'other', 'the catalog was replaced')]
      return catalogChanges(ctx, num, oldD, newD)
    case 'acroform':
      if (!oldD || !newD) return [fact('acroform', 'other', 'the AcroForm was replaced')]
      return acroFormChanges(ctx, num, oldD, newD)
    case 'fields-array':
      return growth(ctx, num, null, oldV, newV, 'fields')
    case 'annots-array':
      return growth(ctx, num, role.page, oldV, newV, 'annots')
    case 'page':
      if (!oldD || !newD) return [fact('page', 'other', `page ${page} was replaced`)]
      return pageChanges(ctx, num, role.page, oldD, newD)
    case 'page-tree-node': {
      const keys = oldD && newD ? differingKeys(ctx, oldD, newD) : ['Kids']
      if (keys.length === 0) return []
      if (keys.some((k) => PAGE_TREE_KEYS.has(k)))
        return [fact('page-tree', 'other', `the page tree changed (${slash(keys)})`)]
      const what = `the page tree gained keys no reader displays (${slash(keys)})`
      return [fact('page-tree', 'signatures', what, { notable: true, key: keys[0] as string })]
    }
    case 'field':
      if (!oldD || !newD) return [fact('form-field', 'other', `form field '${role.name}' was replaced`)]
      return fieldChanges(ctx, num, role, oldD, newD)
    case 'signature-dictionary': {
      const keys = oldD && newD ? changedKeys(oldD, newD) : []
      const what = `the signature dictionary of '${role.field}' changed (${slash(keys) || 'replaced'})`
      return [fact('signature-dictionary', 'other', what)]
    }
    case 'annotation':
      return annotationChanges(ctx, num, role.page, oldD, newD)
    case 'appearance':
      return appearanceChanges(ctx, num, role)
    case 'page-content':
      return [fact('content', 'other', `content of page ${page} changed (object ${num})`)]
    default:
      return structureOrOther(ctx, num, oldV, newD)
  }
}

function catalogChanges(ctx: Context, num: number, oldD: PdfDict, newD: PdfDict): ChangeFact[] {
  const out: ChangeFact[] = []
  for (const k of differingKeys(ctx, oldD, newD)) {
    const fact = (
      level: ChangeFact['level'],
      what: string,
      kind: ChangeFact['kind'] = 'catalog',
    ): ChangeFact => ({ kind, object: num, page: null, level, what, key: k })
    if (k === 'AcroForm') out.push(...acroFormEntry(ctx, num, oldD.get(k), newD.get(k)))
    else if (CATALOG_SIGNATURES.has(k)) out.push(fact('signatures', `catalog: /${k} changed`))
    else if (CATALOG_STRUCTURE.has(k))
      out.push(fact('signatures', `catalog: /${k} changed (tagged structure)`, 'structure'))
    else if (k === 'Names' && onlyAnnotationAppearances(ctx, oldD.get(k), newD.get(k))) {
      out.push(
        fact('annotations', 'catalog: /Names /AP changed (appearances of comment icons)', 'annotation'),
      )
    } else out.push(fact('other', `catalog: /${k} changed`))
  }
  return out
}

/** The name dictionary changed only in /AP, the named appearances comment tools add (§7.7.4). */
function onlyAnnotationAppearances(
  ctx: Context,
  oldV: PdfValue | undefined,
  newV: PdfValue | undefined,
): boolean {
  const oldD = ctx.before.dict(oldV) ?? new PdfDict()
  const newD = ctx.after.dict(newV)
  return newD !== undefined && differingKeys(ctx, oldD, newD).every((k) => k === 'AP')
}

function acroFormChanges(ctx: Context, num: number, oldD: PdfDict, newD: PdfDict): ChangeFact[] {
  const out: ChangeFact[] = []
  for (const k of differingKeys(ctx, oldD, newD)) {
    if (k === 'Fields') out.push(...growth(ctx, num, null, oldD.get(k) ?? [], newD.get(k) ?? [], 'fields'))
    else if (k === 'NeedAppearances') out.push(needAppearances(num, newD.get(k)))
    else
      out.push(
        maker(num, null)(
          'acroform',
          ACROFORM_ALLOWED.has(k) ? 'signatures' : 'other',
          `AcroForm: /${k} changed`,
          { key: k },
        ),
      )
  }
  return out
}

/**
 * /NeedAppearances (ISO 32000-2 §12.7.3) only asks a viewer to redraw field appearances; a signer
 * clears it so that viewers draw the signature's own appearance (poppler draws none while it is
 * set, issue 12). Clearing it is a signature-level change; setting it after a signature is not.
 */
function needAppearances(num: number, newV: PdfValue | undefined): ChangeFact {
  const cleared = newV === undefined || newV === false
  const what = `AcroForm: /NeedAppearances ${cleared ? 'cleared' : 'set'}`
  return maker(num, null)('acroform', cleared ? 'signatures' : 'other', what, { key: 'NeedAppearances' })
}

/** The catalog's /AcroForm: a new or direct form is judged like the AcroForm object itself. */
function acroFormEntry(
  ctx: Context,
  num: number,
  oldV: PdfValue | undefined,
  newV: PdfValue | undefined,
): ChangeFact[] {
  const oldD = ctx.before.dict(oldV) ?? new PdfDict()
  const newD = ctx.after.dict(newV)
  if (!newD)
    return [{ kind: 'acroform', object: num, page: null, level: 'other', what: 'the AcroForm was removed' }]
  if (oldV instanceof PdfRef && newV instanceof PdfRef && oldV.num === newV.num) return [] // judged as its own object
  return acroFormChanges(ctx, num, oldD, newD)
}

function pageChanges(
  ctx: Context,
  num: number,
  pageIndex: number,
  oldD: PdfDict,
  newD: PdfDict,
): ChangeFact[] {
  const page = pageIndex + 1
  const fact = maker(num, page)
  const out: ChangeFact[] = []
  for (const k of differingKeys(ctx, oldD, newD)) {
    if (k === 'Annots')
      out.push(...growth(ctx, num, pageIndex, oldD.get(k) ?? [], newD.get(k) ?? [], 'annots'))
    else if (k === 'StructParents')
      out.push(
        fact('structure', 'signatures', `page ${page}: /StructParents changed (tagged structure)`, {
          key: k,
        }),
      )
    else out.push(fact('page', 'other', `page ${page}: /${k} changed`, { key: k }))
  }
  return out
}

type FieldRole = Extract<Role, { kind: 'field' }>

function fieldChanges(
  ctx: Context,
  num: number,
  role: FieldRole,
  oldD: PdfDict,
  newD: PdfDict,
): ChangeFact[] {
  const keys = differingKeys(ctx, oldD, newD)
  if (keys.length === 0) return []
  const fact = maker(num, null)
  if (role.signature && !role.signed && keys.every((k) => SIGNING_KEYS.has(k))) {
    // The old appearance may go only if nothing else uses it: pyHanko's "sneaky" samples hang it
    // off the catalog or the trailer so that replacing it changes what those paths show.
    const oldAp = oldD.get('AP')
    if (keys.includes('AP') && oldAp instanceof PdfRef && referencedElsewhere(ctx.before, oldAp.num, num)) {
      const what = `signing '${role.name}' replaced an appearance (object ${oldAp.num}) that the document also uses elsewhere`
      return [fact('signature-field', 'other', what)]
    }
    const kind = signatureKind(ctx.after, newD.get('V'))
    const newSignature = kind === 'signature-field'
    return [fact(kind, 'signatures', `empty signature field '${role.name}' signed`, { newSignature })]
  }
  if (role.signature)
    return [fact('signature-field', 'other', `signed field '${role.name}' changed (${slash(keys)})`)]
  if (ISSUANCE_FIELD_NAMES.includes(role.name)) return issuanceChanges(ctx, num, role.name, oldD, newD, keys)
  // Filling sets a value (and the appearance showing it); a new appearance with the old value
  // only changes what the field shows (the DSS-2236 "replace" shadow attack).
  if (keys.includes('V') && keys.every((k) => FIELD_FILL_KEYS.has(k))) {
    return [
      fact('form-field', 'form-filling', `form field '${role.name}' filled (${slash(keys)})`, {
        field: role.name,
      }),
    ]
  }
  return [fact('form-field', 'other', `form field '${role.name}' changed (${slash(keys)})`)]
}

function textValue(ctx: Context, doc: 'before' | 'after', v: PdfValue | undefined): string {
  const r = ctx[doc].resolve(v)
  return r instanceof PdfString ? decodeTextString(r) : ''
}

/**
 * Kyso's issuance fields (issue 13): the records clerk's number and date, empty in every revision
 * the approvers and the leader signed, filled once in the seal's revision. That fill is what the
 * policy expects (form filling, named as the issuance, no warning); once a field holds a value, a
 * signature that covered it forbids any change to it, locked or not: a number retyped after
 * issuance fails the signatures that saw the number issued (Decree 30/2020 Art. 15: one number).
 */
function issuanceChanges(
  ctx: Context,
  num: number,
  field: string,
  oldD: PdfDict,
  newD: PdfDict,
  keys: string[],
): ChangeFact[] {
  const fact = maker(num, null)
  const before = textValue(ctx, 'before', oldD.get('V'))
  const after = textValue(ctx, 'after', newD.get('V'))
  if (!keys.every((k) => FIELD_FILL_KEYS.has(k))) {
    return [fact('issuance', 'other', `issuance field '${field}' changed (${slash(keys)})`, { field })]
  }
  if (before === '' && after !== '') {
    const what = `issuance field '${field}' filled with '${after}' (the number or date given at issuance, Decree 30/2020 Art. 15)`
    return [fact('issuance', 'form-filling', what, { field, expected: true })]
  }
  const what = `issuance field '${field}' changed from '${before}' to '${after}' after it was issued`
  return [fact('issuance', 'other', what, { field })]
}

/** Objects with no role of their own: the tagged structure (§14.7), or anything else. */
function structureOrOther(
  ctx: Context,
  num: number,
  oldV: PdfValue,
  newD: PdfDict | undefined,
): ChangeFact[] {
  const fact = (level: ChangeFact['level'], what: string): ChangeFact => ({
    kind: level === 'other' ? 'object' : 'structure',
    object: num,
    page: null,
    level,
    what,
  })
  const oldD = oldV instanceof PdfDict ? oldV : undefined
  const isRoot = num === ctx.structure.rootNum()
  if ((isRoot || StructureTree.isElement(oldD)) && oldD && newD) {
    const keys = differingKeys(ctx, oldD, newD)
    const allowed = isRoot ? STRUCT_ROOT_KEYS : STRUCT_ELEMENT_KEYS
    const what = `${isRoot ? 'the structure tree root' : `structure element ${num}`}: ${slash(keys)} changed`
    return [fact(keys.every((k) => allowed.has(k)) ? 'signatures' : 'other', what)]
  }
  if (ctx.structure.inParentTree(num))
    return [fact('signatures', `the structure parent tree changed (object ${num})`)]
  const type = oldD?.get('Type')
  return [fact('other', `object ${num}${type instanceof PdfName ? ` (/${type.name})` : ''} changed`)]
}
