import { agencyById, type AgencyRef } from '../storage/agency-records'
import {
  documentEvents,
  listDocumentListings,
  listProcedures,
  routeTemplatesOf,
  type DocumentEventRecord,
  type DocumentListing,
} from '../storage/directory-records'
import { containsPattern } from '../storage/search-key'
import type { Queryable } from '../storage/transaction'
import { activeUsersOf, userNames, userRoles } from '../storage/user-records'
import { agencyAndDescendants } from '../storage/document-access'
import type { Actor, Role, Services } from './context'
import { WorkflowError } from '../shared/errors'

/** Agencies whose documents the actor may list (the same rule as canRead in access.ts). */
async function readableAgencies(db: Queryable, actor: Actor): Promise<number[] | 'all'> {
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
): Promise<DocumentListing[]> {
  const box = (query.box ?? 'sent') as DocumentBox
  if (!BOXES.has(box)) throw new WorkflowError('BAD_REQUEST', 'box: sent, issued or all')
  const limit = query.limit === undefined ? 100 : Number(query.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new WorkflowError('BAD_REQUEST', 'limit: 1 to 500')
  const search = typeof query.q === 'string' && query.q.trim() ? query.q : undefined
  return listDocumentListings(s.db, {
    ...(box === 'sent'
      ? { drafterId: actor.id }
      : { agencyIds: await readableAgencies(s.db, actor), issuedOnly: box === 'issued' }),
    // Case and Vietnamese marks ignored alike on both databases (storage/search-key.ts).
    ...(search !== undefined && { titlePattern: containsPattern(search) }),
    limit,
  })
}

/** What a drafter needs to route a document (`GET /api/directory`). */
export interface Directory {
  /** The actor's agency; absent (undefined) only if it was deleted under them. */
  agency: Pick<AgencyRef, 'code' | 'name'> | undefined
  users: { username: string; fullName: string; title: string | null; roles: Role[] }[]
  /** A route template's steps as the agency stored them (JSON). */
  templates: { name: string; steps: unknown }[]
  procedures: { code: string; name: string }[]
}

/** One event of a document's timeline: who did what, and the parts of its detail a reader needs. */
export interface DocumentEvent extends Omit<DocumentEventRecord, 'detailJson' | 'personalJson'> {
  /** Some of EVENT_DETAIL_KEYS, `stepId`, and `onBehalfOf` / `onBehalfOfTitle` (the principal's name). */
  detail: Record<string, unknown>
}

/**
 * What a drafter needs to route a document: the people of their agency (with titles and roles),
 * the agency's route templates and the public-procedure catalogue.
 */
export async function directory(s: Services, actor: Actor): Promise<Directory> {
  const users = await activeUsersOf(s.db, actor.agencyId)
  const roles = await userRoles(
    s.db,
    users.map((u) => u.id),
  )
  const templates = await routeTemplatesOf(s.db, actor.agencyId)
  const procedures = await listProcedures(s.db)
  const found = await agencyById(s.db, actor.agencyId)
  const agency = found && { code: found.code, name: found.name }
  return {
    agency,
    users: users.map((u) => ({
      username: u.username,
      fullName: u.fullName,
      title: u.title,
      roles: roles.filter((r) => r.userId === u.id).map((r) => r.role),
    })),
    templates: templates.map((t) => ({ name: t.name, steps: JSON.parse(t.stepsJson) as unknown })),
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
export async function documentHistory(db: Queryable, documentId: number): Promise<DocumentEvent[]> {
  const rows = await documentEvents(db, documentId)
  const onBehalf = new Map<number, { name: string; title: string | null }>()
  // The personal part of an event (issue 14) reads as part of its detail, until it is erased.
  const parse = (json: string | null): Record<string, unknown> =>
    json ? (JSON.parse(json) as Record<string, unknown>) : {}
  const detailOf = (r: { detailJson: string; personalJson: string | null }) => ({
    ...parse(r.detailJson),
    ...parse(r.personalJson),
  })
  const principalIds = rows
    .map((r) => detailOf(r).onBehalfOf)
    .filter((v): v is number => typeof v === 'number')
  if (principalIds.length)
    for (const u of await userNames(db, principalIds))
      onBehalf.set(u.id, { name: u.fullName, title: u.title })
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
        fullName: r.fullName,
        title: r.title,
        detail,
      }
    })
}
