/**
 * A Cloud Signature Consortium API v2 provider for tests, run as its own process:
 * `node dist/test/helpers/csc-server.js --config FILE` prints one line
 * `{"url":"http://127.0.0.1:PORT"}` and serves until SIGTERM. It holds real keys (the PKCS#12
 * files the config names), authenticates the signature application with OAuth 2.0 client
 * credentials, and plays each holder's phone: a signature is made only once the holder
 * "confirms", as the credential's behaviour says or as a test decides through the control
 * endpoints.
 *
 * CSC methods (v2.0.0.2 clauses): oauth2/token (§8.4.4), info (§11.1), credentials/list (§11.4),
 * credentials/info (§11.5), credentials/authorize (§11.6, SCAL2: the SAD is bound to its hashes and
 * good for one signature), signatures/signHash (§11.10, asynchronous only) and
 * signatures/signPolling (§11.12). Errors use the status, `error` and description of those clauses.
 *
 * Control endpoints (the phone, not CSC): POST /test/pending {userID} lists what waits for a
 * holder; POST /test/confirm {responseID, approve} presses a button; POST /test/stats counts
 * tokens issued.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cscProvider } from './csc-provider'

/** What the holder does when a signature is requested. */
export type CscBehaviour = { confirmAfterMs: number } | { refuse: true; afterMs?: number } | { never: true }

export interface CscServerCredential {
  credentialId: string
  p12File: string
  pin: string
  label?: string
  behaviour: CscBehaviour
  /** Answer ECDSA values as `r || s` instead of DER, as some providers do. */
  rawEcdsa?: boolean
}

export interface CscServerConfig {
  clientId: string
  clientSecret: string
  /** expires_in of service tokens, in seconds; default 3600. */
  tokenLifetimeSeconds?: number
  users: Array<{ userId: string; credentials: CscServerCredential[] }>
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--config')
  const file = at > 0 ? process.argv[at + 1] : undefined
  if (!file) throw new Error('usage: csc-server.js --config FILE')
  const provider = cscProvider(JSON.parse(readFileSync(file, 'utf8')) as CscServerConfig)
  const server = createServer((req, res) => {
    provider.handle(req, res).catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`)
      if (!res.headersSent) res.writeHead(500).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`)
  const stop = () => {
    provider.stop()
    server.closeAllConnections()
    server.close(() => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`)
    process.exit(1)
  })
}
