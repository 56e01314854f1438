import express, { type Express, type RequestHandler } from 'express'
import { readableDocument } from '../storage/document-access'
import { WorkflowError } from '../shared/errors'
import { verifyPdfIsolated } from '../signing/verify/isolated'
import { listRevocationLists } from '../storage/revocation-lists'
import type { Services } from '../workflows/context'
import { detachedReports } from '../workflows/detached-evidence'
import { directory, listDocuments } from '../workflows/directory'
import {
  documentDetails,
  downloadName,
  latestVersion,
  reviseDocument,
  uploadDocument,
  versionOf,
} from '../workflows/documents'
import { importPaper, registerPaper } from '../workflows/paper-documents'
import { actorOf, idParam, route } from './http'
import { bodyCheckedOnRead } from './schemas'
import { PAPER_DOCUMENT } from './schemas-register'
import { readMultipart } from './multipart'
import { parseInstant } from '../shared/dates'

/**
 * Documents: the directory and lists, uploading a draft and revising it, details, the file of any
 * version, its verification, and registering paper documents.
 */
export function mountDocuments(app: Express, s: Services, auth: RequestHandler): void {
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
    '/api/documents/paper',
    auth,
    route(s, async (req, res) => registerPaper(s, actorOf(res), bodyCheckedOnRead(PAPER_DOCUMENT, req)), 201),
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
}

/** `?at=` an ISO 8601 date or date-time, or nothing. */
function validationTime(v: unknown): Date | undefined {
  if (v === undefined) return undefined
  const at = parseInstant(v)
  if (!at) throw new WorkflowError('BAD_REQUEST', 'at: an ISO 8601 date or date-time')
  return at
}
