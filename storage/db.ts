import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import knex, { type Knex } from 'knex'
import { migrationSource } from './migrations'
import { ADVISORY_LOCKS, dialectOf, isRetryable } from './sql'

export type Db = Knex

interface SqliteConnection {
  run: (sql: string, cb: (err: Error | null) => void) => void
  get: (sql: string, cb: (err: Error | null, row: unknown) => void) => void
}

export interface DbOptions {
  /** postgres://...: PostgreSQL; SQLite in the data folder when absent. */
  databaseUrl?: string
  /** PostgreSQL connections per instance (at least 2: migrations run beside their lock). */
  poolMax?: number
  /** Run the migrations (default true). `kyso backup` and read-only tools skip them. */
  migrate?: boolean
}

/**
 * SQLite in the data folder (the default), or PostgreSQL when a URL is given; the same migrations
 * either way. Never query the global knex inside a transaction callback: on SQLite the one
 * connection is the transaction's, and the query would wait for it forever.
 */
export async function openDb(dataDir: string, opts: DbOptions = {}): Promise<Db> {
  const db = opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolMax ?? 10) : await openSqlite(dataDir)
  try {
    if (opts.migrate !== false) await migrate(db)
  } catch (err) {
    await db.destroy()
    throw err
  }
  return db
}

/**
 * SQLite: WAL, synchronous=FULL, foreign keys, a busy timeout, set on every connection. One
 * connection: SQLite has one writer anyway, and one connection makes transactions serialise
 * instead of failing with SQLITE_BUSY.
 */
async function openSqlite(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true })
  const db = knex({
    client: immediateSqliteClient(),
    connection: { filename: join(dataDir, 'kyso.db') },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: SqliteConnection, done: (err: Error | null, c: unknown) => void) => {
        // busy_timeout first: another instance may hold the write lock while this one sets up (30 s:
        // the first start's demo seed holds it for several seconds on a loaded machine).
        // journal_mode=WAL is set only when the file is not in WAL mode yet: setting it takes the
        // database's lock, which an instance migrating or seeding holds for longer than the timeout.
        const pragmas = [
          'PRAGMA busy_timeout = 30000',
          'wal',
          'PRAGMA synchronous = FULL',
          'PRAGMA foreign_keys = ON',
        ]
        const next = (i: number): void => {
          if (i >= pragmas.length) return done(null, conn)
          if (pragmas[i] !== 'wal')
            return conn.run(pragmas[i] as string, (err) => (err ? done(err, conn) : next(i + 1)))
          conn.get('PRAGMA journal_mode', (err, row) => {
            if (err) return done(err, conn)
            if ((row as { journal_mode?: string } | undefined)?.journal_mode === 'wal') return next(i + 1)
            conn.run('PRAGMA journal_mode = WAL', (again) => (again ? done(again, conn) : next(i + 1)))
          })
        }
        next(0)
      },
    },
  })
  const fk = (await db.raw('PRAGMA foreign_keys')) as { foreign_keys: number }[]
  if (fk[0]?.foreign_keys !== 1) throw new Error('SQLite foreign keys could not be enabled')
  return db
}

/**
 * knex's SQLite client whose transactions begin IMMEDIATE (they take the write lock at BEGIN,
 * waiting for it up to the busy timeout) instead of DEFERRED. In WAL mode a deferred transaction
 * that has read and then writes after another process committed fails at once with SQLITE_BUSY
 * (the busy handler is not called for it: its snapshot is stale); two instances starting on one
 * empty file did exactly that while one seeded. With one connection per instance the only cost is
 * that a read-only transaction also waits for another instance's writer. A client class is knex's
 * own extension point (`client` may be a constructor); the transaction class is the dialect's.
 */
function immediateSqliteClient(): typeof Knex.Client {
  const Sqlite = require('knex/lib/dialects/sqlite3') as new (...args: unknown[]) => object
  type Tx = { query: (conn: unknown, sql: string) => Promise<unknown> }
  const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction') as new (
    ...args: unknown[]
  ) => Tx
  class ImmediateTransaction extends SqliteTransaction {
    begin(conn: unknown): Promise<unknown> {
      return this.query(conn, 'BEGIN IMMEDIATE;')
    }
  }
  return class ImmediateSqlite extends Sqlite {
    transaction(...args: unknown[]): ImmediateTransaction {
      return new ImmediateTransaction(this, ...args)
    }
  } as unknown as typeof Knex.Client
}

/**
 * PostgreSQL through the same code: values come back as SQLite gives them, so no caller needs to
 * know the dialect. Timestamps (timestamptz) as ISO 8601 strings in UTC (what we write), dates as
 * YYYY-MM-DD, bigint counts as numbers. Sessions run in UTC.
 */
function openPostgres(url: string, poolMax: number): Db {
  const pg = require('pg') as typeof import('pg')
  const asIso =
    (parse: (v: string) => unknown) =>
    (v: string): string =>
      (parse(v) as Date).toISOString()
  const parsers: Record<number, (v: string) => unknown> = {
    1184: asIso(pg.types.getTypeParser(1184, 'text')), // timestamptz
    1114: asIso(pg.types.getTypeParser(1114, 'text')), // timestamp
    1082: (v) => v, // date
    20: (v) => Number(v), // int8: count(*), sum(int); our counts stay far below 2^53
  }
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      parsers[oid] ?? (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format),
  }
  return knex({
    client: 'pg',
    connection: { connectionString: url, types } as Knex.PgConnectionConfig,
    pool: {
      min: 0,
      max: Math.max(2, poolMax),
      afterCreate: (
        conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
        done: (err: Error | null, c: unknown) => void,
      ) => {
        conn.query("SET TIME ZONE 'UTC'", (err) => done(err, conn))
      },
    },
  })
}

/**
 * Runs the migrations once even when several instances start together. PostgreSQL: an advisory
 * lock held by one transaction while knex migrates on another connection; the others wait and
 * then find nothing to do. SQLite: instances race to create knex's own lock table, or find the
 * lock taken; the loser waits and tries again, and finds the work done.
 */
export async function migrate(db: Db): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [ADVISORY_LOCKS.migrations])
      await db.migrate.latest({ migrationSource })
    })
    return
  }
  // The other instance's migrations take seconds (tens on a loaded machine): wait up to 2 minutes.
  const giveUpAt = Date.now() + 120_000
  for (;;) {
    try {
      await db.migrate.latest({ migrationSource })
      return
    } catch (err) {
      const msg = (err as Error).message ?? ''
      const race =
        /already exists|Migration table is already locked|MigrationLocked|SQLITE_BUSY/i.test(msg) ||
        (err as { name?: string }).name === 'MigrationLocked'
      if (!race || Date.now() > giveUpAt) throw err
      await repairLockTable(db)
      await new Promise((r) => setTimeout(r, 250))
    }
  }
}

/**
 * Two instances creating knex's lock table at once may each insert its one row; knex then finds
 * two rows to lock, takes neither, and says "already locked" for ever. On SQLite a migrating
 * instance holds the write lock, so when this transaction runs nobody is migrating: two rows are
 * made one, unlocked. One row is left alone (locked or not, knex's own rules apply).
 */
async function repairLockTable(db: Db): Promise<void> {
  await db
    .transaction(async (trx) => {
      if (!(await trx.schema.hasTable('knex_migrations_lock'))) return
      const rows = (await trx('knex_migrations_lock').count('* as n').first()) as { n: number | string }
      if (Number(rows.n) <= 1) return
      await trx('knex_migrations_lock').delete()
      await trx('knex_migrations_lock').insert({ is_locked: 0 })
    })
    .catch(() => undefined) // another instance is at it: the next round looks again
}

/** A consistent copy of the SQLite database into `file` while the service runs (`kyso backup`). */
export async function copySqliteTo(db: Db, file: string): Promise<void> {
  await db.raw('VACUUM INTO ?', [file])
}

/** Names of the migrations not applied yet (readiness: an instance older than the schema, or newer). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [
    unknown[],
    { file?: string; name?: string }[],
  ]
  return pending.map((m) => m.name ?? m.file ?? String(m))
}

/**
 * A transaction that PostgreSQL may abort to break a deadlock (40P01) or a serialization conflict
 * (40001) is run again from the start, a few times, after a short random pause. `fn` must only
 * touch the database: it may run more than once.
 */
export async function retryingTransaction<T>(
  db: Db,
  fn: (trx: Knex.Transaction) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn)
    } catch (err) {
      if (!isRetryable(err) || attempt >= attempts) throw err
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt))
    }
  }
}
