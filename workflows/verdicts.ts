import { loadCrls, type ParsedCrl } from '../signing/pki/crl'
import { verifyPdf, type VerifyReport } from '../signing/verify/verify-pdf'
import type { Services } from './context'
import { refreshCoverageFacts } from './coverage-counters'
import { latestVersion } from './documents'

let parsed: { source: Buffer[]; crls: ParsedCrl[] } | undefined

/** The service's CRLs, parsed again only when their bytes change (a revocation rewrites them). */
export function serviceCrls(s: Services): ParsedCrl[] {
  const source = s.crls()
  if (!parsed || parsed.source.length !== source.length || parsed.source.some((b, i) => !b.equals(source[i] as Buffer))) {
    parsed = { source, crls: source.flatMap((c) => loadCrls(c)) }
  }
  return parsed.crls
}

/** Validates a document's bytes with the service's trust anchors and CRLs. */
export function validateBytes(s: Services, pdf: Buffer): VerifyReport {
  return verifyPdf(pdf, { trustAnchors: s.trustAnchors(), crls: serviceCrls(s) })
}

/**
 * On completion: the validator's verdict for every signature of the final file, stored by field,
 * and the document's two coverage facts (fully signed; a PASSED seal of its own agency).
 */
export async function recordVerdicts(s: Services, documentId: number, pdf: Buffer): Promise<void> {
  const report = validateBytes(s, pdf)
  for (const sig of report.signatures) s.metrics?.validated(sig.indication)
  await s.db.transaction(async (trx) => {
    for (const sig of report.signatures) {
      await trx('signatures').where({ document_id: documentId }).whereIn('field_name', sig.fields).update({ indication: sig.indication, sub_indication: sig.subIndication })
    }
    await refreshCoverageFacts(trx, documentId)
  })
}

/**
 * Issued documents with a signature whose verdict was never stored (the instance stopped between
 * the last signature's commit and the validation after the response): validated now, at start-up.
 */
export async function recordMissingVerdicts(s: Services, limit = 200): Promise<number> {
  const ids = (await s.db('documents as d').join('signatures as g', 'g.document_id', 'd.id').where('d.status', 'issued').whereNull('g.indication')
    .distinct('d.id').orderBy('d.id').limit(limit).pluck('d.id')) as number[]
  for (const id of ids) {
    const v = await latestVersion(s, id)
    await recordVerdicts(s, id, await s.blobs.get(v.sha256))
  }
  return ids.length
}
