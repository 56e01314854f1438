/** CMS attributes (RFC 5652 §5.3 Attribute ::= SEQUENCE { attrType, attrValues SET OF ANY }). */
import { createHash } from 'node:crypto'
import type { CertificateInfo } from './certificate'
import { contextConstructed, octetString, oid, sequence, setOf } from './der-write'
import { OID } from './oids'

export function attribute(type: string, ...values: Buffer[]): Buffer {
  return sequence(oid(type), setOf(values))
}

/** content-type (RFC 5652 §11.1): mandatory when signed attributes are present. */
export function contentTypeAttribute(contentType: string): Buffer {
  return attribute(OID.contentType, oid(contentType))
}

/** message-digest (RFC 5652 §11.2): the digest of the (detached or encapsulated) content. */
export function messageDigestAttribute(digest: Buffer): Buffer {
  return attribute(OID.messageDigest, octetString(digest))
}

/**
 * signing-certificate-v2 (RFC 5035 §3; RFC 5816 §2.2.1 for time-stamp tokens). One ESSCertIDv2
 * with the SHA-256 hash of the signer certificate: hashAlgorithm is left out because SHA-256 is
 * its DEFAULT and DER omits default values (X.690 §11.5). issuerSerial is included, carrying the
 * certificate's issuer Name and serial number as their original bytes; the Name sits in a
 * GeneralName directoryName, [4] EXPLICIT because Name is a CHOICE (RFC 5280 §4.2.1.6).
 */
export function signingCertificateV2Attribute(certificate: CertificateInfo): Buffer {
  const certHash = createHash('sha256').update(certificate.der).digest()
  const issuerSerial = sequence(sequence(contextConstructed(4, certificate.issuer)), certificate.serialNumber)
  const essCertIdV2 = sequence(octetString(certHash), issuerSerial)
  return attribute(OID.signingCertificateV2, sequence(sequence(essCertIdV2)))
}

/**
 * SignedAttributes as the SET OF that is signed (RFC 5652 §5.4: tag 0x31, DER-sorted); inside
 * SignerInfo the same bytes appear re-tagged as [0] IMPLICIT.
 */
export function signedAttributesSet(attributes: readonly Buffer[]): Buffer {
  return setOf(attributes)
}

/**
 * The signed attributes of every SignerInfo Kyso writes: content-type, message-digest and
 * signing-certificate-v2, no signing-time (ETSI EN 319 142-1 §5.3 for PAdES; RFC 3161 tokens do
 * not need one either), as the DER SET OF that the key signs.
 */
export function cmsSignedAttributes(contentType: string, digest: Buffer, signer: CertificateInfo): Buffer {
  return signedAttributesSet([
    contentTypeAttribute(contentType),
    messageDigestAttribute(digest),
    signingCertificateV2Attribute(signer),
  ])
}
