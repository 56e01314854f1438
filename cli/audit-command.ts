import { parse } from './main'
import { UsageError } from './pin'
import { openServiceDb } from './service-db'

/** `kyso audit verify [--data-dir DIR]`: recomputes the audit hash chain; exit 1 names the first broken event. */
export async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub !== 'verify') throw new UsageError(`unknown 'audit ${sub ?? ''}': use verify`)
  const { values } = parse(rest, { 'data-dir': { type: 'string' } })
  const { verifyAudit } = require('../storage/audit') as typeof import('../storage/audit')
  const { db } = await openServiceDb(values['data-dir'], { migrate: true, mustExist: true })
  try {
    const result = await verifyAudit(db)
    process.stdout.write(JSON.stringify(result) + '\n')
    return result.ok ? 0 : 1
  } finally {
    await db.destroy()
  }
}
