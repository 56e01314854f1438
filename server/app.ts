import express, { type Express } from 'express'
import { verifyPdfIsolated } from '../signing/verify/isolated'
import { handleTimestampRequest } from '../signing/tsa'
import type { KeySource } from '../signing/keys/key-source'
import { verifyAnchoredAudit } from '../workflows/audit-anchor'
import { authenticate, login, logout, publicUser } from '../workflows/auth'
import type { Actor, Services } from '../workflows/context'
import { createDelegation, endDelegation, inbox, listDelegations } from '../workflows/delegations'
import {
  activateEnrolment,
  addTrustAnchor,
  createAgency,
  createUser,
  listAgencies,
  listCertificates,
  listTrustAnchors,
  listUsers,
  myEnrolments,
  requestCertificate,
  revokeUserCertificate,
  updateUser,
} from '../workflows/admin'
import { directory, listDocuments } from '../workflows/directory'
import {
  documentDetails,
  downloadName,
  latestVersion,
  reviseDocument,
  uploadDocument,
  versionOf,
} from '../workflows/documents'
import { WorkflowError } from '../shared/errors'
import { signStep } from '../workflows/sign-step'
import { cancelDocument, stopChain } from '../workflows/stop-chain'
import { submitDocument } from '../workflows/submit-document'
import { readableDocument } from '../shared/access'
import { bodyParserErrors, errorHandler, unknownApi } from './errors'
import {
  SESSION_COOKIE,
  actorOf,
  idParam,
  jsonBody,
  optionalString,
  requestId,
  requireAuth,
  route,
  sessionToken,
} from './http'
import { readMultipart } from './multipart'
import { openApi } from './openapi'
import { webRouter } from './web'
import { mountExternalSigning } from './external-signing-routes'
import { mountImages } from './image-routes'
import { mountKeyRoutes } from './key-routes'
import { mountIssuance } from './issuance-routes'
import { detachedReports } from '../workflows/detached-evidence'
import { listRevocationLists } from '../storage/revocation-lists'
import { agencyLabel } from '../storage/server-queries'
import type { Metrics } from './metrics'
import { mountOps, observeRequests } from './ops'
import type { Logger } from 'pino'
import { coverageDrillDown, coverageReport } from '../reporting/coverage'
import { coverageCsv, seriesCsv, type SeriesPoint } from '../reporting/csv'
import type { Targets } from '../reporting/targets'
import { mountAdminPolicy } from './admin-policy-routes'
import { mountCa } from './ca-routes'
import { importPaper, registerPaper } from '../workflows/paper-documents'

export interface AppOptions {
  /** The built-in TSA's key, for POST /tsa. */
  tsaKey?: KeySource
  log?: (line: Record<string, unknown>) => void
  /** Operations: request logs and metrics, /healthz, /readyz, /metrics (server/ops.ts). */
  ops?: { logger: Logger; metrics: Metrics; draining: () => boolean }
}

/** Express only: parse input, call one use case, map the result (STYLE.md). */
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

  app.get('/api/openapi.json', (_req, res) => void res.json(openApi()))

  app.post(
    '/api/auth/login',
    route(s, async (req, res) => {
      const b = jsonBody(req)
      const result = await login(s, b.username, b.password, res.locals.requestId)
      res.cookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.secure,
        path: '/',
        expires: new Date(result.expiresAt),
      })
      return result
    }),
  )
  app.post(
    '/api/auth/logout',
    auth,
    route(s, async (_req, res) => {
      await logout(s, res.locals.token as string, actorOf(res))
      res.clearCookie(SESSION_COOKIE, { path: '/' })
      return { ok: true }
    }),
  )
  const me = async (a: Actor, csrfToken: string | undefined): Promise<Record<string, unknown>> => {
    const agency = await agencyLabel(s.db, a.agencyId)
    // Where the sign dialog looks for keys Kyso does not hold (issue 11): the local agent, the VGCA plugin, remote providers.
    const signingTools = {
      agentUrl: s.config.agentUrl,
      vgcaPluginUrl: s.config.vgcaPluginUrl ?? null,
      remoteProviders: [...(s.remoteSigning?.keys() ?? [])],
    }
    return { ...publicUser(a), agencyCode: agency.code, agencyName: agency.name, csrfToken, signingTools }
  }
  app.get(
    '/api/me',
    auth,
    route(s, async (_req, res) => me(actorOf(res), res.locals.csrfToken)),
  )
  // For a page that starts: "am I signed in?" answered 200 either way (a 401 is an error in the console).
  app.get(
    '/api/auth/session',
    route(s, async (req) => {
      const token = sessionToken(req)
      const session = token ? await authenticate(s, token).catch(() => undefined) : undefined
      return session
        ? { signedIn: true, user: await me(session.actor, session.csrfToken) }
        : { signedIn: false }
    }),
  )
  app.get(
    '/api/me/certificates',
    auth,
    route(s, async (_req, res) => myEnrolments(s, actorOf(res))),
  )
  app.post(
    '/api/me/enrolments/:id/activate',
    auth,
    route(s, async (req, res) => activateEnrolment(s, actorOf(res), idParam(req), jsonBody(req)), 201),
  )
  app.get(
    '/api/directory',
    auth,
    route(s, async (_req, res) => directory(s, actorOf(res))),
  )
  app.get(
    '/api/documents',
    auth,
    route(s, async (req, res) => listDocuments(s, actorOf(res), req.query as Record<string, unknown>)),
  )

  app.post(
    '/api/documents',
    auth,
    route(
      s,
      async (req, res) => {
        const mp = await readMultipart(req, s.config.maxUploadBytes)
        if (!mp.file) throw new WorkflowError('BAD_REQUEST', 'file: a PDF file is required')
        const title = (mp.fields.title ?? '').trim()
        if (!title || title.length > 500)
          throw new WorkflowError('BAD_REQUEST', 'title: required, at most 500 characters')
        const kind = mp.fields.kind ?? 'internal'
        if (kind !== 'internal' && kind !== 'procedure')
          throw new WorkflowError('BAD_REQUEST', 'kind: internal or procedure')
        const f = mp.fields
        const facts = {
          ...(f.docType && { docType: f.docType }),
          ...(f.unitCode && { unitCode: f.unitCode }),
          ...(f.normative && { normative: f.normative }),
          ...(f.urgency && { urgency: f.urgency }),
          ...(f.recipients && { recipients: f.recipients }),
          ...(f.secrecy && { secrecy: f.secrecy }),
        }
        const doc = await uploadDocument(s, actorOf(res), {
          title,
          kind,
          file: mp.file,
          ...facts,
          ...(f.procedureCode && { procedureCode: f.procedureCode }),
        })
        return documentDetails(s, actorOf(res), doc.id)
      },
      201,
    ),
  )
  app.post(
    '/api/documents/:id/versions',
    auth,
    route(
      s,
      async (req, res) => {
        const mp = await readMultipart(req, s.config.maxUploadBytes)
        if (!mp.file) throw new WorkflowError('BAD_REQUEST', 'file: a PDF file is required')
        const doc = await reviseDocument(s, actorOf(res), idParam(req), mp.file)
        return documentDetails(s, actorOf(res), doc.id)
      },
      201,
    ),
  )
  app.post(
    '/api/documents/:id/submit',
    auth,
    route(s, async (req, res) => {
      const b = jsonBody(req)
      if ((b.template === undefined) === (b.steps === undefined))
        throw new WorkflowError('BAD_REQUEST', 'template or steps: give exactly one')
      const doc = await submitDocument(s, actorOf(res), idParam(req), {
        template: b.template,
        steps: b.steps,
      })
      return documentDetails(s, actorOf(res), doc.id)
    }),
  )
  app.post(
    '/api/documents/:id/cancel',
    auth,
    route(s, async (req, res) => cancelDocument(s, actorOf(res), idParam(req))),
  )
  app.get(
    '/api/inbox',
    auth,
    route(s, async (_req, res) => inbox(s, actorOf(res))),
  )
  app.get(
    '/api/documents/:id',
    auth,
    route(s, async (req, res) => documentDetails(s, actorOf(res), idParam(req))),
  )
  app.get(
    '/api/documents/:id/file',
    auth,
    route(s, async (req, res) => {
      const doc = await readableDocument(s.db, actorOf(res), idParam(req))
      const latest = await latestVersion(s, doc.id)
      const v = req.query.version === undefined ? latest : await versionOf(s, doc.id, req.query.version)
      const bytes = await s.blobs.get(v.sha256)
      res.setHeader('Content-Type', 'application/pdf')
      res.setHeader('Content-Disposition', `attachment; filename="${downloadName(doc, v.seq, latest.seq)}"`)
      res.setHeader('ETag', `"${v.sha256}"`)
      res.end(bytes)
      return undefined
    }),
  )
  app.get(
    '/api/documents/:id/verification',
    auth,
    route(s, async (req, res) => {
      const doc = await readableDocument(s.db, actorOf(res), idParam(req))
      const v = await latestVersion(s, doc.id)
      const crls = [...(await s.crls()), ...(await listRevocationLists(s.db)).map((r) => r.der)]
      // ?at=TIME (issue 18): validated at that time, as `kyso verify --at` does.
      const at = validationTime(req.query.at)
      const pdf = await s.blobs.get(v.sha256)
      const input = { pdf, trustAnchors: await s.trustAnchors(), crls, ...(at && { now: at }) }
      const report = await verifyPdfIsolated(input, { timeoutMs: s.config.validationTimeoutMs })
      // Approvals kept as detached evidence (issue 11) are reported beside the file's own signatures.
      return { ...report, detached: await detachedReports(s, doc.id) }
    }),
  )

  app.post(
    '/api/steps/:id/sign',
    auth,
    route(s, async (req, res) => {
      const b = jsonBody(req)
      const pin = b.pin
      if (typeof pin !== 'string' || pin.length === 0) throw new WorkflowError('BAD_REQUEST', 'pin: required')
      const comment = optionalString(b, 'comment')
      const outgoingNumber = optionalString(b, 'outgoingNumber')
      const outgoingDate = optionalString(b, 'outgoingDate')
      return signStep(s, actorOf(res), idParam(req), {
        pin,
        ...(comment && { comment }),
        ...(outgoingNumber && { outgoingNumber }),
        ...(outgoingDate && { outgoingDate }),
      })
    }),
  )
  mountExternalSigning(app, s, auth)
  mountImages(app, s, auth)
  mountKeyRoutes(app, s, auth)
  mountIssuance(app, s, auth)
  app.post(
    '/api/steps/:id/reject',
    auth,
    route(s, async (req, res) => stopChain(s, actorOf(res), idParam(req), 'reject', jsonBody(req).reason)),
  )
  app.post(
    '/api/steps/:id/return',
    auth,
    route(s, async (req, res) => stopChain(s, actorOf(res), idParam(req), 'return', jsonBody(req).reason)),
  )
  app.post(
    '/api/delegations',
    auth,
    route(s, async (req, res) => createDelegation(s, actorOf(res), jsonBody(req)), 201),
  )
  app.get(
    '/api/delegations',
    auth,
    route(s, async (_req, res) => listDelegations(s, actorOf(res))),
  )
  app.post(
    '/api/delegations/:id/end',
    auth,
    route(s, async (req, res) => endDelegation(s, actorOf(res), idParam(req))),
  )
  app.get(
    '/api/admin/agencies',
    auth,
    route(s, async (_req, res) => listAgencies(s, actorOf(res))),
  )
  app.post(
    '/api/admin/agencies',
    auth,
    route(s, async (req, res) => createAgency(s, actorOf(res), jsonBody(req)), 201),
  )
  app.get(
    '/api/admin/users',
    auth,
    route(s, async (_req, res) => listUsers(s, actorOf(res))),
  )
  app.post(
    '/api/admin/users',
    auth,
    route(s, async (req, res) => createUser(s, actorOf(res), jsonBody(req)), 201),
  )
  app.patch(
    '/api/admin/users/:id',
    auth,
    route(s, async (req, res) => updateUser(s, actorOf(res), idParam(req), jsonBody(req))),
  )
  app.get(
    '/api/admin/certificates',
    auth,
    route(s, async (_req, res) => listCertificates(s, actorOf(res))),
  )
  app.post(
    '/api/admin/certificates',
    auth,
    route(s, async (req, res) => requestCertificate(s, actorOf(res), jsonBody(req)), 201),
  )
  app.post(
    '/api/admin/certificates/:id/revoke',
    auth,
    route(s, async (req, res) => revokeUserCertificate(s, actorOf(res), idParam(req), jsonBody(req))),
  )
  app.get(
    '/api/admin/trust-anchors',
    auth,
    route(s, async (_req, res) => listTrustAnchors(s, actorOf(res))),
  )
  app.post(
    '/api/admin/trust-anchors',
    auth,
    route(s, async (req, res) => addTrustAnchor(s, actorOf(res), jsonBody(req)), 201),
  )
  app.post(
    '/api/documents/paper',
    auth,
    route(s, async (req, res) => registerPaper(s, actorOf(res), jsonBody(req)), 201),
  )
  app.post(
    '/api/documents/paper/import',
    auth,
    express.text({ type: ['text/csv', 'application/csv', 'text/plain'], limit: '20mb' }),
    route(
      s,
      async (req, res) => {
        if (typeof req.body !== 'string')
          throw new WorkflowError('BAD_REQUEST', 'body: CSV text (Content-Type: text/csv)')
        return importPaper(s, actorOf(res), Buffer.from(req.body, 'utf8'))
      },
      201,
    ),
  )
  app.get(
    '/api/reports/coverage',
    auth,
    route(s, async (req, res) => {
      const report = await coverageReport(s.db, actorOf(res), req.query as Record<string, unknown>)
      if (req.query.format !== 'csv') return report
      const lang = req.query.lang === 'en' ? 'en' : 'vi'
      const preamble = { period: report.period, generatedAt: report.generatedAt, targets: report.targets }
      const csv = coverageCsv(report.agencies, preamble, lang)
      sendCsv(res, csv, `bao-cao-ky-so-${report.period.from}-${report.period.to}.csv`)
      return undefined
    }),
  )
  app.get(
    '/api/reports/coverage/:agencyCode',
    auth,
    route(s, async (req, res) => {
      const report = await coverageDrillDown(
        s.db,
        actorOf(res),
        String(req.params.agencyCode),
        req.query as Record<string, unknown>,
      )
      if (req.query.format !== 'csv') return report
      type Drill = {
        agency: { name: string }
        series: SeriesPoint[]
        period: { from: string; to: string }
        targets: Targets
      }
      const r = report as Drill
      const preamble = { period: r.period, generatedAt: new Date().toISOString(), targets: r.targets }
      const csv = seriesCsv(r.agency.name, r.series, preamble, req.query.lang === 'en' ? 'en' : 'vi')
      sendCsv(res, csv, `bao-cao-${req.params.agencyCode}.csv`)
      return undefined
    }),
  )
  mountAdminPolicy(app, s, auth)
  app.get(
    '/api/audit/verify',
    auth,
    route(s, async (_req, res) => {
      const a = actorOf(res)
      if (!a.roles.has('admin') && !a.roles.has('compliance'))
        throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị và kiểm tra được xác minh nhật ký')
      return verifyAnchoredAudit(s.db, s.config.auditCheckpoint.dir)
    }),
  )

  mountCa(app, s, log)
  // RFC 3161 §3.4: the built-in timestamp authority over HTTP.
  app.get(
    '/tsa',
    (_req, res) =>
      void res
        .type('text/plain')
        .status(opts.tsaKey ? 200 : 404)
        .send(
          opts.tsaKey
            ? 'Kyso built-in RFC 3161 time-stamping authority: POST application/timestamp-query here.\n'
            : 'No built-in time-stamping authority is configured.\n',
        ),
  )
  app.post('/tsa', express.raw({ type: 'application/timestamp-query', limit: '64kb' }), (req, res, next) => {
    void (async () => {
      if (!opts.tsaKey) throw new WorkflowError('NOT_FOUND', 'no built-in TSA configured')
      if (!Buffer.isBuffer(req.body))
        throw new WorkflowError('BAD_REQUEST', 'Content-Type: application/timestamp-query')
      const reply = await handleTimestampRequest(req.body, { keySource: opts.tsaKey })
      res.type('application/timestamp-reply').send(reply)
    })().catch(next)
  })

  app.use('/api', unknownApi)
  app.use(webRouter(s.config))
  app.use((_req, res) => void res.status(404).type('text/plain').send('Không tìm thấy / Not found\n'))
  app.use(bodyParserErrors)
  app.use(errorHandler(log))
  return app
}

/** `?at=` an ISO 8601 date or date-time, or nothing. */
function validationTime(v: unknown): Date | undefined {
  if (v === undefined) return undefined
  const at = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : new Date(NaN)
  if (Number.isNaN(at.getTime())) throw new WorkflowError('BAD_REQUEST', 'at: an ISO 8601 date or date-time')
  return at
}

function sendCsv(res: express.Response, csv: Buffer, filename: string): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8')
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`)
  res.end(csv)
}
