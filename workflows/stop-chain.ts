import { appendAudit } from '../storage/audit'
import { retryingTransaction } from '../storage/db'
import { readableDocument } from '../shared/access'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { principalFor } from './step-turn'
import { bumpDaily } from '../storage/coverage-counters'
import { releaseReservations } from './outgoing-register'

/**
 * Reject (ends the chain) or return for revision (back to the drafter, who uploads a new version
 * and submits again): only the current step's assignee, with a reason.
 */
export async function stopChain(
  s: Services,
  actor: Actor,
  stepId: number,
  kind: 'reject' | 'return',
  reason: unknown,
): Promise<Record<string, unknown>> {
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 2000)
    throw new WorkflowError('BAD_REQUEST', 'reason: lý do là bắt buộc')
  const step = (Number.isInteger(stepId) ? await s.db('steps').where({ id: stepId }).first() : undefined) as
    | { id: number; workflow_id: number; status: string }
    | undefined
  if (!step) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy bước xử lý')
  const wf = (await s.db('workflows').where({ id: step.workflow_id }).first()) as {
    id: number
    document_id: number
    status: string
  }
  const doc = await readableDocument(s.db, actor, wf.document_id)
  if (step.status !== 'active' || wf.status !== 'active')
    throw new WorkflowError('STEP_NOT_ACTIVE', 'Bước này chưa đến lượt hoặc đã kết thúc')
  // The assignee, or their delegate inside the delegation's window.
  await principalFor(s.db, actor, { id: step.id, action: 'sign' })
  const now = new Date().toISOString()
  await retryingTransaction(s.db, async (trx) => {
    // The document's row first, as when signing (sign-step.ts): one change to a chain at a time.
    await trx('documents').where({ id: doc.id }).forUpdate().first('id')
    const changed = await trx('workflows')
      .where({ id: wf.id, status: 'active' })
      .update({ status: kind === 'reject' ? 'rejected' : 'returned' })
    if (!changed) throw new WorkflowError('CONFLICT', 'Văn bản vừa được xử lý')
    await trx('steps')
      .where({ workflow_id: wf.id })
      .whereIn('status', ['active', 'waiting'])
      .update({ status: 'stopped' })
    await trx('documents')
      .where({ id: doc.id })
      .update({
        status: kind === 'reject' ? 'rejected' : 'returned',
        updated_at: now,
        ...(kind === 'reject' && { finished_at: now }),
      })
    if (kind === 'reject' && doc.kind === 'internal') await bumpDaily(trx, doc.agency_id, now, 'stopped', 1)
    // A number reserved for this chain's seal stays in the register as reserved and not used.
    await releaseReservations(trx, doc.id)
    await appendAudit(trx, {
      actorId: actor.id,
      action: `document.${kind === 'reject' ? 'rejected' : 'returned'}`,
      documentId: doc.id,
      detail: { stepId: step.id, reason },
      requestId: actor.requestId ?? null,
    })
  })
  return { documentId: doc.id, status: kind === 'reject' ? 'rejected' : 'returned' }
}

/** The drafter cancels a document before it is issued. */
export async function cancelDocument(
  s: Services,
  actor: Actor,
  documentId: number,
): Promise<Record<string, unknown>> {
  const doc = await readableDocument(s.db, actor, documentId)
  if (doc.drafter_id !== actor.id)
    throw new WorkflowError('FORBIDDEN', 'Chỉ người soạn thảo được hủy văn bản')
  const now = new Date().toISOString()
  await retryingTransaction(s.db, async (trx) => {
    const changed = await trx('documents')
      .where({ id: doc.id })
      .whereIn('status', ['draft', 'in_progress', 'returned'])
      .update({ status: 'cancelled', updated_at: now, finished_at: now })
    if (!changed) throw new WorkflowError('CONFLICT', 'Văn bản đã kết thúc, không thể hủy')
    await trx('workflows').where({ document_id: doc.id, status: 'active' }).update({ status: 'cancelled' })
    if (doc.kind === 'internal') await bumpDaily(trx, doc.agency_id, now, 'stopped', 1)
    await releaseReservations(trx, doc.id)
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'document.cancelled',
      documentId: doc.id,
      requestId: actor.requestId ?? null,
    })
  })
  return { documentId: doc.id, status: 'cancelled' }
}
