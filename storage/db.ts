import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import knex, { type Knex } from 'knex'
import { migrationSource } from './migrations'

export type Db = Knex

/**
 * SQLite in the data folder: WAL, synchronous=FULL, foreign keys, a busy timeout, set on every
 * connection. One connection: SQLite has one writer anyway, and one connection makes transactions
 * serialise instead of failing with SQLITE_BUSY. Never query the global knex inside a transaction
 * callback (it would wait for the connection the transaction holds).
 */
export async function openDb(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true })
  const db = knex({
    client: 'sqlite3',
    connection: { filename: join(dataDir, 'kyso.db') },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { run: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, c: unknown) => void) => {
        // busy_timeout first: another instance may hold the write lock while this one sets up.
        const pragmas = ['PRAGMA busy_timeout = 5000', 'PRAGMA journal_mode = WAL', 'PRAGMA synchronous = FULL', 'PRAGMA foreign_keys = ON']
        const next = (i: number): void => {
          if (i >= pragmas.length) return done(null, conn)
          conn.run(pragmas[i] as string, (err) => (err ? done(err, conn) : next(i + 1)))
        }
        next(0)
      },
    },
  })
  const fk = (await db.raw('PRAGMA foreign_keys')) as { foreign_keys: number }[]
  if (fk[0]?.foreign_keys !== 1) throw new Error('SQLite foreign keys could not be enabled')
  await migrate(db)
  return db
}

/**
 * Runs the migrations. Two instances starting together race to create knex's own lock table, or
 * find the lock taken: the loser waits and tries again, and finds the work done.
 */
async function migrate(db: Db): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.migrate.latest({ migrationSource })
      return
    } catch (err) {
      const msg = (err as Error).message ?? ''
      const race = /already exists|Migration table is already locked|MigrationLocked|SQLITE_BUSY/i.test(msg) || (err as { name?: string }).name === 'MigrationLocked'
      if (!race || attempt >= 40) throw err
      await new Promise((r) => setTimeout(r, 250))
    }
  }
}

/** Runs `fn` in a transaction, or inside the caller's when one is given (nested use cases). */
export async function inTransaction<T>(db: Db, fn: (trx: Knex.Transaction) => Promise<T>, outer?: Knex.Transaction): Promise<T> {
  if (outer) return fn(outer)
  return db.transaction(fn)
}
