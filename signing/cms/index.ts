/**
 * CMS (RFC 5652) for PAdES: build the SignedData of a signature, read one, and report facts
 * about it. ASN.1 is read and written by a small BER/DER reader and DER writer that keep original
 * bytes; hashing and signature checks use node:crypto.
 */
export { buildPadesSignature, padesSignedAttributes, type PadesSignatureOptions } from './pades'
export {
  extractSignatureValue,
  parseSignedData,
  type ParsedAttribute,
  type ParsedSignedData,
  type ParsedSignerInfo,
  type SignerIdentifier,
} from './parse'
export {
  verifyCmsSignature,
  type AlgorithmFacts,
  type CmsCheck,
  type DigestInput,
  type VerifyCmsOptions,
} from './verify'
export { createDigest, digestOf } from './digest'
export { derProblem } from './der-check'
export type { SignatureFacts } from './signature'
export type { SigningCertificateMatch } from './ess'
export type { HashName } from './oids'

// Building blocks shared with signing/tsa (a time-stamp token is itself CMS SignedData).
export { encodeSignedData, type SignedDataInput } from './signed-data'
export { certificateInfo, type CertificateInfo } from './certificate'
export {
  attribute,
  contentTypeAttribute,
  messageDigestAttribute,
  signedAttributesSet,
  signingCertificateV2Attribute,
} from './attributes'
export { HASH_BY_OID, HASH_LENGTH, HASH_OID, OID } from './oids'
export * as derWrite from './der-write'
// The one ASN.1 reader (issue 16), for the other parts of signing/ that read DER.
export {
  Asn1Error,
  bitStringOf,
  booleanOf,
  DER_LIMITS,
  elementsOf,
  fieldsOf,
  integerOf,
  octetsOf,
  oidOf,
  readDer,
  smallIntegerOf,
  textOf,
  timeOf,
  type DerNode,
} from './der-read'
export { ecdsaPlainToDer, toDerEcdsaSignature } from './ecdsa'
