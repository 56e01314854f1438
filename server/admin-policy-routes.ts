import type { Express, RequestHandler } from 'express'
import type { Services } from '../workflows/context'
import { listCoverageTargets, setCoverageTargets } from '../workflows/coverage-targets'
import { erasePersonalData, exportPersonalData } from '../workflows/personal-data'
import { endAuthority, grantAuthority, listAuthorities } from '../workflows/standing-authorities'
import { WorkflowError } from '../shared/errors'
import { actorOf, idParam, route } from './http'
import { bodyCheckedOnRead } from './schemas'
import { COVERAGE_TARGETS, ERASURE, STANDING_AUTHORITY } from './schemas-admin'

/**
 * Issue 14's administration: each year's targets and deadline, standing signing authorities, and
 * the answers to personal-data requests (access, erasure).
 */
export function mountAdminPolicy(app: Express, s: Services, auth: RequestHandler): void {
  app.get(
    '/api/admin/coverage-targets',
    auth,
    route(s, async (_req, res) => listCoverageTargets(s, actorOf(res))),
  )
  app.put(
    '/api/admin/coverage-targets/:year',
    auth,
    route(s, async (req, res) => {
      const year = Number(req.params.year)
      if (!/^\d{4}$/.test(String(req.params.year))) throw new WorkflowError('BAD_REQUEST', 'year: YYYY')
      return setCoverageTargets(s, actorOf(res), year, bodyCheckedOnRead(COVERAGE_TARGETS, req))
    }),
  )
  app.get(
    '/api/admin/standing-authorities',
    auth,
    route(s, async (_req, res) => listAuthorities(s, actorOf(res))),
  )
  app.post(
    '/api/admin/standing-authorities',
    auth,
    route(
      s,
      async (req, res) => grantAuthority(s, actorOf(res), bodyCheckedOnRead(STANDING_AUTHORITY, req)),
      201,
    ),
  )
  app.post(
    '/api/admin/standing-authorities/:id/end',
    auth,
    route(s, async (req, res) => endAuthority(s, actorOf(res), idParam(req))),
  )
  app.get(
    '/api/admin/users/:id/personal-data',
    auth,
    route(s, async (req, res) => exportPersonalData(s, actorOf(res), idParam(req))),
  )
  app.post(
    '/api/admin/users/:id/erase',
    auth,
    route(s, async (req, res) =>
      erasePersonalData(s, actorOf(res), idParam(req), bodyCheckedOnRead(ERASURE, req)),
    ),
  )
}
