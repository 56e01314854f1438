import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'

/**
 * `GET /api/me/remote-credentials?provider=&userRef=`: the signing credentials a user holds at a
 * remote-signing provider (their certificates), to submit one for approval.
 */
export async function remoteCredentials(
  s: Services,
  _actor: Actor,
  q: Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  const provider = q.provider
  const userRef = q.userRef
  if (typeof provider !== 'string' || typeof userRef !== 'string' || !userRef || userRef.length > 200) {
    throw new WorkflowError('BAD_REQUEST', 'provider, userRef: required')
  }
  const connector = s.remoteSigning?.get(provider)
  if (!connector)
    throw new WorkflowError('REMOTE_NOT_CONFIGURED', `Máy chủ chưa kết nối dịch vụ ký số từ xa '${provider}'`)
  const list = await connector.listCredentials(userRef)
  return list.map((c) => ({
    credentialId: c.credentialId,
    keyAlgorithm: c.keyAlgorithm,
    certificate: c.certificate.toString('base64'),
    ...(c.label && { label: c.label }),
  }))
}
