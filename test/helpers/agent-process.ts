/**
 * `kyso agent` as a child process, the way an official runs it beside their browser: the test
 * sees each PIN prompt on its stderr and answers on its stdin (agent-pin.ts reads one line).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { SoftHsmToken } from './softhsm'

const BIN = join(__dirname, '../../../bin/kyso.js')

export interface AgentProcess {
  url: string
  child: ChildProcessWithoutNullStreams
  /** Resolves when the agent has asked for a PIN `n` times in all (1 for the first request). */
  prompted: (n: number) => Promise<void>
  /** Types a PIN at the agent (one line on its stdin). */
  typePin: (pin: string) => void
  stop: () => Promise<void>
}

/** A loopback port free now (the agent's URL must be known before the service starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

export function startAgent(
  token: SoftHsmToken,
  opts: { origin: string; port: number },
): Promise<AgentProcess> {
  const args = [
    BIN,
    'agent',
    '--pkcs11-module',
    token.module,
    '--port',
    `127.0.0.1:${opts.port}`,
    '--origin',
    opts.origin,
  ]
  const child = spawn(process.execPath, args, { env: { ...process.env, ...token.env } })
  const killAtExit = (): void => void child.kill('SIGKILL')
  process.once('exit', killAtExit)
  let prompts = 0
  const waiters: { n: number; resolve: () => void }[] = []
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    prompts += (chunk.match(/Nhập mã PIN/g) ?? []).length
    for (const w of waiters.filter((x) => x.n <= prompts)) w.resolve()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const line = out.split('\n')[0]
      if (!out.includes('\n') || !line) return
      resolve({
        url: (JSON.parse(line) as { url: string }).url,
        child,
        prompted: (n) =>
          prompts >= n ? Promise.resolve() : new Promise((r) => waiters.push({ n, resolve: r })),
        typePin: (pin) => void child.stdin.write(`${pin}\n`),
        stop: async () => {
          process.removeListener('exit', killAtExit)
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          await exited
        },
      })
    })
    child.once('exit', (code) => reject(new Error(`kyso agent exited with ${code}`)))
  })
}
