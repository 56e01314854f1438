/**
 * The certificate and CRL extensions the internal CA writes (RFC 5280 §4.2, §5.2, §5.3).
 * Each function returns one DER `Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }`.
 */
import * as crypto from 'node:crypto'
import { bitStringOf, elementsOf, readDer } from '../cms/der-read'
import { SigningError } from '../errors'
import { bool, enumerated, explicit, implicitPrimitive, int, namedBits, octetString, oid, seq } from './asn1'

/** KeyUsage bit numbers, RFC 5280 §4.2.1.3. */
export const KEY_USAGE = {
  digitalSignature: 0,
  nonRepudiation: 1, // "contentCommitment" in X.509 (2008)
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const
export type KeyUsageName = keyof typeof KEY_USAGE

export const EKU = {
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  /** id-kp-documentSigning, RFC 9336. */
  documentSigning: '1.3.6.1.5.5.7.3.36',
  anyExtendedKeyUsage: '2.5.29.37.0',
  /** Adobe Authentic Documents Trust, accepted by Acrobat for document signing. */
  adobeAuthenticDocuments: '1.2.840.113583.1.1.5',
  /** id-kp-OCSPSigning: a delegated OCSP responder (RFC 6960 §4.2.2.2). */
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const

/** AccessDescription methods of authorityInfoAccess (RFC 5280 §4.2.2.1). */
export const ACCESS_METHODS = {
  ocsp: '1.3.6.1.5.5.7.48.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
} as const

export const EXTENSION_OIDS = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  cRLDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const

function extension(extnId: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(extnId), ...(critical ? [bool(true)] : []), octetString(value))
}

/** §4.2.1.9: critical; pathLenConstraint only for CAs (0 on the issuing CA: it signs end entities only). */
export function basicConstraints(ca: boolean, pathLen?: number): Buffer {
  const body = ca ? [bool(true), ...(pathLen === undefined ? [] : [int(pathLen)])] : []
  return extension(EXTENSION_OIDS.basicConstraints, true, seq(...body))
}

/** §4.2.1.3: conforming CAs SHOULD mark it critical. */
export function keyUsage(usages: KeyUsageName[]): Buffer {
  return extension(EXTENSION_OIDS.keyUsage, true, namedBits(usages.map((u) => KEY_USAGE[u])))
}

/** §4.2.1.12 (RFC 3161 §2.3 requires it critical, with timeStamping alone, on a TSA certificate). */
export function extKeyUsage(purposes: string[], critical: boolean): Buffer {
  return extension(EXTENSION_OIDS.extKeyUsage, critical, seq(...purposes.map(oid)))
}

/** §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifierOf(publicKey: crypto.KeyObject): Buffer {
  const spki = readDer(publicKey.export({ type: 'spki', format: 'der' }), 'subjectPublicKeyInfo')
  return crypto
    .createHash('sha1')
    .update(bitStringOf(elementsOf(spki, 2)[1]).bytes)
    .digest()
}

export function subjectKeyIdentifier(keyId: Buffer): Buffer {
  return extension(EXTENSION_OIDS.subjectKeyIdentifier, false, octetString(keyId))
}

/** §4.2.1.1: keyIdentifier [0] only; the issuer's own SKI. */
export function authorityKeyIdentifier(keyId: Buffer): Buffer {
  return extension(EXTENSION_OIDS.authorityKeyIdentifier, false, seq(implicitPrimitive(0, keyId)))
}

/** §4.2.1.6: the e-mail address goes in rfc822Name [1], not in the subject (§4.1.2.6). */
export function subjectAltNameEmail(email: string): Buffer {
  if (!/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(email)) {
    throw new SigningError('BAD_OPTION', `email must be an ASCII address (RFC 5280 §4.2.1.6), got "${email}"`)
  }
  return extension(
    EXTENSION_OIDS.subjectAltName,
    false,
    seq(implicitPrimitive(1, Buffer.from(email, 'ascii'))),
  )
}

/** GeneralName uniformResourceIdentifier [6] IA5String (§4.2.1.6), for an http(s) URL in ASCII. */
function uriName(url: string, what: string): Buffer {
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(url)) {
    throw new SigningError('BAD_OPTION', `the ${what} must be an http(s) URL in ASCII, got "${url}"`)
  }
  return implicitPrimitive(6, Buffer.from(url, 'ascii'))
}

/**
 * §4.2.1.13: where the issuer's CRL is published, as one distributionPoint fullName URI
 * (DistributionPoint [0] -> fullName [0] -> uniformResourceIdentifier [6]).
 */
export function crlDistributionPoint(url: string): Buffer {
  const distributionPoint = seq(explicit(0, explicit(0, uriName(url, 'CRL URL'))))
  return extension(EXTENSION_OIDS.cRLDistributionPoints, false, seq(distributionPoint))
}

/**
 * §4.2.2.1: authorityInfoAccess, non-critical, with an id-ad-ocsp AccessDescription for the
 * issuer's OCSP responder (RFC 6960 §3.1) and/or an id-ad-caIssuers one for its certificate.
 */
export function authorityInfoAccess(locations: { ocsp?: string; caIssuers?: string }): Buffer {
  const descriptions: Buffer[] = []
  if (locations.ocsp) descriptions.push(seq(oid(ACCESS_METHODS.ocsp), uriName(locations.ocsp, 'OCSP URL')))
  if (locations.caIssuers) {
    descriptions.push(seq(oid(ACCESS_METHODS.caIssuers), uriName(locations.caIssuers, 'caIssuers URL')))
  }
  if (descriptions.length === 0) {
    throw new SigningError('BAD_OPTION', 'authorityInfoAccess needs an OCSP or caIssuers URL')
  }
  return extension(EXTENSION_OIDS.authorityInfoAccess, false, seq(...descriptions))
}

/** §5.2.3: a monotonically increasing CRL number. */
export function crlNumber(n: number): Buffer {
  return extension(EXTENSION_OIDS.cRLNumber, false, int(n))
}

/** §5.3.1: the CRLReason of one entry (absent when the reason is unspecified). */
export function reasonCode(code: number): Buffer {
  return extension(EXTENSION_OIDS.reasonCode, false, enumerated(code))
}

/** The extensions field of a TBSCertificate ([3]) or TBSCertList ([0]). */
export function extensionsField(tag: 0 | 3, extensions: Buffer[]): Buffer {
  return explicit(tag, seq(...extensions))
}
