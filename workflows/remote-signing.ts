/**
 * Remote signing (issue 11, point 5): the key stays with a licensed provider (a CSC API v2 service,
 * VNPT SmartCA, Viettel MySign); the signer confirms each hash on their phone. Kyso prepares the
 * revision, asks the provider to sign its digest, and finishes the step when the provider answers
 * — polled in the background and whenever someone looks at the signing.
 */
import { createHash } from 'node:crypto'
import { SigningError } from '../signing/errors'
import type { RemoteSigningConnector } from '../signing/remote'
import { appendAudit } from '../storage/audit'
import { documentTitleOfStep, setRemoteTransaction } from '../storage/remote-records'
import {
  awaitingSessions,
  findSigningSession,
  moveSigningSession,
  type SigningSession,
} from '../storage/signing-sessions'
import { actorById } from './auth'
import type { Actor, Services } from './context'
import type { StepSignedResult } from './commit-signature'
import { WorkflowError } from '../shared/errors'
import { finishSession, prepareSession, type PrepareRequest } from './external-signing'
import { hasCode } from '../signing/errors'

export interface RemoteSigningAnswer {
  signingId: string
  stepId: number
  /** awaiting_confirmation | completed | refused | expired | failed */
  status: string
  keySource: string
  expiresAt: string
  detail: string | null
  result?: StepSignedResult
}

function connectorFor(s: Services, provider: string): RemoteSigningConnector {
  const c = s.remoteSigning?.get(provider)
  if (!c)
    throw new WorkflowError('REMOTE_NOT_CONFIGURED', `Máy chủ chưa kết nối dịch vụ ký số từ xa '${provider}'`)
  return c
}

/**
 * `POST /api/steps/:id/remote`: prepares the signature and sends its digest to the signer's
 * provider; answers at once with status `awaiting_confirmation` (the phone does the rest).
 */
export async function startRemoteSigning(
  s: Services,
  actor: Actor,
  stepId: number,
  req: PrepareRequest,
): Promise<RemoteSigningAnswer> {
  let provider = ''
  const { session, cert } = await prepareSession(
    s,
    actor,
    stepId,
    req,
    (c) => {
      if (!c.remote)
        throw new WorkflowError(
          'BAD_REQUEST',
          'certificateId: chứng thư số này không gắn với dịch vụ ký số từ xa',
        )
      provider = c.remote.provider
      connectorFor(s, provider)
      return `remote:${provider}`
    },
    'awaiting_confirmation',
  )
  const remote = cert.remote as NonNullable<typeof cert.remote>
  const digest = createHash('sha256')
    .update(session.signedAttributes as Buffer)
    .digest()
  const title = await documentTitleOfStep(s.db, stepId)
  let started: { transactionId: string; expiresAt: Date }
  try {
    started = await connectorFor(s, provider).startSignature({
      userRef: remote.userRef,
      credentialId: remote.credentialId,
      digest,
      description: `Kyso: ${title}`.slice(0, 500),
    })
  } catch (err) {
    await moveSigningSession(
      s.db,
      session.id,
      ['awaiting_confirmation'],
      'failed',
      String((err as Error).message),
    )
    throw err
  }
  const cap = Date.now() + s.config.remoteConfirmTimeoutSeconds * 1000
  const expiresAt = new Date(Math.min(started.expiresAt.getTime(), cap)).toISOString()
  await setRemoteTransaction(s.db, session.id, { transactionId: started.transactionId, expiresAt })
  await appendAudit(s.db, {
    actorId: actor.id,
    action: 'step.remote-requested',
    documentId: null,
    requestId: actor.requestId ?? null,
    detail: { stepId, provider, signingId: session.id, certificateSerial: cert.serialHex },
  })
  return {
    signingId: session.id,
    stepId,
    status: 'awaiting_confirmation',
    keySource: session.keySource,
    expiresAt,
    detail: null,
  }
}

/** `GET /api/signings/:id`: the state of the actor's signing, polled once more if still waiting. */
export async function remoteSigningState(
  s: Services,
  actor: Actor,
  signingId: string,
): Promise<RemoteSigningAnswer> {
  const session = await findSigningSession(s.db, signingId)
  if (!session || session.userId !== actor.id)
    throw new WorkflowError('NOT_FOUND', 'Không tìm thấy phiên ký này')
  // A failed poll is recorded on the session (status failed, its detail): the look still answers.
  const result =
    session.status === 'awaiting_confirmation'
      ? await pollSession(s, session).catch(() => undefined)
      : undefined
  const now = (await findSigningSession(s.db, signingId)) as SigningSession
  return {
    signingId: now.id,
    stepId: now.stepId,
    status: now.status,
    keySource: now.keySource,
    expiresAt: now.expiresAt,
    detail: now.detail,
    ...(result && { result }),
  }
}

/**
 * One look at a waiting remote signature: still pending (nothing), signed (finished like a
 * two-phase signature), refused or expired (the session ends, audited, the step stays open).
 */
export async function pollSession(
  s: Services,
  session: SigningSession,
): Promise<StepSignedResult | undefined> {
  const provider = session.keySource.replace(/^remote:/, '')
  const end = async (to: 'refused' | 'expired' | 'failed', detail: string): Promise<undefined> => {
    if (await moveSigningSession(s.db, session.id, ['awaiting_confirmation'], to, detail)) {
      await appendAudit(s.db, {
        actorId: session.userId,
        action: `step.remote-${to}`,
        documentId: null,
        detail: { stepId: session.stepId, provider, signingId: session.id, detail },
      })
    }
    return undefined
  }
  if (new Date(session.expiresAt) <= new Date()) return end('expired', 'không xác nhận trong thời hạn')
  if (!session.remoteTransactionId) return undefined
  const state = await connectorFor(s, provider).pollSignature(session.remoteTransactionId)
  if (state.state === 'pending') return undefined
  if (state.state === 'refused') return end('refused', state.reason || 'người ký từ chối trên điện thoại')
  if (state.state === 'expired') return end('expired', 'nhà cung cấp báo hết hạn xác nhận')
  // The background poller and a look from the page may both see the answer: one finishes it.
  if (s.remoteFinishing.has(session.id)) return undefined
  s.remoteFinishing.add(session.id)
  const actor = await actorById(s, session.userId)
  try {
    return await finishSession(s, actor, session, state.signature)
  } catch (err) {
    // Another instance finished it first: nothing to do.
    const now = await findSigningSession(s.db, session.id)
    if (hasCode(err, 'SIGNING_USED') || now?.status === 'completed') return undefined
    const code = err instanceof SigningError || err instanceof WorkflowError ? err.code : 'INTERNAL'
    await end('failed', `${code}: ${(err as Error).message}`)
    throw err
  } finally {
    s.remoteFinishing.delete(session.id)
  }
}

/**
 * The background poller's round: every waiting remote signature looked at once. Errors are
 * logged, never thrown (the next round tries again).
 */
export async function pollRemoteSignings(s: Services): Promise<number> {
  let finished = 0
  for (const session of await awaitingSessions(s.db, 50)) {
    try {
      if (await pollSession(s, session)) finished++
    } catch (err) {
      s.log?.({ level: 'warn', msg: 'remote signing poll failed', signingId: session.id, error: String(err) })
    }
  }
  return finished
}
