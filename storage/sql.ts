import type { Knex } from 'knex'

/**
 * The one place where SQL differs between SQLite and PostgreSQL (STYLE.md): aggregating a
 * column's values into one comma-separated string per group.
 */
export function listAgg(db: Knex, column: string): Knex.Raw {
  const client = String((db.client as { config?: { client?: unknown } }).config?.client ?? '')
  return /pg|postgres/.test(client) ? db.raw(`string_agg(??, ',')`, [column]) : db.raw('group_concat(??)', [column])
}
