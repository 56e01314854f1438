/**
 * Reading a document's layout to place signatures where the document puts them (issue 12): the
 * lines of text of its pages (pdf.js), what else they draw, the signer block, the content's end
 * mark and the recipients, and the plan of where each signature of a chain goes.
 */
export { analyseLayout, PAGES_FROM_END, type LayoutReport } from './analyse'
export { findEndMark, findRecipients, findRecipientsEnd, type Anchor } from './anchors'
export {
  displaySize,
  normaliseRotation,
  overlapArea,
  overlaps,
  contains,
  rectToDisplay,
  rectToUser,
  uprightMatrix,
  type PageGeometry,
  type Rect,
  type Rotation,
} from './geometry'
export { analyseLayoutIsolated, LayoutError, type LayoutErrorCode, type LayoutLimits } from './isolated'
export { decodeTcvn3, decodeVni, detectEncoding, type TextEncoding } from './legacy-encodings'
export {
  planPlacements,
  type Placement,
  type PlacementHow,
  type PlacementLook,
  type PlacementRequest,
  type PlacementRole,
  type PlanInput,
} from './plan'
export {
  findTextLines,
  readIssuanceSlots,
  type PageLayout,
  type PageSelection,
  type PageText,
} from './read-pages'
export {
  findIssuanceSlots,
  wordsOf,
  type DateSlot,
  type IssuanceSlots,
  type NumberSlot,
} from './issuance-slots'
export {
  isAuthorityLine,
  locateSignerBlock,
  looksLikeName,
  signerBlocksOn,
  type SignerBlock,
} from './signer-block'
export { textRowsOf, type TextLine, type TextRun } from './text-lines'
