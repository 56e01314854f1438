import type { PdfDict } from '../pdf/objects'
import { PdfString } from '../pdf/objects'

export interface ByteRangeCheck {
  ok: boolean
  byteRange: number[] | null
  cms: Buffer | null
  problem?: string
}

/** Length of the DER element at the start of `b` (the CMS is zero-padded inside /Contents). */
function derLength(b: Buffer): number | null {
  if (b.length < 2 || b[0] !== 0x30) return null
  const first = b[1] as number
  if (first < 0x80) return 2 + first
  // BER indefinite length (some tools write it): the CMS parser finds the end-of-contents itself.
  if (first === 0x80) return b.length
  const n = first & 0x7f
  if (n === 0 || n > 4 || b.length < 2 + n) return null
  let len = 0
  for (let i = 0; i < n; i++) len = len * 256 + (b[2 + i] as number)
  return 2 + n + len <= b.length ? 2 + n + len : null
}

/**
 * ISO 32000-2 §12.8.1: the ByteRange is four non-negative integers starting at 0, the gap between
 * the two ranges is exactly the /Contents hex string, and nothing lies outside the file. A missing
 * or malformed value fails the signature (the Universal Signature Forgery family).
 */
export function checkByteRange(pdf: Buffer, sig: PdfDict): ByteRangeCheck {
  const br = sig.get('ByteRange')
  const contents = sig.get('Contents')
  if (
    !Array.isArray(br) ||
    br.length !== 4 ||
    !br.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)
  ) {
    return { ok: false, byteRange: null, cms: null, problem: 'the ByteRange is missing or malformed' }
  }
  const [a, b, c, d] = br as [number, number, number, number]
  if (a !== 0 || b <= 0 || c <= b || d < 0 || c + d > pdf.length) {
    return {
      ok: false,
      byteRange: br as number[],
      cms: null,
      problem: 'the ByteRange does not describe two ranges of this file around the signature',
    }
  }
  if (
    pdf[b] !== 0x3c ||
    pdf[c - 1] !== 0x3e ||
    !/^[0-9a-fA-F\s]*$/.test(pdf.toString('latin1', b + 1, c - 1))
  ) {
    return {
      ok: false,
      byteRange: br as number[],
      cms: null,
      problem: 'the gap in the ByteRange is not exactly the /Contents hex string',
    }
  }
  if (!(contents instanceof PdfString) || contents.bytes.length === 0) {
    return { ok: false, byteRange: br as number[], cms: null, problem: '/Contents is missing or empty' }
  }
  const gapBytes = Buffer.from(pdf.toString('latin1', b + 1, c - 1).replace(/\s+/g, ''), 'hex')
  if (!gapBytes.equals(contents.bytes)) {
    return {
      ok: false,
      byteRange: br as number[],
      cms: null,
      problem: "the signature dictionary's /Contents is not the one at the ByteRange gap",
    }
  }
  const len = derLength(contents.bytes)
  if (len === null)
    return { ok: false, byteRange: br as number[], cms: null, problem: '/Contents is not DER' }
  return { ok: true, byteRange: br as number[], cms: contents.bytes.subarray(0, len) }
}
