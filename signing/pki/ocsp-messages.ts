/**
 * The pieces of RFC 6960 that the OCSP client (ocsp.ts) and responder (ocsp-responder.ts) share:
 * CertID (§4.1.1), ResponderID key hashes (§4.2.1), the nonce extension (§4.4.1, RFC 8954) and
 * OCSPResponseStatus (§4.2.1). Read with the DER reader of signing/cms, written with its writer.
 */
import { createHash } from 'node:crypto'
import { certificateInfo } from '../cms/certificate'
import { Asn1Error, fieldsOf, octetsOf, oidOf, readDer, type DerNode } from '../cms/der-read'
import { algorithmIdentifier, NULL, octetString, oid, sequence } from '../cms/der-write'
import { HASH_BY_OID, HASH_OID, type HashName } from '../cms/oids'

export const OCSP_OID = {
  /** id-pkix-ocsp-basic, §4.2.1 */
  basicResponse: '1.3.6.1.5.5.7.48.1.1',
  /** id-pkix-ocsp-nonce, §4.4.1 */
  nonce: '1.3.6.1.5.5.7.48.1.2',
} as const

/** OCSPResponseStatus, §4.2.1 (4 is not used). */
export const RESPONSE_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const
export type ResponseStatusName = keyof typeof RESPONSE_STATUS

/** RFC 8954 §2.1: a nonce of 1 to 32 octets. */
export const MAX_NONCE_LENGTH = 32

/** The hash algorithms a CertID may be built with: SHA-1 (what §4.1.1 and openssl use) or SHA-256. */
export type CertIdHash = 'sha1' | 'sha256'

export interface CertId {
  /** Undefined when the hash algorithm is not one we know. */
  hash?: HashName
  issuerNameHash: Buffer
  issuerKeyHash: Buffer
  /** The serial number, upper-case hex without leading zero octets (the CA index's form). */
  serialHex: string
  /** The CertID exactly as received: a responder echoes it in its SingleResponse. */
  raw: Buffer
}

const hashOf = (hash: HashName, data: Buffer) => createHash(hash).update(data).digest()

/** The subjectPublicKey BIT STRING value, without tag, length and unused-bits octet (§4.1.1). */
function publicKeyBits(certDer: Buffer): Buffer {
  const spki = readDer(certificateInfo(certDer).subjectPublicKeyInfo, 'subjectPublicKeyInfo')
  const bits = spki.children[1]
  if (bits?.tag !== 0x03) throw new Asn1Error('subjectPublicKeyInfo: no subjectPublicKey')
  return bits.content.subarray(1)
}

/** KeyHash (§4.2.1): SHA-1 of the certificate's subjectPublicKey, the byKey ResponderID. */
export function keyHashOf(certDer: Buffer): Buffer {
  return hashOf('sha1', publicKeyBits(certDer))
}

/** Hashes of the issuer's Name and key under `hash`, as a CertID carries them (§4.1.1). */
function issuerHashes(issuerDer: Buffer, hash: HashName): { name: Buffer; key: Buffer } {
  return {
    name: hashOf(hash, certificateInfo(issuerDer).subject),
    key: hashOf(hash, publicKeyBits(issuerDer)),
  }
}

/** CertID for `certDer` issued by `issuerDer`; the serial INTEGER is copied byte for byte. */
export function encodeCertId(certDer: Buffer, issuerDer: Buffer, hash: CertIdHash): Buffer {
  const { name, key } = issuerHashes(issuerDer, hash)
  // NULL parameters, as openssl writes them: responders that compare the encoded AlgorithmIdentifier match.
  const hashAlgorithm = algorithmIdentifier(HASH_OID[hash], NULL)
  return sequence(hashAlgorithm, octetString(name), octetString(key), certificateInfo(certDer).serialNumber)
}

export function readCertId(node: DerNode): CertId {
  const fields = fieldsOf(node, 'CertID')
  const algorithm = fieldsOf(fields.required(0x10, 'hashAlgorithm'), 'AlgorithmIdentifier')
  const hash = HASH_BY_OID[oidOf(algorithm.required(0x06, 'algorithm'))]
  const issuerNameHash = octetsOf(fields.required(0x04, 'issuerNameHash'))
  const issuerKeyHash = octetsOf(fields.required(0x04, 'issuerKeyHash'))
  const serialHex = serialHexOf(fields.required(0x02, 'serialNumber').content)
  return { ...(hash && { hash }), issuerNameHash, issuerKeyHash, serialHex, raw: node.raw }
}

/** True when the CertID names a certificate of `issuerDer` (its name and key hashes match). */
export function isForIssuer(id: CertId, issuerDer: Buffer): boolean {
  if (!id.hash) return false
  const { name, key } = issuerHashes(issuerDer, id.hash)
  return name.equals(id.issuerNameHash) && key.equals(id.issuerKeyHash)
}

/** True when the CertID names `certDer` of `issuerDer`, whatever hash algorithm it uses. */
export function certIdMatches(id: CertId, certDer: Buffer, issuerDer: Buffer): boolean {
  const serial = readDer(certificateInfo(certDer).serialNumber, 'serialNumber')
  return isForIssuer(id, issuerDer) && id.serialHex === serialHexOf(serial.content)
}

function serialHexOf(content: Buffer): string {
  let bytes = content
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1)
  return bytes.toString('hex').toUpperCase()
}

/** The nonce Extension (§4.4.1): extnValue holds an OCTET STRING with the nonce (RFC 8954 §2.1). */
export function nonceExtension(nonce: Buffer): Buffer {
  return sequence(oid(OCSP_OID.nonce), octetString(octetString(nonce)))
}

export interface ReadExtension {
  id: string
  critical: boolean
  /** The extnValue octets. */
  value: Buffer
  raw: Buffer
}

/** The elements of an Extensions SEQUENCE (RFC 5280 §4.1). */
export function readExtensions(node: DerNode | undefined): ReadExtension[] {
  if (!node) return []
  return node.children.map((extension) => {
    const fields = fieldsOf(extension, 'Extension')
    const id = oidOf(fields.required(0x06, 'extnID'))
    const critical = fields.optional(0x01)?.content[0] === 0xff
    return { id, critical, value: octetsOf(fields.required(0x04, 'extnValue')), raw: extension.raw }
  })
}

/**
 * The nonce carried by a nonce extension's value: the inner OCTET STRING's content, or the raw
 * value when a client put the bytes there directly (some older clients do).
 */
export function nonceOf(value: Buffer): Buffer {
  try {
    const inner = readDer(value, 'Nonce')
    const wrapped = inner.tagClass === 'universal' && inner.tag === 0x04 && inner.raw.length === value.length
    if (wrapped) return octetsOf(inner)
  } catch {
    // not DER: the bytes themselves
  }
  return value
}
