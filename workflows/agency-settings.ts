import { listRevocationLists } from '../storage/revocation-lists'
import {
  agencyApprovalSettings,
  updateAgencyApprovalSettings,
  type AgencyApprovalSettings,
} from '../storage/agency-records'
import { appendAudit } from '../storage/audit'
import { inTransaction } from '../storage/transaction'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'

/** An agency's approval settings as they stand after a change, by its code. */
export interface AgencySettingsView extends Omit<AgencyApprovalSettings, 'id'> {
  code: string
}

function requireAdmin(actor: Actor): void {
  if (!actor.roles.has('admin'))
    throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị hệ thống được thực hiện thao tác này')
}

/**
 * `PATCH /api/admin/agencies/:code {approvalMode?, approvalAppearance?}`. `approvalMode`: how
 * approvals made with internal keys travel (issue 11, point 6): `in-file` (signatures in the PDF,
 * the default) or `detached` (CAdES evidence kept by Kyso, so the issued file carries only
 * signatures its readers' validators can trust). `approvalAppearance` (issue 12): approvals in the
 * file show as `initials` (the default: ký nháy after "./." and "Nơi nhận") or are `invisible`
 * (the evidence stays in the signature and in the chain). Applies to rounds submitted afterwards.
 */
export async function setApprovalMode(
  s: Services,
  actor: Actor,
  code: string,
  b: Record<string, unknown>,
): Promise<AgencySettingsView> {
  requireAdmin(actor)
  const { approvalMode: mode, approvalAppearance: look } = b
  if (mode === undefined && look === undefined)
    throw new WorkflowError('BAD_REQUEST', 'approvalMode or approvalAppearance: give at least one')
  if (mode !== undefined && mode !== 'in-file' && mode !== 'detached')
    throw new WorkflowError('BAD_REQUEST', 'approvalMode: in-file or detached')
  if (look !== undefined && look !== 'initials' && look !== 'invisible')
    throw new WorkflowError('BAD_REQUEST', 'approvalAppearance: initials or invisible')
  const agency = await agencyApprovalSettings(s.db, code)
  if (!agency) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy cơ quan')
  await inTransaction(s.db, async (trx) => {
    await updateAgencyApprovalSettings(trx, agency.id, {
      ...(mode !== undefined && { approvalMode: mode }),
      ...(look !== undefined && { approvalAppearance: look }),
    })
    const detail = {
      code,
      ...(mode !== undefined && { approvalMode: mode, was: agency.approvalMode }),
      ...(look !== undefined && { approvalAppearance: look, wasAppearance: agency.approvalAppearance }),
    }
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'agency.updated',
      requestId: actor.requestId ?? null,
      detail,
    })
  })
  return {
    code,
    approvalMode: mode ?? agency.approvalMode,
    approvalAppearance: look ?? agency.approvalAppearance,
  }
}

/** The CRLs administrators uploaded (newest last), without their bytes. */
export async function listRevocationListsFor(s: Services, actor: Actor): Promise<Record<string, unknown>[]> {
  requireAdmin(actor)
  return (await listRevocationLists(s.db)).map(({ der: _der, ...rest }) => rest)
}
