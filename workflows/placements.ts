import {
  analyseLayoutIsolated,
  contains,
  LayoutError,
  planPlacements,
  type LayoutReport,
  type Placement,
  type PlacementRequest,
  type Rect,
} from '../signing/layout'
import { PdfDocument } from '../signing/pdf/document'
import { pageGeometry } from '../signing/sign/placement'
import { findAgencySeal, signatureImageAspects } from '../storage/images'
import type { PlacementRecord } from '../storage/placements'
import { approvalSettings } from '../storage/workflow-records'
import type { Services } from './context'
import { WorkflowError } from '../shared/errors'

/** A step as submitted: its action and rule, its assignees, and a place the drafter fixed. */
export interface RoundStep {
  action: 'approve' | 'sign' | 'seal'
  rule: 'all' | 'any'
  userIds: number[]
  placement?: { page: number; rect: Rect }
}

/** `steps[i].placement` as the API takes it: `{page, rect: [x, y, width, height]}` in PDF points. */
export function parsePlacement(raw: unknown, i: number): RoundStep['placement'] {
  if (raw === undefined || raw === null) return undefined
  const bad = (why: string): never => {
    throw new WorkflowError('BAD_REQUEST', `steps[${i}].placement: ${why}`)
  }
  if (typeof raw !== 'object') return bad('{page, rect: [x, y, width, height]}')
  const { page, rect } = raw as { page?: unknown; rect?: unknown }
  if (typeof page !== 'number' || !Number.isInteger(page) || page < 1)
    return bad('page: a page number from 1')
  const numbers =
    Array.isArray(rect) && rect.length === 4 && rect.every((v) => typeof v === 'number' && Number.isFinite(v))
  if (!numbers) return bad('rect: [x, y, width, height] in points')
  const [x, y, width, height] = rect as [number, number, number, number]
  if (width < 12 || height < 12 || width * height < 300)
    return bad('rect: at least 12 points a side and 300 pt² (legible)')
  return { page, rect: { x, y, width, height } }
}

/** Keys of the plan: one per assignee when all of them sign, one for the step otherwise. */
const keyOf = (step: number, userId: number | null): string => `${step}:${userId ?? '*'}`
const slotsOf = (st: RoundStep): Array<number | null> =>
  st.rule === 'all' && st.userIds.length > 1 ? st.userIds : [null]

/** A rectangle split into `n` columns (several assignees of one explicit place). */
function column(rect: Rect, i: number, n: number): Rect {
  const w = rect.width / n
  return { x: rect.x + i * w, y: rect.y, width: w, height: rect.height }
}

interface AgencyLook {
  approvalsInFile: boolean
  approvalsVisible: boolean
  sealDiameter?: number
}

async function agencyLook(s: Services, agencyId: number): Promise<AgencyLook> {
  const settings = await approvalSettings(s.db, agencyId)
  const seal = await findAgencySeal(s.db, agencyId)
  return {
    approvalsInFile: settings.approvalMode !== 'detached',
    approvalsVisible: settings.approvalAppearance !== 'invisible',
    ...(seal && { sealDiameter: (seal.diameterMm * 72) / 25.4 }),
  }
}

/** The document's layout, or why it could not be read (the plan then falls back and says so). */
async function layoutOf(s: Services, pdf: Buffer): Promise<{ layout?: LayoutReport; unreadable?: string }> {
  try {
    return { layout: await analyseLayoutIsolated(pdf, { timeoutMs: s.config.layoutTimeoutMs }) }
  } catch (err) {
    if (!(err instanceof LayoutError)) throw err
    s.log?.({ level: 'warn', msg: 'document layout not read', code: err.code, error: err.message })
    return { unreadable: `${err.code}: the document's text could not be read (${err.message})` }
  }
}

/**
 * Where every signature of a round goes, decided from the version submitted (signing/layout):
 * the competent person in the document's signer block, the seal over its left third, approvals
 * as initials after "./." and "Nơi nhận", explicit places as the drafter fixed them, fallbacks
 * said in `note`. Read outside any transaction (the text is read in a worker, with limits).
 */
export type PlannedPlace = Omit<PlacementRecord, 'stepId'> & { step: number }

export async function planRound(
  s: Services,
  agencyId: number,
  pdf: Buffer,
  steps: RoundStep[],
): Promise<{ places: PlannedPlace[]; layout?: LayoutReport }> {
  const doc = new PdfDocument(pdf)
  const pageCount = doc.pageCount()
  for (const [i, st] of steps.entries()) {
    if (!st.placement) continue
    const bad = (why: string): WorkflowError =>
      new WorkflowError('BAD_REQUEST', `steps[${i}].placement.${why}`)
    if (st.placement.page > pageCount) throw bad(`page: the document has ${pageCount} pages`)
    const page = doc.dict(doc.pageRef(st.placement.page - 1))
    if (!page) throw bad(`page: page ${st.placement.page} cannot be read`)
    const g = pageGeometry(doc, page)
    if (!contains(g.view, st.placement.rect, 0.5))
      throw bad(`rect: outside the visible page (crop box ${JSON.stringify(g.view)})`)
  }
  const look = await agencyLook(s, agencyId)
  const signers = steps.filter((st) => st.action === 'sign').flatMap((st) => st.userIds)
  const aspects = await signatureImageAspects(s.db, signers)
  const requests: PlacementRequest[] = []
  for (const [i, st] of steps.entries()) {
    const slots = slotsOf(st)
    slots.forEach((userId, k) => {
      const explicit = st.placement && {
        page: st.placement.page,
        rect: column(st.placement.rect, k, slots.length),
      }
      const aspect = aspects.get(userId ?? st.userIds[0] ?? -1)
      requests.push({
        key: keyOf(i, userId),
        role: st.action,
        ...(explicit && { explicit }),
        ...(aspect !== undefined && { imageAspect: aspect }),
        ...(look.sealDiameter !== undefined && { sealDiameter: look.sealDiameter }),
        ...(st.action === 'approve' &&
          (!look.approvalsInFile || !look.approvalsVisible) && { invisible: true }),
      })
    })
  }
  const last = doc.dict(doc.pageRef(pageCount - 1))
  if (!last) throw new WorkflowError('BAD_REQUEST', 'the last page cannot be read')
  const { layout, unreadable } = await layoutOf(s, pdf)
  const lastPage = { page: pageCount, geometry: pageGeometry(doc, last) }
  const plan = planPlacements({
    ...(layout && { layout }),
    ...(unreadable && { unreadable }),
    lastPage,
    requests,
  })
  const places = plan.map((p: Placement, n) => {
    const req = requests[n] as PlacementRequest
    const [step, user] = req.key.split(':') as [string, string]
    return {
      step: Number(step),
      userId: user === '*' ? null : Number(user),
      page: p.page,
      rect: p.rect,
      how: p.how,
      look: p.look,
      visible: p.visible,
      anchor: p.anchor ?? null,
      note: p.note ?? null,
    }
  })
  return { places, ...(layout && { layout }) }
}
