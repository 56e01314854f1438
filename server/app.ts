import express, { type Express } from 'express'
import type { Logger } from 'pino'
import type { KeySource } from '../signing/keys/key-source'
import type { Services } from '../workflows/context'
import { mountAdminPolicy } from './admin-policy-routes'
import { mountAdmin } from './admin-routes'
import { mountAudit } from './audit-routes'
import { mountAuth } from './auth-routes'
import { mountCa } from './ca-routes'
import { mountDelegations } from './delegation-routes'
import { mountDocuments } from './document-routes'
import { bodyParserErrors, errorHandler, unknownApi } from './errors'
import { mountExternalSigning } from './external-signing-routes'
import { requestId, requireAuth } from './http'
import { mountImages } from './image-routes'
import { mountIssuance } from './issuance-routes'
import { mountKeyRoutes } from './key-routes'
import { mountMessages, mountOpenApi, mountTsa } from './meta-routes'
import type { Metrics } from './metrics'
import { mountOps, observeRequests } from './ops'
import { mountReports } from './report-routes'
import { mountSteps } from './step-routes'
import { webRouter } from './web'

export interface AppOptions {
  /** The built-in TSA's key, for POST /tsa. */
  tsaKey?: KeySource
  log?: (line: Record<string, unknown>) => void
  /** Operations: request logs and metrics, /healthz, /readyz, /metrics (server/ops.ts). */
  ops?: { logger: Logger; metrics: Metrics; draining: () => boolean }
}

/**
 * Express only: parse input, call one use case, map the result (STYLE.md). The routes live in
 * one module per area; Express tries them in the order they are mounted here.
 */
export function createApp(s: Services, opts: AppOptions = {}): Express {
  const log = opts.log ?? ((line) => process.stderr.write(JSON.stringify(line) + '\n'))
  const app = express()
  app.disable('x-powered-by')
  // Behind nginx (KYSO_TRUST_PROXY): req.secure and req.ip from X-Forwarded-Proto/-For, so the
  // session cookie gets Secure and logs show the client's address (issue 15).
  app.set('trust proxy', s.config.trustProxy)
  app.use(requestId())
  if (opts.ops) {
    app.use(observeRequests(opts.ops.logger, opts.ops.metrics, opts.ops.draining))
    mountOps(app, s, opts.ops.metrics, opts.ops.draining)
  }
  app.use(express.json({ limit: '1mb' }))
  const auth = requireAuth(s)

  mountOpenApi(app)
  mountMessages(app)
  mountAuth(app, s, auth)
  mountDocuments(app, s, auth)
  mountSteps(app, s, auth)
  mountExternalSigning(app, s, auth)
  mountImages(app, s, auth)
  mountKeyRoutes(app, s, auth)
  mountIssuance(app, s, auth)
  mountDelegations(app, s, auth)
  mountAdmin(app, s, auth)
  mountReports(app, s, auth)
  mountAdminPolicy(app, s, auth)
  mountAudit(app, s, auth)
  mountCa(app, s, log)
  mountTsa(app, opts.tsaKey)

  app.use('/api', unknownApi)
  app.use(webRouter(s.config))
  app.use((_req, res) => void res.status(404).type('text/plain').send('Không tìm thấy / Not found\n'))
  app.use(bodyParserErrors)
  app.use(errorHandler(log))
  return app
}
