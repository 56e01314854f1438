import { loadCrls } from '../signing/pki/crl'
import { verifyPdf, type VerifyReport } from '../signing/verify/verify-pdf'
import type { Services } from './context'

/** Validates a document's bytes with the service's trust anchors and CRLs. */
export function validateBytes(s: Services, pdf: Buffer): VerifyReport {
  return verifyPdf(pdf, { trustAnchors: s.trustAnchors(), crls: s.crls().flatMap((c) => loadCrls(c)) })
}

/** On completion: the validator's verdict for every signature of the final file, stored by field. */
export async function recordVerdicts(s: Services, documentId: number, pdf: Buffer): Promise<void> {
  const report = validateBytes(s, pdf)
  await s.db.transaction(async (trx) => {
    for (const sig of report.signatures) {
      await trx('signatures').where({ document_id: documentId }).whereIn('field_name', sig.fields).update({ indication: sig.indication, sub_indication: sig.subIndication })
    }
  })
}
