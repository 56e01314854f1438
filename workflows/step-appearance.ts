import type { Rect } from '../signing/layout'
import type { VisibleAppearance } from '../signing/sign'
import { findAgencySeal, findSignatureImage } from '../storage/images'
import { placementFor, type PlacementRecord } from '../storage/placements'
import type { Actor, Services } from './context'
import type { Turn } from './step-turn'

/** What a step's signature looks like and where it goes, for every way of signing it. */
export interface StepLook {
  appearance: VisibleAppearance | 'invisible'
  page?: number
  rect?: Rect
  placement?: PlacementRecord
}

/**
 * The appearance of the actor's signature on this step, from the place planned at submission
 * (workflows/placements.ts): the handwritten image alone in the document's signer block, a full
 * personal block where the document has none, initials for an approval, the agency's seal at its
 * real size. The image is the signer's own (a delegate signs with theirs, never the principal's:
 * a handwritten-signature image is used only in its owner's signatures). A round submitted before
 * placements existed keeps the engine's default place.
 */
export async function stepLook(
  s: Services,
  actor: Actor,
  turn: Turn,
  base: VisibleAppearance,
): Promise<StepLook> {
  const placement = await placementFor(s.db, turn.step.id, turn.who.principalId)
  if (!placement) return { appearance: base }
  if (!placement.visible) return { appearance: 'invisible', placement }
  const where = { page: placement.page, rect: placement.rect, placement }
  if (placement.look === 'seal') {
    const seal = await findAgencySeal(s.db, turn.doc.agency_id)
    return { appearance: { ...base, kind: 'seal', ...(seal && { imagePng: seal.png }) }, ...where }
  }
  if (placement.look === 'initials') {
    const { imagePng: _none, ...rest } = base
    return { appearance: { ...rest, kind: 'initials' }, ...where }
  }
  const image = await findSignatureImage(s.db, actor.id)
  return { appearance: { ...base, kind: placement.look, ...(image && { imagePng: image.png }) }, ...where }
}
