import type { Queryable } from './transaction'

/**
 * Where a person's data lives, for an administrator's answer to an access or erasure request
 * (Law 91/2025/QH15; the README's "Personal data"). The use case decides; `eraseAccount` carries out
 * an erasure it decided on.
 */

const iso = (v: string | Date | null): string | null => (v === null ? null : new Date(v).toISOString())

export interface PersonRecord {
  id: number
  username: string
  fullName: string
  title: string | null
  agencyCode: string
  agencyName: string
  disabled: boolean
  createdAt: string | null
  erasedAt: string | null
  roles: string[]
}

export async function personRecord(db: Queryable, userId: number): Promise<PersonRecord | undefined> {
  const u = (await db('users as u')
    .join('agencies as a', 'a.id', 'u.agency_id')
    .where('u.id', userId)
    .first(
      'u.id',
      'u.username',
      'u.full_name',
      'u.title',
      'u.disabled',
      'u.created_at',
      'u.erased_at',
      'a.code',
      'a.name',
    )) as
    | {
        id: number
        username: string
        full_name: string
        title: string | null
        disabled: number | boolean
        created_at: string
        erased_at: string | null
        code: string
        name: string
      }
    | undefined
  if (!u) return undefined
  const roles = (await db('user_roles').where({ user_id: userId }).pluck('role')) as string[]
  return {
    id: u.id,
    username: u.username,
    fullName: u.full_name,
    title: u.title,
    agencyCode: u.code,
    agencyName: u.name,
    disabled: Boolean(u.disabled),
    createdAt: iso(u.created_at),
    erasedAt: iso(u.erased_at),
    roles,
  }
}

/**
 * A timestamp or date column as the driver gives it: text on SQLite, a Date on PostgreSQL (the
 * export's JSON writes both as text).
 */
type Stamp = string | Date

/** Everything else held about the person, one list per kind of record, each row as the database has it. */
export interface PersonHoldings {
  certificates: {
    id: number
    kind: string
    source: string
    status: string
    subject: string
    issuer: string | null
    serialHex: string
    notBefore: Stamp
    notAfter: Stamp
    revokedAt: Stamp | null
    remoteProvider: string | null
    remoteUserRef: string | null
  }[]
  enrolments: {
    id: number
    kind: string
    createdAt: Stamp
    completedAt: Stamp | null
    cancelledAt: Stamp | null
  }[]
  delegations: {
    id: number
    principalId: number
    delegateId: number
    marker: string
    from: Stamp
    to: Stamp
    endedAt: Stamp | null
  }[]
  standingAuthorities: {
    id: number
    holderId: number
    principalId: number | null
    marker: string
    principalTitle: string
    from: Stamp
    endedAt: Stamp | null
  }[]
  documentsDrafted: { id: number; title: string; kind: string; status: string; createdAt: Stamp }[]
  signatures: {
    id: number
    documentId: number
    stepId: number
    userId: number
    onBehalfOf: number | null
    marker: string | null
    field: string
    keySource: string | null
    form: string
    createdAt: Stamp
  }[]
  sessions: { createdAt: Stamp; expiresAt: Stamp; revokedAt: Stamp | null }[]
  /** Paper documents the person entered in the register (`date`: the day it was issued). */
  paperRegistered: { id: number; number: string; date: Stamp; title: string; signer: string }[]
}

/** Everything else held about the person, row by row (no key material: PKCS#12 and hashes are left out). */
export async function personHoldings(db: Queryable, userId: number): Promise<PersonHoldings> {
  const certificates = await db('certificates')
    .where({ holder_user_id: userId })
    .orderBy('id')
    .select(
      'id',
      'kind',
      'source',
      'status',
      'subject',
      'issuer',
      'serial_hex as serialHex',
      'not_before as notBefore',
      'not_after as notAfter',
      'revoked_at as revokedAt',
      'remote_provider as remoteProvider',
      'remote_user_ref as remoteUserRef',
    )
  const enrolments = await db('certificate_enrolments')
    .where({ user_id: userId })
    .orderBy('id')
    .select(
      'id',
      'kind',
      'created_at as createdAt',
      'completed_at as completedAt',
      'cancelled_at as cancelledAt',
    )
  const delegations = await db('delegations')
    .where((w) => void w.where({ principal_id: userId }).orWhere({ delegate_id: userId }))
    .orderBy('id')
    .select(
      'id',
      'principal_id as principalId',
      'delegate_id as delegateId',
      'marker',
      'valid_from as from',
      'valid_to as to',
      'revoked_at as endedAt',
    )
  const standingAuthorities = await db('signing_authorities')
    .where((w) => void w.where({ holder_id: userId }).orWhere({ principal_id: userId }))
    .orderBy('id')
    .select(
      'id',
      'holder_id as holderId',
      'principal_id as principalId',
      'marker',
      'principal_title as principalTitle',
      'valid_from as from',
      'ended_at as endedAt',
    )
  const documentsDrafted = await db('documents')
    .where({ drafter_id: userId })
    .orderBy('id')
    .select('id', 'title', 'kind', 'status', 'created_at as createdAt')
  const signatures = await db('signatures')
    .where({ user_id: userId })
    .orWhere({ on_behalf_of: userId })
    .orderBy('id')
    .select(
      'id',
      'document_id as documentId',
      'step_id as stepId',
      'user_id as userId',
      'on_behalf_of as onBehalfOf',
      'marker',
      'field_name as field',
      'key_source as keySource',
      'form',
      'created_at as createdAt',
    )
  const sessions = await db('sessions')
    .where({ user_id: userId })
    .orderBy('created_at')
    .select('created_at as createdAt', 'expires_at as expiresAt', 'revoked_at as revokedAt')
  const paperSigned = await db('paper_documents')
    .where({ created_by: userId })
    .orderBy('id')
    .select('id', 'number', 'issued_on as date', 'title', 'signer')
  return {
    certificates,
    enrolments,
    delegations,
    standingAuthorities,
    documentsDrafted,
    signatures,
    sessions,
    paperRegistered: paperSigned,
  }
}

export interface AuditAbout {
  id: number
  at: string | null
  action: string
  documentId: number | null
  actorId: number | null
  subjectUserId: number | null
  format: number
  detail: unknown
  personal: unknown
  redactedAt: string | null
}

/** `"pct.hoan"` as LIKE matches it inside JSON text (with LIKE's own wildcards escaped). */
function quotedPattern(value: string): string {
  return `%${JSON.stringify(value).replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/**
 * Audit events about the person: those they did, those whose personal part is theirs, and those
 * whose personal part names their username (format 2); and format-1 events whose hashed detail
 * names it (written before personal data moved out of the hash).
 */
export async function auditEventsAbout(
  db: Queryable,
  userId: number,
  username: string,
): Promise<AuditAbout[]> {
  const rows = (await db('audit_events')
    .where(
      (w) =>
        void w
          .where('actor_id', userId)
          .orWhere('subject_user_id', userId)
          .orWhereRaw("personal_json like ? escape '\\'", [quotedPattern(username)])
          .orWhere(
            (f) =>
              void f.where('format', 1).whereRaw("detail_json like ? escape '\\'", [quotedPattern(username)]),
          ),
    )
    .orderBy('id')
    .select(
      'id',
      'at',
      'action',
      'document_id',
      'actor_id',
      'subject_user_id',
      'format',
      'detail_json',
      'personal_json',
      'redacted_at',
    )) as {
    id: number
    at: string
    action: string
    document_id: number | null
    actor_id: number | null
    subject_user_id: number | null
    format: number
    detail_json: string
    personal_json: string | null
    redacted_at: string | null
  }[]
  return rows.map((r) => ({
    id: r.id,
    at: iso(r.at),
    action: r.action,
    documentId: r.document_id,
    actorId: r.actor_id,
    subjectUserId: r.subject_user_id,
    format: Number(r.format),
    detail: JSON.parse(r.detail_json) as unknown,
    personal: r.personal_json ? (JSON.parse(r.personal_json) as unknown) : null,
    redactedAt: iso(r.redacted_at),
  }))
}

/** Steps waiting for the person now (an erasure would strand them). */
export async function pendingAssignments(db: Queryable, userId: number): Promise<number> {
  const row = (await db('step_assignees as a')
    .join('steps as st', 'st.id', 'a.step_id')
    .join('workflows as w', 'w.id', 'st.workflow_id')
    .where({ 'a.user_id': userId, 'a.status': 'pending', 'w.status': 'active' })
    .whereIn('st.status', ['active', 'waiting'])
    .count('* as n')
    .first()) as { n: number | string }
  return Number(row.n)
}

export async function openDraftsOf(db: Queryable, userId: number): Promise<number> {
  const row = (await db('documents')
    .where({ drafter_id: userId })
    .whereIn('status', ['draft', 'in_progress', 'returned'])
    .count('* as n')
    .first()) as { n: number | string }
  return Number(row.n)
}

/** Removes the personal part of audit events (format 2); their digests stay, so the chain holds. */
export async function redactAuditPersonal(db: Queryable, ids: number[], at: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db('audit_events')
      .whereIn('id', ids.slice(i, i + 500))
      .whereNotNull('personal_json')
      .update({ personal_json: null, personal_salt: null, redacted_at: at })
  }
}

/** An erasure as workflows/personal-data.ts decided it: whose account, when, by which administrator. */
export interface AccountErasure {
  userId: number
  /** The username before erasure: its login failures go too. */
  username: string
  at: string
  by: number
}

/**
 * Replaces the account's personal fields and closes it, wipes its certificates' keys, deletes its
 * sessions, throttling records and stored responses, cancels its open enrolments and ends its
 * delegations and standing authorities. Run in the erasure's transaction.
 */
export async function eraseAccount(db: Queryable, e: AccountErasure): Promise<void> {
  const { userId, at } = e
  await db('users')
    .where({ id: userId })
    .update({
      username: `erased-${userId}`,
      full_name: `Người dùng đã xóa #${userId}`,
      title: null,
      password_hash: '!',
      disabled: true,
      erased_at: at,
    })
  await db('certificates')
    .where({ holder_user_id: userId })
    .update({ p12: Buffer.alloc(0), remote_user_ref: null })
  await db('sessions').where({ user_id: userId }).delete()
  await db('login_failures').where({ username: e.username }).delete()
  await db('idempotency_keys').where({ user_id: userId }).delete()
  await db('certificate_enrolments')
    .where({ user_id: userId })
    .whereNull('completed_at')
    .whereNull('cancelled_at')
    .update({ cancelled_at: at })
  await db('delegations')
    .where((w) => void w.where({ principal_id: userId }).orWhere({ delegate_id: userId }))
    .whereNull('revoked_at')
    .update({ revoked_at: at })
  await db('signing_authorities')
    .where((w) => void w.where({ holder_id: userId }).orWhere({ principal_id: userId }))
    .whereNull('ended_at')
    .update({ ended_at: at, ended_by: e.by })
}
