import { listRevocationLists } from '../storage/revocation-lists'
import { appendAudit } from '../storage/audit'
import type { Actor, Services } from './context'
import { WorkflowError } from './errors'

function requireAdmin(actor: Actor): void {
  if (!actor.roles.has('admin')) throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị hệ thống được thực hiện thao tác này')
}

/**
 * `PATCH /api/admin/agencies/:code {approvalMode}`: how approvals made with internal keys travel
 * (issue 11, point 6): `in-file` (signatures in the PDF, the default) or `detached` (CAdES evidence
 * kept by Kyso, so the issued file carries only signatures its readers' validators can trust).
 */
export async function setApprovalMode(s: Services, actor: Actor, code: string, b: Record<string, unknown>): Promise<Record<string, unknown>> {
  requireAdmin(actor)
  const mode = b.approvalMode
  if (mode !== 'in-file' && mode !== 'detached') throw new WorkflowError('BAD_REQUEST', 'approvalMode: in-file or detached')
  const agency = (await s.db('agencies').where({ code }).first('id', 'approval_mode')) as { id: number; approval_mode: string } | undefined
  if (!agency) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy cơ quan')
  await s.db.transaction(async (trx) => {
    await trx('agencies').where({ id: agency.id }).update({ approval_mode: mode })
    await appendAudit(trx, { actorId: actor.id, action: 'agency.updated', requestId: actor.requestId ?? null, detail: { code, approvalMode: mode, was: agency.approval_mode } })
  })
  return { code, approvalMode: mode }
}

/** The CRLs administrators uploaded (newest last), without their bytes. */
export async function listRevocationListsFor(s: Services, actor: Actor): Promise<Record<string, unknown>[]> {
  requireAdmin(actor)
  return (await listRevocationLists(s.db)).map(({ der: _der, ...rest }) => rest)
}
