import type { SignatureReport } from '../signing/verify'
import { verifyDetachedSignature } from '../signing/verify'
import { detachedSignaturesOf } from '../storage/signature-records'
import type { Services } from './context'
import { heldCrls } from './evidence'

/**
 * The approvals a document's agency keeps outside the file (issue 11, point 6): each a detached
 * CAdES signature over the exact version approved, validated like the PDF's own signatures.
 */
export async function detachedReports(
  s: Services,
  documentId: number,
): Promise<(SignatureReport & { signatureId: number; version: number })[]> {
  const rows = await detachedSignaturesOf(s.db, documentId)
  const out: (SignatureReport & { signatureId: number; version: number })[] = []
  const crls = rows.length > 0 ? await heldCrls(s) : []
  const trustAnchors = rows.length > 0 ? await s.trustAnchors() : []
  for (const r of rows) {
    const content = await s.blobs.get(r.sha256)
    const report = verifyDetachedSignature(r.cms, content, r.fieldName, { trustAnchors, crls })
    out.push({ ...report, signatureId: r.id, version: r.seq })
  }
  return out
}
