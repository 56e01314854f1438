import type { Queryable } from './transaction'

/**
 * A document's workflow rounds (issue 16), one per submission, and what a submission reads to
 * build one: the agency's route templates, the users named as assignees, the agency tree, the
 * agency's settings for approvals. Plain camelCase objects out.
 */
export type WorkflowStatus = 'active' | 'completed' | 'rejected' | 'returned' | 'cancelled'

export interface WorkflowRecord {
  id: number
  documentId: number
  round: number
  status: WorkflowStatus
}

interface Row {
  id: number
  document_id: number
  round: number
  status: WorkflowStatus
}

const workflow = (r: Row): WorkflowRecord => ({
  id: r.id,
  documentId: r.document_id,
  round: r.round,
  status: r.status,
})

export async function findWorkflow(db: Queryable, workflowId: number): Promise<WorkflowRecord> {
  return workflow((await db('workflows').where({ id: workflowId }).first()) as Row)
}

/** A document's rounds, first to last. */
export async function workflowsOfDocument(db: Queryable, documentId: number): Promise<WorkflowRecord[]> {
  const rows = (await db('workflows').where({ document_id: documentId }).orderBy('round').select()) as Row[]
  return rows.map(workflow)
}

/** The number of the document's last round; null before its first submission. */
export async function lastRound(db: Queryable, documentId: number): Promise<number | null> {
  const row = (await db('workflows').where({ document_id: documentId }).max('round as round').first()) as {
    round: number | null
  }
  return row.round
}

export async function insertWorkflow(
  db: Queryable,
  w: { documentId: number; round: number; status: WorkflowStatus; createdAt: string },
): Promise<number> {
  const [row] = await db('workflows')
    .insert({ document_id: w.documentId, round: w.round, status: w.status, created_at: w.createdAt })
    .returning('id')
  return (row as { id: number }).id
}

export async function completeWorkflow(db: Queryable, workflowId: number): Promise<void> {
  await db('workflows').where({ id: workflowId }).update({ status: 'completed' })
}

/** Ends an active round (rejected, returned); false when it was no longer active. */
export async function endActiveWorkflow(
  db: Queryable,
  workflowId: number,
  status: 'rejected' | 'returned',
): Promise<boolean> {
  return (await db('workflows').where({ id: workflowId, status: 'active' }).update({ status })) > 0
}

/** A cancelled document's active round is cancelled with it. */
export async function cancelActiveWorkflows(db: Queryable, documentId: number): Promise<void> {
  await db('workflows').where({ document_id: documentId, status: 'active' }).update({ status: 'cancelled' })
}

/** The steps of an agency's route template, as JSON; undefined when it has none by that name. */
export async function routeTemplateSteps(
  db: Queryable,
  agencyId: number,
  name: string,
): Promise<string | undefined> {
  const row = (await db('route_templates').where({ agency_id: agencyId, name }).first()) as
    | { steps_json: string }
    | undefined
  return row?.steps_json
}

/** A user who may be named as an assignee. */
export interface AssignableUser {
  id: number
  username: string
  agencyId: number
}

/** The users of these usernames that are not disabled. */
export async function enabledUsersNamed(db: Queryable, usernames: string[]): Promise<AssignableUser[]> {
  const rows = (await db('users')
    .whereIn('username', usernames)
    .where({ disabled: false })
    .select('id', 'username', 'agency_id')) as { id: number; username: string; agency_id: number }[]
  return rows.map((r) => ({ id: r.id, username: r.username, agencyId: r.agency_id }))
}

/** Those of the users who are records clerks (văn thư). */
export async function clerksAmong(db: Queryable, userIds: number[]): Promise<number[]> {
  return (await db('user_roles')
    .whereIn('user_id', userIds)
    .where({ role: 'clerk' })
    .pluck('user_id')) as number[]
}

/** The agency directly above one, or null at the top (or for an unknown agency). */
export async function parentAgencyId(db: Queryable, agencyId: number): Promise<number | null> {
  const row = (await db('agencies').where({ id: agencyId }).first('parent_id')) as
    | { parent_id: number | null }
    | undefined
  return row?.parent_id ?? null
}

/** How an agency keeps approvals: in the file or detached (issue 11), visible or not (issue 12). */
export interface ApprovalSettings {
  approvalMode: string
  approvalAppearance: string
}

export async function approvalSettings(db: Queryable, agencyId: number): Promise<ApprovalSettings> {
  const row = (await db('agencies')
    .where({ id: agencyId })
    .first('approval_mode', 'approval_appearance')) as {
    approval_mode: string
    approval_appearance: string
  }
  return { approvalMode: row.approval_mode, approvalAppearance: row.approval_appearance }
}
