import type { SigningMarker } from '../signing/appearance'
import { standingAuthorityOf } from '../storage/signing-authorities'
import { assignmentStatus, delegationOnStep, findStep, type StepAction } from '../storage/step-records'
import type { Queryable } from '../storage/transaction'
import { latestVersion, type VersionRecord } from '../storage/version-records'
import { findWorkflow } from '../storage/workflow-records'
import { readableDocument } from '../storage/document-access'
import type { Actor, DocumentRow, Services } from './context'
import { WorkflowError } from '../shared/errors'

export type { StepAction }

export interface StepRow {
  id: number
  workflow_id: number
  seq: number
  action: StepAction
  rule: 'all' | 'any'
  status: string
}

export type VersionRow = VersionRecord

/** Who the actor acts for on a step: themself, or a principal who delegated to them. */
export interface Principal {
  principalId: number
  marker?: SigningMarker
  principalTitle?: string
}

/**
 * Everything checked before anyone signs a step, whatever holds the key: the step exists and is
 * the active one, the actor may read the document, is not its drafter, and is the assignee or
 * their delegate; plus the version to sign (the latest).
 */
export interface Turn {
  step: StepRow
  doc: DocumentRow
  who: Principal
  base: VersionRow
}

/** The document's latest version (storage/version-records.ts), where use cases have long found it. */
export { latestVersion }

/**
 * Who the actor acts for on this step: themself (on a signing step, under their standing
 * authority when they hold one: a deputy's KT., a chief of office's TL., a chairman's TM.), or a
 * principal who delegated to them now.
 */
export async function principalFor(
  db: Queryable,
  actor: Actor,
  step: { id: number; action: string },
): Promise<Principal> {
  const mine = await assignmentStatus(db, step.id, actor.id)
  const now = new Date().toISOString()
  if (mine === 'pending') {
    const standing = step.action === 'sign' ? await standingAuthorityOf(db, actor.id, now) : undefined
    if (!standing) return { principalId: actor.id }
    return {
      principalId: actor.id,
      marker: standing.marker as SigningMarker,
      principalTitle: standing.principalTitle,
    }
  }
  if (mine) throw new WorkflowError('CONFLICT', 'Bạn đã xử lý bước này')
  const delegated = await delegationOnStep(db, { delegateId: actor.id, stepId: step.id, at: now })
  if (delegated && step.action !== 'seal') {
    return {
      principalId: delegated.principalId,
      marker: delegated.marker as SigningMarker,
      ...(delegated.title && { principalTitle: delegated.title }),
    }
  }
  throw new WorkflowError('NOT_ASSIGNEE', 'Bước này không được giao cho bạn')
}

/**
 * The same rule asked rather than enforced (what a document page offers the actor): the principal,
 * or undefined where `principalFor` refuses (done already, not assigned). Anything else, such as a
 * database failure, propagates rather than hiding the action.
 */
export async function principalIfAny(
  db: Queryable,
  actor: Actor,
  step: { id: number; action: string },
): Promise<Principal | undefined> {
  try {
    return await principalFor(db, actor, step)
  } catch (e) {
    if (e instanceof WorkflowError && (e.code === 'CONFLICT' || e.code === 'NOT_ASSIGNEE')) return undefined
    throw e
  }
}

/** The checks every way of signing a step starts with (see `Turn`). */
export async function takeTurn(s: Services, actor: Actor, stepId: number): Promise<Turn> {
  const found = Number.isInteger(stepId) ? await findStep(s.db, stepId) : undefined
  if (!found) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy bước xử lý')
  const step: StepRow = {
    id: found.id,
    workflow_id: found.workflowId,
    seq: found.seq,
    action: found.action,
    rule: found.rule,
    status: found.status,
  }
  const wf = await findWorkflow(s.db, step.workflow_id)
  const doc = await readableDocument(s.db, actor, wf.documentId)
  if (doc.drafter_id === actor.id)
    throw new WorkflowError('OWN_DRAFT', 'Không ký trên văn bản do chính mình soạn thảo')
  if (step.status !== 'active' || wf.status !== 'active') {
    throw new WorkflowError('STEP_NOT_ACTIVE', 'Bước này chưa đến lượt hoặc đã kết thúc')
  }
  const who = await principalFor(s.db, actor, step)
  return { step, doc, who, base: await latestVersion(s.db, doc.id) }
}

export interface IssuanceInput {
  outgoingNumber?: string
  outgoingDate?: string
}

/** The /Reason written into each kind of step's signature. */
export function reasonFor(action: StepAction): string {
  return action === 'approve' ? 'Đã duyệt' : action === 'seal' ? 'Phát hành' : 'Ký ban hành'
}

/** The kind of certificate a step needs: the agency's (seal) for a seal, the person's otherwise. */
export function certificateKindFor(action: StepAction): 'personal' | 'seal' {
  return action === 'seal' ? 'seal' : 'personal'
}
