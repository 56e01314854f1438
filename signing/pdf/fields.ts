import type { PdfDocument } from './document'
import { type PdfDict, PdfName, PdfRef, PdfString, decodeTextString, type PdfValue } from './objects'

export interface FieldVisit {
  /** The field as it appears in /Fields or /Kids (a reference, or a direct dictionary). */
  value: PdfValue
  dict: PdfDict
  /** Fully qualified name (ISO 32000-2 §12.7.4.2), parts joined with '.'. */
  name: string
  /** Field type, inherited from the parents when the field has none. */
  type: string | undefined
}

/** Bounds of the walk: a hostile form must not run forever or blow the stack. */
const MAX_FIELDS = 100_000
const MAX_DEPTH = 32

/**
 * Visits every field of the AcroForm tree, parents before kids, once each (a loop of /Kids
 * references is cut), with its full name and inherited type. The one walk behind signature
 * discovery and the validator's map of roles.
 */
export function walkFields(doc: PdfDocument, visit: (f: FieldVisit) => void): void {
  const seen = new Set<number>()
  let visits = 0
  const walk = (v: PdfValue, parent: string, inherited: string | undefined, depth: number): void => {
    if (depth > MAX_DEPTH || visits >= MAX_FIELDS) return
    if (v instanceof PdfRef) {
      if (seen.has(v.num)) return
      seen.add(v.num)
    }
    const dict = doc.dict(v)
    if (!dict) return
    visits++
    const t = dict.get('T')
    const part = t instanceof PdfString ? decodeTextString(t) : ''
    const name = part ? (parent ? `${parent}.${part}` : part) : parent
    const ft = dict.get('FT')
    const type = ft instanceof PdfName ? ft.name : inherited
    visit({ value: v, dict, name, type })
    const kids = doc.resolve(dict.get('Kids'))
    if (Array.isArray(kids)) for (const k of kids) walk(k, name, type, depth + 1)
  }
  const acro = doc.dict(doc.catalog().get('AcroForm'))
  const fields = doc.resolve(acro?.get('Fields'))
  if (Array.isArray(fields)) for (const f of fields) walk(f, '', undefined, 0)
}

/**
 * The text fields Kyso creates before the first signature for what the records clerk fills at
 * issuance (issue 13; Decree 30/2020 Art. 15 and Appendix I): the number after "Số:" and the date
 * of the date line. The validator recognises their fill in the seal's revision by these names.
 */
export const ISSUANCE_FIELDS = { number: 'KysoSoVanBan', date: 'KysoNgayBanHanh' } as const
export const ISSUANCE_FIELD_NAMES: readonly string[] = Object.values(ISSUANCE_FIELDS)
