/**
 * The VGCA plugin (and vendor plugins like it) runs outside the browser: it downloads the file to
 * sign from a URL and posts the signed file to another, without the page's session cookie. A
 * ticket stands in for the session on those two URLs only: bound to one user, one step and the
 * version current when it was made, short-lived, used once. Only its SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto'
import { findSigningSession, insertSigningSession, type SigningSession } from '../storage/signing-sessions'
import { versionSha256 } from '../storage/version-records'
import { actorById } from './auth'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { takeTurn } from './step-turn'

const TICKET_TTL_MS = 10 * 60_000

const idOf = (ticket: string): string => createHash('sha256').update(ticket).digest('hex')

export interface FileTicket {
  ticket: string
  expiresAt: string
  /** Where the plugin downloads the version (GET) and posts the signed file (multipart POST). */
  toSignUrl: string
  signedFileUrl: string
  /** The ETag of the version the ticket is for. */
  etag: string
}

/** `POST /api/steps/:id/file-ticket`: for the signer whose turn it is. */
export async function createFileTicket(s: Services, actor: Actor, stepId: number): Promise<FileTicket> {
  const turn = await takeTurn(s, actor, stepId)
  const ticket = randomBytes(32).toString('base64url')
  const now = new Date()
  const session: SigningSession = {
    id: idOf(ticket),
    userId: actor.id,
    stepId,
    versionId: turn.base.id,
    certificateId: null,
    keySource: 'signed-file',
    status: 'prepared',
    preparedPdf: null,
    signedAttributes: null,
    layout: null,
    remoteTransactionId: null,
    evidenceJson: null,
    detail: null,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + TICKET_TTL_MS).toISOString(),
    finishedAt: null,
  }
  await insertSigningSession(s.db, session)
  const q = `ticket=${encodeURIComponent(ticket)}`
  return {
    ticket,
    expiresAt: session.expiresAt,
    toSignUrl: `/api/steps/${stepId}/to-sign?${q}`,
    signedFileUrl: `/api/steps/${stepId}/signed-file?${q}`,
    etag: turn.base.sha256,
  }
}

/**
 * The user a ticket stands for on this step, and the ETag of its version (its If-Match), or
 * UNAUTHENTICATED: an unknown, used, expired or other step's ticket says nothing more.
 */
export async function redeemTicket(
  s: Services,
  stepId: number,
  ticket: string,
): Promise<{ actor: Actor; etag: string; sessionId: string }> {
  const session = await findSigningSession(s.db, idOf(ticket))
  const usable =
    session &&
    session.keySource === 'signed-file' &&
    session.stepId === stepId &&
    session.status === 'prepared'
  if (!session || !usable || new Date(session.expiresAt) <= new Date()) {
    throw new WorkflowError('UNAUTHENTICATED', 'Phiếu ký không hợp lệ hoặc đã hết hạn')
  }
  const etag = await versionSha256(s.db, session.versionId)
  return { actor: await actorById(s, session.userId), etag, sessionId: session.id }
}
