import type { Express, RequestHandler } from 'express'
import { WorkflowError } from '../shared/errors'
import { verifyAnchoredAudit } from '../workflows/audit-anchor'
import type { Services } from '../workflows/context'
import { actorOf, route } from './http'

/** The audit chain's check against its anchored checkpoints, for administrators and compliance. */
export function mountAudit(app: Express, s: Services, auth: RequestHandler): void {
  app.get(
    '/api/audit/verify',
    auth,
    route(s, async (_req, res) => {
      const a = actorOf(res)
      if (!a.roles.has('admin') && !a.roles.has('compliance'))
        throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị và kiểm tra được xác minh nhật ký')
      return verifyAnchoredAudit(s.db, s.config.auditCheckpoint.dir)
    }),
  )
}
