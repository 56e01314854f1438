import { SigningError } from '../errors'
import { PdfDocument } from '../pdf/document'
import { IncrementalUpdate } from '../pdf/incremental'
import { PdfDict, PdfStream, PdfString, name, textString } from '../pdf/objects'
import { digestRanges, writeByteRange, writeContents } from './fill'
import { addFieldToAcroForm, addWidgetToPage, existingFieldNames, uniqueFieldName } from './form'

export interface TimestampPdfOptions {
  /**
   * Returns an RFC 3161 TimeStampToken whose message imprint is `imprint`, the SHA-256 of the
   * ByteRange bytes (ISO 32000-2 §12.8.5): e.g. `imprint => createTimestampToken({ imprint, keySource })`
   * for the built-in TSA, or `httpTsaForImprint(url)` for a remote one.
   */
  timestamp: (imprint: Buffer) => Promise<Buffer>
  /** Bytes reserved for the token (default 16 KB: a token with its TSA chain). */
  reserveBytes?: number
  fieldName?: string
}

export interface TimestampPdfResult {
  pdf: Buffer
  fieldName: string
  byteRange: [number, number, number, number]
}

/**
 * Appends a document time-stamp (ISO 32000-2 §12.8.5, ETSI EN 319 142-1 §5.4, PAdES B-LTA) as a
 * new revision: an invisible signature field whose value is a /Type /DocTimeStamp dictionary with
 * /SubFilter /ETSI.RFC3161, its /Contents the token over the SHA-256 of the ByteRange bytes. The
 * first `pdf.length` bytes of the result are the input. Allowed even on a document certified with
 * DocMDP P=1 (EN 319 142-1 §5.4: document time-stamps and DSS are not changes of the document).
 *
 * @example
 * const timestamp = (imprint: Buffer) => createTimestampToken({ imprint, keySource: tsaKey })
 * const { pdf: stamped } = await timestampPdf(signed, { timestamp })
 */
export async function timestampPdf(pdf: Buffer, opts: TimestampPdfOptions): Promise<TimestampPdfResult> {
  // 1. The revision: time-stamp dictionary with placeholders, invisible widget on page 1, form.
  const doc = new PdfDocument(pdf)
  const upd = new IncrementalUpdate(doc)
  const fieldName = opts.fieldName ?? uniqueFieldName(existingFieldNames(doc), 'Timestamp')
  const placeholder = name('**********')
  const tsRef = upd.add(
    new PdfDict({
      Type: name('DocTimeStamp'),
      Filter: name('Adobe.PPKLite'),
      SubFilter: name('ETSI.RFC3161'),
      ByteRange: [0, placeholder, placeholder, placeholder],
      Contents: new PdfString(Buffer.alloc(opts.reserveBytes ?? 16384), true),
    }),
  )
  const pageRef = doc.pageRef(0)
  const emptyForm = new PdfDict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 0, 0] })
  const empty = upd.add(new PdfStream(emptyForm, Buffer.alloc(0)))
  const widget = upd.add(
    new PdfDict({
      Type: name('Annot'),
      Subtype: name('Widget'),
      FT: name('Sig'),
      T: textString(fieldName),
      V: tsRef,
      F: 132,
      P: pageRef,
      Rect: [0, 0, 0, 0],
      AP: new PdfDict({ N: empty }),
    }),
  )
  addWidgetToPage(upd, pageRef, widget)
  addFieldToAcroForm(upd, doc, widget)
  const out = upd.write()
  // 2. The ByteRange and its digest, where the bytes lie.
  const placed = writeByteRange(out, pdf.length)
  // 3. The token over that digest, written into /Contents in place.
  const token = await opts.timestamp(digestRanges(out, placed))
  if (!Buffer.isBuffer(token) || token[0] !== 0x30) {
    throw new SigningError('TSA_FAILED', 'the time-stamp source returned something that is not a token')
  }
  writeContents(out, placed, token)
  return { pdf: out, fieldName, byteRange: placed.byteRange }
}
