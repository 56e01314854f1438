import type { PdfDocument } from '../pdf/document'
import type { IncrementalUpdate } from '../pdf/incremental'
import { PdfDict, type PdfName, PdfRef, decodeTextString, PdfString, type PdfValue } from '../pdf/objects'
import { SigningError } from '../errors'

/**
 * Refuses a document certified with DocMDP P=1 (ISO 32000-2 §12.8.2.2: no changes permitted),
 * since any further signature would invalidate the certification.
 */
export function assertChangesPermitted(doc: PdfDocument): void {
  const perms = doc.dict(doc.catalog().get('Perms'))
  const sig = doc.dict(perms?.get('DocMDP'))
  const refs = doc.resolve(sig?.get('Reference'))
  if (!Array.isArray(refs)) return
  for (const r of refs) {
    const d = doc.dict(r)
    if ((d?.get('TransformMethod') as PdfName | undefined)?.name !== 'DocMDP') continue
    const p = doc.dict(d?.get('TransformParams'))?.get('P')
    if (p === 1)
      throw new SigningError(
        'PDF_CERTIFIED_NO_CHANGES',
        'the document is certified with "no changes allowed" (DocMDP P=1): it cannot be signed again',
      )
  }
}

/** Top-level field names already in use, so a new field gets a unique one. */
export function existingFieldNames(doc: PdfDocument): Set<string> {
  const names = new Set<string>()
  const acro = doc.dict(doc.catalog().get('AcroForm'))
  const fields = doc.resolve(acro?.get('Fields'))
  if (!Array.isArray(fields)) return names
  for (const f of fields) {
    const t = doc.dict(f)?.get('T')
    if (t instanceof PdfString) names.add(decodeTextString(t))
  }
  return names
}

export function uniqueFieldName(taken: Set<string>, base = 'Signature'): string {
  for (let i = 1; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`
}

/** Appends `item` to an array that is either direct in `holder[key]` or an indirect object. */
function appendToArray(upd: IncrementalUpdate, holder: PdfDict, key: string, item: PdfValue): PdfDict | null {
  const v = holder.get(key)
  if (v instanceof PdfRef) {
    const arr = upd.get(v)
    if (Array.isArray(arr)) {
      upd.set(v, [...arr, item])
      return null
    }
  }
  const copy = holder.clone()
  copy.set(key, Array.isArray(v) ? [...v, item] : [item])
  return copy
}

/** Adds the widget to the page's /Annots (rewriting the page or its indirect /Annots array). */
export function addWidgetToPage(upd: IncrementalUpdate, pageRef: PdfRef, widget: PdfRef): void {
  const page = upd.get(pageRef)
  if (!(page instanceof PdfDict)) throw new SigningError('PDF_UNREADABLE', 'the page is not a dictionary')
  const changed = appendToArray(upd, page, 'Annots', widget)
  if (changed) upd.set(pageRef, changed)
}

/**
 * Adds the field to the AcroForm and sets /SigFlags 3 (SignaturesExist | AppendOnly, §12.7.3):
 * rewrites the AcroForm object, or the catalog when the form is direct or missing. /NeedAppearances
 * is not carried into the signature's revision: while it is set, poppler regenerates every field's
 * appearance and draws no signature at all (issue 12); the file's fields keep their own /AP.
 */
export function addFieldToAcroForm(upd: IncrementalUpdate, doc: PdfDocument, field: PdfRef): void {
  const catalogRef = doc.catalogRef()
  const catalog = doc.catalog()
  const acroV = catalog.get('AcroForm')
  if (acroV instanceof PdfRef && upd.get(acroV) instanceof PdfDict) {
    const acro = upd.get(acroV) as PdfDict
    const changed = appendToArray(upd, acro, 'Fields', field) ?? acro.clone()
    changed.set('SigFlags', 3)
    changed.delete('NeedAppearances')
    upd.set(acroV, changed)
    return
  }
  const acro = acroV instanceof PdfDict ? acroV : new PdfDict()
  const changed = appendToArray(upd, acro, 'Fields', field) ?? acro.clone()
  changed.set('SigFlags', 3)
  changed.delete('NeedAppearances')
  upd.set(catalogRef, catalog.clone().set('AcroForm', upd.add(changed)))
}
