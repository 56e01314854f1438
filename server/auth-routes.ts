import type { Express, RequestHandler } from 'express'
import { agencyLabel } from '../storage/server-queries'
import { activateEnrolment, myEnrolments } from '../workflows/admin'
import { authenticate, login, logout, publicUser } from '../workflows/auth'
import type { Actor, Services } from '../workflows/context'
import { actorOf, idParam, route, SESSION_COOKIE, sessionToken } from './http'
import { LOGIN, parseBody } from './schemas'
import { ENROLMENT_ACTIVATE } from './schemas-keys'

/** Signing in and out, the session a page starts from, and the signed-in user's own certificates. */
export function mountAuth(app: Express, s: Services, auth: RequestHandler): void {
  app.post(
    '/api/auth/login',
    route(s, async (req, res) => {
      const b = parseBody(LOGIN, req)
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
  app.get(
    '/api/me',
    auth,
    route(s, async (_req, res) => whoAmI(s, actorOf(res), res.locals.csrfToken)),
  )
  // For a page that starts: "am I signed in?" answered 200 either way (a 401 is an error in the console).
  app.get(
    '/api/auth/session',
    route(s, async (req) => {
      const token = sessionToken(req)
      const session = token ? await authenticate(s, token).catch(() => undefined) : undefined
      return session
        ? { signedIn: true, user: await whoAmI(s, session.actor, session.csrfToken) }
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
    route(
      s,
      async (req, res) =>
        activateEnrolment(s, actorOf(res), idParam(req), parseBody(ENROLMENT_ACTIVATE, req)),
      201,
    ),
  )
}

/** GET /api/me and the signed-in half of /api/auth/session. */
async function whoAmI(
  s: Services,
  a: Actor,
  csrfToken: string | undefined,
): Promise<Record<string, unknown>> {
  const agency = await agencyLabel(s.db, a.agencyId)
  // Where the sign dialog looks for keys Kyso does not hold (issue 11): the local agent, the VGCA
  // plugin, remote providers.
  const signingTools = {
    agentUrl: s.config.agentUrl,
    vgcaPluginUrl: s.config.vgcaPluginUrl ?? null,
    remoteProviders: [...(s.remoteSigning?.keys() ?? [])],
  }
  return { ...publicUser(a), agencyCode: agency.code, agencyName: agency.name, csrfToken, signingTools }
}
