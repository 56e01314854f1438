import type { Queryable } from './transaction'

/** One year's targets and deadline, as an administrator set them. */
export interface YearTargets {
  year: number
  internalRate: number
  minDocuments: number
  procedures: number
  /** YYYY-MM-DD */
  deadline: string
  updatedBy: number
  updatedAt: string
}

interface Row {
  year: number
  internal_rate: number
  min_documents: number
  procedures: number
  deadline: string
  updated_by: number
  updated_at: string | Date
}

function yearTargets(r: Row): YearTargets {
  return {
    year: Number(r.year),
    internalRate: Number(r.internal_rate),
    minDocuments: Number(r.min_documents),
    procedures: Number(r.procedures),
    deadline: String(r.deadline).slice(0, 10),
    updatedBy: r.updated_by,
    updatedAt: new Date(r.updated_at).toISOString(),
  }
}

export async function targetsForYear(db: Queryable, year: number): Promise<YearTargets | undefined> {
  const row = (await db('coverage_targets').where({ year }).first()) as Row | undefined
  return row ? yearTargets(row) : undefined
}

export async function listYearTargets(db: Queryable): Promise<YearTargets[]> {
  return ((await db('coverage_targets').orderBy('year').select()) as Row[]).map(yearTargets)
}

/** Inserts or replaces one year's targets (the same upsert on SQLite and PostgreSQL). */
export async function saveYearTargets(db: Queryable, t: YearTargets): Promise<void> {
  const row = {
    year: t.year,
    internal_rate: t.internalRate,
    min_documents: t.minDocuments,
    procedures: t.procedures,
    deadline: t.deadline,
    updated_by: t.updatedBy,
    updated_at: t.updatedAt,
  }
  await db('coverage_targets').insert(row).onConflict('year').merge()
}
