import type { Express, RequestHandler } from 'express'
import { WorkflowError } from '../shared/errors'
import type { Services } from '../workflows/context'
import { inbox } from '../workflows/delegations'
import { documentDetails } from '../workflows/documents'
import { signStep } from '../workflows/sign-step'
import { cancelDocument, stopChain } from '../workflows/stop-chain'
import { submitDocument } from '../workflows/submit-document'
import { actorOf, idParam, jsonBody, optionalString, route } from './http'

/**
 * The chain of steps: the drafter submits (or cancels) a document, each step's assignee signs it
 * with a key Kyso holds, or rejects or returns it; the inbox lists the steps waiting for me.
 * Signing with keys held elsewhere is external-signing-routes.ts.
 */
export function mountSteps(app: Express, s: Services, auth: RequestHandler): void {
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
}
