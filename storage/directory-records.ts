import type { Queryable } from './transaction'

/**
 * What the web interface lists (issue 16: moved out of workflows/directory.ts and
 * workflows/delegations.ts): documents for the tabs, steps waiting for someone, the routing
 * directory and a document's audit events. Plain camelCase objects out; column values are as the
 * database gives them (NULL stays null).
 */
export interface DocumentListing {
  id: number
  title: string
  kind: string
  procedureCode: string | null
  status: string
  outgoingNumber: string | null
  outgoingDate: string | null
  createdAt: string
  updatedAt: string
  finishedAt: string | null
  agencyCode: string
  agency: string
  drafter: string
}

export interface DocumentListFilter {
  /** Documents this user drafted; else those of `agencyIds` ('all': every agency). */
  drafterId?: number
  agencyIds?: number[] | 'all'
  issuedOnly?: boolean
  /** A LIKE pattern over the title's search key (storage/search-key.ts), escaped with `\`. */
  titlePattern?: string
  limit: number
}

/** Newest first (by last change, then id). */
export async function listDocumentListings(db: Queryable, f: DocumentListFilter): Promise<DocumentListing[]> {
  const q = db('documents as d')
    .join('agencies as ag', 'ag.id', 'd.agency_id')
    .join('users as dr', 'dr.id', 'd.drafter_id')
  if (f.drafterId !== undefined) q.where('d.drafter_id', f.drafterId)
  else {
    if (f.agencyIds !== undefined && f.agencyIds !== 'all') q.whereIn('d.agency_id', f.agencyIds)
    if (f.issuedOnly) q.where('d.status', 'issued')
  }
  if (f.titlePattern !== undefined) q.whereRaw("d.title_search like ? escape '\\'", [f.titlePattern])
  const rows = (await q
    .orderBy('d.updated_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(f.limit)
    .select(
      'd.id',
      'd.title',
      'd.kind',
      'd.procedure_code',
      'd.status',
      'd.outgoing_number',
      'd.outgoing_date',
      'd.created_at',
      'd.updated_at',
      'd.finished_at',
      'ag.code as agency_code',
      'ag.name as agency',
      'dr.full_name as drafter',
    )) as {
    id: number
    title: string
    kind: string
    procedure_code: string | null
    status: string
    outgoing_number: string | null
    outgoing_date: string | null
    created_at: string
    updated_at: string
    finished_at: string | null
    agency_code: string
    agency: string
    drafter: string
  }[]
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    kind: r.kind,
    procedureCode: r.procedure_code,
    status: r.status,
    outgoingNumber: r.outgoing_number,
    outgoingDate: r.outgoing_date,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    agencyCode: r.agency_code,
    agency: r.agency,
    drafter: r.drafter,
  }))
}

/** An active step a user (or someone they act for) still has to decide on. */
export interface WaitingStep {
  stepId: number
  documentId: number
  title: string
  action: string
  rule: string
  deadline: string | null
  assigneeId: number
  drafter: string
  agency: string
}

/**
 * The pending assignments of `assigneeIds` on active steps of active chains, except on documents
 * `exceptDrafterId` drafted; in step order.
 */
export async function waitingSteps(
  db: Queryable,
  assigneeIds: number[],
  exceptDrafterId: number,
): Promise<WaitingStep[]> {
  const rows = (await db('step_assignees as a')
    .join('steps as st', 'st.id', 'a.step_id')
    .join('workflows as w', 'w.id', 'st.workflow_id')
    .join('documents as d', 'd.id', 'w.document_id')
    .join('users as dr', 'dr.id', 'd.drafter_id')
    .join('agencies as ag', 'ag.id', 'd.agency_id')
    .whereIn('a.user_id', assigneeIds)
    .where({ 'a.status': 'pending', 'st.status': 'active', 'w.status': 'active' })
    .whereNot('d.drafter_id', exceptDrafterId)
    .orderBy('st.id')
    .select(
      'st.id as step_id',
      'd.id as document_id',
      'd.title',
      'st.action',
      'st.rule',
      'st.deadline',
      'a.user_id as assignee_id',
      'dr.full_name as drafter',
      'ag.name as agency',
    )) as {
    step_id: number
    document_id: number
    title: string
    action: string
    rule: string
    deadline: string | null
    assignee_id: number
    drafter: string
    agency: string
  }[]
  return rows.map((r) => ({
    stepId: r.step_id,
    documentId: r.document_id,
    title: r.title,
    action: r.action,
    rule: r.rule,
    deadline: r.deadline,
    assigneeId: r.assignee_id,
    drafter: r.drafter,
    agency: r.agency,
  }))
}

export interface RouteTemplateRecord {
  name: string
  stepsJson: string
}

export async function routeTemplatesOf(db: Queryable, agencyId: number): Promise<RouteTemplateRecord[]> {
  const rows = (await db('route_templates')
    .where({ agency_id: agencyId })
    .orderBy('name')
    .select('name', 'steps_json')) as { name: string; steps_json: string }[]
  return rows.map((r) => ({ name: r.name, stepsJson: r.steps_json }))
}

/** The public-procedure catalogue, by code. */
export async function listProcedures(db: Queryable): Promise<{ code: string; name: string }[]> {
  const rows = (await db('procedures').orderBy('code').select('code', 'name')) as {
    code: string
    name: string
  }[]
  return rows.map((r) => ({ code: r.code, name: r.name }))
}

/** An audit event that names a document, with the actor's name (null when no user acted). */
export interface DocumentEventRecord {
  id: number
  at: string
  action: string
  detailJson: string
  personalJson: string | null
  username: string | null
  fullName: string | null
  title: string | null
}

export async function documentEvents(db: Queryable, documentId: number): Promise<DocumentEventRecord[]> {
  const rows = (await db('audit_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .where('e.document_id', documentId)
    .orderBy('e.id')
    .select(
      'e.id',
      'e.at',
      'e.action',
      'e.detail_json',
      'e.personal_json',
      'u.username',
      'u.full_name',
      'u.title',
    )) as {
    id: number
    at: string
    action: string
    detail_json: string
    personal_json: string | null
    username: string | null
    full_name: string | null
    title: string | null
  }[]
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    action: r.action,
    detailJson: r.detail_json,
    personalJson: r.personal_json,
    username: r.username,
    fullName: r.full_name,
    title: r.title,
  }))
}
