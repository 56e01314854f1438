export { verifyPdf, type VerifyReport, type SignatureReport, type VerifyOptions, type Indication } from './verify-pdf'
export { findSignatureFields, type SignatureField } from './find-signatures'
export { buildChain } from './chain'
