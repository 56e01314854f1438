/**
 * Facts about one CMS signature (RFC 5652 §5.6 signature verification), as data. A bad signature
 * is an answer, not an exception: only input that is not CMS SignedData throws. Trust (chains,
 * revocation, validity periods) is judged elsewhere, from these facts.
 */
import type { KeyObject } from 'node:crypto'
import { certificateInfo, publicKeyOf, type CertificateInfo } from './certificate'
import { derProblem } from './der-check'
import { octetsOf, oidOf, timeOf, type DerNode } from './der-read'
import { checkSigningCertificate, type SigningCertificateMatch } from './ess'
import { HASH_BY_OID, HASH_LENGTH, OID, type HashName } from './oids'
import { parseSignedData, type ParsedAttribute, type ParsedSignerInfo, type SignerIdentifier } from './parse'
import { verifyPrehashed, verifySignedBytes, type SignatureFacts } from './signature'

/** What the cryptographic policy judges: the algorithms and the key (EN 319 102-1 §5.2.8). */
export interface AlgorithmFacts {
  /** Digest algorithm of the SignerInfo ('sha256', ...), or its OID when not supported. */
  digest: string
  signature: SignatureFacts | null
  key: { type: string; bits?: number; curve?: string } | null
}

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
  /** eContent, when the SignedData encapsulates its content (a detached signature must not). */
  encapsulatedContent?: Buffer
  /** Why the signed attributes are not DER (X.690 §11.6, RFC 5652 §5.3); absent when they are. */
  signedAttributesNotDer?: string
  /** Why the signature could not be checked at all (an algorithm node:crypto cannot do). */
  unsupported?: string
  /** A rule of the algorithm's own specification the signer broke (e.g. RFC 8419 §3.1). */
  constraint?: string
  algorithms: AlgorithmFacts
  /** Whether the SignerInfo has signed attributes (without them it signs the content digest). */
  hasSignedAttributes: boolean
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
  if (parsed.signerInfos.length > 1)
    problems.push(`${parsed.signerInfos.length} SignerInfos; only the first is checked`)

  // 2. The signer certificate, by issuerAndSerialNumber or subjectKeyIdentifier (RFC 5652 §5.3).
  const certificates = [...parsed.certificates]
  const signer = findSigner(signerInfo.sid, [...certificates, ...(opts.extraCertificates ?? [])], problems)

  // 3. The digest the caller expects, for the algorithm the signer used.
  const hash = HASH_BY_OID[signerInfo.digestAlgorithm]
  const expected = hash ? expectedDigest(digest, hash, problems) : undefined
  if (!hash) problems.push(`unsupported digest algorithm ${signerInfo.digestAlgorithm}`)

  // 4. The signature, then the other attributes (RFC 5652 §5.4, §11).
  const key = signer ? safely(() => publicKeyOf(signer)) : undefined
  const check: SignatureOutcome =
    hash && expected
      ? checkSignature(signerInfo, hash, expected, key, signer !== undefined, problems)
      : {
          messageDigestMatches: false,
          signatureValid: false,
          ...(!hash && { unsupported: `unsupported digest algorithm ${signerInfo.digestAlgorithm}` }),
        }
  const timestamp = single(signerInfo.unsignedAttributes, OID.signatureTimeStampToken, problems)
  const notDer = signerInfo.signedAttributes && derProblem(signerInfo.signedAttributes.node, true)
  if (notDer) problems.push(`the signed attributes are not DER: ${notDer}`)
  const { facts, ...outcome } = check
  return {
    ...(signer ? { signerCertificate: Buffer.from(signer.der) } : {}),
    certificates,
    digestAlgorithm: hash ?? signerInfo.digestAlgorithm,
    ...outcome,
    ...attributeFacts(signerInfo, parsed.contentType, signer, problems),
    contentType: parsed.contentType,
    signatureValue: Buffer.from(signerInfo.signatureValue),
    ...(timestamp ? { timestampToken: Buffer.from(timestamp.raw) } : {}),
    ...(parsed.content ? { encapsulatedContent: parsed.content } : {}),
    ...(notDer ? { signedAttributesNotDer: notDer } : {}),
    algorithms: { digest: hash ?? signerInfo.digestAlgorithm, signature: facts ?? null, key: keyFacts(key) },
    hasSignedAttributes: signerInfo.signedAttributes !== undefined,
    problems,
  }
}

function keyFacts(key: KeyObject | undefined): AlgorithmFacts['key'] {
  if (!key) return null
  const details = key.asymmetricKeyDetails ?? {}
  return {
    type: key.asymmetricKeyType ?? 'unknown',
    ...(details.modulusLength !== undefined && { bits: details.modulusLength }),
    ...(details.namedCurve !== undefined && { curve: details.namedCurve }),
  }
}

interface SignatureOutcome {
  messageDigestMatches: boolean
  signatureValid: boolean
  unsupported?: string
  constraint?: string
  facts?: SignatureFacts
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
    signingCertificateV2: checkSigningCertificate(
      single(attributes, OID.signingCertificateV2, problems),
      signer,
      2,
      problems,
    ),
    signingCertificateV1: checkSigningCertificate(
      single(attributes, OID.signingCertificate, problems),
      signer,
      1,
      problems,
    ),
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
  key: KeyObject | undefined,
  hasSigner: boolean,
  problems: string[],
): SignatureOutcome {
  const { signedAttributes, signatureAlgorithm, signatureValue } = signerInfo
  let messageDigestMatches = false
  if (signedAttributes) {
    const messageDigest = single(signedAttributes.attributes, OID.messageDigest, problems)
    if (!messageDigest) problems.push('signed attributes lack message-digest')
    messageDigestMatches =
      messageDigest !== undefined && safely(() => octetsOf(messageDigest).equals(expected)) === true
  }
  if (signedAttributes && !messageDigestMatches) problems.push('message-digest does not match the content')
  if (!hasSigner) return { messageDigestMatches, signatureValid: false }
  if (!key) {
    problems.push("the signer certificate's public key cannot be read")
    return {
      messageDigestMatches,
      signatureValid: false,
      unsupported: "the signer certificate's public key cannot be read",
    }
  }
  const result = signedAttributes
    ? verifySignedBytes(signatureAlgorithm, hash, key, signedAttributes.der, signatureValue)
    : verifyPrehashed(signatureAlgorithm, hash, key, expected, signatureValue)
  if (result.problem) problems.push(result.problem)
  else if (!result.valid) problems.push('the signature value does not verify with the signer certificate')
  if (result.constraint) problems.push(result.constraint)
  const outcome = {
    signatureValid: result.valid,
    ...(result.unsupported && { unsupported: result.problem ?? 'the signature cannot be checked' }),
    ...(result.constraint && { constraint: result.constraint }),
    ...(result.facts && { facts: result.facts }),
  }
  if (signedAttributes) return { messageDigestMatches, ...outcome }
  const digestMatches = 'digestMatches' in result && result.digestMatches === true
  if (result.valid && !digestMatches) problems.push('the signed digest does not match the content')
  return { messageDigestMatches: digestMatches, ...outcome }
}

function expectedDigest(digest: DigestInput, hash: HashName, problems: string[]): Buffer | undefined {
  const value = typeof digest === 'function' ? digest(hash) : digest
  if (value.length === HASH_LENGTH[hash]) return value
  problems.push(`the digest given has ${value.length} bytes; the signature uses ${hash}`)
  return undefined
}

function findSigner(
  sid: SignerIdentifier,
  certificates: readonly Buffer[],
  problems: string[],
): CertificateInfo | undefined {
  for (const der of certificates) {
    let info: CertificateInfo
    try {
      info = certificateInfo(der)
    } catch {
      problems.push('a certificate in the CMS could not be parsed')
      continue
    }
    const matches =
      'issuer' in sid
        ? info.issuer.equals(sid.issuer) && info.serialNumber.equals(sid.serialNumber)
        : info.subjectKeyIdentifier?.equals(sid.subjectKeyIdentifier) === true
    if (matches) return info
  }
  problems.push('signer certificate not found')
  return undefined
}

/** The value of a single-valued attribute (RFC 5652 §11: exactly one value, at most once). */
function single(
  attributes: readonly ParsedAttribute[],
  type: string,
  problems: string[],
): DerNode | undefined {
  const found = attributes.filter((a) => a.type === type)
  if (found.length > 1 || (found[0] && found[0].values.length !== 1)) {
    problems.push(`attribute ${type} must occur once with one value`)
  }
  return found[0]?.values[0]
}
