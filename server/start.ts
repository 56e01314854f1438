import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Config } from '../config'
import { openServiceToken, type ServiceToken } from '../signing/keys/pkcs11-service'
import { builtinTsa, createTimestampToken, httpTsa, httpTsaForImprint } from '../signing/tsa'
import { openBlobStore } from '../storage/blob-store'
import { openDb, type Db } from '../storage/db'
import { seedDemo } from '../storage/seed'
import { listTrustAnchorRecords } from '../storage/trust-anchor-records'
import type { Services } from '../workflows/context'
import { makeStoredKey } from '../workflows/held-keys'
import { openKeyRing, sharedSecret, wrapLegacyKeys } from '../workflows/key-ring'
import { hashPassword } from '../workflows/passwords'
import { ensureInternalCa, importTrustAnchorsFile } from '../workflows/startup-keys'
import { recordMissingVerdicts } from '../workflows/verdicts'
import { writeCheckpoint } from '../workflows/audit-anchor'
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

/**
 * Composition root: config -> db (migrations) -> demo seed -> services -> app -> listen. Used by
 * main.ts and by the tests (port 0, a temporary data folder).
 */
export async function startServer(config: Config, opts: StartOptions = {}): Promise<Running> {
  const logger = opts.logger ?? createLogger(config.logLevel)
  const db: Db = await openDb(config.dataDir, {
    ...(config.databaseUrl && { databaseUrl: config.databaseUrl }),
    poolMax: config.dbPoolMax,
  })
  const blobs = openBlobStore(config.blobStore, config.blobDir, db)
  let hsm: ServiceToken | undefined
  try {
    hsm = config.pkcs11 ? openServiceToken(config.pkcs11) : undefined
    return await serve(config, logger, db, blobs, hsm)
  } catch (err) {
    hsm?.close()
    await db.destroy()
    throw err
  }
}

/**
 * Keys first (issue 15): the key-wrapping key (made on a first start), the keys stored before
 * issue 15 sealed under it, the shared request-HMAC secret, the internal CA from the database (or
 * moved there from DATA_DIR/ca once, or made for the demo), then the demo data.
 */
async function serve(
  config: Config,
  logger: Logger,
  db: Db,
  blobs: ReturnType<typeof openBlobStore>,
  hsm?: ServiceToken,
): Promise<Running> {
  const log = logLines(logger)
  const keyRing = await openKeyRing(config, db, { create: true, ...(hsm && { hsm }), log })
  const wrapped = await wrapLegacyKeys(db, keyRing)
  if (wrapped) {
    logger.info(
      `sealed ${wrapped} stored keys made before issue 15 under the key-wrapping key ${keyRing.current.id}`,
    )
  }
  const requestHmacKey = await sharedSecret(db, keyRing, 'request-hmac')
  const ca = await ensureInternalCa(db, keyRing, {
    dataDir: config.dataDir,
    create: config.demo,
    ...(config.caPin && { caPin: config.caPin }),
    ...(hsm && { hsm }),
    urls: caUrls(config),
    log,
  })
  const anchors = await importTrustAnchorsFile(db, config.dataDir)
  if (anchors) logger.info(`moved ${anchors} trust anchors from the data folder into the database`)
  if (config.demo) {
    const keys = {
      makeKey: (spec: Parameters<typeof makeStoredKey>[1], pin: string) =>
        makeStoredKey({ ca, keyRing, hsm }, spec, pin),
      hashPassword: (password: string) => hashPassword(password, config.passwordHashN),
    }
    const outcome = await seedDemo(db, blobs, keys, (line) => logger.info(line))
    if (outcome === 'seeded') logger.info('demo data seeded')
  }
  const tsaKey = ca ? await ca.key('tsa') : undefined
  const metrics = createMetrics()
  observeDatabase(db, metrics)
  const tasks = new Set<Promise<unknown>>()
  const remoteSigning = new Map<string, RemoteSigningConnector>()
  if (config.csc) remoteSigning.set(config.csc.provider, cscConnector(config.csc))
  const services: Services = {
    db,
    blobs,
    config,
    // The internal CA's root, then the anchors an admin added (workflows/admin.ts), read on each call.
    trustAnchors: async () => [
      ...(ca ? [ca.root] : []),
      ...(await listTrustAnchorRecords(db)).map((a) => a.der),
    ],
    crls: async () => (ca ? [Buffer.from(await ca.crlPem(), 'latin1')] : []),
    // The national time-stamping service when configured (production); the built-in TSA for demos.
    ...(config.tsaUrl
      ? { timestamp: httpTsa(config.tsaUrl), documentTimestamp: httpTsaForImprint(config.tsaUrl) }
      : tsaKey && {
          timestamp: builtinTsa(tsaKey),
          documentTimestamp: (imprint: Buffer) => createTimestampToken({ imprint, keySource: tsaKey }),
        }),
    ...(ca && { ca }),
    keyRing,
    ...(hsm && { hsm }),
    requestHmacKey,
    log,
    metrics,
    track: (task) => {
      tasks.add(task)
      void task.finally(() => tasks.delete(task))
    },
    remoteSigning,
    keys: createUnlockedKeys(),
    remoteFinishing: new Set(),
  }
  let draining = false
  const app = createApp(services, {
    ...(tsaKey && { tsaKey }),
    log: services.log as (line: Record<string, unknown>) => void,
    ops: { logger, metrics, draining: () => draining },
  })
  const server = await new Promise<Server>((resolve) => {
    const srv = app.listen(config.port, config.host, () => resolve(srv))
  })
  // Once draining, a keep-alive connection closes as soon as its response is out.
  server.on('request', (_req, res: import('node:http').ServerResponse) =>
    res.once('finish', () => void (draining && setImmediate(() => server.closeIdleConnections()))),
  )
  const { port } = server.address() as AddressInfo
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host
  // A crash between a chain's last signature and its validation left verdicts unrecorded.
  services.track?.(
    recordMissingVerdicts(services).catch((err: unknown) =>
      logger.error({ error: String(err) }, 'recording missing verdicts failed'),
    ),
  )
  // Remote signatures wait for a confirmation on the signer's phone: look at them every second.
  let polling = false
  const poller = setInterval(() => {
    if (polling || remoteSigning.size === 0) return
    polling = true
    const round = pollRemoteSignings(services).finally(() => (polling = false))
    services.track?.(round)
  }, 1000)
  poller.unref()
  // The audit log's end, anchored outside the database (issue 15): at start (which also reports
  // a log cut short while the service was stopped), every KYSO_AUDIT_CHECKPOINT_SECONDS, at shutdown.
  const checkpoint = (): Promise<unknown> =>
    writeCheckpoint(services).catch((err: unknown) =>
      logger.error({ error: String(err) }, 'audit checkpoint failed'),
    )
  services.track?.(checkpoint())
  const checkpoints = setInterval(
    () => services.track?.(checkpoint()),
    config.auditCheckpoint.intervalSeconds * 1000,
  )
  checkpoints.unref()
  const renewal = startRenewalJob(services, logger)
  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    clearInterval(poller)
    clearInterval(checkpoints)
    renewal.stop()
    draining = true
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    const cut = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs)
    await stopped
    clearTimeout(cut)
    while (tasks.size) await Promise.allSettled([...tasks])
    await checkpoint()
    await db.destroy()
    hsm?.close()
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
