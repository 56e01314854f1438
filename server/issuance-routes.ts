import type { Express, RequestHandler } from 'express'
import type { Services } from '../workflows/context'
import { copyPaper, issueAttachment, makeCopy } from '../workflows/copies'
import { documentDetails } from '../workflows/documents'
import { WorkflowError } from '../shared/errors'
import { prepareIssuanceVersion } from '../workflows/issuance-version'
import { registerCsv, registerView, setRegisterOpening } from '../workflows/register-view'
import { actorOf, idParam, route } from './http'
import { readMultipart } from './multipart'
import { bodyCheckedOnRead, parseBody } from './schemas'
import { COPY, REGISTER_OPENING } from './schemas-register'
import { ISSUANCE } from './schemas-signing'

/**
 * Issue 13: the outgoing register (view, CSV, opening number), the issuance version a clerk's own
 * tool signs, electronic copies and attachments.
 */
export function mountIssuance(app: Express, s: Services, auth: RequestHandler): void {
  app.get(
    '/api/registers/outgoing',
    auth,
    route(s, async (req, res) => {
      const query = req.query as Record<string, unknown>
      if (query.format !== 'csv') return registerView(s, actorOf(res), query)
      const { csv, filename } = await registerCsv(s, actorOf(res), query)
      res.setHeader('Content-Type', 'text/csv; charset=utf-8')
      res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`)
      res.end(csv)
      return undefined
    }),
  )
  app.put(
    '/api/registers/outgoing/opening',
    auth,
    route(s, async (req, res) =>
      setRegisterOpening(s, actorOf(res), bodyCheckedOnRead(REGISTER_OPENING, req)),
    ),
  )
  app.post(
    '/api/steps/:id/issuance',
    auth,
    route(s, async (req, res) => {
      const b = parseBody(ISSUANCE, req)
      const { outgoingNumber, outgoingDate } = b as {
        outgoingNumber?: string | null
        outgoingDate?: string | null
      }
      return prepareIssuanceVersion(s, actorOf(res), idParam(req), {
        ...(outgoingNumber && { outgoingNumber }),
        ...(outgoingDate && { outgoingDate }),
      })
    }),
  )
  app.post(
    '/api/documents/:id/copies',
    auth,
    route(
      s,
      async (req, res) => {
        const id = await makeCopy(s, actorOf(res), idParam(req), bodyCheckedOnRead(COPY, req))
        return documentDetails(s, actorOf(res), id)
      },
      201,
    ),
  )
  app.post(
    '/api/documents/:id/attachments',
    auth,
    route(
      s,
      async (req, res) => {
        const mp = await readMultipart(req, s.config.maxUploadBytes)
        if (!mp.file) throw new WorkflowError('BAD_REQUEST', 'file: a PDF file is required')
        const { title, pin } = mp.fields
        const id = await issueAttachment(s, actorOf(res), idParam(req), {
          file: mp.file,
          ...(title && { title }),
          ...(pin && { pin }),
        })
        return documentDetails(s, actorOf(res), id)
      },
      201,
    ),
  )
  app.post(
    '/api/copies/paper',
    auth,
    route(
      s,
      async (req, res) => {
        const mp = await readMultipart(req, s.config.maxUploadBytes)
        if (!mp.file) throw new WorkflowError('BAD_REQUEST', 'file: the scan, a PDF, is required')
        const { form, title, originalNumber, pin } = mp.fields
        const input = {
          file: mp.file,
          ...(form && { form }),
          ...(title && { title }),
          ...(originalNumber && { originalNumber }),
          ...(pin && { pin }),
        }
        const id = await copyPaper(s, actorOf(res), input)
        return documentDetails(s, actorOf(res), id)
      },
      201,
    ),
  )
}
