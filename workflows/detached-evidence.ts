import type { SignatureReport } from '../signing/verify'
import { verifyDetachedSignature } from '../signing/verify'
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
  const rows = (await s
    .db('signatures as g')
    .join('versions as v', 'v.id', 'g.version_id')
    .where({ 'g.document_id': documentId, 'g.form': 'detached' })
    .orderBy('g.id')
    .select('g.id', 'g.field_name', 'g.cms', 'v.sha256', 'v.seq')) as {
    id: number
    field_name: string
    cms: Buffer | Uint8Array
    sha256: string
    seq: number
  }[]
  const out: (SignatureReport & { signatureId: number; version: number })[] = []
  const crls = rows.length > 0 ? await heldCrls(s) : []
  const trustAnchors = rows.length > 0 ? await s.trustAnchors() : []
  for (const r of rows) {
    const content = await s.blobs.get(r.sha256)
    const report = verifyDetachedSignature(Buffer.from(r.cms), content, r.field_name, { trustAnchors, crls })
    out.push({ ...report, signatureId: r.id, version: r.seq })
  }
  return out
}
