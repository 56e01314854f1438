import { buildBlankTextAppearance, type BlankText } from '../appearance'
import { SigningError } from '../errors'
import { uprightMatrix, type Rect, type Rotation } from '../layout/geometry'
import type { DateSlot, IssuanceSlots, NumberSlot } from '../layout/issuance-slots'
import { PdfDocument } from '../pdf/document'
import { ISSUANCE_FIELDS, walkFields } from '../pdf/fields'
import { IncrementalUpdate } from '../pdf/incremental'
import { PdfDict, PdfRef, PdfString, name, textString, type PdfValue } from '../pdf/objects'
import { pageGeometry } from './placement'

/** One issuance field as prepared: where it is and where its blanks are (form x, from its left edge). */
interface FieldPlace {
  field: string
  page: number
  /** The widget's /Rect (user space). */
  rect: Rect
  /** The form's size as displayed (upright), and the page's rotation. */
  width: number
  height: number
  rotate: Rotation
  fontSize: number
}

/** What `prepareIssuanceFields` made, kept by the service until the seal fills it (plain data). */
export interface IssuancePlan {
  number?: FieldPlace & { blank: [number, number]; notation: string }
  date?: FieldPlace & {
    day: [number, number]
    month: [number, number]
    year?: [number, number]
    printedYear?: number
  }
}

const DEFAULT_APPEARANCE = 'KysoTimes'

function place(doc: PdfDocument, field: string, slot: NumberSlot | DateSlot): FieldPlace {
  const page = doc.dict(doc.pageRef(slot.page - 1))
  if (!page) throw new SigningError('PDF_UNREADABLE', 'the first page cannot be read')
  const { rotate } = pageGeometry(doc, page)
  return {
    field,
    page: slot.page,
    rect: slot.rect,
    width: slot.box.width,
    height: slot.box.height,
    rotate,
    fontSize: slot.fontSize,
  }
}

const rel = (box: Rect, r: [number, number]): [number, number] => [r[0] - box.x, r[1] - box.x]

/** Why no field can be prepared on this file, or undefined when they can. */
function refusal(doc: PdfDocument, slots: IssuanceSlots): string | undefined {
  if (!slots.number && !slots.date) return 'no blank for the number or the date was found on the first page'
  let why: string | undefined
  walkFields(doc, ({ dict, name: n, type }) => {
    if (type === 'Sig' && doc.dict(dict.get('V')))
      why = 'the file already carries a signature: a field added now would change what it signed'
    if (n === ISSUANCE_FIELDS.number || n === ISSUANCE_FIELDS.date)
      why = 'the file already has Kyso issuance fields'
  })
  return why
}

/**
 * Kyso's own unsigned revision before the first signature (issue 13): read-only text fields (ISO
 * 32000-2 §12.7.5.3, /Ff 1 ReadOnly) over the blanks of the "Số:" line and the date line, empty,
 * each with an empty appearance. A field must exist before a signature for its later fill to be
 * form filling: validators (Kyso's, pyHanko's) refuse a form field created after one. The seal's
 * revision fills them (`writeIssuanceFill`) and locks them (FieldMDP).
 */
export function prepareIssuanceFields(
  pdf: Buffer,
  slots: IssuanceSlots,
): { pdf: Buffer; plan: IssuancePlan } | { skipped: string } {
  const doc = new PdfDocument(pdf)
  const why = refusal(doc, slots)
  if (why) return { skipped: why }
  const upd = new IncrementalUpdate(doc)
  const plan: IssuancePlan = {}
  const refs: PdfRef[] = []
  if (slots.number) {
    const p = place(doc, ISSUANCE_FIELDS.number, slots.number)
    const box = slots.number.box
    plan.number = { ...p, blank: rel(box, [box.x, box.x + box.width]), notation: slots.number.notation }
    refs.push(addField(upd, doc, p, 'Số văn bản: điền khi phát hành (sổ đăng ký văn bản đi)', 2))
  }
  if (slots.date) {
    const p = place(doc, ISSUANCE_FIELDS.date, slots.date)
    const box = slots.date.box
    plan.date = {
      ...p,
      day: rel(box, slots.date.day),
      month: rel(box, slots.date.month),
      ...(slots.date.year && { year: rel(box, slots.date.year) }),
      ...(slots.date.printedYear !== undefined && { printedYear: slots.date.printedYear }),
    }
    refs.push(addField(upd, doc, p, 'Ngày ban hành: điền khi phát hành', 0))
  }
  addToForm(upd, doc, refs)
  return { pdf: upd.write(), plan }
}

function addField(
  upd: IncrementalUpdate,
  doc: PdfDocument,
  p: FieldPlace,
  tooltip: string,
  quadding: number,
): PdfRef {
  const pageRef = doc.pageRef(p.page - 1)
  const empty = buildBlankTextAppearance(
    {
      width: p.width,
      height: p.height,
      size: p.fontSize,
      texts: [],
      matrix: uprightMatrix(p.rotate, p.width, p.height),
    },
    (v) => upd.add(v),
  )
  const field = upd.add(
    new PdfDict({
      Type: name('Annot'),
      Subtype: name('Widget'),
      FT: name('Tx'),
      T: textString(p.field),
      TU: textString(tooltip),
      Ff: 1, // ReadOnly (§12.7.4.1): nobody types into it; Kyso fills it at issuance
      F: 4, // Print
      P: pageRef,
      Rect: [p.rect.x, p.rect.y, p.rect.x + p.rect.width, p.rect.y + p.rect.height],
      DA: new PdfString(
        Buffer.from(`/${DEFAULT_APPEARANCE} ${Math.round(p.fontSize * 100) / 100} Tf 0 g`, 'latin1'),
      ),
      Q: quadding,
      AP: new PdfDict({ N: empty.ap }),
    }),
  )
  const page = upd.get(pageRef)
  if (!(page instanceof PdfDict)) throw new SigningError('PDF_UNREADABLE', 'the page is not a dictionary')
  const annots = page.get('Annots')
  const list = doc.resolve(annots)
  if (annots instanceof PdfRef && Array.isArray(list)) upd.set(annots, [...list, field])
  else upd.set(pageRef, page.clone().set('Annots', [...(Array.isArray(list) ? list : []), field]))
  return field
}

/** The fields into the AcroForm, with a default font resource for their /DA (§12.7.3.3). */
function addToForm(upd: IncrementalUpdate, doc: PdfDocument, refs: PdfRef[]): void {
  const catalogRef = doc.catalogRef()
  const acroV = doc.catalog().get('AcroForm')
  const acro =
    (acroV instanceof PdfRef ? doc.dict(acroV) : acroV instanceof PdfDict ? acroV : undefined)?.clone() ??
    new PdfDict()
  const fieldsV = acro.get('Fields')
  const fields = doc.resolve(fieldsV)
  if (fieldsV instanceof PdfRef && Array.isArray(fields)) upd.set(fieldsV, [...fields, ...refs])
  else acro.set('Fields', [...(Array.isArray(fields) ? fields : []), ...refs])
  const dr = doc.dict(acro.get('DR'))?.clone() ?? new PdfDict()
  const fonts = doc.dict(dr.get('Font'))?.clone() ?? new PdfDict()
  const times = new PdfDict({
    Type: name('Font'),
    Subtype: name('Type1'),
    BaseFont: name('Times-Roman'),
    Encoding: name('WinAnsiEncoding'),
  })
  if (!fonts.has(DEFAULT_APPEARANCE)) fonts.set(DEFAULT_APPEARANCE, times)
  acro.set('DR', dr.set('Font', fonts))
  if (!acro.has('DA')) acro.set('DA', new PdfString(Buffer.from(`/${DEFAULT_APPEARANCE} 0 Tf 0 g`, 'latin1')))
  if (acroV instanceof PdfRef) upd.set(acroV, acro)
  else upd.set(catalogRef, doc.catalog().clone().set('AcroForm', upd.add(acro)))
}

/** What is printed at issuance: the number's part before the notation, and the date's parts. */
export interface IssuanceFill {
  number?: string
  date?: { day: string; month: string; year: string }
}

export interface IssuanceFillResult {
  numberPrinted: boolean
  datePrinted: boolean
  /** A blank narrower than what went into it: the text was condensed (said in the answer). */
  condensed: boolean
  /** The fields written, for the seal's FieldMDP lock. */
  fields: string[]
}

function fieldRefs(doc: PdfDocument): Map<string, PdfRef> {
  const out = new Map<string, PdfRef>()
  walkFields(doc, ({ value, name: n }) => value instanceof PdfRef && out.set(n, value))
  return out
}

/**
 * Fills the issuance fields in the revision being written (the seal's, through `alsoWrite`): each
 * field's /V and a new /AP /N stream drawing the text into its blanks (a new stream, never one
 * rewritten in place: pyHanko accepts only that as form filling).
 */
export function writeIssuanceFill(
  upd: IncrementalUpdate,
  doc: PdfDocument,
  plan: IssuancePlan,
  fill: IssuanceFill,
): IssuanceFillResult {
  const refs = fieldRefs(doc)
  const result: IssuanceFillResult = {
    numberPrinted: false,
    datePrinted: false,
    condensed: false,
    fields: [],
  }
  const write = (p: FieldPlace, value: string, texts: BlankText[], italic = false): boolean => {
    const ref = refs.get(p.field)
    const current = ref && upd.get(ref)
    if (!ref || !(current instanceof PdfDict)) return false
    const matrix = uprightMatrix(p.rotate, p.width, p.height)
    const { ap, condensed } = buildBlankTextAppearance(
      { width: p.width, height: p.height, size: p.fontSize, texts, italic, matrix },
      (v: PdfValue) => upd.add(v),
    )
    upd.set(
      ref,
      current
        .clone()
        .set('V', textString(value))
        .set('AP', new PdfDict({ N: ap })),
    )
    result.condensed ||= condensed
    result.fields.push(p.field)
    return true
  }
  if (plan.number && fill.number) {
    const [from, to] = plan.number.blank
    result.numberPrinted = write(plan.number, fill.number, [{ text: fill.number, from, to, align: 'right' }])
  }
  if (plan.date && fill.date) {
    const d = plan.date
    const texts: BlankText[] = [
      { text: fill.date.day, from: d.day[0], to: d.day[1], align: 'center' },
      { text: fill.date.month, from: d.month[0], to: d.month[1], align: 'center' },
      ...(d.year ? [{ text: fill.date.year, from: d.year[0], to: d.year[1], align: 'center' as const }] : []),
    ]
    // Decree 30/2020, Appendix I: the place-and-date line is set in italics; its numbers too.
    result.datePrinted = write(d, `${fill.date.day}/${fill.date.month}/${fill.date.year}`, texts, true)
  }
  return result
}
