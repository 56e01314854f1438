import type { PdfDocument } from '../pdf/document'
import { type PdfDict, PdfRef, type PdfValue } from '../pdf/objects'
import { annotationsOn, subtypeOf } from './annotations'
import { differingKeys, maker, slash, type Context } from './rule-kit'
import { sameAcross } from './equal'
import { fieldName, isSignatureField } from './growth'
import type { ChangeFact } from './modification-policy'
import { referencedElsewhere } from './references'
import type { Role } from './roles'

/**
 * An annotation of the signed revision changed in place. One no longer on its page was removed
 * (judged where /Annots changed); a widget is a form field's; /StructParent is tagging.
 */
export function annotationChanges(
  ctx: Context,
  num: number,
  pageIndex: number,
  oldD?: PdfDict,
  newD?: PdfDict,
): ChangeFact[] {
  const page = pageIndex + 1
  const pageNum = ctx.map.pages[pageIndex]
  if (pageNum === undefined || !annotationsOn(ctx.after, pageNum).has(num)) return []
  const keys = oldD && newD ? differingKeys(ctx, oldD, newD) : ['Subtype']
  if (keys.length === 0) return []
  const fact = maker(num, page)
  if (keys.every((k) => k === 'StructParent')) {
    return [fact('structure', 'signatures', `annotation ${num}: /StructParent changed (tagged structure)`)]
  }
  if (subtypeOf(oldD) === 'Widget') {
    if (newD && isSignatureField(ctx.after, newD)) {
      return [fact('signature-field', 'other', `a signature widget on page ${page} changed (${slash(keys)})`)]
    }
    if (keys.every((k) => k === 'AP' || k === 'AS') && valueChanged(ctx, num)) {
      const field = fieldName(ctx.after, newD)
      return [
        fact(
          'form-field',
          'form-filling',
          `a widget of form field '${field}' on page ${page} shows its new value`,
          { field },
        ),
      ]
    }
    return [fact('form-field', 'other', `a form widget on page ${page} changed (${slash(keys)})`)]
  }
  const overContent = ctx.content.covers(ctx.after, new PdfRef(num, 0), pageIndex)
  const over = overContent ? ', over the signed content' : ''
  const what = `annotation /${subtypeOf(newD) ?? '?'} ${num} on page ${page} changed (${slash(keys)})${over}`
  return [
    fact('annotation', 'annotations', what, { overContent, key: subtypeOf(newD) ?? '', action: 'changed' }),
  ]
}

/** An appearance stream rewritten in place: of a field being signed or filled, or of an annotation. */
export function appearanceChanges(
  ctx: Context,
  num: number,
  role: Extract<Role, { kind: 'appearance' }>,
): ChangeFact[] {
  const fact = maker(num, role.page !== null ? role.page + 1 : null)
  const f = role.field
  if (f && (f.signed || sharedAppearance(ctx, num, role.owner))) {
    const what = `the appearance (object ${num}) of ${f.signed ? 'signed ' : ''}field '${f.name}' changed`
    return [fact(f.signature ? 'signature-field' : 'form-field', 'other', what)]
  }
  if (f?.signature) {
    const signedNow = ctx.after.dict(ctx.after.dict(new PdfRef(role.owner, 0))?.get('V')) !== undefined
    if (!signedNow)
      return [fact('signature-field', 'other', `the appearance of empty signature field '${f.name}' changed`)]
    return [
      fact(
        'signature-field',
        'signatures',
        `the appearance of signature field '${f.name}' replaced as it was signed`,
      ),
    ]
  }
  if (f && valueChanged(ctx, role.owner)) {
    return [
      fact('form-field', 'form-filling', `the appearance of form field '${f.name}' changed with its value`, {
        field: f.name,
      }),
    ]
  }
  if (f)
    return [
      fact('form-field', 'other', `the appearance of form field '${f.name}' changed, its value did not`),
    ]
  const pageNum = role.page !== null ? ctx.map.pages[role.page] : undefined
  if (role.page === null || pageNum === undefined)
    return [fact('object', 'other', `appearance object ${num} changed`)]
  if (!annotationsOn(ctx.after, pageNum).has(role.owner)) return []
  const overContent = ctx.content.covers(ctx.after, new PdfRef(role.owner, 0), role.page)
  const over = overContent ? ', over the signed content' : ''
  const what = `the appearance of annotation ${role.owner} on page ${role.page + 1} changed${over}`
  return [fact('annotation', 'annotations', what, { overContent, action: 'changed' })]
}

/**
 * Whether an appearance stream is also shown elsewhere: referenced by anything but its widget and
 * the widget's own /AP dictionary, or through an /AP dictionary that something else shares.
 */
function sharedAppearance(ctx: Context, num: number, owner: number): boolean {
  const apDict = ctx.before.dict(new PdfRef(owner, 0))?.get('AP')
  const own = new Set([owner, ...(apDict instanceof PdfRef ? [apDict.num] : [])])
  if (referencedElsewhere(ctx.before, num, own)) return true
  return apDict instanceof PdfRef && referencedElsewhere(ctx.before, apDict.num, owner)
}

/** Whether the field of a widget (itself, or its /Parent) has a new value (§12.7.4: /V is inheritable). */
function valueChanged(ctx: Context, widget: number): boolean {
  const fieldValue = (doc: PdfDocument): PdfValue | undefined => {
    for (let d = doc.dict(new PdfRef(widget, 0)), i = 0; d && i < 16; i++, d = doc.dict(d.get('Parent'))) {
      if (d.has('V')) return d.get('V')
    }
    return undefined
  }
  return !sameAcross(ctx.before, fieldValue(ctx.before), ctx.after, fieldValue(ctx.after))
}
