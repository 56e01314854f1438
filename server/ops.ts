import type { Express, RequestHandler } from 'express'
import pino, { type Logger } from 'pino'
import { pendingMigrations } from '../storage/db'
import { pingDatabase } from '../storage/server-queries'
import type { Services } from '../workflows/context'
import type { Metrics } from './metrics'

/**
 * Never in a log line, wherever it appears in the object: PINs, passwords, session and CSRF
 * tokens, keys. Request bodies and document bytes are never passed to the logger at all.
 */
const REDACT = [
  'pin',
  'oldPin',
  'newPin',
  'unlockCode',
  'password',
  'token',
  'csrfToken',
  'p12',
  'key',
  'authorization',
  'cookie',
]

/** JSON lines on stdout (or `destination`), one per request and per event, with the request id. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = [...REDACT, ...REDACT.map((k) => `*.${k}`), 'req.headers.authorization', 'req.headers.cookie']
  const options = {
    level,
    base: { service: 'kyso' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths, censor: '[redacted]' },
  }
  return destination ? pino(options, destination) : pino(options)
}

/** Adapts the logger to Services.log's shape: `{level?, msg?, ...fields}`. */
export function logLines(logger: Logger): (line: Record<string, unknown>) => void {
  return ({ level, msg, ...fields }) => {
    const method =
      typeof level === 'string' && ['fatal', 'error', 'warn', 'info', 'debug', 'trace'].includes(level)
        ? (level as 'info')
        : 'info'
    logger[method](fields, typeof msg === 'string' ? msg : undefined)
  }
}

/**
 * One log line and the metrics of every request, when its response is finished: method, route
 * pattern, status, duration and the request id (the one in X-Request-Id and in audit events).
 */
export function observeRequests(logger: Logger, metrics: Metrics, draining: () => boolean): RequestHandler {
  return (req, res, next) => {
    const t0 = process.hrtime.bigint()
    // While shutting down, each connection closes after its response (the server takes no more).
    if (draining()) res.setHeader('Connection', 'close')
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9
      const route = typeof req.route?.path === 'string' ? req.route.path : 'unmatched'
      metrics.request(req.method, route, res.statusCode, seconds)
      if (route === '/metrics' || route === '/healthz' || route === '/readyz') return
      // ip: the client's, through the proxies KYSO_TRUST_PROXY trusts (else the proxy's own).
      logger.info(
        {
          requestId: res.locals.requestId,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 10_000) / 10,
          user: res.locals.actor?.username,
          ip: req.ip,
        },
        'request',
      )
    })
    next()
  }
}

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
  )
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Each readiness check: 'ok', or what is wrong (never a secret: no URL, no stack). */
async function check(work: () => Promise<unknown>): Promise<string> {
  try {
    await within(3000, work())
    return 'ok'
  } catch (err) {
    return err instanceof Error ? (err.message.split('\n')[0] as string) : String(err)
  }
}

/**
 * GET /healthz: the process answers. GET /readyz: the database answers, its migrations are the
 * ones this build expects, the blob store takes a write, and the instance is not shutting down;
 * 503 otherwise, so the reverse proxy sends no traffic here. GET /metrics: Prometheus text.
 * Meant for the proxy and the monitoring network, not the public (README, Deployment).
 */
export function mountOps(app: Express, s: Services, metrics: Metrics, draining: () => boolean): void {
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }))
  app.get('/readyz', (_req, res, next) => {
    void (async () => {
      const checks = {
        database: await check(() => pingDatabase(s.db)),
        migrations: await check(async () => {
          const pending = await pendingMigrations(s.db)
          if (pending.length) throw new Error(`pending: ${pending.join(', ')}`)
        }),
        blobs: await check(() => s.blobs.checkWritable()),
        accepting: draining() ? 'shutting down' : 'ok',
      }
      const ready = Object.values(checks).every((v) => v === 'ok')
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks })
    })().catch(next)
  })
  app.get('/metrics', (_req, res, next) => {
    void metrics.registry
      .metrics()
      .then((text) => void res.type(metrics.registry.contentType).send(text), next)
  })
}
