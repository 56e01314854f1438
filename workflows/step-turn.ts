import type { Knex } from 'knex'
import type { SigningMarker } from '../signing/appearance'
import { standingAuthorityOf } from '../storage/signing-authorities'
import { readableDocument } from '../shared/access'
import type { Actor, DocumentRow, Services } from './context'
import { WorkflowError } from '../shared/errors'

export type StepAction = 'approve' | 'sign' | 'seal'

export interface StepRow {
  id: number
  workflow_id: number
  seq: number
  action: StepAction
  rule: 'all' | 'any'
  status: string
}

export interface VersionRow {
  id: number
  seq: number
  sha256: string
  size: number
}

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

export async function latestVersion(db: Knex, documentId: number): Promise<VersionRow> {
  const row = await db('versions')
    .where({ document_id: documentId })
    .orderBy('seq', 'desc')
    .first('id', 'seq', 'sha256', 'size')
  return row as VersionRow
}

/**
 * Who the actor acts for on this step: themself (on a signing step, under their standing
 * authority when they hold one: a deputy's KT., a chief of office's TL., a chairman's TM.), or a
 * principal who delegated to them now.
 */
export async function principalFor(
  db: Knex,
  actor: Actor,
  step: { id: number; action: string },
): Promise<Principal> {
  const mine = (await db('step_assignees').where({ step_id: step.id, user_id: actor.id }).first()) as
    | { status: string }
    | undefined
  const now = new Date().toISOString()
  if (mine?.status === 'pending') {
    const standing = step.action === 'sign' ? await standingAuthorityOf(db, actor.id, now) : undefined
    if (!standing) return { principalId: actor.id }
    return {
      principalId: actor.id,
      marker: standing.marker as SigningMarker,
      principalTitle: standing.principalTitle,
    }
  }
  if (mine) throw new WorkflowError('CONFLICT', 'Bạn đã xử lý bước này')
  const delegated = (await db('delegations as d')
    .join('step_assignees as a', 'a.user_id', 'd.principal_id')
    .join('users as u', 'u.id', 'd.principal_id')
    .where({ 'd.delegate_id': actor.id, 'a.step_id': step.id, 'a.status': 'pending' })
    .whereNull('d.revoked_at')
    .where('d.valid_from', '<=', now)
    .where('d.valid_to', '>=', now)
    .first('d.principal_id', 'd.marker', 'u.title')) as
    | { principal_id: number; marker: SigningMarker; title: string | null }
    | undefined
  if (delegated && step.action !== 'seal') {
    return {
      principalId: delegated.principal_id,
      marker: delegated.marker,
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
  db: Knex,
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
  const step = (Number.isInteger(stepId) ? await s.db('steps').where({ id: stepId }).first() : undefined) as
    | StepRow
    | undefined
  if (!step) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy bước xử lý')
  const wf = (await s.db('workflows').where({ id: step.workflow_id }).first()) as {
    document_id: number
    status: string
  }
  const doc = await readableDocument(s.db, actor, wf.document_id)
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
