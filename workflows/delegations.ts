import { appendAudit } from '../storage/audit'
import { listStandingAuthorities } from '../storage/signing-authorities'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { activePerson, assertMaySign, DATED_MARKERS, markerIn } from './signing-markers'

/**
 * A leader authorises a delegate to sign for them between two dates (DOMAIN.md: a record, not a
 * reassignment). The delegate signs as themself, with the marker and the principal's title; only
 * someone whose role can sign under that marker may receive it (signing-markers.ts).
 */
export async function createDelegation(
  s: Services,
  actor: Actor,
  input: { delegate?: unknown; marker?: unknown; from?: unknown; to?: unknown },
): Promise<Record<string, unknown>> {
  if (!actor.roles.has('leader')) throw new WorkflowError('FORBIDDEN', 'Chỉ lãnh đạo được ủy quyền')
  if (typeof input.delegate !== 'string') throw new WorkflowError('BAD_REQUEST', 'delegate: a username')
  const marker = markerIn(input.marker, DATED_MARKERS)
  const from = typeof input.from === 'string' ? new Date(input.from) : new Date(NaN)
  const to = typeof input.to === 'string' ? new Date(input.to) : new Date(NaN)
  if (Number.isNaN(from.getTime())) throw new WorkflowError('BAD_REQUEST', 'from: an ISO 8601 date')
  if (Number.isNaN(to.getTime()) || to <= from)
    throw new WorkflowError('BAD_REQUEST', 'to: an ISO 8601 date after from')
  const delegate = await activePerson(s.db, input.delegate, 'delegate')
  if (delegate.id === actor.id)
    throw new WorkflowError('BAD_REQUEST', 'delegate: an active user other than yourself')
  if (delegate.agencyId !== actor.agencyId)
    throw new WorkflowError('BAD_REQUEST', 'delegate: must belong to your agency')
  assertMaySign(delegate, marker)
  const now = new Date().toISOString()
  const id = await s.db.transaction(async (trx) => {
    const [row] = await trx('delegations')
      .insert({
        principal_id: actor.id,
        delegate_id: delegate.id,
        marker,
        valid_from: from.toISOString(),
        valid_to: to.toISOString(),
        created_at: now,
      })
      .returning('id')
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'delegation.created',
      requestId: actor.requestId ?? null,
      detail: { delegateId: delegate.id, marker, from: from.toISOString(), to: to.toISOString() },
      personal: { delegate: delegate.username },
      subjectUserId: delegate.id,
    })
    return (row as { id: number }).id
  })
  return { id, delegate: input.delegate, marker, from: from.toISOString(), to: to.toISOString() }
}

/** Steps waiting for the actor: their own pending assignments and those of principals who delegated to them now. */
export async function inbox(s: Services, actor: Actor): Promise<Record<string, unknown>[]> {
  const now = new Date().toISOString()
  const principals = (await s
    .db('delegations')
    .where({ delegate_id: actor.id })
    .whereNull('revoked_at')
    .where('valid_from', '<=', now)
    .where('valid_to', '>=', now)
    .pluck('principal_id')) as number[]
  const rows = (await s
    .db('step_assignees as a')
    .join('steps as st', 'st.id', 'a.step_id')
    .join('workflows as w', 'w.id', 'st.workflow_id')
    .join('documents as d', 'd.id', 'w.document_id')
    .join('users as dr', 'dr.id', 'd.drafter_id')
    .join('agencies as ag', 'ag.id', 'd.agency_id')
    .whereIn('a.user_id', [actor.id, ...principals])
    .where({ 'a.status': 'pending', 'st.status': 'active', 'w.status': 'active' })
    .whereNot('d.drafter_id', actor.id)
    .orderBy('st.id')
    .select(
      'st.id as stepId',
      'd.id as documentId',
      'd.title',
      'st.action',
      'st.rule',
      'st.deadline',
      'a.user_id as assigneeId',
      'dr.full_name as drafter',
      'ag.name as agency',
    )) as Record<string, unknown>[]
  return rows.map((r) => ({
    ...r,
    onBehalfOf: r.assigneeId === actor.id ? null : r.assigneeId,
    overdue: typeof r.deadline === 'string' && r.deadline < now,
  }))
}

/** The actor's delegations (those they gave as a leader, those they received) and standing authorities. */
export async function listDelegations(s: Services, actor: Actor): Promise<Record<string, unknown>> {
  const base = () =>
    s
      .db('delegations as d')
      .join('users as p', 'p.id', 'd.principal_id')
      .join('users as g', 'g.id', 'd.delegate_id')
      .orderBy('d.id', 'desc')
      .select(
        'd.id',
        'd.marker',
        'd.valid_from as from',
        'd.valid_to as to',
        'd.revoked_at as endedAt',
        'd.created_at as createdAt',
        'p.username as principal',
        'p.full_name as principalName',
        'g.username as delegate',
        'g.full_name as delegateName',
        'g.title as delegateTitle',
      )
  const now = new Date().toISOString()
  const withState = (rows: Record<string, unknown>[]) =>
    rows.map((r) => ({
      ...r,
      active: !r.endedAt && (r.from as string) <= now && (r.to as string) >= now,
    }))
  const standing = (await listStandingAuthorities(s.db, { userId: actor.id })).map((a) => ({
    id: a.id,
    marker: a.marker,
    holder: a.holder,
    holderName: a.holderName,
    holderTitle: a.holderTitle,
    principal: a.principal,
    principalName: a.principalName,
    principalTitle: a.principalTitle,
    from: a.from,
    endedAt: a.endedAt,
    active: a.endedAt === null && a.from <= now,
  }))
  return {
    given: withState(await base().where('d.principal_id', actor.id)),
    received: withState(await base().where('d.delegate_id', actor.id)),
    standing,
  }
}

/** The principal ends a delegation now; the delegate can no longer act for them from this moment. */
export async function endDelegation(s: Services, actor: Actor, id: number): Promise<Record<string, unknown>> {
  const row = (await s.db('delegations').where({ id }).first()) as
    | { id: number; principal_id: number; revoked_at: string | null }
    | undefined
  if (!row || row.principal_id !== actor.id) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy ủy quyền')
  const now = new Date().toISOString()
  await s.db.transaction(async (trx) => {
    const changed = await trx('delegations').where({ id, revoked_at: null }).update({ revoked_at: now })
    if (!changed) throw new WorkflowError('CONFLICT', 'Ủy quyền này đã kết thúc')
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'delegation.ended',
      detail: { delegationId: id },
      requestId: actor.requestId ?? null,
    })
  })
  return { id, endedAt: now }
}
