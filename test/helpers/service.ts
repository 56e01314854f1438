import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../config'
import { createLogger } from '../../server/ops'
import { startServer, type Running } from '../../server/start'
import { testEnv } from './database'

let running: Promise<Running> | undefined

/** Every log line of the shared service, parsed (errors are printed too). */
export const serviceLog: Record<string, unknown>[] = []

function keepLogLine(text: string): void {
  const line = JSON.parse(text) as Record<string, unknown>
  serviceLog.push(line)
  if (line.level === 'error' || line.level === 'fatal') process.stderr.write(text)
}
let dropDatabase: (() => Promise<void>) | undefined

/**
 * One real service for the HTTP suites of a mocha process: a real SQLite file in a temporary data
 * folder (or, in the PostgreSQL pass, a fresh PostgreSQL database), the demo seed, the real HTTP
 * server on port 0. Uploads are limited to 2 MB here so the 413 case stays small.
 */
export function getService(): Promise<Running> {
  running ??= (async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kyso-service-'))
    process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }))
    const { env, cleanup } = await testEnv({
      KYSO_DATA_DIR: dataDir,
      KYSO_MAX_UPLOAD_BYTES: String(2 * 1024 * 1024),
    })
    dropDatabase = cleanup
    return startServer(loadConfig(env), { logger: createLogger('info', { write: keepLogLine }) })
  })()
  return running
}

export interface Client {
  token: string
  csrf: string
  cookie: string
  get: (path: string) => Promise<Response>
  post: (path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>
  upload: (pdf: Buffer, fields?: Record<string, string>, path?: string) => Promise<Response>
}

/**
 * A service of its own for a suite that changes what others count (agencies, users) or needs
 * settings of its own (`extraEnv`): like getService (SQLite, or a fresh PostgreSQL database in that
 * pass), closed by the caller.
 */
export async function startIsolatedService(extraEnv: Record<string, string> = {}): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kyso-isolated-'))
  const { env, cleanup } = await testEnv({ KYSO_DATA_DIR: dataDir, ...extraEnv })
  const r = await startServer(loadConfig(env), { logger: createLogger('warn', { write: keepLogLine }) })
  return {
    ...r,
    close: async () => {
      await r.close()
      await cleanup()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Logs a demo user in and returns a bearer-token client (of the shared service, or of `base`). */
export async function as(username: string, password = 'Kyso@2024', base?: string): Promise<Client> {
  const url = base ?? (await getService()).url
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`)
  const body = (await res.json()) as { token: string; csrfToken: string }
  const auth = { authorization: `Bearer ${body.token}` }
  return {
    token: body.token,
    csrf: body.csrfToken,
    cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] as string,
    get: (path) => fetch(`${url}${path}`, { headers: auth }),
    post: (path, b, headers = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(b ?? {}),
      }),
    upload: (pdf, fields = { title: 'Công văn thử nghiệm', kind: 'internal' }, path = '/api/documents') => {
      const form = new FormData()
      for (const [k, v] of Object.entries(fields)) form.set(k, v)
      form.set('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'van-ban.pdf')
      return fetch(`${url}${path}`, { method: 'POST', headers: auth, body: form })
    },
  }
}

export const PINS: Record<string, string> = { giamdoc: '2468' }
export const pinOf = (username: string): string => PINS[username] ?? '1234'

/** Root hook: the shared service closes after the whole run, so mocha can exit on its own. */
after(async () => {
  if (running) await (await running).close()
  await dropDatabase?.()
})
