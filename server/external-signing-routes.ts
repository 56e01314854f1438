import type { Express, Request, RequestHandler, Response } from 'express'
import type { Services } from '../workflows/context'
import { WorkflowError } from '../shared/errors'
import {
  addRevocationList,
  decideExternalCertificate,
  myCertificates,
  submitExternalCertificate,
} from '../workflows/external-certificates'
import { evidencePackage } from '../workflows/evidence-package'
import { createFileTicket, redeemTicket } from '../workflows/file-tickets'
import { remoteCredentials } from '../workflows/remote-credentials'
import { remoteSigningState, startRemoteSigning } from '../workflows/remote-signing'
import { acceptSignedFile, entityTag, fileToSign } from '../workflows/signed-file'
import { completeStep, prepareStep } from '../workflows/two-phase'
import { listRevocationListsFor, setApprovalMode } from '../workflows/agency-settings'
import { actorOf, idParam, route } from './http'
import { readMultipart } from './multipart'
import { bodyCheckedOnRead, checkedFields, parseBody } from './schemas'
import { AGENCY_SETTINGS, CERTIFICATE_REJECT, REVOCATION_LIST } from './schemas-admin'
import {
  COMMIT,
  COMPLETE,
  EXTERNAL_CERTIFICATE,
  EXTERNAL_CERTIFICATE_BY_ADMIN,
  PREPARE,
  REMOTE,
} from './schemas-signing'

/**
 * outgoingNumber, outgoingDate, comment: what every way of signing a step may carry, from a JSON
 * body, a form's fields or a plugin's query (checked against COMMIT); an empty one is not given.
 */
function commitFields(b: Record<string, unknown>): {
  comment?: string
  outgoingNumber?: string
  outgoingDate?: string
} {
  const checked = checkedFields(COMMIT, b)
  const out: { comment?: string; outgoingNumber?: string; outgoingDate?: string } = {}
  for (const key of ['comment', 'outgoingNumber', 'outgoingDate'] as const) {
    const v = checked[key]
    if (typeof v === 'string' && v) out[key] = v
  }
  return out
}

function ticketOf(req: Request): string | undefined {
  const t = req.query.ticket
  return typeof t === 'string' && t.length > 0 ? t : undefined
}

/**
 * A plugin's ticket (file-tickets.ts) authenticates the two file routes when there is no session;
 * with a session, the usual `auth` applies.
 */
function ticketOrAuth(s: Services, auth: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const ticket = ticketOf(req)
    if (!ticket) {
      auth(req, res, next)
      return
    }
    void redeemTicket(s, idParam(req), ticket).then(({ actor, etag, sessionId }) => {
      actor.requestId = res.locals.requestId
      res.locals.actor = actor
      res.locals.ticket = { etag, sessionId }
      next()
    }, next)
  }
}

function sendPdf(res: Response, bytes: Buffer, sha256: string, name: string): void {
  res.setHeader('Content-Type', 'application/pdf')
  res.setHeader('Content-Disposition', `attachment; filename="${name}"`)
  res.setHeader('ETag', `"${sha256}"`)
  res.setHeader('Cache-Control', 'no-store')
  res.end(bytes)
}

/** Keys Kyso never holds (issue 11): external certificates, signed files, two-phase and remote signing. */
export function mountExternalSigning(app: Express, s: Services, auth: RequestHandler): void {
  app.post(
    '/api/me/certificates/external',
    auth,
    route(
      s,
      async (req, res) =>
        submitExternalCertificate(s, actorOf(res), bodyCheckedOnRead(EXTERNAL_CERTIFICATE, req)),
      201,
    ),
  )
  app.get(
    '/api/me/signing-certificates',
    auth,
    route(s, async (_req, res) => myCertificates(s, actorOf(res))),
  )
  app.get(
    '/api/me/remote-credentials',
    auth,
    route(s, async (req, res) => remoteCredentials(s, actorOf(res), req.query as Record<string, unknown>)),
  )
  app.post(
    '/api/admin/certificates/external',
    auth,
    route(
      s,
      async (req, res) =>
        submitExternalCertificate(s, actorOf(res), bodyCheckedOnRead(EXTERNAL_CERTIFICATE_BY_ADMIN, req), {
          byAdmin: requireAdminRole(res),
        }),
      201,
    ),
  )
  app.post(
    '/api/admin/certificates/:id/approve',
    auth,
    route(s, async (req, res) => decideExternalCertificate(s, actorOf(res), idParam(req), 'approve')),
  )
  app.post(
    '/api/admin/certificates/:id/reject',
    auth,
    route(s, async (req, res) =>
      decideExternalCertificate(
        s,
        actorOf(res),
        idParam(req),
        'reject',
        bodyCheckedOnRead(CERTIFICATE_REJECT, req),
      ),
    ),
  )
  app.get(
    '/api/admin/crls',
    auth,
    route(s, async (_req, res) => listRevocationListsFor(s, actorOf(res))),
  )
  app.post(
    '/api/admin/crls',
    auth,
    route(
      s,
      async (req, res) => addRevocationList(s, actorOf(res), bodyCheckedOnRead(REVOCATION_LIST, req)),
      201,
    ),
  )
  app.patch(
    '/api/admin/agencies/:code',
    auth,
    route(s, async (req, res) =>
      setApprovalMode(s, actorOf(res), String(req.params.code), bodyCheckedOnRead(AGENCY_SETTINGS, req)),
    ),
  )

  app.get(
    '/api/steps/:id/to-sign',
    ticketOrAuth(s, auth),
    route(s, async (req, res) => {
      const f = await fileToSign(s, actorOf(res), idParam(req))
      const ticket = res.locals.ticket as { etag: string } | undefined
      if (ticket && ticket.etag !== f.sha256)
        throw new WorkflowError('VERSION_CONFLICT', 'Văn bản đã có phiên bản mới; hãy mở lại hộp thoại ký')
      sendPdf(res, f.bytes, f.sha256, f.name)
      return undefined
    }),
  )
  app.post(
    '/api/steps/:id/signed-file',
    ticketOrAuth(s, auth),
    route(s, async (req, res) => {
      const mp = await readMultipart(req, s.config.maxUploadBytes, { anyFileField: true })
      if (!mp.file) throw new WorkflowError('BAD_REQUEST', 'file: the signed PDF is required')
      const ticket = res.locals.ticket as { etag: string; sessionId: string } | undefined
      // A plugin posts only the file: the page puts a seal's number and date in the URL it gives
      // the plugin (FileUploadHandler), beside the ticket. Fields of the form win.
      const fromUrl = ticket ? commitFields(req.query as Record<string, unknown>) : {}
      return acceptSignedFile(s, actorOf(res), idParam(req), {
        file: mp.file,
        ifMatch: ticket ? ticket.etag : entityTag(req.headers['if-match']),
        ...(ticket && { ticketSessionId: ticket.sessionId }),
        ...fromUrl,
        ...commitFields(mp.fields),
      })
    }),
  )
  app.post(
    '/api/steps/:id/file-ticket',
    auth,
    route(s, async (req, res) => createFileTicket(s, actorOf(res), idParam(req)), 201),
  )
  app.post(
    '/api/steps/:id/prepare',
    auth,
    route(s, async (req, res) => {
      const b = bodyCheckedOnRead(PREPARE, req)
      // certificateId is read (and checked) once the step is found the signer's turn.
      return prepareStep(s, actorOf(res), idParam(req), {
        ...commitFields(b),
        via: b.via,
        get certificateId() {
          return b.certificateId
        },
      })
    }),
  )
  app.post(
    '/api/steps/:id/complete',
    auth,
    route(s, async (req, res) => {
      const b = parseBody(COMPLETE, req)
      return completeStep(s, actorOf(res), idParam(req), {
        signingId: b.signingId,
        signature: b.signature,
        ...commitFields(b),
      })
    }),
  )
  app.post(
    '/api/steps/:id/remote',
    auth,
    route(
      s,
      async (req, res) => {
        const b = bodyCheckedOnRead(REMOTE, req)
        // certificateId is read (and checked) once the step is found the signer's turn.
        return startRemoteSigning(s, actorOf(res), idParam(req), {
          ...commitFields(b),
          get certificateId() {
            return b.certificateId
          },
        })
      },
      202,
    ),
  )
  app.get(
    '/api/documents/:id/evidence',
    auth,
    route(s, async (req, res) => {
      const pkg = await evidencePackage(s, actorOf(res), idParam(req))
      res.setHeader('Content-Type', 'application/zip')
      res.setHeader('Content-Disposition', `attachment; filename="${pkg.name}"`)
      res.end(pkg.zip)
      return undefined
    }),
  )
  app.get(
    '/api/signings/:id',
    auth,
    route(s, async (req, res) => remoteSigningState(s, actorOf(res), String(req.params.id))),
  )
}

function requireAdminRole(res: Response): true {
  if (!actorOf(res).roles.has('admin'))
    throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị hệ thống được thực hiện thao tác này')
  return true
}
