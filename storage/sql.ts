import type { Knex } from 'knex'

/**
 * The one place where SQL differs between SQLite and PostgreSQL (STYLE.md). Domain code calls
 * these helpers and never asks which database it runs on.
 */
export type Dialect = 'sqlite' | 'postgres'

export function dialectOf(db: Knex): Dialect {
  const client = String((db.client as { config?: { client?: unknown } }).config?.client ?? '')
  return /pg|postgres/.test(client) ? 'postgres' : 'sqlite'
}

/** Aggregates a column's values into one comma-separated string per group. */
export function listAgg(db: Knex, column: string): Knex.Raw {
  return dialectOf(db) === 'postgres'
    ? db.raw(`string_agg(??, ',')`, [column])
    : db.raw('group_concat(??)', [column])
}

/** Keys of PostgreSQL advisory locks (one 64-bit space per database): "KYSO" and a number. */
export const ADVISORY_LOCKS = {
  audit: 0x4b59534f0001,
  migrations: 0x4b59534f0002,
  ca: 0x4b59534f0003,
} as const

/**
 * Waits for a transaction-scoped lock that serialises one kind of write across every instance,
 * released at commit or rollback. SQLite needs none: it has one writer, and our one connection
 * runs one transaction at a time. Returns the seconds spent waiting.
 */
export async function takeLock(trx: Knex.Transaction, lock: keyof typeof ADVISORY_LOCKS): Promise<number> {
  if (dialectOf(trx) !== 'postgres') return 0
  const t0 = process.hrtime.bigint()
  await trx.raw('select pg_advisory_xact_lock(?)', [ADVISORY_LOCKS[lock]])
  const waited = Number(process.hrtime.bigint() - t0) / 1e9
  reportWait(trx, lock, waited)
  return waited
}

/** A unique or primary-key violation: PostgreSQL 23505, SQLite SQLITE_CONSTRAINT (UNIQUE / PRIMARY KEY). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown }
  return (
    e?.code === '23505' || (e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/.test(String(e.message)))
  )
}

/**
 * Failures a transaction may simply run again after: serialization failures (40001) and deadlocks
 * (40P01), which PostgreSQL raises on one of the transactions involved and rolls it back.
 */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  return code === '40001' || code === '40P01'
}

type WaitObserver = (lock: string, seconds: number) => void
const observers = new WeakMap<object, WaitObserver>()

/** The knex config object is shared by a knex instance and its transactions: one key for both. */
function keyOf(db: Knex): object {
  return (db.client as { config: object }).config
}

/** Lets the composition root count lock waits (metrics) without storage knowing about metrics. */
export function observeWaits(db: Knex, fn: WaitObserver): void {
  observers.set(keyOf(db), fn)
}

export function reportWait(db: Knex, lock: string, seconds: number): void {
  observers.get(keyOf(db))?.(lock, seconds)
}
