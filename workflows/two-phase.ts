import { findSigningSession } from '../storage/signing-sessions'
import type { Actor, Services } from './context'
import type { CommitInput, StepSignedResult } from './commit-signature'
import { WorkflowError } from '../shared/errors'
import {
  finishSession,
  prepareSession,
  refuseIfExpired,
  type PreparedAnswer,
  type PrepareRequest,
} from './external-signing'

export interface PrepareInput extends PrepareRequest {
  /** How the value will be made: 'agent' (kyso agent, a USB token) or any other tool ('two-phase'). */
  via?: unknown
}

/**
 * `POST /api/steps/:id/prepare`: Kyso writes the signature revision with its appearance and
 * answers the bytes to sign; the signer's own key signs them (issue 11, point 3).
 */
export async function prepareStep(
  s: Services,
  actor: Actor,
  stepId: number,
  input: PrepareInput,
): Promise<PreparedAnswer> {
  if (input.via !== undefined && input.via !== 'agent' && input.via !== 'two-phase') {
    throw new WorkflowError('BAD_REQUEST', 'via: agent or two-phase')
  }
  const source = input.via === 'agent' ? 'agent' : 'two-phase'
  const { answer } = await prepareSession(s, actor, stepId, input, () => source)
  return answer
}

export interface CompleteInput extends CommitInput {
  signingId: unknown
  signature: unknown
}

/**
 * `POST /api/steps/:id/complete`: the value for a prepared signature. A signingId belongs to one
 * user, step and version, is used once (SIGNING_USED on replay) and expires (SIGNING_EXPIRED).
 */
export async function completeStep(
  s: Services,
  actor: Actor,
  stepId: number,
  input: CompleteInput,
): Promise<StepSignedResult> {
  if (typeof input.signingId !== 'string' || input.signingId.length === 0)
    throw new WorkflowError('BAD_REQUEST', 'signingId: required')
  if (typeof input.signature !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(input.signature)) {
    throw new WorkflowError('BAD_REQUEST', 'signature: the signature value, base64')
  }
  const session = await findSigningSession(s.db, input.signingId)
  if (!session || session.userId !== actor.id || session.stepId !== stepId) {
    throw new WorkflowError('NOT_FOUND', 'Không tìm thấy phiên ký này')
  }
  if (session.status === 'expired')
    throw new WorkflowError('SIGNING_EXPIRED', 'Phiên ký đã hết hạn; hãy ký lại')
  if (session.status !== 'prepared')
    throw new WorkflowError('SIGNING_USED', 'Phiên ký này đã được dùng hoặc đã kết thúc')
  await refuseIfExpired(s, session)
  return finishSession(s, actor, session, Buffer.from(input.signature, 'base64'), input)
}
