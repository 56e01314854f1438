import type { Express, RequestHandler } from 'express'
import { toPem } from '../signing/pki'
import type { Services } from '../workflows/context'
import { changePin, issueUnlockCode, unlockCertificate, unlockWithCode } from '../workflows/certificate-pins'
import { WorkflowError } from '../shared/errors'
import { actorOf, idParam, route } from './http'
import { parseBody } from './schemas'
import { PIN_CHANGE, UNLOCK_WITH_CODE } from './schemas-keys'

/**
 * Issue 15: a key's PIN and its lock, and the internal CA's public face. The root certificate and
 * the current CRL are published without login: relying parties and other agencies install them.
 */
export function mountKeyRoutes(app: Express, s: Services, auth: RequestHandler): void {
  app.post(
    '/api/me/certificates/:id/pin',
    auth,
    route(s, async (req, res) => changePin(s, actorOf(res), idParam(req), parseBody(PIN_CHANGE, req))),
  )
  app.post(
    '/api/me/certificates/:id/unlock',
    auth,
    route(s, async (req, res) =>
      unlockWithCode(s, actorOf(res), idParam(req), parseBody(UNLOCK_WITH_CODE, req)),
    ),
  )
  app.post(
    '/api/admin/certificates/:id/unlock',
    auth,
    route(s, async (req, res) => unlockCertificate(s, actorOf(res), idParam(req))),
  )
  // The answer holds the code itself: never kept for an Idempotency-Key replay.
  const issue = route(s, async (req, res) => issueUnlockCode(s, actorOf(res), idParam(req)), 201, {
    replayable: false,
  })
  app.post('/api/admin/certificates/:id/unlock-code', auth, issue)

  app.get(
    '/api/ca/root.pem',
    route(s, async (_req, res) => {
      if (!s.ca) throw new WorkflowError('NOT_FOUND', 'Máy chủ không có CA nội bộ')
      res.type('application/x-pem-file').setHeader('Content-Disposition', 'inline; filename="kyso-root.pem"')
      res.send(toPem('CERTIFICATE', s.ca.root))
      return undefined
    }),
  )
  app.get(
    '/api/ca/crl.pem',
    route(s, async (_req, res) => {
      if (!s.ca) throw new WorkflowError('NOT_FOUND', 'Máy chủ không có CA nội bộ')
      const pem = await s.ca.crlPem()
      // The issuing CA's CRL (its certificates), then the root's (the issuing CA).
      res.type('application/x-pem-file').setHeader('Cache-Control', 'max-age=300')
      res.send(pem)
      return undefined
    }),
  )
}
