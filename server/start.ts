import { existsSync, readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Config } from '../config'
import { openPkcs12KeySource } from '../signing/keys/pkcs12'
import { fileCaStatusSource } from '../signing/pki/ca-status-source'
import { fromPem } from '../signing/pki/pem'
import { builtinTsa, createTimestampToken, httpTsa, httpTsaForImprint } from '../signing/tsa'
import { openBlobStore } from '../storage/blob-store'
import { openDb, type Db } from '../storage/db'
import { caPinFor, seedDemo } from '../storage/seed'
import type { Services } from '../workflows/context'
import { extraAnchorsFile } from '../workflows/admin'
import { recordMissingVerdicts } from '../workflows/verdicts'
import { pollRemoteSignings } from '../workflows/remote-signing'
import { renewDueDocuments } from '../workflows/renew-timestamps'
import { caUrls } from '../workflows/ca-endpoints'
import { createUnlockedKeys } from '../workflows/unlocked-keys'
import { cscConnector, type RemoteSigningConnector } from '../signing/remote'
import { createApp } from './app'
import { createMetrics, observeDatabase } from './metrics'
import { createLogger, logLines } from './ops'

export interface Running {
  url: string
  server: Server
  services: Services
  logger: Logger
  /**
   * Graceful stop: no new connections, /readyz answers 503, requests in flight (a signature)
   * finish (up to KYSO_SHUTDOWN_TIMEOUT_MS), work after responses (validation) finishes, then
   * the database closes.
   */
  close: () => Promise<void>
}

export interface StartOptions {
  /** Defaults to JSON lines on stdout at config.logLevel. */
  logger?: Logger
}

/** Reads a file on each call (a CRL changes when a certificate is revoked); empty when missing. */
function fileReader(path: string): () => Buffer[] {
  return () => (existsSync(path) ? [readFileSync(path)] : [])
}

/**
 * Composition root: config -> db (migrations) -> demo seed -> services -> app -> listen. Used by
 * main.ts and by the tests (port 0, a temporary data folder).
 */
export async function startServer(config: Config, opts: StartOptions = {}): Promise<Running> {
  const logger = opts.logger ?? createLogger(config.logLevel)
  const db: Db = await openDb(config.dataDir, { ...(config.databaseUrl && { databaseUrl: config.databaseUrl }), poolMax: config.dbPoolMax })
  const blobs = openBlobStore(config.blobStore, config.blobDir, db)
  if (config.demo) {
    const outcome = await seedDemo(db, config.dataDir, blobs, (line) => logger.info(line), caUrls(config))
    if (outcome === 'seeded') logger.info('demo data seeded')
  }
  const caDir = join(config.dataDir, 'ca')
  const caPin = caPinFor(config.dataDir, process.env.KYSO_CA_PIN)
  const tsaFile = join(caDir, 'tsa.p12')
  const tsaKey = caPin && existsSync(tsaFile) ? openPkcs12KeySource(readFileSync(tsaFile), caPin) : undefined
  const metrics = createMetrics()
  observeDatabase(db, metrics)
  const tasks = new Set<Promise<unknown>>()
  const remoteSigning = new Map<string, RemoteSigningConnector>()
  if (config.csc) remoteSigning.set(config.csc.provider, cscConnector(config.csc))
  const hasCa = caPin !== undefined && caPin !== '' && existsSync(join(caDir, 'root.pem'))
  const services: Services = {
    db,
    blobs,
    config,
    // The internal CA's root, then the anchors an admin added (workflows/admin.ts), read on each call.
    trustAnchors: () => [join(caDir, 'root.pem'), extraAnchorsFile(config.dataDir)].flatMap((f) => (existsSync(f) ? fromPem(readFileSync(f, 'latin1'), 'CERTIFICATE') : [])),
    crls: fileReader(join(caDir, 'crl.pem')),
    // The national time-stamping service when configured (production); the built-in TSA for demos.
    ...(config.tsaUrl
      ? { timestamp: httpTsa(config.tsaUrl), documentTimestamp: httpTsaForImprint(config.tsaUrl) }
      : tsaKey && {
        timestamp: builtinTsa(tsaKey),
        documentTimestamp: (imprint: Buffer) => createTimestampToken({ imprint, keySource: tsaKey }),
      }),
    ...(hasCa && { ca: { dir: caDir, pin: caPin }, caStatus: fileCaStatusSource(caDir, caPin) }),
    log: logLines(logger),
    metrics,
    track: (task) => {
      tasks.add(task)
      void task.finally(() => tasks.delete(task))
    },
    remoteSigning,
    keys: createUnlockedKeys(),
  }
  let draining = false
  const app = createApp(services, { ...(tsaKey && { tsaKey }), log: services.log as (line: Record<string, unknown>) => void, ops: { logger, metrics, draining: () => draining } })
  const server = await new Promise<Server>((resolve) => {
    const srv = app.listen(config.port, config.host, () => resolve(srv))
  })
  // Once draining, a keep-alive connection closes as soon as its response is out.
  server.on('request', (_req, res: import('node:http').ServerResponse) => res.once('finish', () => void (draining && setImmediate(() => server.closeIdleConnections()))))
  const { port } = server.address() as AddressInfo
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host
  // A crash between a chain's last signature and its validation left verdicts unrecorded.
  services.track?.(recordMissingVerdicts(services).catch((err: unknown) => logger.error({ error: String(err) }, 'recording missing verdicts failed')))
  // Remote signatures wait for a confirmation on the signer's phone: look at them every second.
  let polling = false
  const poller = setInterval(() => {
    if (polling || remoteSigning.size === 0) return
    polling = true
    const round = pollRemoteSignings(services).finally(() => (polling = false))
    services.track?.(round)
  }, 1000)
  poller.unref()
  const renewal = startRenewalJob(services, logger)
  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    clearInterval(poller)
    renewal.stop()
    draining = true
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    const cut = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs)
    await stopped
    clearTimeout(cut)
    while (tasks.size) await Promise.allSettled([...tasks])
    await db.destroy()
  }
  return {
    url: `http://${host}:${port}`,
    server,
    services,
    logger,
    close: () => (closing ??= close()),
  }
}

/**
 * The renewal job (issue 18): every KYSO_RETIMESTAMP_INTERVAL_SECONDS (0: never) on this instance,
 * a round of renewDueDocuments; rounds never overlap, and the first comes a few seconds after start.
 */
function startRenewalJob(s: Services, logger: Logger): { stop: () => void } {
  const { intervalSeconds } = s.config.retimestamp
  if (s.config.issueLevel !== 'B-T' && !s.documentTimestamp) {
    logger.warn('KYSO_ISSUE_LEVEL asks for long-term signatures but no time-stamping authority is configured')
  }
  if (intervalSeconds === 0 || s.config.issueLevel === 'B-T') return { stop: () => {} }
  let running = false
  const round = (): void => {
    if (running) return
    running = true
    const work = renewDueDocuments(s)
      .then((r) => r.due > 0 && logger.info(r, 'renewal round'))
      .catch((err: unknown) => logger.error({ error: String(err) }, 'renewal round failed'))
      .finally(() => (running = false))
    s.track?.(work)
  }
  const first = setTimeout(round, Math.min(5000, intervalSeconds * 1000))
  const timer = setInterval(round, intervalSeconds * 1000)
  first.unref()
  timer.unref()
  return {
    stop: () => {
      clearTimeout(first)
      clearInterval(timer)
    },
  }
}
