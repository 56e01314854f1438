import type { Express, RequestHandler } from 'express'
import type { Services } from '../workflows/context'
import { createDelegation, endDelegation, listDelegations } from '../workflows/delegations'
import { actorOf, idParam, route } from './http'
import { bodyCheckedOnRead, DELEGATION } from './schemas'

/** A leader's delegations: given between two dates, listed (given and received), ended early. */
export function mountDelegations(app: Express, s: Services, auth: RequestHandler): void {
  app.post(
    '/api/delegations',
    auth,
    route(s, async (req, res) => createDelegation(s, actorOf(res), bodyCheckedOnRead(DELEGATION, req)), 201),
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
}
