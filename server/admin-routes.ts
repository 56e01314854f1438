import type { Express, RequestHandler } from 'express'
import {
  addTrustAnchor,
  createAgency,
  createUser,
  listAgencies,
  listCertificates,
  listTrustAnchors,
  listUsers,
  requestCertificate,
  revokeUserCertificate,
  updateUser,
} from '../workflows/admin'
import type { Services } from '../workflows/context'
import { actorOf, idParam, route } from './http'
import { AGENCY_CREATE, bodyCheckedOnRead, USER_CREATE, USER_UPDATE } from './schemas'
import { CERTIFICATE_REQUEST, CERTIFICATE_REVOKE, TRUST_ANCHOR } from './schemas-admin'

/** The administrator's own: agencies, users, certificates (requested, revoked) and trust anchors. */
export function mountAdmin(app: Express, s: Services, auth: RequestHandler): void {
  app.get(
    '/api/admin/agencies',
    auth,
    route(s, async (_req, res) => listAgencies(s, actorOf(res))),
  )
  app.post(
    '/api/admin/agencies',
    auth,
    route(s, async (req, res) => createAgency(s, actorOf(res), bodyCheckedOnRead(AGENCY_CREATE, req)), 201),
  )
  app.get(
    '/api/admin/users',
    auth,
    route(s, async (_req, res) => listUsers(s, actorOf(res))),
  )
  app.post(
    '/api/admin/users',
    auth,
    route(s, async (req, res) => createUser(s, actorOf(res), bodyCheckedOnRead(USER_CREATE, req)), 201),
  )
  app.patch(
    '/api/admin/users/:id',
    auth,
    route(s, async (req, res) =>
      updateUser(s, actorOf(res), idParam(req), bodyCheckedOnRead(USER_UPDATE, req)),
    ),
  )
  app.get(
    '/api/admin/certificates',
    auth,
    route(s, async (_req, res) => listCertificates(s, actorOf(res))),
  )
  app.post(
    '/api/admin/certificates',
    auth,
    route(
      s,
      async (req, res) => requestCertificate(s, actorOf(res), bodyCheckedOnRead(CERTIFICATE_REQUEST, req)),
      201,
    ),
  )
  app.post(
    '/api/admin/certificates/:id/revoke',
    auth,
    route(s, async (req, res) =>
      revokeUserCertificate(s, actorOf(res), idParam(req), bodyCheckedOnRead(CERTIFICATE_REVOKE, req)),
    ),
  )
  app.get(
    '/api/admin/trust-anchors',
    auth,
    route(s, async (_req, res) => listTrustAnchors(s, actorOf(res))),
  )
  app.post(
    '/api/admin/trust-anchors',
    auth,
    route(s, async (req, res) => addTrustAnchor(s, actorOf(res), bodyCheckedOnRead(TRUST_ANCHOR, req)), 201),
  )
}
