import type { PdfDocument } from '../pdf/document'
import { type PdfDict, PdfName, PdfRef, PdfString, decodeTextString, type PdfValue } from '../pdf/objects'

/** The document's certification (ISO 32000-2 §12.8.2.2): which signature dictionary, and its P. */
export function docMdpOf(doc: PdfDocument): { sigNum: number | null; p: 1 | 2 | 3 } | null {
  const perms = doc.dict(doc.catalog().get('Perms'))
  const sigV = perms?.get('DocMDP')
  const sig = doc.dict(sigV)
  if (!sig) return null
  let p: 1 | 2 | 3 = 2
  const refs = doc.resolve(sig.get('Reference'))
  if (Array.isArray(refs)) {
    for (const r of refs) {
      const d = doc.dict(r)
      if ((d?.get('TransformMethod') as PdfName | undefined)?.name !== 'DocMDP') continue
      const pv = doc.dict(d?.get('TransformParams'))?.get('P')
      if (pv === 1 || pv === 2 || pv === 3) p = pv
    }
  }
  return { sigNum: sigV instanceof PdfRef ? sigV.num : null, p }
}

function names(doc: PdfDocument, v: PdfValue | undefined): string[] {
  const arr = doc.resolve(v)
  return Array.isArray(arr)
    ? arr.filter((x): x is PdfString => x instanceof PdfString).map(decodeTextString)
    : []
}

/**
 * FieldMDP locks of one signature (§12.8.2.4 and the field's /Lock, §12.7.5.5): a predicate that
 * says whether a field (fully qualified name) may no longer change. A lock on "a" covers "a.b".
 */
export function fieldLocks(
  doc: PdfDocument,
  sig: PdfDict,
  field: PdfDict | undefined,
): (name: string) => boolean {
  const rules: { action: string; fields: string[] }[] = []
  const add = (params: PdfDict | undefined): void => {
    const action = params?.get('Action')
    if (action instanceof PdfName)
      rules.push({ action: action.name, fields: names(doc, params?.get('Fields')) })
  }
  const refs = doc.resolve(sig.get('Reference'))
  if (Array.isArray(refs)) {
    for (const r of refs) {
      const d = doc.dict(r)
      if ((d?.get('TransformMethod') as PdfName | undefined)?.name === 'FieldMDP')
        add(doc.dict(d?.get('TransformParams')))
    }
  }
  add(doc.dict(field?.get('Lock')))
  const covers = (list: string[], name: string): boolean =>
    list.some((f) => name === f || name.startsWith(f + '.'))
  return (name) =>
    rules.some((r) =>
      r.action === 'All'
        ? true
        : r.action === 'Include'
          ? covers(r.fields, name)
          : r.action === 'Exclude'
            ? !covers(r.fields, name)
            : false,
    )
}
