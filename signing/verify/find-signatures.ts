import type { PdfDocument } from '../pdf/document'
import { walkFields } from '../pdf/fields'
import { type PdfDict, PdfRef } from '../pdf/objects'

export interface SignatureField {
  /** Fully qualified field name (§12.7.4.2), parts joined with '.'. */
  field: string
  sigRef?: PdfRef
  sig: PdfDict
  /** The field dictionary itself (for its /Lock). */
  fieldDict: PdfDict
}

/** Every signature field with a value (a field naming no dictionary is not a signature). */
export function findSignatureFields(doc: PdfDocument): SignatureField[] {
  const out: SignatureField[] = []
  walkFields(doc, ({ dict, name, type }) => {
    if (type !== 'Sig') return
    const sigV = dict.get('V')
    const sig = doc.dict(sigV)
    if (sig && (sig.has('ByteRange') || sig.has('Contents')))
      out.push({ field: name, ...(sigV instanceof PdfRef && { sigRef: sigV }), sig, fieldDict: dict })
  })
  return out
}
