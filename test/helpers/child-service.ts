import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

const MAIN = join(__dirname, '../../main.js')

export interface ChildService {
  url: string
  child: ChildProcess
  /** Every JSON log line the service printed on stdout, parsed. */
  lines: Record<string, unknown>[]
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
}

/**
 * `node dist/main.js` as a child process with exactly `env` (and PATH): the real entry point, so
 * signals and crashes are the real thing. Logs at info (kept in `lines`, not printed). Resolves
 * once its log says where it listens.
 */
export async function spawnService(env: Record<string, string>, timeoutMs = 120_000): Promise<ChildService> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env, KYSO_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: Record<string, unknown>[] = []
  const stderr: string[] = []
  let signal: string | null = null
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, sig) => {
      signal = sig
      resolve(code)
    }),
  )
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void stderr.push(chunk))
  const url = new Promise<string>((resolve, reject) => {
    let pending = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      const parts = pending.split('\n')
      pending = parts.pop() ?? ''
      for (const part of parts.filter(Boolean)) {
        const line = JSON.parse(part) as Record<string, unknown>
        lines.push(line)
        if (typeof line.url === 'string' && String(line.msg).startsWith('listening')) resolve(line.url)
      }
    })
    void exited.then((code) =>
      reject(
        new Error(
          `the service exited (${code ?? signal}) during start-up: ${stderr.join('')} ${JSON.stringify(lines)}`,
        ),
      ),
    )
    setTimeout(
      () => reject(new Error(`the service did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    ).unref()
  })
  try {
    return { url: await url, child, lines, exited }
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
}
