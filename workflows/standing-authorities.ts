import { agencyById, type AgencyRef } from '../storage/agency-records'
import { appendAudit } from '../storage/audit'
import {
  endStandingAuthority,
  findStandingAuthority,
  insertStandingAuthority,
  listStandingAuthorities,
  openAuthorityOf,
  type StandingAuthority,
} from '../storage/signing-authorities'
import { inTransaction } from '../storage/transaction'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { activePerson, assertMaySign, markerIn, STANDING_MARKERS } from './signing-markers'
import { parseInstant } from '../shared/dates'

function requireAdmin(actor: Actor): void {
  if (!actor.roles.has('admin'))
    throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị hệ thống cấp thẩm quyền ký thường xuyên')
}

/** GET /api/admin/standing-authorities */
export async function listAuthorities(s: Services, actor: Actor): Promise<StandingAuthority[]> {
  requireAdmin(actor)
  return listStandingAuthorities(s.db)
}

/** "Ủy ban nhân dân phường Thủ Đức" -> "Ủy ban nhân dân": the collective body a TM. names. */
function collectiveBodyOf(agencyName: string): string | undefined {
  return /^(Ủy ban nhân dân|Hội đồng nhân dân)/i.exec(agencyName.normalize('NFC'))?.[1]
}

function titleIn(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v !== 'string' || !v.trim() || v.length > 200)
    throw new WorkflowError('BAD_REQUEST', 'principalTitle: at most 200 characters')
  return v.trim()
}

/**
 * POST /api/admin/standing-authorities: a standing authority (issue 14), the agency's division of
 * duties rather than an absence: a deputy signs KT. for the head (principal), a chief of office TL.,
 * the head of a collective body TM. for it ("TM. ỦY BAN NHÂN DÂN" over "CHỦ TỊCH"), an acting head
 * Q. for the post. No end date; printed above the holder's title on every signature they make on
 * their own signing steps. One in force per holder (the appearance has one marker line).
 */
export async function grantAuthority(
  s: Services,
  actor: Actor,
  b: Record<string, unknown>,
): Promise<StandingAuthority> {
  requireAdmin(actor)
  const marker = markerIn(b.marker, STANDING_MARKERS)
  const holder = await activePerson(s.db, b.holder, 'holder')
  assertMaySign(holder, marker, 'holder')
  const agency = (await agencyById(s.db, holder.agencyId)) as AgencyRef
  let principalId: number | null = null
  let principalTitle = titleIn(b.principalTitle)
  if (marker === 'KT.' || marker === 'TL.' || marker === 'TUQ.') {
    const principal = await activePerson(s.db, b.principal, 'principal')
    if (principal.id === holder.id)
      throw new WorkflowError('BAD_REQUEST', 'principal: someone other than the holder')
    if (principal.agencyId !== holder.agencyId)
      throw new WorkflowError('BAD_REQUEST', "principal: must belong to the holder's agency")
    if (!principal.roles.includes('leader'))
      throw new WorkflowError('NOT_ELIGIBLE', 'principal: the head the holder signs for must be a leader')
    principalId = principal.id
    principalTitle ??= principal.title ?? undefined
  } else if (marker === 'TM.') principalTitle ??= collectiveBodyOf(agency.name)
  if (!principalTitle)
    throw new WorkflowError(
      'BAD_REQUEST',
      'principalTitle: what the marker line names (e.g. Giám đốc, Ủy ban nhân dân)',
    )
  const from = b.from === undefined ? new Date() : parseInstant(b.from)
  if (!from) throw new WorkflowError('BAD_REQUEST', 'from: an ISO 8601 date')
  const now = new Date().toISOString()
  const id = await inTransaction(s.db, async (trx) => {
    if (await openAuthorityOf(trx, holder.id)) {
      throw new WorkflowError(
        'CONFLICT',
        'holder: người này đã có một thẩm quyền ký thường xuyên; hãy kết thúc nó trước',
      )
    }
    const aid = await insertStandingAuthority(trx, {
      holderId: holder.id,
      agencyId: holder.agencyId,
      marker,
      principalId,
      principalTitle: principalTitle as string,
      from: from.toISOString(),
      grantedBy: actor.id,
      grantedAt: now,
    })
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'authority.granted',
      requestId: actor.requestId ?? null,
      detail: {
        authorityId: aid,
        holderId: holder.id,
        marker,
        principalId,
        principalTitle,
        from: from.toISOString(),
      },
      personal: { holder: holder.username },
      subjectUserId: holder.id,
    })
    return aid
  })
  return (await findStandingAuthority(s.db, id)) as StandingAuthority
}

/** POST /api/admin/standing-authorities/:id/end: from now on the holder signs without the marker. */
export async function endAuthority(s: Services, actor: Actor, id: number): Promise<StandingAuthority> {
  requireAdmin(actor)
  const a = await findStandingAuthority(s.db, id)
  if (!a) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy thẩm quyền ký này')
  const now = new Date().toISOString()
  await inTransaction(s.db, async (trx) => {
    if (!(await endStandingAuthority(trx, id, actor.id, now)))
      throw new WorkflowError('CONFLICT', 'Thẩm quyền ký này đã kết thúc')
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'authority.ended',
      requestId: actor.requestId ?? null,
      detail: { authorityId: id },
    })
  })
  return (await findStandingAuthority(s.db, id)) as StandingAuthority
}
