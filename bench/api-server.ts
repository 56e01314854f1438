/** The service as a child process for `bench:api`: `node dist/main.js` on 127.0.0.1, port 0. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { PLAIN_ENV, ROOT } from './fixtures'

export interface ChildServer {
  url: string
  /** Every line the server printed, stdout and stderr, in order. */
  log: string[]
  /** Lines the server printed on stderr (its error log). */
  errors: string[]
  stop: () => Promise<void>
}

/** The caller's environment without KYSO_* and PORT, so a developer's settings cannot leak in. */
function serverEnv(dataDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(PLAIN_ENV).filter(([k]) => !k.startsWith('KYSO_') && k !== 'PORT'),
  )
  return { ...base, KYSO_DATA_DIR: dataDir, KYSO_HOST: '127.0.0.1', PORT: '0', KYSO_DEMO: '1', ...extra }
}

async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(`${url}/api/me`)).arrayBuffer()
    return true
  } catch {
    return false
  }
}

/**
 * Starts the server on a free loopback port (PORT=0; the URL is read from its "listening on"
 * log line; requests are logged at info, as in production) and waits until it answers HTTP.
 * The first start on an empty folder (or database) seeds the demo data.
 */
export async function startChildServer(
  dataDir: string,
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Promise<ChildServer> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
    env: serverEnv(dataDir, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const log: string[] = []
  const errors: string[] = []
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let url: string | undefined
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      log.push(line)
      url ??= /listening on (http:\/\/[^\s"]+)/.exec(line)?.[1]
    }
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      log.push(line)
      errors.push(line)
    }
  })
  let running = true
  void exited.then(() => (running = false))
  const stop = async (): Promise<void> => {
    if (!running) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }

  const deadline = Date.now() + timeoutMs
  while (!(url && (await answers(url)))) {
    if (!running) throw new Error(`the server exited during start-up:\n${log.join('\n')}`)
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the server did not answer within ${timeoutMs} ms:\n${log.join('\n')}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return { url, log, errors, stop }
}
