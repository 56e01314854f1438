export {
  signPdf,
  preparePdfSignature,
  completePdfSignature,
  type CompleteOptions,
  type PrepareOptions,
  type PreparedPdfSignature,
  type SignerIdentity,
  type SignPdfOptions,
  type SignPdfResult,
  type VisibleAppearance,
} from './sign-pdf'
export type { PreparedSignature } from './fill'
export { appearanceFromCertificate, isSealCertificate, subjectOf } from './appearance-from-certificate'
export { pdfDate, parsePdfDate } from './pdf-date'
export type { Rect } from './placement'
export { timestampPdf, type TimestampPdfOptions, type TimestampPdfResult } from './timestamp-pdf'
export {
  prepareIssuanceFields,
  writeIssuanceFill,
  type IssuanceFill,
  type IssuanceFillResult,
  type IssuancePlan,
} from './issuance-fields'
export { writeXmpMetadata, xmpPacket, ND30_NS, type DocumentMetadata } from './xmp'
