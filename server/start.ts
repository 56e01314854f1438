import { existsSync, readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Config } from '../config'
import { openPkcs12KeySource } from '../signing/keys/pkcs12'
import { fromPem } from '../signing/pki/pem'
import { builtinTsa } from '../signing/tsa'
import { BlobStore } from '../storage/blob-store'
import { openDb, type Db } from '../storage/db'
import { caPinFor, seedDemo } from '../storage/seed'
import type { Services } from '../workflows/context'
import { extraAnchorsFile } from '../workflows/admin'
import { createApp } from './app'

export interface Running {
  url: string
  server: Server
  services: Services
  close: () => Promise<void>
}

/** Reads a file on each call (a CRL changes when a certificate is revoked); empty when missing. */
function fileReader(path: string): () => Buffer[] {
  return () => (existsSync(path) ? [readFileSync(path)] : [])
}

/**
 * Composition root: config -> db (migrations) -> demo seed -> services -> app -> listen. Used by
 * main.ts and by the tests (port 0, a temporary data folder).
 */
export async function startServer(config: Config, log: (line: string) => void = () => {}): Promise<Running> {
  const db: Db = await openDb(config.dataDir)
  if (config.demo) {
    const outcome = await seedDemo(db, config.dataDir, log)
    if (outcome === 'seeded') log('demo data seeded')
  }
  const caDir = join(config.dataDir, 'ca')
  const caPin = caPinFor(config.dataDir, process.env.KYSO_CA_PIN)
  const tsaFile = join(caDir, 'tsa.p12')
  const tsaKey = caPin && existsSync(tsaFile) ? openPkcs12KeySource(readFileSync(tsaFile), caPin) : undefined
  const services: Services = {
    db,
    blobs: new BlobStore(join(config.dataDir, 'blobs')),
    config,
    // The internal CA's root, then the anchors an admin added (workflows/admin.ts), read on each call.
    trustAnchors: () => [join(caDir, 'root.pem'), extraAnchorsFile(config.dataDir)].flatMap((f) => (existsSync(f) ? fromPem(readFileSync(f, 'latin1'), 'CERTIFICATE') : [])),
    crls: fileReader(join(caDir, 'crl.pem')),
    ...(tsaKey && { timestamp: builtinTsa(tsaKey) }),
    ...(caPin && existsSync(join(caDir, 'root.pem')) && { ca: { dir: caDir, pin: caPin } }),
    log: (line) => process.stderr.write(JSON.stringify({ time: new Date().toISOString(), ...line }) + '\n'),
  }
  const app = createApp(services, { ...(tsaKey && { tsaKey }) })
  const server = await new Promise<Server>((resolve) => {
    const srv = app.listen(config.port, config.host, () => resolve(srv))
  })
  const { port } = server.address() as AddressInfo
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host
  return {
    url: `http://${host}:${port}`,
    server,
    services,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await db.destroy()
    },
  }
}
