import type { Knex } from 'knex'
import type { Queryable } from './transaction'

export type SigningSessionStatus =
  | 'prepared'
  | 'awaiting_confirmation'
  | 'completed'
  | 'refused'
  | 'expired'
  | 'failed'

/** Where a prepared signature's /Contents lies, and what the appearance looks like. */
export interface PreparedLayout {
  contentsStart: number
  contentsEnd: number
  byteRange: [number, number, number, number]
  fieldName: string
  signingTime: string
  page: number
  rect: { x: number; y: number; width: number; height: number }
  /** What the signer said when preparing: the seal's number and date, a comment. */
  outgoingNumber?: string
  outgoingDate?: string
  comment?: string
  /** A seal (issue 13): its register entry and what the prepared revision printed. */
  issuance?: { entryId: number; numberPrinted: boolean; datePrinted: boolean; notes: string[] }
}

/**
 * A signature prepared by Kyso and waiting for its value from a key held elsewhere: a USB token
 * through `kyso agent`, a remote-signing service, or any tool given the signed attributes.
 */
export interface SigningSession {
  id: string
  userId: number
  stepId: number
  versionId: number
  certificateId: number | null
  keySource: string
  status: SigningSessionStatus
  preparedPdf: Buffer | null
  signedAttributes: Buffer | null
  layout: PreparedLayout | null
  remoteTransactionId: string | null
  evidenceJson: string | null
  detail: string | null
  createdAt: string
  expiresAt: string
  finishedAt: string | null
}

interface Row {
  id: string
  user_id: number
  step_id: number
  version_id: number
  certificate_id: number | null
  key_source: string
  status: SigningSessionStatus
  prepared_pdf: Buffer | Uint8Array | null
  signed_attributes: Buffer | Uint8Array | null
  prepared_json: string | null
  remote_transaction_id: string | null
  evidence_json: string | null
  detail: string | null
  created_at: string | Date
  expires_at: string | Date
  finished_at: string | Date | null
}

const iso = (v: string | Date): string => new Date(v).toISOString()
const bytes = (v: Buffer | Uint8Array | null): Buffer | null => (v === null ? null : Buffer.from(v))

function session(r: Row): SigningSession {
  return {
    id: r.id,
    userId: r.user_id,
    stepId: r.step_id,
    versionId: r.version_id,
    certificateId: r.certificate_id,
    keySource: r.key_source,
    status: r.status,
    preparedPdf: bytes(r.prepared_pdf),
    signedAttributes: bytes(r.signed_attributes),
    layout: r.prepared_json ? (JSON.parse(r.prepared_json) as PreparedLayout) : null,
    remoteTransactionId: r.remote_transaction_id,
    evidenceJson: r.evidence_json,
    detail: r.detail,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    finishedAt: r.finished_at === null ? null : iso(r.finished_at),
  }
}

export async function insertSigningSession(db: Knex, s: SigningSession): Promise<void> {
  await db('signing_sessions').insert({
    id: s.id,
    user_id: s.userId,
    step_id: s.stepId,
    version_id: s.versionId,
    certificate_id: s.certificateId,
    key_source: s.keySource,
    status: s.status,
    prepared_pdf: s.preparedPdf,
    signed_attributes: s.signedAttributes,
    prepared_json: s.layout ? JSON.stringify(s.layout) : null,
    remote_transaction_id: s.remoteTransactionId,
    evidence_json: s.evidenceJson,
    detail: s.detail,
    created_at: s.createdAt,
    expires_at: s.expiresAt,
    finished_at: s.finishedAt,
  })
}

export async function findSigningSession(db: Knex, id: string): Promise<SigningSession | undefined> {
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) return undefined
  const row = (await db('signing_sessions').where({ id }).first()) as Row | undefined
  return row && session(row)
}

/** Sessions waiting for a remote signer's confirmation (oldest first). */
export async function awaitingSessions(db: Knex, limit: number): Promise<SigningSession[]> {
  const rows = (await db('signing_sessions')
    .where({ status: 'awaiting_confirmation' })
    .orderBy('created_at')
    .limit(limit)
    .select()) as Row[]
  return rows.map(session)
}

/** The open sessions of a step (prepared or awaiting confirmation), newest first. */
export async function openSessionsOfStep(db: Knex, stepId: number): Promise<SigningSession[]> {
  const rows = (await db('signing_sessions')
    .where({ step_id: stepId })
    .whereIn('status', ['prepared', 'awaiting_confirmation'])
    .orderBy('created_at', 'desc')
    .select()) as Row[]
  return rows.map(session)
}

/**
 * Moves a session from one of `from` to `to` (a conditional update, so of two instances polling
 * the same session one makes the move); true when it moved. The prepared file is dropped once the
 * session can no longer complete.
 */
export async function moveSigningSession(
  db: Knex,
  id: string,
  from: SigningSessionStatus[],
  to: SigningSessionStatus,
  detail?: string,
): Promise<boolean> {
  const ended = to !== 'prepared' && to !== 'awaiting_confirmation'
  const changed = await db('signing_sessions')
    .where({ id })
    .whereIn('status', from)
    .update({
      status: to,
      ...(detail !== undefined && { detail: detail.slice(0, 500) }),
      ...(ended && { finished_at: new Date().toISOString() }),
      ...(ended && to !== 'completed' && { prepared_pdf: null }),
    })
  return changed > 0
}

/**
 * A signing session completes once (in the transaction that records its signature): true when
 * this completion took it, false when a replayed or concurrent one already had.
 */
export async function completeSigningSession(db: Queryable, id: string, at: string): Promise<boolean> {
  const taken = await db('signing_sessions')
    .where({ id })
    .whereIn('status', ['prepared', 'awaiting_confirmation'])
    .update({ status: 'completed', finished_at: at, prepared_pdf: null })
  return taken > 0
}

/** A remote signature waiting for its signer's confirmation on their phone (issue 11). */
export interface AwaitingConfirmation {
  id: string
  stepId: number
  userId: number
  keySource: string
  expiresAt: string
  username: string
  fullName: string
}

/** The sessions of these steps waiting for a remote signer's confirmation, with who they wait for. */
export async function awaitingConfirmationOfSteps(
  db: Queryable,
  stepIds: number[],
): Promise<AwaitingConfirmation[]> {
  const rows = (await db('signing_sessions as ss')
    .join('users as u', 'u.id', 'ss.user_id')
    .whereIn('ss.step_id', stepIds)
    .where('ss.status', 'awaiting_confirmation')
    .select(
      'ss.id',
      'ss.step_id',
      'ss.user_id',
      'ss.key_source',
      'ss.expires_at',
      'u.username',
      'u.full_name',
    )) as {
    id: string
    step_id: number
    user_id: number
    key_source: string
    expires_at: string | Date
    username: string
    full_name: string
  }[]
  return rows.map((r) => ({
    id: r.id,
    stepId: r.step_id,
    userId: r.user_id,
    keySource: r.key_source,
    expiresAt: iso(r.expires_at),
    username: r.username,
    fullName: r.full_name,
  }))
}
