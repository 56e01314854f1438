import type { Knex } from 'knex'

/**
 * What a repository function runs its SQL on: the database, or a transaction a use case opened
 * with `inTransaction`. Every function of storage/ takes one as its first argument, so the same
 * query serves inside and outside a transaction without copying the services object.
 */
export type Queryable = Knex | Knex.Transaction

/** A transaction in progress, as a use case hands it to repository functions. */
export type Tx = Knex.Transaction

/**
 * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (the
 * error is rethrown). Inside, pass `trx` to every repository call: on SQLite the one connection
 * belongs to the transaction, and a query on the database itself would wait for it forever.
 *
 * @example
 * const id = await inTransaction(s.db, async (trx) => {
 *   const doc = await lockDocument(trx, documentId)
 *   return insertVersion(trx, { documentId: doc.id, ... })
 * })
 */
export function inTransaction<T>(db: Knex, work: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(work)
}
