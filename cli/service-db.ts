import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../config'
import type { Db } from '../storage/db'
import { UsageError } from './args'

/**
 * The service's configuration as `npm start` would read it (KYSO_DATABASE_URL, KYSO_BLOB_STORE,
 * KYSO_BLOB_DIR, ...), with `--data-dir` standing for KYSO_DATA_DIR, and its database opened.
 */
export async function openServiceDb(
  dataDirOption: unknown,
  opts: { migrate: boolean; mustExist: boolean },
): Promise<{ config: Config; db: Db }> {
  const { loadConfig } = require('../config') as typeof import('../config')
  const config = loadConfig({
    ...process.env,
    ...(typeof dataDirOption === 'string' && { KYSO_DATA_DIR: dataDirOption }),
  })
  if (opts.mustExist && !config.databaseUrl && !existsSync(join(config.dataDir, 'kyso.db')))
    throw new UsageError(`no Kyso database in ${config.dataDir}`)
  const { openDb } = require('../storage/db') as typeof import('../storage/db')
  const db = await openDb(config.dataDir, {
    ...(config.databaseUrl && { databaseUrl: config.databaseUrl }),
    poolMax: 2,
    migrate: opts.migrate,
  })
  return { config, db }
}
