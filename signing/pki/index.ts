/**
 * The internal CA (for agencies without tokens, demos and tests) and the certificate checks made
 * before signing. Import this folder through this file only.
 */
export { initCa, DEFAULT_CA_NAME, CA_VALIDITY_YEARS, type InitCaOptions } from './init-ca'
export {
  issueCertificate,
  issueCertificateForKey,
  issueTsaCertificate,
  DEFAULT_VALIDITY_DAYS,
  type IssueCertificateOptions,
  type IssueForKeyOptions,
  type IssueTsaOptions,
  type IssuedCertificate,
} from './issue-certificate'
export { revokeCertificate, publishCrls, type RevokeOptions } from './revoke-certificate'
export {
  loadCrls,
  parseCrl,
  isRevoked,
  verifyCrlSignature,
  type ParsedCrl,
  type RevocationStatus,
} from './crl'
export { checkSignerCertificate, type CheckSignerOptions } from './check-signer'
export { readCertificate, toPem, fromPem, type CertificateFacts } from './certificate-info'
export { REVOCATION_REASONS, type RevocationReason } from './crl-builder'
export { CRL_VALIDITY_DAYS } from './publish-crls'
export {
  caCertificates,
  certifyLeaf,
  documentProfile,
  serviceProfile,
  signCrls,
  tsaProfile,
  type CaSigner,
  type DocumentProfileOptions,
  type IssuedEntry,
  type LeafKind,
  type LeafProfile,
} from './ca-builders'
export { generateKey, keySigner, type TbsSigner } from './algorithms'
export { normaliseSerial } from './ca-store'
export { CA_FILES, readIndex, type CaIndex, type CaIndexEntry, type CertificateKind } from './ca-store'
export { KEY_TYPES, type KeyType } from './algorithms'
export { EKU } from './extensions'
export {
  buildOcspRequest,
  parseOcspResponse,
  fetchOcsp,
  type OcspRequestOptions,
  type OcspCheckOptions,
  type OcspFetchPolicy,
  type OcspResult,
  type OcspCertStatus,
} from './ocsp'
export {
  handleOcspRequest,
  ocspErrorResponse,
  type OcspResponderConfig,
  type SerialStatus,
} from './ocsp-responder'
export type { CertIdHash } from './ocsp-messages'
export { isAllowedUrl, type FetchPolicy } from './remote-fetch'
export {
  checkCertificateStatus,
  type CertificateStatusOptions,
  type CertificateStatusReport,
  type CertificateStatusCode,
  type RevocationEvidence,
  type RevocationFetch,
  type RevocationFetchPolicy,
} from './certificate-status'
export { crlAnswer, ocspAnswer, type RevocationAnswer } from './revocation-answer'
export { fileCaStatusSource, answerOcsp, ownOcspAnswer, type CaStatusSource } from './ca-status-source'
