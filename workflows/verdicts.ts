import { verifyPdfIsolated } from '../signing/verify/isolated'
import type { SignatureReport, VerifyReport } from '../signing/verify/verify-pdf'
import type { Services } from './context'
import { refreshCoverageFacts } from '../storage/coverage-counters'
import { issuedWithoutVerdicts, setForeignSignatures } from '../storage/document-records'
import { inFileSignatureFields, setInFileVerdict, setSignatureVerdict } from '../storage/signature-records'
import { inTransaction } from '../storage/transaction'
import { extensionTimestampFields } from '../storage/version-records'
import { detachedReports } from './detached-evidence'
import { heldCrls } from './evidence'
import { latestVersion } from './step-turn'

/**
 * Validates a document's bytes with the service's trust anchors and the CRLs it holds, in the
 * isolated worker with its time and memory limits, as the verification route does (issue 16): a
 * final file is as untrusted as any upload, since it carries what the drafter uploaded.
 */
export async function validateBytes(s: Services, pdf: Buffer): Promise<VerifyReport> {
  const crls = (await heldCrls(s)).map((c) => c.der)
  const input = { pdf, trustAnchors: await s.trustAnchors(), crls }
  return verifyPdfIsolated(input, { timeoutMs: s.config.validationTimeoutMs })
}

/** A signature of the final file that no step made (it came with the upload), as judged. */
export interface ForeignSignature {
  field: string
  signer: string | null
  indication: string
  subIndication: string | null
}

/** The report's signatures whose fields are none of the chain's own signature fields. */
export function foreignSignatures(signatures: SignatureReport[], ownFields: Set<string>): ForeignSignature[] {
  return signatures
    .filter((sig) => !sig.fields.some((f) => ownFields.has(f)))
    .map((sig) => ({
      field: sig.field,
      signer: sig.signer,
      indication: sig.indication,
      subIndication: sig.subIndication,
    }))
}

/**
 * On completion: the validator's verdict for every signature of the final file, stored by field,
 * the verdicts on signatures that came with the upload (issue 14: a FAILED one means the document
 * is not fully signed), and the document's two coverage facts (fully signed; a PASSED seal of its
 * own agency).
 */
export async function recordVerdicts(s: Services, documentId: number, pdf: Buffer): Promise<void> {
  const report = await validateBytes(s, pdf)
  const detached = await detachedReports(s, documentId)
  for (const sig of [...report.signatures, ...detached]) s.metrics?.validated(sig.indication)
  await inTransaction(s.db, async (trx) => {
    const own = await inFileSignatureFields(trx, documentId)
    // The document time-stamps Kyso added when it extended the file (issue 18) are its own too.
    own.push(...(await extensionTimestampFields(trx, documentId)))
    const foreign = JSON.stringify(foreignSignatures(report.signatures, new Set(own)))
    await setForeignSignatures(trx, documentId, foreign)
    for (const sig of report.signatures) await setInFileVerdict(trx, documentId, sig.fields, sig)
    for (const sig of detached) await setSignatureVerdict(trx, sig.signatureId, sig)
    await refreshCoverageFacts(trx, documentId)
  })
}

/**
 * Issued documents with a signature whose verdict was never stored (the instance stopped between
 * the last signature's commit and the validation after the response): validated now, at start-up.
 */
export async function recordMissingVerdicts(s: Services, limit = 200): Promise<number> {
  const ids = await issuedWithoutVerdicts(s.db, limit)
  for (const id of ids) {
    const v = await latestVersion(s.db, id)
    await recordVerdicts(s, id, await s.blobs.get(v.sha256))
  }
  return ids.length
}
