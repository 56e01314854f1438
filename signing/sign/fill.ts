import { createHash } from 'node:crypto'
import { SigningError } from '../errors'

export const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 /********** /********** /**********]'

export interface PreparedSignature {
  /** Where the /Contents hex string starts ('<') and ends (after '>'). */
  contentsStart: number
  contentsEnd: number
  byteRange: [number, number, number, number]
}

/**
 * Writes the real /ByteRange over its placeholder, in place, in the revision we just wrote
 * (searching only from `revisionStart`, so earlier revisions are never looked at or touched).
 * ISO 32000-2 §12.8.1: the range covers the whole file except the /Contents hex string.
 */
export function writeByteRange(pdf: Buffer, revisionStart: number): PreparedSignature {
  const at = pdf.indexOf(BYTE_RANGE_PLACEHOLDER, revisionStart, 'latin1')
  if (at < 0) throw new SigningError('PDF_UNREADABLE', 'signature placeholder not found in the new revision')
  const contentsKey = pdf.indexOf('/Contents <', at, 'latin1')
  const contentsStart = contentsKey + '/Contents '.length
  const contentsEnd = pdf.indexOf('>', contentsStart, 'latin1') + 1
  const byteRange: [number, number, number, number] = [
    0,
    contentsStart,
    contentsEnd,
    pdf.length - contentsEnd,
  ]
  const text = `/ByteRange [${byteRange.join(' ')}]`.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' ')
  if (text.length > BYTE_RANGE_PLACEHOLDER.length)
    throw new SigningError('PDF_TOO_LARGE', 'the file is too large for a ByteRange')
  pdf.write(text, at, 'latin1')
  return { contentsStart, contentsEnd, byteRange }
}

/** SHA-256 over the two signed ranges, hashed where they lie (no copy of the file). */
export function digestRanges(pdf: Buffer, p: PreparedSignature): Buffer {
  const [a, b, c, d] = p.byteRange
  return createHash('sha256')
    .update(pdf.subarray(a, a + b))
    .update(pdf.subarray(c, c + d))
    .digest()
}

/** Puts the CMS into /Contents as upper-case hex, zero-padded to the reserved size. */
export function writeContents(pdf: Buffer, p: PreparedSignature, cms: Buffer): void {
  const room = (p.contentsEnd - p.contentsStart - 2) / 2
  if (cms.length > room)
    throw new SigningError(
      'SIGNATURE_TOO_LARGE',
      `the signature (${cms.length} bytes) does not fit the ${room} bytes reserved`,
    )
  pdf.write(cms.toString('hex').toUpperCase(), p.contentsStart + 1, 'latin1')
}
