import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../config'
import { createLogger } from '../../server/ops'
import { startServer, type Running } from '../../server/start'
import { testEnv } from './database'

export interface Restartable {
  env: Record<string, string>
  dataDir: string
  /** Starts the service on the same data folder, database and key-wrapping key each time. */
  start: (extraEnv?: Record<string, string>) => Promise<Running>
  /** Every log line of every start, parsed. */
  lines: Record<string, unknown>[]
  dispose: () => Promise<void>
}

/**
 * A service that can be stopped and started again over the same state (SQLite file, or a fresh
 * PostgreSQL database in that pass): what survives a restart, and what was done while it was stopped.
 */
export async function restartableService(extraEnv: Record<string, string> = {}): Promise<Restartable> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kyso-restart-'))
  const { env, cleanup } = await testEnv({ KYSO_DATA_DIR: dataDir, ...extraEnv })
  const lines: Record<string, unknown>[] = []
  const write = (text: string): void => void lines.push(JSON.parse(text) as Record<string, unknown>)
  return {
    env,
    dataDir,
    lines,
    start: (more = {}) =>
      startServer(loadConfig({ ...env, ...more }), { logger: createLogger('info', { write }) }),
    dispose: async () => {
      await cleanup()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
