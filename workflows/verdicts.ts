import { loadCrls, type ParsedCrl } from '../signing/pki/crl'
import { verifyPdf, type VerifyReport } from '../signing/verify/verify-pdf'
import type { Services } from './context'
import { refreshCoverageFacts } from './coverage-counters'

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
  await s.db.transaction(async (trx) => {
    for (const sig of report.signatures) {
      await trx('signatures').where({ document_id: documentId }).whereIn('field_name', sig.fields).update({ indication: sig.indication, sub_indication: sig.subIndication })
    }
    await refreshCoverageFacts(trx, documentId)
  })
}
