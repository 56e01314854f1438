import type { PdfDocument } from '../pdf/document'
import { type PdfDict, PdfName, PdfRef, PdfString, decodeTextString, type PdfValue } from '../pdf/objects'
import { subtypeOf } from './annotations'
import type { Context } from './rule-kit'
import type { ChangeFact } from './modification-policy'

/** Whether a field or widget dictionary belongs to a signature field (/FT inherited, §12.7.4.1). */
export function isSignatureField(doc: PdfDocument, d: PdfDict): boolean {
  for (let cur: PdfDict | undefined = d, i = 0; cur && i < 16; i++) {
    const ft = cur.get('FT')
    if (ft instanceof PdfName) return ft.name === 'Sig'
    cur = doc.dict(cur.get('Parent'))
  }
  return false
}

/** A signature field's value: a document time-stamp (ISO 32000-2 §12.8.5) or a signature. */
export function signatureKind(
  doc: PdfDocument,
  v: PdfValue | undefined,
): 'document-timestamp' | 'signature-field' {
  const sig = doc.dict(v)
  const type = sig?.get('Type')
  const sub = sig?.get('SubFilter')
  const typed = type instanceof PdfName && type.name === 'DocTimeStamp'
  return typed || (sub instanceof PdfName && sub.name === 'ETSI.RFC3161')
    ? 'document-timestamp'
    : 'signature-field'
}

/** Fully qualified name of the field a field or widget dictionary belongs to (§12.7.4.2). */
export function fieldName(doc: PdfDocument, d: PdfDict | undefined): string {
  const parts: string[] = []
  for (let cur = d, i = 0; cur && i < 32; i++, cur = doc.dict(cur.get('Parent'))) {
    const t = cur.get('T')
    if (t instanceof PdfString) parts.unshift(decodeTextString(t))
  }
  return parts.join('.')
}

/** The field a widget belongs to: itself when merged, else its /Parent (§12.7.4.1). */
function fieldOf(doc: PdfDocument, d: PdfDict): PdfDict {
  return d.has('FT') || d.has('T') ? d : (doc.dict(d.get('Parent')) ?? d)
}

/**
 * An array that grew or shrank: the AcroForm's /Fields or a page's /Annots. New signature fields
 * (and their widgets) are the signatures level; annotations added or removed are the annotations
 * level (added ones over the signed content are marked); a form field or widget removed, or a
 * field that is not a signature added, is anything else.
 */
export function growth(
  ctx: Context,
  num: number,
  pageIndex: number | null,
  oldV: PdfValue,
  newV: PdfValue,
  kind: 'fields' | 'annots',
): ChangeFact[] {
  const { before, after } = ctx
  const page = pageIndex !== null ? pageIndex + 1 : null
  const oldArr = before.resolve(oldV)
  const newArr = after.resolve(newV)
  const olds = Array.isArray(oldArr) ? oldArr : []
  const news = Array.isArray(newArr) ? newArr : []
  const out: ChangeFact[] = []
  const key = (v: PdfValue): string => (v instanceof PdfRef ? `r${v.num}` : JSON.stringify(v))
  const objectOf = (v: PdfValue): number => (v instanceof PdfRef ? v.num : num)
  const newKeys = new Set(news.map(key))
  const oldKeys = new Set(olds.map(key))
  const on = page ? ` on page ${page}` : ''
  for (const o of olds) {
    if (newKeys.has(key(o))) continue
    const d = before.dict(o)
    const sub = subtypeOf(d)
    const fact = (k: ChangeFact['kind'], level: ChangeFact['level'], what: string): ChangeFact => ({
      kind: k,
      object: objectOf(o),
      page,
      level,
      what,
    })
    if (kind === 'fields') out.push(fact('form-field', 'other', 'a form field was removed'))
    else if (sub === 'Widget' || !d) {
      const what =
        d && isSignatureField(before, d) ? 'a signature widget was removed' : 'a form widget was removed'
      out.push(fact('form-field', 'other', `${what}${on}`))
    } else
      out.push({
        ...fact('annotation', 'annotations', `annotation /${sub ?? '?'} removed${on}`),
        key: sub ?? '',
        action: 'removed',
      })
  }
  for (const n of news) {
    if (oldKeys.has(key(n))) continue
    const d = after.dict(n)
    const sub = subtypeOf(d)
    if (d && isSignatureField(after, d)) {
      const sigKind = signatureKind(after, fieldOf(after, d).get('V'))
      const what =
        sigKind === 'document-timestamp' ? 'a document timestamp was added' : 'a signature field was added'
      out.push({
        kind: sigKind,
        object: objectOf(n),
        page,
        level: 'signatures',
        what,
        newSignature: sigKind === 'signature-field',
      })
    } else if (kind === 'fields' || sub === 'Widget') {
      const what = `a form field that is not a signature was added${on}`
      out.push({ kind: 'form-field', object: objectOf(n), page, level: 'other', what })
    } else {
      const overContent = pageIndex !== null && ctx.content.covers(after, n, pageIndex)
      const what = `annotation /${sub ?? '?'} added${on}${overContent ? ', over the signed content' : ''}`
      const extra = { overContent, action: 'added' as const, ...(sub && { key: sub }) }
      out.push({ kind: 'annotation', object: objectOf(n), page, level: 'annotations', what, ...extra })
    }
  }
  return out
}
