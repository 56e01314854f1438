import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LocalServer {
  /** http://127.0.0.1:PORT, without a trailing slash. */
  base: string
  /** Every request received, method and path, in order. */
  requests: string[]
  close: () => Promise<void>
}

/** A real HTTP server on 127.0.0.1, port 0, that records what it was asked and hands the body over. */
export async function serveLocal(
  handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void | Promise<void>,
): Promise<LocalServer> {
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      Promise.resolve(handler(req, Buffer.concat(chunks), res)).catch((err: unknown) => {
        res.writeHead(500).end(String(err))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface OpensslResponder {
  url: string
  stop: () => void
}

/**
 * `openssl ocsp -index ... -port 0` as a separate process: the port it chose is read from its
 * "ACCEPT [::]:PORT" line. Stopped by its own pid.
 */
export function startOpensslResponder(dir: string, args: string[]): Promise<OpensslResponder> {
  const options = { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] }
  const child: ChildProcess = spawn('openssl', ['ocsp', '-port', '0', ...args], options)
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`openssl ocsp did not start: ${output}`))
    }, 10_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const port = /ACCEPT .*:(\d+)/.exec(output)?.[1]
      if (!port) return
      clearTimeout(timer)
      resolve({ url: `http://127.0.0.1:${port}/`, stop: () => child.kill() })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`openssl ocsp exited with ${code}: ${output}`))
    })
  })
}
