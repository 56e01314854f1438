import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from './main'
import { UsageError } from './pin'

/** `kyso audit verify [--data-dir DIR]`: recomputes the audit hash chain; exit 1 names the first broken event. */
export async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub !== 'verify') throw new UsageError(`unknown 'audit ${sub ?? ''}': use verify`)
  const { values } = parse(rest, { 'data-dir': { type: 'string' } })
  const { loadConfig } = require('../config') as typeof import('../config')
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : loadConfig().dataDir
  if (!existsSync(join(dataDir, 'kyso.db'))) throw new UsageError(`no Kyso database in ${dataDir}`)
  const { openDb } = require('../storage/db') as typeof import('../storage/db')
  const { verifyAudit } = require('../storage/audit') as typeof import('../storage/audit')
  const db = await openDb(dataDir)
  try {
    const result = await verifyAudit(db)
    process.stdout.write(JSON.stringify(result) + '\n')
    return result.ok ? 0 : 1
  } finally {
    await db.destroy()
  }
}
