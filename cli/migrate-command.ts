import { parse } from './args'
import { spec } from './commands'
import { openServiceDb } from './service-db'

/**
 * `kyso migrate [--data-dir DIR]`: brings the database (SQLite in the data folder, or
 * KYSO_DATABASE_URL) to this build's schema and stops; for deployments that migrate before
 * starting new instances. Prints the migrations it applied.
 */
export async function migrateCommand(args: string[]): Promise<number> {
  const { values } = parse(args, spec('migrate'))
  const { migrate, pendingMigrations } = require('../storage/db') as typeof import('../storage/db')
  const { config, db } = await openServiceDb(values['data-dir'], { migrate: false, mustExist: false })
  try {
    const pending = await pendingMigrations(db).catch(() => [] as string[])
    await migrate(db)
    const left = await pendingMigrations(db)
    process.stdout.write(
      JSON.stringify({
        database: config.databaseUrl ? 'postgresql' : 'sqlite',
        applied: pending,
        pending: left,
      }) + '\n',
    )
    return left.length ? 1 : 0
  } finally {
    await db.destroy()
  }
}
