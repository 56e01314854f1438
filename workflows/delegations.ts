import type { SigningMarker } from '../signing/appearance'
import { appendAudit } from '../storage/audit'
import {
  endDelegationRecord,
  findDelegation,
  insertDelegation,
  listDelegationListings,
  principalsDelegatingTo,
  type DelegationListing,
} from '../storage/delegation-records'
import { waitingSteps } from '../storage/directory-records'
import { listStandingAuthorities, type StandingAuthority } from '../storage/signing-authorities'
import { inTransaction } from '../storage/transaction'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { activePerson, assertMaySign, DATED_MARKERS, markerIn } from './signing-markers'

/** A delegation as `POST /api/delegations` answers it (`delegate`: the username). */
export interface CreatedDelegation extends Pick<DelegationListing, 'id' | 'from' | 'to' | 'delegate'> {
  marker: SigningMarker
}

/** A delegation, and whether it is in force now. */
export interface DelegationView extends DelegationListing {
  active: boolean
}

/** A standing authority (KT./TL./TUQ./TM./Q.) the actor holds or is principal of, and if it is in force. */
export interface StandingAuthorityView
  extends Pick<
    StandingAuthority,
    | 'id'
    | 'marker'
    | 'holder'
    | 'holderName'
    | 'holderTitle'
    | 'principal'
    | 'principalName'
    | 'principalTitle'
    | 'from'
    | 'endedAt'
  > {
  active: boolean
}

/** `GET /api/delegations`: those the actor gave, those they received, and their standing authorities. */
export interface DelegationsOf {
  given: DelegationView[]
  received: DelegationView[]
  standing: StandingAuthorityView[]
}

export interface EndedDelegation {
  id: number
  endedAt: string
}

/**
 * A leader authorises a delegate to sign for them between two dates (DOMAIN.md: a record, not a
 * reassignment). The delegate signs as themself, with the marker and the principal's title; only
 * someone whose role can sign under that marker may receive it (signing-markers.ts).
 */
export async function createDelegation(
  s: Services,
  actor: Actor,
  input: { delegate?: unknown; marker?: unknown; from?: unknown; to?: unknown },
): Promise<CreatedDelegation> {
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
  const id = await inTransaction(s.db, async (trx) => {
    const did = await insertDelegation(trx, {
      principalId: actor.id,
      delegateId: delegate.id,
      marker,
      validFrom: from.toISOString(),
      validTo: to.toISOString(),
      createdAt: now,
    })
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'delegation.created',
      requestId: actor.requestId ?? null,
      detail: { delegateId: delegate.id, marker, from: from.toISOString(), to: to.toISOString() },
      personal: { delegate: delegate.username },
      subjectUserId: delegate.id,
    })
    return did
  })
  return { id, delegate: input.delegate, marker, from: from.toISOString(), to: to.toISOString() }
}

/** Steps waiting for the actor: their own pending assignments and those of principals who delegated to them now. */
export async function inbox(s: Services, actor: Actor): Promise<Record<string, unknown>[]> {
  const now = new Date().toISOString()
  const principals = await principalsDelegatingTo(s.db, actor.id, now)
  const rows = await waitingSteps(s.db, [actor.id, ...principals], actor.id)
  return rows.map((r) => ({
    ...r,
    onBehalfOf: r.assigneeId === actor.id ? null : r.assigneeId,
    overdue: typeof r.deadline === 'string' && r.deadline < now,
  }))
}

/** The actor's delegations (those they gave as a leader, those they received) and standing authorities. */
export async function listDelegations(s: Services, actor: Actor): Promise<DelegationsOf> {
  const now = new Date().toISOString()
  const withState = (rows: DelegationListing[]) =>
    rows.map((r) => ({ ...r, active: !r.endedAt && r.from <= now && r.to >= now }))
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
    given: withState(await listDelegationListings(s.db, { principalId: actor.id })),
    received: withState(await listDelegationListings(s.db, { delegateId: actor.id })),
    standing,
  }
}

/** The principal ends a delegation now; the delegate can no longer act for them from this moment. */
export async function endDelegation(s: Services, actor: Actor, id: number): Promise<EndedDelegation> {
  const row = await findDelegation(s.db, id)
  if (!row || row.principalId !== actor.id) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy ủy quyền')
  const now = new Date().toISOString()
  await inTransaction(s.db, async (trx) => {
    if (!(await endDelegationRecord(trx, id, now)))
      throw new WorkflowError('CONFLICT', 'Ủy quyền này đã kết thúc')
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'delegation.ended',
      detail: { delegationId: id },
      requestId: actor.requestId ?? null,
    })
  })
  return { id, endedAt: now }
}
