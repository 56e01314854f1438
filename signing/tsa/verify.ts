/**
 * Facts about an RFC 3161 time-stamp token over some data: the imprint (RFC 3161 §2.4.2), the
 * CMS signature (RFC 5652 §5.6), the ESS signing-certificate(-v2) attribute (RFC 3161 §2.4.1,
 * RFC 5816 §2.2.1) and the TSA certificate's extended key usage (RFC 3161 §2.3). Whether the TSA
 * certificate is trusted (chain, revocation) is judged elsewhere.
 */
import {
  certificateInfo,
  OID,
  parseSignedData,
  verifyCmsSignature,
  type CmsCheck,
  type HashName,
} from '../cms'
import { digestOf } from '../cms/digest'
import { parseTstInfo, type TstInfo } from './tst-info'

export interface TimestampCheck {
  /** Imprint, signature, message digest, signing certificate and EKU all good. */
  valid: boolean
  imprintMatches: boolean
  genTime?: Date
  policy?: string
  serialNumber?: bigint
  nonce?: bigint
  tsaCertificate?: Buffer
  certificates: Buffer[]
  hasTimestampingEku: boolean
  /** The imprint's hash algorithm ('sha256', ...), when supported. */
  imprintAlgorithm?: HashName
  /** The token's own CMS facts (algorithms, DER, what could not be checked). */
  cms?: CmsCheck
  problems: string[]
}

/** The time-stamped data, or its digest by algorithm (a document time-stamp's ByteRange, hashed once). */
export type TimestampedData = Buffer | ((hash: HashName) => Buffer)

/**
 * Checks `token` (DER TimeStampToken) against `data`, the bytes that were time-stamped (for a
 * signature time-stamp: the SignerInfo signature value). Never throws: a token that cannot be
 * read is reported as invalid, since it is usually one part of a larger signature.
 *
 * @example
 * const cms = verifyCmsSignature(contents, digest)
 * if (cms.timestampToken) verifyTimestampToken(cms.timestampToken, cms.signatureValue).genTime
 */
export function verifyTimestampToken(
  token: Buffer,
  data: TimestampedData,
  opts: { readonly extraCertificates?: readonly Buffer[] } = {},
): TimestampCheck {
  // 1. The token must be SignedData carrying a TSTInfo; its CMS signature is checked as any other.
  const parts = readToken(token, opts.extraCertificates ?? [])
  if ('problem' in parts) {
    return {
      valid: false,
      imprintMatches: false,
      certificates: [],
      hasTimestampingEku: false,
      problems: [parts.problem],
    }
  }
  const { tstInfo, cms } = parts
  const problems = [...cms.problems]

  // 2. The imprint is the hash of the data (RFC 3161 §2.4.2 messageImprint).
  const hash = tstInfo.hashAlgorithm
  const imprintMatches =
    hash !== undefined &&
    (typeof data === 'function' ? data(hash) : digestOf(hash, data)).equals(tstInfo.hashedMessage)
  if (!tstInfo.hashAlgorithm) problems.push('unsupported imprint hash algorithm')
  else if (!imprintMatches) problems.push('the imprint does not match the data')

  // 3. The signer must be a TSA certificate named by signing-certificate(-v2).
  const hasTimestampingEku = cms.signerCertificate ? checkEku(cms.signerCertificate, problems) : false
  const essMatches =
    cms.signingCertificateV2 === 'match' ||
    (cms.signingCertificateV2 === 'absent' && cms.signingCertificateV1 === 'match')
  if (!essMatches) problems.push('no signing-certificate attribute identifies the TSA certificate')
  return {
    valid:
      imprintMatches && cms.signatureValid && cms.messageDigestMatches && essMatches && hasTimestampingEku,
    imprintMatches,
    genTime: tstInfo.genTime,
    policy: tstInfo.policy,
    serialNumber: tstInfo.serialNumber,
    ...(tstInfo.nonce !== undefined ? { nonce: tstInfo.nonce } : {}),
    ...(cms.signerCertificate ? { tsaCertificate: cms.signerCertificate } : {}),
    certificates: cms.certificates,
    hasTimestampingEku,
    ...(hash ? { imprintAlgorithm: hash } : {}),
    cms,
    problems,
  }
}

function readToken(
  token: Buffer,
  extraCertificates: readonly Buffer[],
): { tstInfo: TstInfo; cms: CmsCheck } | { problem: string } {
  try {
    const signedData = parseSignedData(token)
    const content = signedData.content
    if (signedData.contentType !== OID.tstInfo || !content)
      throw new Error('eContentType is not id-ct-TSTInfo')
    const tstInfo = parseTstInfo(content)
    const cms = verifyCmsSignature(token, (hash) => digestOf(hash, content), { extraCertificates })
    return { tstInfo, cms }
  } catch (cause) {
    return { problem: `not a time-stamp token: ${cause instanceof Error ? cause.message : String(cause)}` }
  }
}

/** RFC 3161 §2.3: extendedKeyUsage with id-kp-timeStamping as its only purpose, marked critical. */
function checkEku(certificate: Buffer, problems: string[]): boolean {
  const eku = certificateInfo(certificate).extKeyUsage
  if (!eku?.purposes.includes(OID.timeStamping)) {
    problems.push('the TSA certificate lacks the timeStamping extended key usage')
    return false
  }
  if (!eku.critical) problems.push('the TSA certificate extendedKeyUsage is not critical')
  if (eku.purposes.length > 1)
    problems.push('the TSA certificate has other extended key usages besides timeStamping')
  return true
}
