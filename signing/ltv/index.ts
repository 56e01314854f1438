/**
 * Signatures that last (issue 18): PAdES B-LT (a DSS with every certificate and revocation data
 * of every path, ISO 32000-2 §12.8.4.3) and B-LTA (a document time-stamp over it, §12.8.5),
 * written as incremental revisions. Import this folder through this file only.
 */
export {
  addValidationData,
  type ValidationDataOptions,
  type ValidationDataResult,
} from './add-validation-data'
export { extendPdf, type ExtendOptions, type ExtendResult, type LongTermLevel } from './extend-pdf'
export { vriKey } from './validation-material'
