import { appendAudit } from '../storage/audit'
import { retryingTransaction } from '../storage/db'
import {
  lockDocument,
  recordSignatureOnDocument,
  type SignedDocumentUpdate,
} from '../storage/document-records'
import { insertSignature } from '../storage/signature-records'
import { completeSigningSession } from '../storage/signing-sessions'
import {
  activateStep,
  claimAssignment,
  completeStep,
  nextStepOf,
  pendingAssignees,
  skipPendingAssignees,
  stepStatus,
} from '../storage/step-records'
import type { Tx } from '../storage/transaction'
import { insertVersion } from '../storage/version-records'
import { completeWorkflow } from '../storage/workflow-records'
import type { Actor, Services } from './context'
import { bumpDaily } from '../storage/coverage-counters'
import { WorkflowError } from '../shared/errors'
import type { SignatureEvidence } from './evidence'
import { completeIssuance, ISSUANCE_GRACE_MS } from './extend-document'
import type { IssuanceOutcome } from './issuance'
import { useReservation } from './outgoing-register'
import { latestVersion, type IssuanceInput, type StepRow, type Turn } from './step-turn'

/** What a way of signing produced for a step, ready to be recorded. */
export interface StepSignature {
  /** The new version: the previous one plus one signature revision. Absent for a detached approval. */
  pdf?: Buffer
  /** A detached CAdES signature over the step's version (an approval kept as evidence). */
  detachedCms?: Buffer
  /** The signature's field in the PDF, or a label for a detached one. */
  fieldName: string
  certificateId: number
  evidence: SignatureEvidence
  /** A two-phase or remote signing session this signature completes (used once). */
  sessionId?: string
}

export interface StepSignedResult {
  documentId: number
  stepId: number
  version: number
  field: string
  status: 'issued' | 'in_progress'
  keySource: string
  form: 'in-file' | 'detached'
  /** A seal (issue 13): the number and date it issued the document under, and whether they were printed. */
  outgoingNumber?: string
  outgoingDate?: string
  numberPrinted?: boolean
  datePrinted?: boolean
  issuanceNotes?: string[]
}

export interface CommitInput extends IssuanceInput {
  comment?: string
  /** A seal's register entry (reserved before signing) and what its revision printed. */
  issuance?: IssuanceOutcome & { entryId: number }
}

/**
 * Records a signature made for a step, whatever held the key. Steps:
 *  1. outside any transaction: the new bytes must extend the signed version exactly; store them;
 *  2. in one transaction: claim the assignment (of concurrent requests one wins, the rest get
 *     CONFLICT), claim the signing session if any (used once), check nobody added a version
 *     meanwhile, record the version and the signature with its evidence, advance the chain,
 *     write the audit event naming the key source, issuer and serial;
 *  3. when the chain completes, after the response: extend the file to the configured level
 *     (B-LTA by default, issue 18; the renewal job takes over should this instance stop first),
 *     then validate the final file and store verdicts.
 */
export async function commitStepSignature(
  s: Services,
  actor: Actor,
  turn: Turn,
  signed: StepSignature,
  input: CommitInput,
): Promise<StepSignedResult> {
  const { step, doc, who, base } = turn
  // 1.
  let blob: { sha256: string; size: number } | undefined
  if (signed.pdf) {
    const before = await s.blobs.get(base.sha256)
    if (signed.pdf.length <= before.length || !signed.pdf.subarray(0, before.length).equals(before)) {
      throw new WorkflowError('VERSION_CONFLICT', 'the signed version does not extend the previous one')
    }
    blob = await s.blobs.put(signed.pdf)
  }
  const form = signed.pdf ? 'in-file' : 'detached'
  const onBehalfOf = who.principalId === actor.id ? null : who.principalId
  // 2.
  const now = new Date().toISOString()
  const outcome = await retryingTransaction(s.db, async (trx) => {
    // The document's row first: every change to a document's chain or versions takes it, so two
    // signers of one step (rule "all"), a reject and a sign, run one after the other on PostgreSQL
    // too, and each sees what the other committed.
    const t0 = process.hrtime.bigint()
    const locked = await lockDocument(trx, doc.id)
    s.metrics?.waited('document', Number(process.hrtime.bigint() - t0) / 1e9)
    const current = await stepStatus(trx, step.id)
    if (locked.status !== 'in_progress' || current !== 'active') {
      throw new WorkflowError('STEP_NOT_ACTIVE', 'Bước này chưa đến lượt hoặc đã kết thúc')
    }
    const claim = { stepId: step.id, userId: who.principalId, actedBy: actor.id, actedAt: now }
    if (!(await claimAssignment(trx, claim))) throw new WorkflowError('CONFLICT', 'Bước này vừa được xử lý')
    if (signed.sessionId) await claimSession(trx, signed.sessionId, now)
    const latest = await latestVersion(trx, doc.id)
    if (latest.id !== base.id)
      throw new WorkflowError('VERSION_CONFLICT', 'Văn bản vừa có phiên bản mới; hãy thử lại')
    let versionId = base.id
    if (blob) {
      versionId = await insertVersion(trx, {
        documentId: doc.id,
        seq: base.seq + 1,
        sha256: blob.sha256,
        size: blob.size,
        createdBy: actor.id,
        origin: 'signature',
        createdAt: now,
      })
    }
    await insertSignature(trx, {
      documentId: doc.id,
      stepId: step.id,
      versionId,
      certificateId: signed.certificateId,
      userId: actor.id,
      onBehalfOf,
      marker: who.marker ?? null,
      fieldName: signed.fieldName,
      createdAt: now,
      keySource: signed.evidence.keySource,
      form,
      cms: signed.detachedCms ?? null,
      evidenceJson: JSON.stringify(signed.evidence),
    })
    const finished = await advance(trx, step, now)
    const docUpdate: SignedDocumentUpdate = { updatedAt: now }
    const issued = step.action === 'seal' ? input.issuance : undefined
    if (step.action === 'seal') {
      Object.assign(docUpdate, { outgoingNumber: input.outgoingNumber, outgoingDate: input.outgoingDate })
    }
    if (issued) {
      // Issue 13: the register's reserved number becomes used with the seal, in its transaction.
      await useReservation(trx, issued.entryId)
      const facts = {
        numberPrinted: issued.numberPrinted,
        datePrinted: issued.datePrinted,
        notes: issued.notes,
      }
      Object.assign(docUpdate, { numberPrinted: issued.numberPrinted, issuanceJson: JSON.stringify(facts) })
    }
    if (finished) Object.assign(docUpdate, { status: 'issued', finishedAt: now })
    if (finished && s.config.issueLevel !== 'B-T') {
      docUpdate.ltvRenewAt = new Date(Date.parse(now) + ISSUANCE_GRACE_MS).toISOString()
    }
    await recordSignatureOnDocument(trx, doc.id, docUpdate)
    if (finished && doc.kind === 'internal') await bumpDaily(trx, doc.agency_id, now, 'issued', 1)
    await appendAudit(trx, {
      actorId: actor.id,
      action: `step.${step.action}`,
      documentId: doc.id,
      requestId: actor.requestId ?? null,
      detail: {
        stepId: step.id,
        version: blob ? base.seq + 1 : base.seq,
        sha256: blob?.sha256 ?? base.sha256,
        field: signed.fieldName,
        form,
        keySource: signed.evidence.keySource,
        certificateIssuer: signed.evidence.issuer,
        certificateSerial: signed.evidence.serialHex,
        onBehalfOf,
        ...(input.comment && { comment: input.comment }),
        ...(step.action === 'seal' && {
          outgoingNumber: input.outgoingNumber,
          outgoingDate: input.outgoingDate,
        }),
        ...(issued && {
          numberPrinted: issued.numberPrinted,
          datePrinted: issued.datePrinted,
          issuanceNotes: issued.notes,
        }),
      },
    })
    return { finished, versionSeq: blob ? base.seq + 1 : base.seq }
  })
  s.metrics?.signed(step.action)
  // 3. After the response: validation is not on the signer's path (its verdicts appear shortly).
  if (outcome.finished) {
    const task = new Promise((resolve) => setImmediate(resolve))
      .then(async () => completeIssuance(s, doc.id, actor.id, signed.pdf ?? (await s.blobs.get(base.sha256))))
      .catch((err: unknown) =>
        s.log?.({ level: 'error', msg: 'recording verdicts failed', documentId: doc.id, error: String(err) }),
      )
    s.track?.(task)
  }
  return {
    documentId: doc.id,
    stepId: step.id,
    version: outcome.versionSeq,
    field: signed.fieldName,
    status: outcome.finished ? 'issued' : 'in_progress',
    keySource: signed.evidence.keySource,
    form,
    ...(step.action === 'seal' && {
      outgoingNumber: input.outgoingNumber as string,
      outgoingDate: input.outgoingDate as string,
      ...(input.issuance && {
        numberPrinted: input.issuance.numberPrinted,
        datePrinted: input.issuance.datePrinted,
        issuanceNotes: input.issuance.notes,
      }),
    }),
  }
}

/** A signing session completes once: a replayed or concurrent completion finds it taken. */
async function claimSession(trx: Tx, id: string, now: string): Promise<void> {
  if (!(await completeSigningSession(trx, id, now)))
    throw new WorkflowError('SIGNING_USED', 'Phiên ký này đã được dùng')
}

/** Completes the step by its rule and activates the next; true when the chain is complete. */
async function advance(trx: Tx, step: StepRow, now: string): Promise<boolean> {
  const pending = await pendingAssignees(trx, step.id)
  if (step.rule === 'any') await skipPendingAssignees(trx, step.id)
  else if (pending > 0) return false
  await completeStep(trx, step.id, now)
  const next = await nextStepOf(trx, step.workflow_id, step.seq)
  if (next) {
    await activateStep(trx, next.id)
    return false
  }
  await completeWorkflow(trx, step.workflow_id)
  return true
}
