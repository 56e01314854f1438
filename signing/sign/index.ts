export { signPdf, type SignPdfOptions, type SignPdfResult, type VisibleAppearance } from './sign-pdf'
export { appearanceFromCertificate, isSealCertificate, subjectOf } from './appearance-from-certificate'
export { pdfDate, parsePdfDate } from './pdf-date'
export type { Rect } from './placement'
