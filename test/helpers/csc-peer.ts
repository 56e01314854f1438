/**
 * Starts the test CSC provider (csc-server.ts) as a child process, the way a real provider is a
 * separate service: the connector under test reaches it only over HTTP.
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CscServerConfig } from './csc-server'
import { tempDir } from './tools'

const SERVER = join(__dirname, 'csc-server.js')

export interface PendingRequest {
  responseID: string
  credentialID: string
  description: string
}

export interface CscPeer {
  /** Base URL of the provider, e.g. http://127.0.0.1:40123 (CSC methods under /csc/v2/). */
  url: string
  /** What waits for the holder's confirmation on their phone. */
  pending(userId: string): Promise<PendingRequest[]>
  /** Presses the holder's button: approve signs, otherwise refuses. */
  confirm(responseId: string, approve: boolean): Promise<void>
  /** Service tokens the provider has issued so far. */
  tokensIssued(): Promise<number>
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>
}

/**
 * Writes `config` to a file, runs `node dist/test/helpers/csc-server.js --config FILE`, and
 * resolves once the server has printed its one JSON line `{"url": ...}`.
 *
 * @example
 * const peer = await startCscPeer({ clientId, clientSecret, users: [{ userId, credentials }] })
 * const connector = cscConnector({ provider: 'test', baseUrl: peer.url, clientId, clientSecret })
 */
export async function startCscPeer(config: CscServerConfig, timeoutMs = 20_000): Promise<CscPeer> {
  const file = join(tempDir('kyso-csc-'), 'config.json')
  writeFileSync(file, JSON.stringify(config))
  const child = spawn(process.execPath, [SERVER, '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] })
  const killAtExit = () => child.kill('SIGKILL')
  process.once('exit', killAtExit)
  const stderr: string[] = []
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void stderr.push(chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const url = await new Promise<string>((resolve, reject) => {
    let buffered = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk
      const end = buffered.indexOf('\n')
      if (end < 0) return
      const line = buffered.slice(0, end)
      const announced = /^\{"url":"(http:\/\/127\.0\.0\.1:\d+)"\}$/.exec(line)?.[1]
      if (announced) resolve(announced)
      else reject(new Error(`the CSC server printed ${line}`))
    })
    void exited.then((code) => reject(new Error(`the CSC server exited (${code}): ${stderr.join('')}`)))
    const late = new Error(`the CSC server did not start within ${timeoutMs} ms`)
    setTimeout(() => reject(late), timeoutMs).unref()
  }).catch((err: unknown) => {
    child.kill('SIGKILL')
    throw err
  })

  async function control(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${url}/test/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`/test/${path} answered ${response.status} ${text}`)
    return text ? (JSON.parse(text) as unknown) : undefined
  }

  return {
    url,
    async pending(userId) {
      const answer = (await control('pending', { userID: userId })) as { requests: PendingRequest[] }
      return answer.requests
    },
    async confirm(responseId, approve) {
      await control('confirm', { responseID: responseId, approve })
    },
    async tokensIssued() {
      return ((await control('stats', {})) as { tokensIssued: number }).tokensIssued
    },
    async stop() {
      process.removeListener('exit', killAtExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}
