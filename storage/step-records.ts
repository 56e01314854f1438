import type { Queryable } from './transaction'

/**
 * The steps of a workflow round and their assignees (issue 16): who must approve, sign or seal,
 * in which order, and who acted. Plain camelCase objects out.
 */
export type StepAction = 'approve' | 'sign' | 'seal'

export interface StepRecord {
  id: number
  workflowId: number
  seq: number
  action: StepAction
  rule: 'all' | 'any'
  status: string
  deadline: string | null
  completedAt: string | null
}

interface StepDbRow {
  id: number
  workflow_id: number
  seq: number
  action: StepAction
  rule: 'all' | 'any'
  status: string
  deadline: string | Date | null
  completed_at: string | Date | null
}

/** PostgreSQL gives a timestamp as a Date, SQLite as the text written: the same JSON either way. */
const timeText = <T extends string | Date | null>(v: T): string | Exclude<T, Date> =>
  v instanceof Date ? v.toISOString() : (v as Exclude<T, Date>)

function step(r: StepDbRow): StepRecord {
  return {
    id: r.id,
    workflowId: r.workflow_id,
    seq: r.seq,
    action: r.action,
    rule: r.rule,
    status: r.status,
    deadline: timeText(r.deadline),
    completedAt: timeText(r.completed_at),
  }
}

export async function findStep(db: Queryable, stepId: number): Promise<StepRecord | undefined> {
  const row = (await db('steps').where({ id: stepId }).first()) as StepDbRow | undefined
  return row && step(row)
}

/** The steps of some workflows, by workflow then order. */
export async function stepsOfWorkflows(db: Queryable, workflowIds: number[]): Promise<StepRecord[]> {
  const rows = (await db('steps')
    .whereIn('workflow_id', workflowIds)
    .orderBy(['workflow_id', 'seq'])
    .select()) as StepDbRow[]
  return rows.map(step)
}

export async function stepStatus(db: Queryable, stepId: number): Promise<string> {
  return ((await db('steps').where({ id: stepId }).first('status')) as { status: string }).status
}

/** The step after `seq` in its workflow, if any. */
export async function nextStepOf(
  db: Queryable,
  workflowId: number,
  seq: number,
): Promise<StepRecord | undefined> {
  const row = (await db('steps')
    .where({ workflow_id: workflowId, seq: seq + 1 })
    .first()) as StepDbRow | undefined
  return row && step(row)
}

export interface NewStep {
  workflowId: number
  seq: number
  action: StepAction
  rule: 'all' | 'any' | undefined
  status: 'active' | 'waiting'
  deadline: string | null
}

export async function insertStep(db: Queryable, s: NewStep): Promise<number> {
  const [row] = await db('steps')
    .insert({
      workflow_id: s.workflowId,
      seq: s.seq,
      action: s.action,
      rule: s.rule,
      status: s.status,
      deadline: s.deadline,
    })
    .returning('id')
  return (row as { id: number }).id
}

export async function activateStep(db: Queryable, stepId: number): Promise<void> {
  await db('steps').where({ id: stepId }).update({ status: 'active' })
}

export async function completeStep(db: Queryable, stepId: number, at: string): Promise<void> {
  await db('steps').where({ id: stepId }).update({ status: 'done', completed_at: at })
}

/** A chain that stops (rejected, returned): its active and waiting steps stop with it. */
export async function stopOpenSteps(db: Queryable, workflowId: number): Promise<void> {
  await db('steps')
    .where({ workflow_id: workflowId })
    .whereIn('status', ['active', 'waiting'])
    .update({ status: 'stopped' })
}

export async function insertAssignee(db: Queryable, stepId: number, userId: number): Promise<void> {
  await db('step_assignees').insert({ step_id: stepId, user_id: userId, status: 'pending' })
}

/** The user's own assignment on a step (pending, done, skipped), if they have one. */
export async function assignmentStatus(
  db: Queryable,
  stepId: number,
  userId: number,
): Promise<string | undefined> {
  const row = (await db('step_assignees').where({ step_id: stepId, user_id: userId }).first()) as
    | { status: string }
    | undefined
  return row?.status
}

/**
 * Marks a pending assignment done by whoever acted (the assignee or their delegate), in one
 * conditional update: of concurrent requests one wins. True when this one did.
 */
export async function claimAssignment(
  db: Queryable,
  a: { stepId: number; userId: number; actedBy: number; actedAt: string },
): Promise<boolean> {
  const claimed = await db('step_assignees')
    .where({ step_id: a.stepId, user_id: a.userId, status: 'pending' })
    .update({ status: 'done', acted_by: a.actedBy, acted_at: a.actedAt })
  return claimed > 0
}

export async function pendingAssignees(db: Queryable, stepId: number): Promise<number> {
  const row = (await db('step_assignees')
    .where({ step_id: stepId, status: 'pending' })
    .count('* as n')
    .first()) as { n: number | string }
  return Number(row.n)
}

/** A step of rule "any" is done with one signature: the other assignees are skipped. */
export async function skipPendingAssignees(db: Queryable, stepId: number): Promise<void> {
  await db('step_assignees').where({ step_id: stepId, status: 'pending' }).update({ status: 'skipped' })
}

/** An assignee as the document page lists them. */
export interface AssigneeListing {
  stepId: number
  userId: number
  username: string
  fullName: string
  title: string | null
  status: string
  actedBy: number | null
  actedAt: string | null
  actedByName: string | null
}

export async function assigneesOfSteps(db: Queryable, stepIds: number[]): Promise<AssigneeListing[]> {
  const rows = (await db('step_assignees as a')
    .join('users as u', 'u.id', 'a.user_id')
    .leftJoin('users as by', 'by.id', 'a.acted_by')
    .whereIn('a.step_id', stepIds)
    .select(
      'a.step_id',
      'a.user_id',
      'u.username',
      'u.full_name',
      'u.title',
      'a.status',
      'a.acted_by',
      'a.acted_at',
      'by.full_name as acted_by_name',
    )) as {
    step_id: number
    user_id: number
    username: string
    full_name: string
    title: string | null
    status: string
    acted_by: number | null
    acted_at: string | Date | null
    acted_by_name: string | null
  }[]
  return rows.map((r) => ({
    stepId: r.step_id,
    userId: r.user_id,
    username: r.username,
    fullName: r.full_name,
    title: r.title,
    status: r.status,
    actedBy: r.acted_by,
    actedAt: timeText(r.acted_at),
    actedByName: r.acted_by_name,
  }))
}

/** A delegation that lets someone act on a step for its pending assignee, now. */
export interface StepDelegation {
  principalId: number
  marker: string
  /** The principal's title. */
  title: string | null
}

export async function delegationOnStep(
  db: Queryable,
  q: { delegateId: number; stepId: number; at: string },
): Promise<StepDelegation | undefined> {
  const row = (await db('delegations as d')
    .join('step_assignees as a', 'a.user_id', 'd.principal_id')
    .join('users as u', 'u.id', 'd.principal_id')
    .where({ 'd.delegate_id': q.delegateId, 'a.step_id': q.stepId, 'a.status': 'pending' })
    .whereNull('d.revoked_at')
    .where('d.valid_from', '<=', q.at)
    .where('d.valid_to', '>=', q.at)
    .first('d.principal_id', 'd.marker', 'u.title')) as
    | { principal_id: number; marker: string; title: string | null }
    | undefined
  return row && { principalId: row.principal_id, marker: row.marker, title: row.title }
}
