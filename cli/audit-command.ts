import { parse, UsageError } from './args'
import { spec } from './commands'
import { openServiceDb } from './service-db'

/**
 * `kyso audit verify [--data-dir DIR]`: recomputes the audit hash chain, then checks it against the
 * newest signed checkpoint in KYSO_AUDIT_CHECKPOINT_DIR (issue 15); exit 1 names the first broken
 * event, or the last one left when newer ones are missing.
 */
export async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub !== 'verify') throw new UsageError(`unknown 'audit ${sub ?? ''}': use verify`)
  const { values } = parse(rest, spec('audit verify'))
  const { verifyAnchoredAudit } =
    require('../workflows/audit-anchor') as typeof import('../workflows/audit-anchor')
  const { config, db } = await openServiceDb(values['data-dir'], { migrate: true, mustExist: true })
  try {
    const result = await verifyAnchoredAudit(db, config.auditCheckpoint.dir)
    process.stdout.write(JSON.stringify(result) + '\n')
    return result.ok ? 0 : 1
  } finally {
    await db.destroy()
  }
}
