/**
 * `kyso agent`: a small HTTP server on the official's own computer that lets the web interface
 * sign with a USB token (PKCS#11) without any vendor browser plugin (issue 11). It binds to
 * loopback only, answers only the allowed origins, and asks for the PIN here, never over HTTP.
 *
 * On start it prints one JSON line on stdout, {"agent":"kyso-agent","url":"http://127.0.0.1:PORT"};
 * everything else goes to stderr. SIGINT and SIGTERM stop it.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { listTokens } from '../signing/keys/pkcs11'
import { stdinPinReader } from './agent-pin'
import { agentHandler } from './agent-server'
import { parse, required, UsageError } from './args'
import { spec } from './commands'
import { packageVersion } from './version'

export const DEFAULT_AGENT_PORT = 8765
const DEFAULT_PIN_TIMEOUT_S = 120

export async function agentCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, spec('agent'))
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const module = required(values, 'pkcs11-module')
  const slot = integerOption(values.slot, 'slot', 0, 1000)
  const listen = parseListen(typeof values.port === 'string' ? values.port : String(DEFAULT_AGENT_PORT))
  const origins = parseOrigins(values.origin)
  const pinTimeoutS = integerOption(values['pin-timeout'], 'pin-timeout', 1, 3600) ?? DEFAULT_PIN_TIMEOUT_S

  // Fail at start, not at the first request, when the module does not load.
  listTokens(module)

  const abort = new AbortController()
  const askPin = stdinPinReader(process.stdin, process.stderr)
  const server = http.createServer()
  server.on(
    'request',
    agentHandler(
      {
        token: { module, ...(slot !== undefined && { slot }) },
        origins,
        // Shutdown abandons a pending prompt as well as the timeout does.
        askPin: (prompt, signal) => askPin(prompt, AbortSignal.any([signal, abort.signal])),
        pinTimeoutMs: pinTimeoutS * 1000,
        version: packageVersion(),
        log: (line) => process.stderr.write(`kyso agent: ${line}\n`),
      },
      server,
    ),
  )
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}`
  process.stdout.write(`${JSON.stringify({ agent: 'kyso-agent', url })}\n`)
  process.stderr.write(
    `kyso agent: listening on ${url} for ${origins.join(', ')}; PINs are typed here, never sent\n`,
  )

  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      process.stderr.write(`kyso agent: ${signal}, stopping\n`)
      abort.abort()
      server.close(() => resolve(0))
      server.closeAllConnections()
      // A paused pipe still reads (Readable.pause only stops 'data' events) and would keep the
      // process alive once a prompt has read from it.
      process.stdin.destroy()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

/**
 * --port [HOST:]PORT, HOST one of 127.0.0.1, [::1], ::1 or localhost (bound as 127.0.0.1). The
 * agent signs with the official's key: it must not be reachable from the network.
 */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(value)
  const host = LOOPBACK.get(m?.[1] ?? 'localhost')
  const port = Number(m?.[2])
  if (!m || !host) {
    throw new UsageError(
      `--port must be a loopback address (127.0.0.1, [::1] or localhost) and a port, not '${value}'`,
    )
  }
  if (port > 65535) throw new UsageError(`--port ${port} is not a TCP port`)
  return { host, port }
}

const LOOPBACK = new Map([
  ['127.0.0.1', '127.0.0.1'],
  ['localhost', '127.0.0.1'],
  ['[::1]', '::1'],
  ['::1', '::1'],
])

/** Each --origin as the browser sends it (scheme://host[:port], default ports left out). */
export function parseOrigins(values: unknown): string[] {
  const list = Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : []
  if (list.length === 0) throw new UsageError('--origin URL is required (the web interface allowed to sign)')
  return list.map((value) => {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw new UsageError(`--origin '${value}' is not a URL`)
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !bare) {
      throw new UsageError(`--origin must be scheme://host[:port] alone, not '${value}'`)
    }
    return url.origin
  })
}

function integerOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`)
  }
  return n
}
