import type { Knex } from 'knex'
import { containsPattern } from '../storage/search-key'
import { agencyAndDescendants } from '../shared/access'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'

/** Agencies whose documents the actor may list (the same rule as canRead in access.ts). */
async function readableAgencies(db: Knex, actor: Actor): Promise<number[] | 'all'> {
  if (actor.roles.has('compliance') || actor.roles.has('admin')) return 'all'
  if (actor.roles.has('leader')) return [...(await agencyAndDescendants(db, actor.agencyId))]
  return [actor.agencyId]
}

export type DocumentBox = 'sent' | 'issued' | 'all'
const BOXES = new Set<DocumentBox>(['sent', 'issued', 'all'])

/**
 * Lists for the web interface's tabs: "sent" (drafted by me), "issued" (issued in the agencies I
 * may read), "all" (every document I may read). Newest first, at most `limit` (default 100, max 500).
 */
export async function listDocuments(
  s: Services,
  actor: Actor,
  query: { box?: unknown; limit?: unknown; q?: unknown },
): Promise<Record<string, unknown>[]> {
  const box = (query.box ?? 'sent') as DocumentBox
  if (!BOXES.has(box)) throw new WorkflowError('BAD_REQUEST', 'box: sent, issued or all')
  const limit = query.limit === undefined ? 100 : Number(query.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new WorkflowError('BAD_REQUEST', 'limit: 1 to 500')
  const q = s
    .db('documents as d')
    .join('agencies as ag', 'ag.id', 'd.agency_id')
    .join('users as dr', 'dr.id', 'd.drafter_id')
  if (box === 'sent') q.where('d.drafter_id', actor.id)
  else {
    const agencies = await readableAgencies(s.db, actor)
    if (agencies !== 'all') q.whereIn('d.agency_id', agencies)
    if (box === 'issued') q.where('d.status', 'issued')
  }
  // Case and Vietnamese marks ignored alike on both databases (storage/search-key.ts).
  if (typeof query.q === 'string' && query.q.trim())
    q.whereRaw("d.title_search like ? escape '\\'", [containsPattern(query.q)])
  const rows = (await q
    .orderBy('d.updated_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(limit)
    .select(
      'd.id',
      'd.title',
      'd.kind',
      'd.procedure_code as procedureCode',
      'd.status',
      'd.outgoing_number as outgoingNumber',
      'd.outgoing_date as outgoingDate',
      'd.created_at as createdAt',
      'd.updated_at as updatedAt',
      'd.finished_at as finishedAt',
      'ag.code as agencyCode',
      'ag.name as agency',
      'dr.full_name as drafter',
    )) as Record<string, unknown>[]
  return rows
}

/**
 * What a drafter needs to route a document: the people of their agency (with titles and roles),
 * the agency's route templates and the public-procedure catalogue.
 */
export async function directory(s: Services, actor: Actor): Promise<Record<string, unknown>> {
  const users = (await s
    .db('users')
    .where({ agency_id: actor.agencyId, disabled: false })
    .orderBy('full_name')
    .select('id', 'username', 'full_name as fullName', 'title')) as {
    id: number
    username: string
    fullName: string
    title: string | null
  }[]
  const roles = (await s
    .db('user_roles')
    .whereIn(
      'user_id',
      users.map((u) => u.id),
    )
    .select('user_id', 'role')) as { user_id: number; role: string }[]
  const templates = (await s
    .db('route_templates')
    .where({ agency_id: actor.agencyId })
    .orderBy('name')
    .select('name', 'steps_json')) as { name: string; steps_json: string }[]
  const procedures = (await s.db('procedures').orderBy('code').select('code', 'name')) as {
    code: string
    name: string
  }[]
  const agency = (await s.db('agencies').where({ id: actor.agencyId }).first('code', 'name')) as {
    code: string
    name: string
  }
  return {
    agency,
    users: users.map((u) => ({
      username: u.username,
      fullName: u.fullName,
      title: u.title,
      roles: roles.filter((r) => r.user_id === u.id).map((r) => r.role),
    })),
    templates: templates.map((t) => ({ name: t.name, steps: JSON.parse(t.steps_json) as unknown })),
    procedures,
  }
}

const EVENT_DETAIL_KEYS = [
  'comment',
  'reason',
  'outgoingNumber',
  'outgoingDate',
  'version',
  'field',
  'steps',
  'placements',
  // Issue 18: an extension's level, what triggered it, its document time-stamp.
  'level',
  'trigger',
  'timestampField',
] as const

/**
 * The document's history for its timeline: the audit events that name it, with the actor's name
 * and the parts of the detail a reader needs (comment, reason, outgoing number; never hashes of
 * other documents or internal ids beyond the step).
 */
export async function documentHistory(db: Knex, documentId: number): Promise<Record<string, unknown>[]> {
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
  const onBehalf = new Map<number, { name: string; title: string | null }>()
  // The personal part of an event (issue 14) reads as part of its detail, until it is erased.
  const parse = (json: string | null): Record<string, unknown> =>
    json ? (JSON.parse(json) as Record<string, unknown>) : {}
  const detailOf = (r: { detail_json: string; personal_json: string | null }) => ({
    ...parse(r.detail_json),
    ...parse(r.personal_json),
  })
  const principalIds = rows
    .map((r) => detailOf(r).onBehalfOf)
    .filter((v): v is number => typeof v === 'number')
  if (principalIds.length)
    for (const u of (await db('users').whereIn('id', principalIds).select('id', 'full_name', 'title')) as {
      id: number
      full_name: string
      title: string | null
    }[])
      onBehalf.set(u.id, { name: u.full_name, title: u.title })
  return rows
    .filter((r) => r.action !== 'refused')
    .map((r) => {
      const d = detailOf(r)
      const detail: Record<string, unknown> = {}
      for (const k of EVENT_DETAIL_KEYS) if (d[k] !== undefined) detail[k] = d[k]
      if (typeof d.stepId === 'number') detail.stepId = d.stepId
      if (typeof d.onBehalfOf === 'number') {
        detail.onBehalfOf = onBehalf.get(d.onBehalfOf)?.name ?? null
        detail.onBehalfOfTitle = onBehalf.get(d.onBehalfOf)?.title ?? null
      }
      return {
        id: r.id,
        at: r.at,
        action: r.action,
        username: r.username,
        fullName: r.full_name,
        title: r.title,
        detail,
      }
    })
}
