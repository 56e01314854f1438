import { createHash, randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import { takeLock } from './sql'

export interface AuditInput {
  actorId: number | null
  action: string
  documentId?: number | null
  detail?: Record<string, unknown>
  /**
   * Personal data the event needs (usernames, titles: Law 91/2025/QH15). Kept beside the event and
   * chained only through a salted digest, so an erasure can remove it and the chain still verifies.
   */
  personal?: Record<string, unknown>
  /** Whose personal data `personal` is, when it is one user's (found again at an erasure). */
  subjectUserId?: number | null
  requestId?: string | null
}

const GENESIS = '0'.repeat(64)

interface EventRow {
  format?: number | null
  at: string
  actor_id: number | null
  action: string
  document_id: number | null
  detail_json: string
  request_id: string | null
  personal_digest?: string | null
  subject_user_id?: number | null
}

/**
 * The canonical form an event is hashed in. Format 1 (events written before 2026-12-05): fixed
 * key order, ISO time, JSON detail. Format 2 adds the digest of the personal part and whose it is,
 * never the personal data itself.
 */
function canonical(e: EventRow): string {
  const base = [e.at, e.actor_id, e.action, e.document_id, e.detail_json, e.request_id]
  if ((e.format ?? 1) === 1) return JSON.stringify(base)
  return JSON.stringify([2, ...base, e.personal_digest ?? null, e.subject_user_id ?? null])
}

function chain(prevHash: string, e: EventRow): string {
  return createHash('sha256').update(prevHash).update(canonical(e)).digest('hex')
}

/** sha256(salt || personal JSON): a random salt per event, so a short name cannot be guessed from it. */
function personalDigest(salt: string, personalJson: string): string {
  return createHash('sha256').update(salt).update(personalJson).digest('hex')
}

/**
 * Appends an audit event inside the caller's transaction: hash = sha256(prev_hash || canonical
 * event), so editing or deleting any row breaks every hash after it.
 */
export async function appendAudit(db: Knex.Transaction | Knex, input: AuditInput): Promise<void> {
  // Reading the last hash and inserting the next must not interleave with another append, from
  // this instance or another: outside a caller's transaction, take one; inside it, a lock held
  // to its commit (SQLite runs one transaction at a time on our one connection; PostgreSQL waits
  // on an advisory lock). Taken last in the caller's transaction, so it is held briefly.
  if (!(db as Knex.Transaction).isTransaction) return db.transaction((trx) => appendAudit(trx, input))
  const trx = db as Knex.Transaction
  await takeLock(trx, 'audit')
  const last = (await trx('audit_events').orderBy('id', 'desc').first('hash')) as { hash: string } | undefined
  const prevHash = last?.hash ?? GENESIS
  const personalJson = input.personal ? JSON.stringify(input.personal) : null
  const salt = personalJson ? randomBytes(16).toString('hex') : null
  const row = {
    format: 2,
    at: new Date().toISOString(),
    actor_id: input.actorId,
    action: input.action,
    document_id: input.documentId ?? null,
    detail_json: JSON.stringify(input.detail ?? {}),
    request_id: input.requestId ?? null,
    personal_digest: personalJson && salt ? personalDigest(salt, personalJson) : null,
    subject_user_id: input.subjectUserId ?? null,
  }
  await trx('audit_events').insert({
    ...row,
    personal_json: personalJson,
    personal_salt: salt,
    prev_hash: prevHash,
    hash: chain(prevHash, row),
  })
}

/** Where the chain ended at some moment: kept outside the table (a signed checkpoint, issue 15). */
export interface AuditHead {
  /** Events up to and including `lastId`. */
  events: number
  lastId: number
  headHash: string
}

export interface AuditVerification {
  ok: boolean
  events: number
  /** The id of the first event whose link or hash does not hold. */
  brokenAt?: number
  /** Events whose personal part was erased (each named by a later personal-data.erased event). */
  redacted?: number
  /**
   * Events the checkpoint covers are gone from the end: the id of the last one left (0: none). A
   * hash chain alone cannot tell a log cut short from a short log; the checkpoint can.
   */
  missingAfter?: number
  /** How many of the checkpoint's events are missing. */
  missing?: number
}

/** The newest event and how many there are up to it (what a checkpoint records). */
export async function auditHead(db: Knex): Promise<AuditHead | undefined> {
  const last = (await db('audit_events').orderBy('id', 'desc').first('id', 'hash')) as
    | { id: number; hash: string }
    | undefined
  if (!last) return undefined
  const n = (await db('audit_events').where('id', '<=', last.id).count('* as n').first()) as {
    n: number | string
  }
  return { events: Number(n.n), lastId: last.id, headHash: last.hash }
}

/**
 * Whether the table still holds what a checkpoint recorded: the event `lastId` with that hash, and
 * as many events up to it. Otherwise the id of the last event left at or before `lastId`.
 */
export async function checkAgainst(
  db: Knex,
  head: AuditHead,
): Promise<{ ok: true } | { ok: false; missingAfter: number; missing: number }> {
  const row = (await db('audit_events').where({ id: head.lastId }).first('hash')) as
    | { hash: string }
    | undefined
  const upTo = db('audit_events').where('id', '<=', head.lastId)
  const n = Number(((await upTo.clone().count('* as n').first()) as { n: number | string }).n)
  if (row?.hash === head.headHash && n === head.events) return { ok: true }
  const left = (await upTo.clone().orderBy('id', 'desc').first('id')) as { id: number } | undefined
  return { ok: false, missingAfter: left?.id ?? 0, missing: head.events - n }
}

interface StoredRow extends EventRow {
  id: number
  prev_hash: string
  hash: string
  personal_json: string | null
  personal_salt: string | null
  redacted_at: string | Date | null
}

/** Ids an erasure event says it redacted (its detail lists them). */
function redactedBy(r: StoredRow): number[] {
  if (r.action !== 'personal-data.erased') return []
  const ids = (JSON.parse(r.detail_json) as { redactedEventIds?: unknown }).redactedEventIds
  return Array.isArray(ids) ? ids.filter((v): v is number => typeof v === 'number') : []
}

/**
 * Recomputes the chain from the first event; names the first broken one; with the latest
 * checkpoint, also reports events missing from its end. A present personal part
 * must match its digest; an absent one must have been erased by a later, chained erasure event
 * that names it (so quietly deleting personal data is a break too).
 */
export async function verifyAudit(db: Knex, checkpoint?: AuditHead): Promise<AuditVerification> {
  const rows = (await db('audit_events').orderBy('id', 'asc').select()) as StoredRow[]
  const erased = new Set(rows.flatMap(redactedBy))
  let prev = GENESIS
  let redacted = 0
  for (const r of rows) {
    const at = typeof r.at === 'string' ? r.at : new Date(r.at).toISOString()
    const broken = { ok: false, events: rows.length, brokenAt: r.id }
    if (r.prev_hash !== prev || chain(prev, { ...r, at }) !== r.hash) return broken
    if (r.personal_digest) {
      if (r.personal_json !== null) {
        if (personalDigest(r.personal_salt ?? '', r.personal_json) !== r.personal_digest) return broken
      } else if (!r.redacted_at || !erased.has(r.id)) return broken
      else redacted++
    }
    prev = r.hash
  }
  // With the latest checkpoint: deleted newest events leave a chain that is whole, only shorter.
  if (checkpoint) {
    const against = await checkAgainst(db, checkpoint)
    if (!against.ok)
      return { ok: false, events: rows.length, missingAfter: against.missingAfter, missing: against.missing }
  }
  return { ok: true, events: rows.length, ...(redacted > 0 && { redacted }) }
}
