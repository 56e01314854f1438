/**
 * Facts about one CMS signature (RFC 5652 §5.6 signature verification), as data. A bad signature
 * is an answer, not an exception: only input that is not CMS SignedData throws. Trust (chains,
 * revocation, validity periods) is judged elsewhere, from these facts.
 */
import { certificateInfo, publicKeyOf, type CertificateInfo } from './certificate'
import { octetsOf, oidOf, timeOf, type DerNode } from './der-read'
import { checkSigningCertificate, type SigningCertificateMatch } from './ess'
import { HASH_BY_OID, HASH_LENGTH, OID, type HashName } from './oids'
import { parseSignedData, type ParsedAttribute, type ParsedSignerInfo, type SignerIdentifier } from './parse'
import { verifyPrehashed, verifySignedBytes } from './signature'

export interface CmsCheck {
  signerCertificate?: Buffer
  certificates: Buffer[]
  /** 'sha256' etc., or the OID when the algorithm is not supported. */
  digestAlgorithm: string
  messageDigestMatches: boolean
  signatureValid: boolean
  signingCertificateV2: SigningCertificateMatch
  signingCertificateV1: SigningCertificateMatch
  signingTimeAttribute?: Date
  /** eContentType OID. */
  contentType: string
  hasContentTypeAttr: boolean
  signatureValue: Buffer
  /** The signature-time-stamp unsigned attribute value (a TimeStampToken), DER. */
  timestampToken?: Buffer
  problems: string[]
}

/** The expected digest, or a function giving it for the algorithm the signature uses. */
export type DigestInput = Buffer | ((algorithm: HashName) => Buffer)

export interface VerifyCmsOptions {
  /** Certificates to search for the signer besides those in the CMS (e.g. from a DSS). */
  readonly extraCertificates?: readonly Buffer[]
}

/**
 * Checks the first SignerInfo of `der` against `digest` (the digest of the detached content, or
 * a function of the digest algorithm for signatures that do not use SHA-256).
 * Throws SigningError('CMS_UNREADABLE') only when `der` is not CMS SignedData.
 *
 * @example
 * const check = verifyCmsSignature(contents, (hash) => createHash(hash).update(range1).update(range2).digest())
 * if (!check.messageDigestMatches) // the document changed after signing
 */
export function verifyCmsSignature(der: Buffer, digest: DigestInput, opts: VerifyCmsOptions = {}): CmsCheck {
  // 1. Structure.
  const parsed = parseSignedData(der)
  const signerInfo = parsed.signerInfos[0]!
  const problems: string[] = []
  if (parsed.signerInfos.length > 1) problems.push(`${parsed.signerInfos.length} SignerInfos; only the first is checked`)

  // 2. The signer certificate, by issuerAndSerialNumber or subjectKeyIdentifier (RFC 5652 §5.3).
  const certificates = [...parsed.certificates]
  const signer = findSigner(signerInfo.sid, [...certificates, ...(opts.extraCertificates ?? [])], problems)

  // 3. The digest the caller expects, for the algorithm the signer used.
  const hash = HASH_BY_OID[signerInfo.digestAlgorithm]
  const expected = hash ? expectedDigest(digest, hash, problems) : undefined
  if (!hash) problems.push(`unsupported digest algorithm ${signerInfo.digestAlgorithm}`)

  // 4. The signature, then the other attributes (RFC 5652 §5.4, §11).
  const check = hash && expected
    ? checkSignature(signerInfo, hash, expected, signer, problems)
    : { messageDigestMatches: false, signatureValid: false }
  const timestamp = single(signerInfo.unsignedAttributes, OID.signatureTimeStampToken, problems)
  return {
    ...(signer ? { signerCertificate: Buffer.from(signer.der) } : {}),
    certificates,
    digestAlgorithm: hash ?? signerInfo.digestAlgorithm,
    ...check,
    ...attributeFacts(signerInfo, parsed.contentType, signer, problems),
    contentType: parsed.contentType,
    signatureValue: Buffer.from(signerInfo.signatureValue),
    ...(timestamp ? { timestampToken: Buffer.from(timestamp.raw) } : {}),
    problems,
  }
}

type AttributeFacts = Pick<
  CmsCheck,
  'signingCertificateV2' | 'signingCertificateV1' | 'signingTimeAttribute' | 'hasContentTypeAttr'
>

function attributeFacts(
  signerInfo: ParsedSignerInfo,
  contentType: string,
  signer: CertificateInfo | undefined,
  problems: string[],
): AttributeFacts {
  const attributes = signerInfo.signedAttributes?.attributes ?? []
  const contentTypeAttr = single(attributes, OID.contentType, problems)
  if (signerInfo.signedAttributes && !contentTypeAttr) problems.push('signed attributes lack content-type')
  if (contentTypeAttr && safely(() => oidOf(contentTypeAttr)) !== contentType) {
    problems.push('content-type attribute differs from eContentType')
  }
  const signingTimeNode = single(attributes, OID.signingTime, problems)
  const signingTime = signingTimeNode && safely(() => timeOf(signingTimeNode))
  if (signingTimeNode && !signingTime) problems.push('signing-time attribute is malformed')
  return {
    signingCertificateV2: checkSigningCertificate(single(attributes, OID.signingCertificateV2, problems), signer, 2, problems),
    signingCertificateV1: checkSigningCertificate(single(attributes, OID.signingCertificate, problems), signer, 1, problems),
    ...(signingTime ? { signingTimeAttribute: signingTime } : {}),
    hasContentTypeAttr: contentTypeAttr !== undefined,
  }
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

function checkSignature(
  signerInfo: ParsedSignerInfo,
  hash: HashName,
  expected: Buffer,
  signer: CertificateInfo | undefined,
  problems: string[],
): { messageDigestMatches: boolean; signatureValid: boolean } {
  const { signedAttributes, signatureAlgorithm, signatureValue } = signerInfo
  let messageDigestMatches = false
  if (signedAttributes) {
    const messageDigest = single(signedAttributes.attributes, OID.messageDigest, problems)
    if (!messageDigest) problems.push('signed attributes lack message-digest')
    messageDigestMatches = messageDigest !== undefined && safely(() => octetsOf(messageDigest).equals(expected)) === true
  }
  if (signedAttributes && !messageDigestMatches) problems.push('message-digest does not match the content')
  if (!signer) return { messageDigestMatches, signatureValid: false }
  const key = safely(() => publicKeyOf(signer))
  if (!key) {
    problems.push("the signer certificate's public key cannot be read")
    return { messageDigestMatches, signatureValid: false }
  }
  if (!signedAttributes) {
    const result = verifyPrehashed(signatureAlgorithm, hash, key, expected, signatureValue)
    if (result.problem) problems.push(result.problem)
    if (result.valid && !result.digestMatches) problems.push('the signed digest does not match the content')
    return { messageDigestMatches: result.digestMatches, signatureValid: result.valid }
  }
  const result = verifySignedBytes(signatureAlgorithm, hash, key, signedAttributes.der, signatureValue)
  if (result.problem) problems.push(result.problem)
  else if (!result.valid) problems.push('the signature value does not verify with the signer certificate')
  return { messageDigestMatches, signatureValid: result.valid }
}

function expectedDigest(digest: DigestInput, hash: HashName, problems: string[]): Buffer | undefined {
  const value = typeof digest === 'function' ? digest(hash) : digest
  if (value.length === HASH_LENGTH[hash]) return value
  problems.push(`the digest given has ${value.length} bytes; the signature uses ${hash}`)
  return undefined
}

function findSigner(sid: SignerIdentifier, certificates: readonly Buffer[], problems: string[]): CertificateInfo | undefined {
  for (const der of certificates) {
    let info: CertificateInfo
    try {
      info = certificateInfo(der)
    } catch {
      problems.push('a certificate in the CMS could not be parsed')
      continue
    }
    const matches = 'issuer' in sid
      ? info.issuer.equals(sid.issuer) && info.serialNumber.equals(sid.serialNumber)
      : info.subjectKeyIdentifier?.equals(sid.subjectKeyIdentifier) === true
    if (matches) return info
  }
  problems.push('signer certificate not found')
  return undefined
}

/** The value of a single-valued attribute (RFC 5652 §11: exactly one value, at most once). */
function single(attributes: readonly ParsedAttribute[], type: string, problems: string[]): DerNode | undefined {
  const found = attributes.filter((a) => a.type === type)
  if (found.length > 1 || (found[0] && found[0].values.length !== 1)) {
    problems.push(`attribute ${type} must occur once with one value`)
  }
  return found[0]?.values[0]
}
