import { loadCrls, type ParsedCrl } from '../signing/pki/crl'
import { verifyPdf, type VerifyReport } from '../signing/verify/verify-pdf'
import type { Services } from './context'

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
    const doc = (await trx('documents').where({ id: documentId }).first('agency_id')) as { agency_id: number }
    const wf = (await trx('workflows').where({ document_id: documentId, status: 'completed' }).orderBy('round', 'desc').first('id')) as { id: number } | undefined
    const steps = wf ? ((await trx('steps').where({ workflow_id: wf.id }).select('id', 'action')) as { id: number; action: string }[]) : []
    const sigs = (await trx('signatures as g').join('certificates as c', 'c.id', 'g.certificate_id').whereIn('g.step_id', steps.map((x) => x.id))
      .select('g.step_id', 'g.indication', 'c.kind', 'c.agency_id')) as { step_id: number; indication: string | null; kind: string; agency_id: number }[]
    const fullySigned = steps.length > 0 && steps.every((st) => sigs.some((g) => g.step_id === st.id)) && sigs.every((g) => g.indication === 'PASSED')
    const sealPassed = sigs.some((g) => g.kind === 'seal' && g.agency_id === doc.agency_id && g.indication === 'PASSED')
    await trx('documents').where({ id: documentId }).update({ fully_signed: fullySigned, seal_passed: sealPassed })
  })
}
