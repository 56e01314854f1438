import type { LayoutReport } from './analyse'
import { textBottom, type Anchor } from './anchors'
import { findEmptiest, findFree, OccupancyGrid } from './free-space'
import {
  displaySize,
  overlaps,
  rectToDisplay,
  rectToUser,
  roundRect,
  type PageGeometry,
  type Rect,
} from './geometry'
import type { PageLayout } from './read-pages'
import { initialsSlot, sealBeside, signatureInBlock } from './slots'

export type PlacementRole = 'approve' | 'sign' | 'seal'
export type PlacementHow = 'block' | 'end-mark' | 'free-space' | 'emptiest' | 'explicit'
/** Which appearance goes there: the image alone in a block, a full personal block, initials, the seal. */
export type PlacementLook = 'handwritten' | 'personal' | 'initials' | 'seal'

export interface PlacementRequest {
  /** The caller's name for it (a step, or a step and an assignee). */
  key: string
  role: PlacementRole
  /** Fixed by the drafter: page (1-based) and rectangle in user space. */
  explicit?: { page: number; rect: Rect }
  /** Width / height of the signer's handwritten-signature image, when they have one. */
  imageAspect?: number
  /** The seal's real diameter in points (36 mm is 102 pt). */
  sealDiameter?: number
  /** An approval the agency keeps invisible (the evidence stays in the signature). */
  invisible?: boolean
}

export interface Placement {
  key: string
  role: PlacementRole
  page: number
  /** User space (the widget's /Rect); zero size when invisible. */
  rect: Rect
  how: PlacementHow
  look: PlacementLook
  visible: boolean
  /** Which mark an approval follows: the content's end "./." or the end of "Nơi nhận". */
  anchor?: 'content-end' | 'recipients-end'
  /** Why a fallback was taken, in plain words (kept in the response and the audit). */
  note?: string
}

export interface PlanInput {
  /** The document's layout; absent when it could not be read (then `unreadable` says why). */
  layout?: LayoutReport
  unreadable?: string
  /** The last page: where fallbacks go, also when the layout is missing. */
  lastPage: { page: number; geometry: PageGeometry }
  requests: readonly PlacementRequest[]
}

/** Space kept free along the page's edges for fallbacks (printers do not print the last 5 mm). */
const EDGE = 24
const PERSONAL = { width: 180, height: 100 }
const DEFAULT_SEAL = (36 * 72) / 25.4

interface Sheet {
  page: number
  geometry: PageGeometry
  layout: PageLayout | undefined
  grid: OccupancyGrid
}

/**
 * Where each signature of a chain goes, decided once from the draft (Decree 30/2020 Appendix I):
 * the competent person's image between the title and the name of the document's signer block;
 * the seal over the left third of that image at its real size; approvals as initials after "./."
 * (the first) and at the end of "Nơi nhận" (the next); explicit rectangles as given; otherwise
 * free space on the last page (never over text or drawings), else its emptiest area. Every
 * rectangle is inside the crop box; none overlaps another but the seal over its third.
 */
export function planPlacements(input: PlanInput): Placement[] {
  const sheets = new Map<number, Sheet>()
  const sheet = (page: number): Sheet => {
    const known = sheets.get(page)
    if (known) return known
    const layout = input.layout?.pages.find((p) => p.page === page)
    const geometry = layout ?? input.lastPage.geometry
    const size = displaySize(geometry)
    const ink = layout ? [...layout.lines.map((l) => l.box), ...layout.drawn] : []
    const grid = new OccupancyGrid(size.width, size.height, ink)
    const s: Sheet = { page, geometry: { view: geometry.view, rotate: geometry.rotate }, layout, grid }
    sheets.set(page, s)
    return s
  }
  const out = new Map<string, Placement>()
  type Put = (
    req: PlacementRequest,
    s: Sheet,
    display: Rect,
    how: PlacementHow,
    look: PlacementLook,
    extra?: Partial<Placement>,
  ) => Rect
  const put: Put = (req, s, display, how, look, extra = {}) => {
    s.grid.mark(display)
    const rect = roundRect(rectToUser(s.geometry, display))
    out.set(req.key, { key: req.key, role: req.role, page: s.page, rect, how, look, visible: true, ...extra })
    return display
  }
  const byRole = (role: PlacementRole): PlacementRequest[] =>
    input.requests.filter((r) => r.role === role && !r.explicit && !r.invisible)

  // 1. Explicit rectangles win, and what they cover is taken for everyone else.
  for (const req of input.requests.filter((r) => r.explicit)) {
    const e = req.explicit as { page: number; rect: Rect }
    const s = sheet(e.page)
    const rect = rectToDisplay(s.geometry, e.rect)
    const block = input.layout?.block
    const inBlock = block !== undefined && block.page === e.page && overlaps(rect, block.space)
    put(req, s, rect, 'explicit', lookOf(req.role, inBlock))
  }
  // 2. The competent person: the document's own signer block, else free space.
  let leader: { sheet: Sheet; rect: Rect; how: PlacementHow } | undefined
  const explicitSign = input.requests.find((r) => r.role === 'sign' && r.explicit)
  if (explicitSign) {
    const e = explicitSign.explicit as { page: number; rect: Rect }
    const s = sheet(e.page)
    leader = { sheet: s, rect: rectToDisplay(s.geometry, e.rect), how: 'explicit' }
  }
  for (const req of byRole('sign')) {
    const block = input.layout?.block
    if (block && !leader) {
      const s = sheet(block.page)
      const rect = signatureInBlock(block, s.grid, req.imageAspect)
      leader = { sheet: s, rect: put(req, s, rect, 'block', 'handwritten'), how: 'block' }
      continue
    }
    const why = block ? 'the signer block is taken by an earlier signature' : undefined
    const found = fallback(sheet(input.lastPage.page), PERSONAL, input, why)
    const rect = put(req, found.sheet, found.rect, found.how, 'personal', { note: found.note })
    leader ??= { sheet: found.sheet, rect, how: found.how }
  }
  // 3. The seal: over the left third of the leader's image at its real size, else free space.
  for (const req of byRole('seal')) {
    const d = req.sealDiameter ?? DEFAULT_SEAL
    if (leader) {
      const size = displaySize(leader.sheet.geometry)
      put(req, leader.sheet, sealBeside(leader.rect, d, size), leader.how, 'seal')
      continue
    }
    const why = 'the chain has no competent person to seal beside'
    const found = fallback(sheet(input.lastPage.page), { width: d, height: d }, input, why)
    put(req, found.sheet, found.rect, found.how, 'seal', { note: found.note })
  }
  // 4. Approvals: initials after "./.", then at the end of "Nơi nhận", then beside them.
  const anchors: Array<{ anchor: Anchor; name: 'content-end' | 'recipients-end' }> = []
  if (input.layout?.endMark) anchors.push({ anchor: input.layout.endMark, name: 'content-end' })
  if (input.layout?.recipientsEnd)
    anchors.push({ anchor: input.layout.recipientsEnd, name: 'recipients-end' })
  byRole('approve').forEach((req, i) => {
    const a = anchors[Math.min(i, anchors.length - 1)]
    const s = a ? sheet(a.anchor.page) : undefined
    const rect = a && s ? initialsSlot(a.anchor.line.box, s.grid) : undefined
    if (a && s && rect) {
      put(req, s, rect, 'end-mark', 'initials', { anchor: a.name })
      return
    }
    const why = a ? 'no free space next to the end mark' : 'the document has neither "./." nor "Nơi nhận"'
    const found = fallback(sheet(input.lastPage.page), { width: 60, height: 24 }, input, why)
    put(req, found.sheet, found.rect, found.how, 'initials', { note: found.note })
  })
  for (const req of input.requests.filter((r) => r.invisible && !r.explicit)) {
    const none = { x: 0, y: 0, width: 0, height: 0 }
    const note = 'approvals are invisible in this agency'
    out.set(req.key, {
      key: req.key,
      role: req.role,
      page: input.lastPage.page,
      rect: none,
      how: 'explicit',
      look: 'initials',
      visible: false,
      note,
    })
  }
  return input.requests.map((r) => out.get(r.key) as Placement)
}

function lookOf(role: PlacementRole, inBlock: boolean): PlacementLook {
  return role === 'seal' ? 'seal' : role === 'approve' ? 'initials' : inBlock ? 'handwritten' : 'personal'
}

/**
 * Free space on the last page near the bottom right of its text, trying smaller sizes down to
 * half; else the emptiest area at two thirds of the size. Never a new page: a page added after a
 * signature is itself a change validators reject.
 */
function fallback(
  s: Sheet,
  want: { width: number; height: number },
  input: PlanInput,
  why: string | undefined,
): { sheet: Sheet; rect: Rect; how: PlacementHow; note: string } {
  const size = displaySize(s.geometry)
  const region = { x: EDGE, y: EDGE, width: size.width - 2 * EDGE, height: size.height - 2 * EDGE }
  const unread =
    s.layout && s.layout.readable !== 'ok' ? `the text cannot be read (${s.layout.readable})` : undefined
  const reason = input.unreadable ?? unread ?? why
  const below = s.layout ? textBottom(s.layout) : size.height
  for (const scale of [1, 0.85, 0.7, 0.55]) {
    const w = Math.min(want.width * scale, region.width)
    const h = Math.min(want.height * scale, region.height)
    const target: [number, number] = [
      region.x + region.width - w / 2,
      Math.max(region.y + h / 2, below - 12 - h / 2),
    ]
    const rect = findFree(s.grid, { width: w, height: h }, { target, region })
    const note = `${reason ?? 'no place in the text for it'}: free space on the last page`
    if (rect) return { sheet: s, rect, how: 'free-space', note }
  }
  const w = Math.min(want.width * 0.7, region.width)
  const h = Math.min(want.height * 0.7, region.height)
  const target: [number, number] = [region.x + region.width - w / 2, region.y + h / 2]
  const best = findEmptiest(s.grid, { width: w, height: h }, { target, region })
  const rect = best?.rect ?? { x: region.x + region.width - w, y: region.y, width: w, height: h }
  const share = Math.round((best?.takenShare ?? 1) * 100)
  const note = `${reason ?? 'no free space on the last page'}: the emptiest area of the last page (${share}% of it holds ink)`
  return { sheet: s, rect, how: 'emptiest', note }
}
