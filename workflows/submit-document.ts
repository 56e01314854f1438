import { appendAudit } from '../storage/audit'
import { changeDocumentStatus } from '../storage/document-records'
import { insertPlacements } from '../storage/placements'
import { insertAssignee, insertStep } from '../storage/step-records'
import { inTransaction, type Queryable } from '../storage/transaction'
import {
  clerksAmong,
  enabledUsersNamed,
  insertWorkflow,
  lastRound,
  parentAgencyId,
  routeTemplateSteps,
} from '../storage/workflow-records'
import { readableDocument } from '../storage/document-access'
import type { Actor, DocumentRow, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { prepareSubmission, recordPreparation } from './issuance-prep'
import { parsePlacement, planRound, type RoundStep } from './placements'
import { latestVersion } from './step-turn'
import { parseInstant } from '../shared/dates'

export interface StepSpec {
  action: 'approve' | 'sign' | 'seal'
  assignees: string[]
  rule?: 'all' | 'any'
  deadline?: string
  /** Where this step's signature goes, fixed by the drafter (page, rect in PDF points). */
  placement?: { page: number; rect: [number, number, number, number] }
  /**
   * A route template's step that goes up to the agencies above the document's (an upward
   * submission, e.g. a department's document signed by the People's Committee): its assignees may
   * belong to those. Only a template may say so; steps composed by the drafter stay in the agency.
   */
  upward?: boolean
}

/** Where a step's assignees may come from: the document's agency, and its parents for an upward step. */
interface Scope {
  agencyId: number
  ancestors: number[]
  fromTemplate: boolean
}

const ACTIONS = new Set(['approve', 'sign', 'seal'])

/** Checks explicit steps (or a template's) and resolves usernames in the document's agency (issue 15). */
async function resolveSteps(
  db: Queryable,
  steps: unknown,
  scope: Scope,
): Promise<{ spec: StepSpec; userIds: number[]; placement: RoundStep['placement'] }[]> {
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > 20)
    throw new WorkflowError('BAD_REQUEST', 'steps: from 1 to 20 steps are required')
  const out: { spec: StepSpec; userIds: number[]; placement: RoundStep['placement'] }[] = []
  for (const [i, raw] of steps.entries()) {
    const st = raw as Partial<StepSpec>
    if (typeof st !== 'object' || st === null || !ACTIONS.has(st.action as string))
      throw new WorkflowError('BAD_REQUEST', `steps[${i}].action: approve, sign or seal`)
    if (st.rule !== undefined && st.rule !== 'all' && st.rule !== 'any')
      throw new WorkflowError('BAD_REQUEST', `steps[${i}].rule: all or any`)
    if (
      !Array.isArray(st.assignees) ||
      st.assignees.length === 0 ||
      !st.assignees.every((a) => typeof a === 'string')
    )
      throw new WorkflowError('BAD_REQUEST', `steps[${i}].assignees: a list of usernames`)
    if (st.deadline !== undefined && !parseInstant(st.deadline))
      throw new WorkflowError('BAD_REQUEST', `steps[${i}].deadline: an ISO 8601 date`)
    const users = await enabledUsersNamed(db, st.assignees)
    const missing = st.assignees.filter((a) => !users.some((u) => u.username === a))
    if (missing.length)
      throw new WorkflowError('BAD_REQUEST', `steps[${i}].assignees: unknown user ${missing.join(', ')}`)
    // Someone of another agency would get a title in their inbox they may not open (issue 15).
    const upward = scope.fromTemplate && st.upward === true
    const allowed = new Set([scope.agencyId, ...(upward ? scope.ancestors : [])])
    const outside = users.filter((u) => !allowed.has(u.agencyId)).map((u) => u.username)
    if (outside.length) {
      throw new WorkflowError(
        'ASSIGNEE_OUTSIDE_AGENCY',
        `steps[${i}].assignees: ${outside.join(', ')} không thuộc cơ quan ban hành văn bản${upward ? ' hoặc cơ quan cấp trên' : ''}`,
      )
    }
    if (st.action === 'seal') {
      const clerks = await clerksAmong(
        db,
        users.map((u) => u.id),
      )
      if (clerks.length !== users.length)
        throw new WorkflowError('BAD_REQUEST', `steps[${i}]: only records clerks (văn thư) apply the seal`)
    }
    const placement = parsePlacement(st.placement, i)
    // In the order given: the plan gives each assignee of an "all" step their own place.
    const userIds = st.assignees.map((a) => (users.find((u) => u.username === a) as { id: number }).id)
    const spec: StepSpec = {
      action: st.action as StepSpec['action'],
      assignees: st.assignees,
      rule: st.rule ?? 'all',
      ...(st.deadline && { deadline: st.deadline }),
      ...(upward && { upward }),
    }
    out.push({ spec, userIds, placement })
  }
  return out
}

/**
 * The drafter submits a draft along a route template or explicit steps: a new workflow round whose
 * first step becomes active. Where each signature of the round will go is planned here, once,
 * from the version submitted (workflows/placements.ts), before the transaction: reading a PDF's
 * text never happens inside one.
 */
export async function submitDocument(
  s: Services,
  actor: Actor,
  documentId: number,
  input: { template?: unknown; steps?: unknown },
): Promise<DocumentRow> {
  const doc = await readableDocument(s.db, actor, documentId)
  if (doc.drafter_id !== actor.id) throw new WorkflowError('FORBIDDEN', 'Chỉ người soạn thảo được trình ký')
  let steps = input.steps
  if (input.template !== undefined) {
    if (typeof input.template !== 'string')
      throw new WorkflowError('BAD_REQUEST', 'template: a template name')
    const stepsJson = await routeTemplateSteps(s.db, doc.agency_id, input.template)
    if (stepsJson === undefined)
      throw new WorkflowError('BAD_REQUEST', `template: no template '${input.template}' in this agency`)
    steps = JSON.parse(stepsJson) as unknown
  }
  const scope: Scope = {
    agencyId: doc.agency_id,
    ancestors: await ancestorsOf(s.db, doc.agency_id),
    fromTemplate: input.template !== undefined,
  }
  const resolved = await resolveSteps(s.db, steps, scope)
  // Checked again in the transaction; here so that no draft's text is read for nothing.
  if (doc.status !== 'draft') throw new WorkflowError('CONFLICT', 'Chỉ văn bản dự thảo mới được trình ký')
  const version = await latestVersion(s.db, doc.id)
  const pdf = await s.blobs.get(version.sha256)
  const round = resolved.map((r) => ({
    action: r.spec.action,
    rule: r.spec.rule ?? 'all',
    userIds: r.userIds,
    ...(r.placement && { placement: r.placement }),
  }))
  const { places: plan, layout } = await planRound(s, doc.agency_id, pdf, round)
  // Issue 13: the number and date fields, in a version of Kyso's own before the first signature.
  const issuance = await prepareSubmission(
    s,
    pdf,
    layout,
    resolved.some((r) => r.spec.action === 'seal'),
  )
  const now = new Date().toISOString()
  await inTransaction(s.db, async (trx) => {
    const submitted = { status: 'in_progress' as const, updatedAt: now }
    if (!(await changeDocumentStatus(trx, doc.id, submitted, ['draft'])))
      throw new WorkflowError('CONFLICT', 'Chỉ văn bản dự thảo mới được trình ký')
    const round = ((await lastRound(trx, doc.id)) ?? 0) + 1
    const workflowId = await insertWorkflow(trx, {
      documentId: doc.id,
      round,
      status: 'active',
      createdAt: now,
    })
    const stepIds: number[] = []
    for (const [i, r] of resolved.entries()) {
      const stepId = await insertStep(trx, {
        workflowId,
        seq: i + 1,
        action: r.spec.action,
        rule: r.spec.rule,
        status: i === 0 ? 'active' : 'waiting',
        deadline: r.spec.deadline ?? null,
      })
      stepIds.push(stepId)
      for (const uid of r.userIds) await insertAssignee(trx, stepId, uid)
    }
    await insertPlacements(
      trx,
      workflowId,
      plan.map(({ step, ...p }) => ({ ...p, stepId: stepIds[step] as number })),
    )
    const latest = await latestVersion(trx, doc.id)
    if (latest.id !== version.id) throw new WorkflowError('CONFLICT', 'Văn bản vừa có phiên bản mới')
    const prepared = await recordPreparation(trx, {
      documentId: doc.id,
      workflowId,
      actorId: actor.id,
      baseSeq: version.seq,
      now,
      issuance,
    })
    // The audit says where each signature will go and why a fallback was taken (issue 12); the
    // steps name their assignees by username: personal data, kept beside the hashed event.
    const placements = plan
      .filter((p) => p.visible)
      .map((p) => ({
        step: p.step + 1,
        page: p.page,
        how: p.how,
        look: p.look,
        ...(p.note && { note: p.note }),
      }))
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'document.submitted',
      documentId: doc.id,
      requestId: actor.requestId ?? null,
      detail: {
        steps: resolved.length,
        placements,
        issuance: {
          fields: Object.keys(issuance.stored.plan ?? {}),
          preparedVersion: prepared,
          notes: issuance.stored.notes,
        },
      },
      personal: { steps: resolved.map((r) => r.spec) },
    })
  })
  return readableDocument(s.db, actor, documentId)
}

/** The agencies above one, nearest first (the agency tree has a handful of levels). */
async function ancestorsOf(db: Queryable, agencyId: number): Promise<number[]> {
  const out: number[] = []
  let id: number | null = agencyId
  while (id !== null && out.length < 50) {
    id = await parentAgencyId(db, id)
    if (id !== null) out.push(id)
  }
  return out
}
