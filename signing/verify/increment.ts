import { verifyCmsSignature } from '../cms'
import { PdfDocument } from '../pdf/document'
import { analyseChanges, type Change } from '../validate/changes'
import { findRevisions } from '../validate/revisions'
import { checkByteRange } from './byte-range'
import { findSignatureFields } from './find-signatures'
import { verifyPdf, type SignatureReport, type VerifyOptions } from './verify-pdf'

/**
 * What a file returned by a signer's own tool added to the version it was given: Kyso accepts it
 * only when it is that version plus exactly one signature revision that changes nothing a
 * signature may not (issue 11, point 2). Facts only; the service decides.
 */
export interface IncrementReport {
  /** The first `base.length` bytes are exactly the base, and something follows. */
  extendsBase: boolean
  /** Revisions (`startxref N %%EOF`) after the base's last one. */
  addedRevisions: number
  /** Signatures whose signed bytes end after the base, with their validation. */
  newSignatures: (SignatureReport & { signerCertificate: string | null; certificates: string[] })[]
  /** Differences between the base and the returned file, judged as changes after a signature. */
  changes: Change[]
}

/**
 * Compares `file` with `base` (a version Kyso served): prefix, revisions, the new signatures
 * (validated with `opts`, their certificates as base64 DER) and every object the file changed.
 * Throws only on unusable input, like `verifyPdf`.
 */
export function analyseIncrement(base: Buffer, file: Buffer, opts: VerifyOptions = {}): IncrementReport {
  const extendsBase = file.length > base.length && file.subarray(0, base.length).equals(base)
  if (!extendsBase) return { extendsBase, addedRevisions: 0, newSignatures: [], changes: [] }
  // A revision is the base's when its %%EOF lies inside the base: a base ending without an
  // end-of-line after %%EOF (pdf-lib writes none) gets one from the next revision's writer.
  const addedRevisions = findRevisions(file).filter((r) => r.eofEnd > base.length).length
  const report = verifyPdf(file, opts)
  const doc = new PdfDocument(file, { allowEncrypted: true })
  const cmsOf = new Map<string, Buffer>()
  for (const f of findSignatureFields(doc)) {
    const br = checkByteRange(file, f.sig)
    if (br.cms) cmsOf.set(f.field, br.cms)
  }
  const newSignatures = report.signatures
    .filter((sig) => {
      const br = sig.byteRange
      return br !== null && br.length === 4 && (br[2] as number) + (br[3] as number) > base.length
    })
    .map((sig) => ({ ...sig, ...certificatesOf(cmsOf.get(sig.field)) }))
  // Only what a signature itself brings: a form filled or a comment added in the signer's own
  // revision is not part of signing, whatever a later validator would tolerate.
  const changes = analyseChanges(new PdfDocument(base, { allowEncrypted: true }), doc, { strict: true })
  return { extendsBase, addedRevisions, newSignatures, changes }
}

function certificatesOf(cms: Buffer | undefined): {
  signerCertificate: string | null
  certificates: string[]
} {
  if (!cms) return { signerCertificate: null, certificates: [] }
  try {
    // Only the signer's identity is wanted here (the digest was judged by verifyPdf).
    const parsed = verifyCmsSignature(cms, Buffer.alloc(32))
    const signer = parsed.signerCertificate
    return {
      signerCertificate: signer ? signer.toString('base64') : null,
      certificates: parsed.certificates.map((c) => c.toString('base64')),
    }
  } catch {
    return { signerCertificate: null, certificates: [] }
  }
}
