import type { PdfDocument } from '../pdf/document'
import { PdfDict, PdfName, PdfRef, PdfString, decodeTextString, type PdfValue } from '../pdf/objects'

export interface SignatureField {
  /** Fully qualified field name (§12.7.4.2), parts joined with '.'. */
  field: string
  sigRef?: PdfRef
  sig: PdfDict
  /** The field dictionary itself (for its /Lock). */
  fieldDict: PdfDict
}

const MAX_FIELDS = 100_000

/** Every signature field with a value, walking the AcroForm field tree with loop protection. */
export function findSignatureFields(doc: PdfDocument): SignatureField[] {
  const out: SignatureField[] = []
  const seen = new Set<number>()
  const acro = doc.dict(doc.catalog().get('AcroForm'))
  const walk = (v: PdfValue, parentName: string, inheritedFt: string | undefined, depth: number): void => {
    if (out.length > MAX_FIELDS || depth > 32) return
    if (v instanceof PdfRef) {
      if (seen.has(v.num)) return
      seen.add(v.num)
    }
    const f = doc.dict(v)
    if (!f) return
    const t = f.get('T')
    const partial = t instanceof PdfString ? decodeTextString(t) : ''
    const fullName = partial ? (parentName ? `${parentName}.${partial}` : partial) : parentName
    const ftV = f.get('FT')
    const ft = ftV instanceof PdfName ? ftV.name : inheritedFt
    const kids = doc.resolve(f.get('Kids'))
    if (Array.isArray(kids)) for (const k of kids) walk(k, fullName, ft, depth + 1)
    if (ft !== 'Sig') return
    const sigV = f.get('V')
    const sig = doc.dict(sigV)
    if (sig && (sig.has('ByteRange') || sig.has('Contents'))) out.push({ field: fullName, ...(sigV instanceof PdfRef && { sigRef: sigV }), sig, fieldDict: f })
  }
  const fields = doc.resolve(acro?.get('Fields'))
  if (Array.isArray(fields)) for (const f of fields) walk(f, '', undefined, 0)
  return out
}
