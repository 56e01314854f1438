export {
  verifyPdf,
  type VerifyReport,
  type SignatureReport,
  type VerifyOptions,
  type Indication,
} from './verify-pdf'
export { findSignatureFields, type SignatureField } from './find-signatures'
export { buildChain } from './chain'
export {
  verifyPdfIsolated,
  analyseIncrementIsolated,
  ValidationError,
  type IsolatedInput,
  type IncrementInput,
  type IsolationLimits,
} from './isolated'
export { analyseIncrement, type IncrementReport } from './increment'
export { worst } from './verify-pdf'
export {
  SUB_INDICATIONS,
  type Check,
  type ProofOfExistence,
  type SubIndication,
  type Warning,
} from './report'
export { proofOfExistence, judgedAt, type DocumentTimestampProof } from './proof-of-existence'
export { judgeAlgorithms, DIGESTS, CURVES, MIN_RSA_BITS } from './crypto-policy'
export { changeVi } from './warnings'
export {
  verifyPdfFetchingCrls,
  crlUrlsOf,
  type CrlFetchPolicy,
  type CrlFetchResult,
  type FetchingVerifyReport,
} from './fetch-crls'
export { verifyDetachedSignature } from './verify-signature'
