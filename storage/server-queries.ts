import { isUniqueViolation } from './sql'
import type { Queryable } from './transaction'

/**
 * The few queries server/ needs of its own (issue 16: no SQL in server/): the session's agency
 * for GET /api/me, the Idempotency-Key records of server/http.ts, and the readiness probe.
 */

/** An agency's code and name, as the signed-in user's page shows them. */
export async function agencyLabel(db: Queryable, agencyId: number): Promise<{ code: string; name: string }> {
  return (await db('agencies').where({ id: agencyId }).first('code', 'name')) as {
    code: string
    name: string
  }
}

/** A user's Idempotency-Key, as the first request with it left it. */
export interface IdempotencyRecord {
  requestHash: string
  /** Null while the first request is still running. */
  statusCode: number | null
  responseJson: string | null
}

/**
 * Claims a key for a request (its fingerprint `requestHash`): true when this request is the first,
 * false when the user already used the key (the unique key (user_id, key) says so).
 */
export async function claimIdempotencyKey(
  db: Queryable,
  claim: { userId: number; key: string; requestHash: string; at: Date },
): Promise<boolean> {
  const row = {
    user_id: claim.userId,
    key: claim.key,
    request_hash: claim.requestHash,
    created_at: claim.at.toISOString(),
  }
  return db('idempotency_keys')
    .insert(row)
    .then(
      () => true,
      (err: unknown) => {
        if (isUniqueViolation(err)) return false
        throw err
      },
    )
}

/** Drops a claim whose request never answered and began before `before`; true when one was dropped. */
export async function dropAbandonedIdempotencyKey(
  db: Queryable,
  userId: number,
  key: string,
  before: Date,
): Promise<boolean> {
  const dropped = await db('idempotency_keys')
    .where({ user_id: userId, key })
    .whereNull('status_code')
    .where('created_at', '<', before.toISOString())
    .delete()
  return dropped > 0
}

export async function idempotencyRecord(
  db: Queryable,
  userId: number,
  key: string,
): Promise<IdempotencyRecord> {
  const row = (await db('idempotency_keys').where({ user_id: userId, key }).first()) as {
    request_hash: string
    status_code: number | null
    response_json: string | null
  }
  return { requestHash: row.request_hash, statusCode: row.status_code, responseJson: row.response_json }
}

/** Gives a key back (its request failed): the same key may be tried again. */
export async function releaseIdempotencyKey(db: Queryable, userId: number, key: string): Promise<void> {
  await db('idempotency_keys').where({ user_id: userId, key }).delete()
}

/** The answer a replay of the key gets from now on. */
export async function storeIdempotentAnswer(
  db: Queryable,
  userId: number,
  key: string,
  answer: { status: number; body: unknown },
): Promise<void> {
  await db('idempotency_keys')
    .where({ user_id: userId, key })
    .update({ status_code: answer.status, response_json: JSON.stringify(answer.body) })
}

/** The database answers a trivial query (GET /readyz). */
export async function pingDatabase(db: Queryable): Promise<void> {
  await db.raw('select 1')
}
