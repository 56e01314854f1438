import type { Queryable } from './transaction'

/**
 * Remote signing (issue 11, point 5) beside the signing session itself: what the provider is told
 * the signature is for, and the provider's transaction the session waits on.
 */

/** The title of the document a step belongs to (shown to the signer on their phone). */
export async function documentTitleOfStep(db: Queryable, stepId: number): Promise<string> {
  const doc = (await db('steps as st')
    .join('workflows as w', 'w.id', 'st.workflow_id')
    .join('documents as d', 'd.id', 'w.document_id')
    .where('st.id', stepId)
    .first('d.title')) as { title: string }
  return doc.title
}

/** The provider's transaction a session now waits on, and when the wait ends. */
export async function setRemoteTransaction(
  db: Queryable,
  sessionId: string,
  remote: { transactionId: string; expiresAt: string },
): Promise<void> {
  await db('signing_sessions')
    .where({ id: sessionId })
    .update({ remote_transaction_id: remote.transactionId, expires_at: remote.expiresAt })
}
