import type { Express, RequestHandler } from 'express'
import type { Services } from '../workflows/context'
import { inbox } from '../workflows/delegations'
import { documentDetails } from '../workflows/documents'
import { signStep } from '../workflows/sign-step'
import { cancelDocument, stopChain } from '../workflows/stop-chain'
import { submitDocument } from '../workflows/submit-document'
import { actorOf, idParam, route } from './http'
import { bodyCheckedOnRead, parseBody, REASON, SIGN, SUBMIT } from './schemas'

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
      // The use case reads template and steps after checking who may submit.
      const b = bodyCheckedOnRead(SUBMIT, req)
      const doc = await submitDocument(s, actorOf(res), idParam(req), b)
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
      const b = parseBody(SIGN, req)
      const [comment, outgoingNumber, outgoingDate] = [b.comment, b.outgoingNumber, b.outgoingDate] as (
        | string
        | null
        | undefined
      )[]
      return signStep(s, actorOf(res), idParam(req), {
        pin: b.pin as string,
        ...(comment && { comment }),
        ...(outgoingNumber && { outgoingNumber }),
        ...(outgoingDate && { outgoingDate }),
      })
    }),
  )
  app.post(
    '/api/steps/:id/reject',
    auth,
    route(s, async (req, res) =>
      stopChain(s, actorOf(res), idParam(req), 'reject', parseBody(REASON, req).reason),
    ),
  )
  app.post(
    '/api/steps/:id/return',
    auth,
    route(s, async (req, res) =>
      stopChain(s, actorOf(res), idParam(req), 'return', parseBody(REASON, req).reason),
    ),
  )
}
