import { appendAudit } from '../storage/audit'
import { retryingTransaction } from '../storage/db'
import { changeDocumentStatus, lockDocument } from '../storage/document-records'
import { findStep, stopOpenSteps } from '../storage/step-records'
import { cancelActiveWorkflows, endActiveWorkflow, findWorkflow } from '../storage/workflow-records'
import { readableDocument } from '../storage/document-access'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { principalFor } from './step-turn'
import { bumpDaily } from '../storage/coverage-counters'
import { releaseReservations } from './outgoing-register'

/** What stopping a chain or cancelling a document answers. */
export interface DocumentStopped {
  documentId: number
  status: 'rejected' | 'returned' | 'cancelled'
}

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
): Promise<DocumentStopped> {
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 2000)
    throw new WorkflowError('BAD_REQUEST', 'reason: lý do là bắt buộc')
  const step = Number.isInteger(stepId) ? await findStep(s.db, stepId) : undefined
  if (!step) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy bước xử lý')
  const wf = await findWorkflow(s.db, step.workflowId)
  const doc = await readableDocument(s.db, actor, wf.documentId)
  if (step.status !== 'active' || wf.status !== 'active')
    throw new WorkflowError('STEP_NOT_ACTIVE', 'Bước này chưa đến lượt hoặc đã kết thúc')
  // The assignee, or their delegate inside the delegation's window.
  await principalFor(s.db, actor, { id: step.id, action: 'sign' })
  const now = new Date().toISOString()
  await retryingTransaction(s.db, async (trx) => {
    // The document's row first, as when signing (sign-step.ts): one change to a chain at a time.
    await lockDocument(trx, doc.id)
    const changed = await endActiveWorkflow(trx, wf.id, kind === 'reject' ? 'rejected' : 'returned')
    if (!changed) throw new WorkflowError('CONFLICT', 'Văn bản vừa được xử lý')
    await stopOpenSteps(trx, wf.id)
    await changeDocumentStatus(trx, doc.id, {
      status: kind === 'reject' ? 'rejected' : 'returned',
      updatedAt: now,
      ...(kind === 'reject' && { finishedAt: now }),
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
): Promise<DocumentStopped> {
  const doc = await readableDocument(s.db, actor, documentId)
  if (doc.drafter_id !== actor.id)
    throw new WorkflowError('FORBIDDEN', 'Chỉ người soạn thảo được hủy văn bản')
  const now = new Date().toISOString()
  await retryingTransaction(s.db, async (trx) => {
    const change = { status: 'cancelled' as const, updatedAt: now, finishedAt: now }
    const changed = await changeDocumentStatus(trx, doc.id, change, ['draft', 'in_progress', 'returned'])
    if (!changed) throw new WorkflowError('CONFLICT', 'Văn bản đã kết thúc, không thể hủy')
    await cancelActiveWorkflows(trx, doc.id)
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
