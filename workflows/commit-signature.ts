import type { Knex } from 'knex'
import { appendAudit } from '../storage/audit'
import { retryingTransaction } from '../storage/db'
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
    const locked = (await trx('documents').where({ id: doc.id }).forUpdate().first('status')) as {
      status: string
    }
    s.metrics?.waited('document', Number(process.hrtime.bigint() - t0) / 1e9)
    const current = (await trx('steps').where({ id: step.id }).first('status')) as { status: string }
    if (locked.status !== 'in_progress' || current.status !== 'active') {
      throw new WorkflowError('STEP_NOT_ACTIVE', 'Bước này chưa đến lượt hoặc đã kết thúc')
    }
    const claimed = await trx('step_assignees')
      .where({ step_id: step.id, user_id: who.principalId, status: 'pending' })
      .update({ status: 'done', acted_by: actor.id, acted_at: now })
    if (!claimed) throw new WorkflowError('CONFLICT', 'Bước này vừa được xử lý')
    if (signed.sessionId) await claimSession(trx, signed.sessionId, now)
    const latest = await latestVersion(trx, doc.id)
    if (latest.id !== base.id)
      throw new WorkflowError('VERSION_CONFLICT', 'Văn bản vừa có phiên bản mới; hãy thử lại')
    let versionId = base.id
    if (blob) {
      const [ver] = await trx('versions')
        .insert({
          document_id: doc.id,
          seq: base.seq + 1,
          sha256: blob.sha256,
          size: blob.size,
          created_by: actor.id,
          origin: 'signature',
          created_at: now,
        })
        .returning('id')
      versionId = (ver as { id: number }).id
    }
    await trx('signatures').insert({
      document_id: doc.id,
      step_id: step.id,
      version_id: versionId,
      certificate_id: signed.certificateId,
      user_id: actor.id,
      on_behalf_of: onBehalfOf,
      marker: who.marker ?? null,
      field_name: signed.fieldName,
      created_at: now,
      key_source: signed.evidence.keySource,
      form,
      cms: signed.detachedCms ?? null,
      evidence_json: JSON.stringify(signed.evidence),
    })
    const finished = await advance(trx, step, now)
    const docUpdate: Record<string, unknown> = { updated_at: now }
    const issued = step.action === 'seal' ? input.issuance : undefined
    if (step.action === 'seal') {
      Object.assign(docUpdate, { outgoing_number: input.outgoingNumber, outgoing_date: input.outgoingDate })
    }
    if (issued) {
      // Issue 13: the register's reserved number becomes used with the seal, in its transaction.
      await useReservation(trx, issued.entryId)
      const facts = {
        numberPrinted: issued.numberPrinted,
        datePrinted: issued.datePrinted,
        notes: issued.notes,
      }
      Object.assign(docUpdate, { number_printed: issued.numberPrinted, issuance_json: JSON.stringify(facts) })
    }
    if (finished) Object.assign(docUpdate, { status: 'issued', finished_at: now })
    if (finished && s.config.issueLevel !== 'B-T') {
      docUpdate.ltv_renew_at = new Date(Date.parse(now) + ISSUANCE_GRACE_MS).toISOString()
    }
    await trx('documents').where({ id: doc.id }).update(docUpdate)
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
async function claimSession(trx: Knex.Transaction, id: string, now: string): Promise<void> {
  const taken = await trx('signing_sessions')
    .where({ id })
    .whereIn('status', ['prepared', 'awaiting_confirmation'])
    .update({ status: 'completed', finished_at: now, prepared_pdf: null })
  if (!taken) throw new WorkflowError('SIGNING_USED', 'Phiên ký này đã được dùng')
}

/** Completes the step by its rule and activates the next; true when the chain is complete. */
async function advance(trx: Knex.Transaction, step: StepRow, now: string): Promise<boolean> {
  const pending = (await trx('step_assignees')
    .where({ step_id: step.id, status: 'pending' })
    .count('* as n')
    .first()) as {
    n: number
  }
  if (step.rule === 'any') {
    await trx('step_assignees').where({ step_id: step.id, status: 'pending' }).update({ status: 'skipped' })
  } else if (Number(pending.n) > 0) return false
  await trx('steps').where({ id: step.id }).update({ status: 'done', completed_at: now })
  const next = (await trx('steps')
    .where({ workflow_id: step.workflow_id, seq: step.seq + 1 })
    .first()) as { id: number } | undefined
  if (next) {
    await trx('steps').where({ id: next.id }).update({ status: 'active' })
    return false
  }
  await trx('workflows').where({ id: step.workflow_id }).update({ status: 'completed' })
  return true
}
