/**
 * Builds a CMS SignedData (RFC 5652 §5) with one SignerInfo, signed through a KeySource. Used for
 * PAdES signatures (detached id-data) and RFC 3161 time-stamp tokens (encapsulated TSTInfo).
 */
import { verify } from 'node:crypto'
import { SigningError } from '../errors'
import type { KeySource } from '../keys/key-source'
import { cmsSignedAttributes } from './attributes'
import { certificateInfo, publicKeyOf, type CertificateInfo } from './certificate'
import {
  NULL,
  algorithmIdentifier,
  contextConstructed,
  integer,
  octetString,
  oid,
  retag,
  sequence,
  setOf,
} from './der-write'
import { HASH_OID, OID } from './oids'

export interface SignedDataInput {
  /** eContentType: id-data for PAdES, id-ct-TSTInfo for a time-stamp token. */
  readonly contentType: string
  /** Encapsulated content; absent for a detached signature (RFC 5652 §5.2). */
  readonly content?: Buffer
  /** SHA-256 of the content: the message-digest attribute. */
  readonly digest: Buffer
  readonly keySource: KeySource
  /** RFC 3161 §2.4.1: certificates are left out when the requester did not ask for them. */
  readonly includeCertificates?: boolean
  /** Unsigned attributes, computed from the signature value (e.g. a signature time-stamp). */
  readonly unsignedAttributes?: (signatureValue: Buffer) => Promise<readonly Buffer[]>
}

/** Returns the DER ContentInfo wrapping the SignedData. */
export async function encodeSignedData(input: SignedDataInput): Promise<Buffer> {
  const { keySource } = input
  // 1. The signer certificate, parsed once: its issuer and serial are reused as original bytes.
  const signer = signerCertificate(keySource)

  // 2. Signed attributes, DER, signed as a SET (RFC 5652 §5.4).
  const signedAttributes = cmsSignedAttributes(input.contentType, input.digest, signer)

  // 3. Sign, and check the value against the certificate: a KeySource whose key does not match
  //    its certificate (a misconfigured token or remote service) must not produce a document.
  const signatureValue = await keySource.sign(signedAttributes)
  if (!verify('sha256', signedAttributes, publicKeyOf(signer), signatureValue)) {
    throw new SigningError('KEY_MISMATCH', 'the signature does not verify with the signer certificate')
  }

  // 4. Unsigned attributes over the signature value, then the SignerInfo (RFC 5652 §5.3).
  const unsigned = (await input.unsignedAttributes?.(signatureValue)) ?? []
  const signerInfo = sequence(
    integer(1),
    sequence(signer.issuer, signer.serialNumber),
    algorithmIdentifier(HASH_OID.sha256),
    retag(signedAttributes, 0xa0),
    signatureAlgorithm(keySource.keyAlgorithm),
    octetString(signatureValue),
    ...(unsigned.length > 0 ? [contextConstructed(1, ...[...unsigned].sort(Buffer.compare))] : []),
  )

  // 5. SignedData: version 1 for id-data, 3 for any other eContentType (RFC 5652 §5.1).
  const encapContentInfo = input.content
    ? sequence(oid(input.contentType), contextConstructed(0, octetString(input.content)))
    : sequence(oid(input.contentType))
  const signedData = sequence(
    integer(input.contentType === OID.data ? 1 : 3),
    setOf([algorithmIdentifier(HASH_OID.sha256)]),
    encapContentInfo,
    ...(input.includeCertificates === false ? [] : [certificateSet(keySource)]),
    setOf([signerInfo]),
  )
  return sequence(oid(OID.signedData), contextConstructed(0, signedData))
}

export function signerCertificate(keySource: Pick<KeySource, 'certificate'>): CertificateInfo {
  try {
    const info = certificateInfo(keySource.certificate)
    publicKeyOf(info)
    return info
  } catch (cause) {
    throw new SigningError('KEY_UNREADABLE', 'the signer certificate is not a DER X.509 certificate', {
      cause,
    })
  }
}

/**
 * sha256WithRSAEncryption with NULL parameters (RFC 4055 §5) or ecdsa-with-SHA256 without
 * parameters (RFC 5758 §3.2), matching KeySource.sign's SHA-256.
 */
function signatureAlgorithm(keyAlgorithm: KeySource['keyAlgorithm']): Buffer {
  return keyAlgorithm === 'RSA'
    ? algorithmIdentifier(OID.sha256WithRSAEncryption, NULL)
    : algorithmIdentifier(OID.ecdsaWithSha256)
}

/** [0] IMPLICIT CertificateSet: the signer and its chain, each once, DER-sorted. */
function certificateSet(keySource: KeySource): Buffer {
  const unique = new Map<string, Buffer>()
  for (const der of [keySource.certificate, ...keySource.chain]) unique.set(der.toString('base64'), der)
  return retag(setOf([...unique.values()]), 0xa0)
}
