import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AuditHead } from './audit'

/**
 * Audit checkpoints (issue 15) are files, outside the audit table and outside the database: whoever
 * can delete rows at the end of the chain must also reach this folder to hide it. Each file is one
 * JSON object: the head it records, when, and a CMS signature (base64) over `checkpointBytes`.
 */
export interface StoredCheckpoint extends AuditHead {
  at: string
  /** CAdES detached signature (B-T) by the service's own key over checkpointBytes(). */
  signature: string
  file: string
}

/** Keep this many checkpoint files; older ones only repeat what the newest proves. */
const KEEP = 50

/** The exact bytes a checkpoint's signature covers. */
export function checkpointBytes(c: AuditHead & { at: string }): Buffer {
  return Buffer.from(
    JSON.stringify(['kyso-audit-checkpoint', 1, c.events, c.lastId, c.headHash, c.at]),
    'utf8',
  )
}

export function writeCheckpointFile(dir: string, c: Omit<StoredCheckpoint, 'file'>): string {
  mkdirSync(dir, { recursive: true })
  // The newest sorts last: zero-padded last event id, then the time.
  const name = `checkpoint-${String(c.lastId).padStart(12, '0')}-${c.at.replace(/[:.]/g, '')}.json`
  const file = join(dir, name)
  const temporary = `${file}.tmp`
  writeFileSync(
    temporary,
    `${JSON.stringify({ kind: 'kyso-audit-checkpoint', version: 1, ...c }, null, 2)}\n`,
    { mode: 0o644 },
  )
  renameSync(temporary, file)
  for (const old of checkpointFiles(dir).slice(0, -KEEP)) rmSync(join(dir, old), { force: true })
  return file
}

function checkpointFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /^checkpoint-\d{12}-.+\.json$/.test(f))
      .sort()
  } catch {
    return []
  }
}

/** Checkpoints, newest first, as written (their signatures are checked by the caller). */
export function readCheckpoints(dir: string): StoredCheckpoint[] {
  const out: StoredCheckpoint[] = []
  for (const f of checkpointFiles(dir).reverse()) {
    try {
      const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>
      if (j.kind !== 'kyso-audit-checkpoint' || typeof j.lastId !== 'number' || typeof j.events !== 'number')
        continue
      if (typeof j.headHash !== 'string' || typeof j.at !== 'string' || typeof j.signature !== 'string')
        continue
      out.push({
        events: j.events,
        lastId: j.lastId,
        headHash: j.headHash,
        at: j.at,
        signature: j.signature,
        file: join(dir, f),
      })
    } catch {
      // An unreadable file proves nothing; the caller sees it missing.
    }
  }
  return out
}
