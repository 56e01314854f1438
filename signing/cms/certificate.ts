/**
 * The few certificate fields CMS needs, sliced out of the certificate DER (RFC 5280 §4.1) as the
 * original bytes. The issuer Name goes into issuerAndSerialNumber byte for byte: re-encoding it
 * (node-forge issue #847 turns a UTF8String issuer into a double-encoded one) makes verifiers
 * unable to find the signer certificate, which breaks every Vietnamese CA name.
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import { Asn1Error, fieldsOf, octetsOf, oidOf, readDer, type DerNode } from './der-read'
import { OID } from './oids'

export interface CertificateInfo {
  readonly der: Buffer
  /** issuer Name, the TLV exactly as in the certificate. */
  readonly issuer: Buffer
  /** serialNumber INTEGER, the TLV exactly as in the certificate. */
  readonly serialNumber: Buffer
  readonly subject: Buffer
  readonly subjectPublicKeyInfo: Buffer
  readonly subjectKeyIdentifier?: Buffer
  /** extendedKeyUsage (RFC 5280 §4.2.1.12), when present. */
  readonly extKeyUsage?: { readonly purposes: readonly string[]; readonly critical: boolean }
}

const cache = new WeakMap<Buffer, CertificateInfo>()

/** Parses (once per Buffer) the fields CMS uses; throws Asn1Error for a non-certificate. */
export function certificateInfo(der: Buffer): CertificateInfo {
  const cached = cache.get(der)
  if (cached) return cached
  const info = parseCertificate(der)
  cache.set(der, info)
  return info
}

function parseCertificate(der: Buffer): CertificateInfo {
  const what = 'certificate'
  const certificate = fieldsOf(readDer(der, what), what)
  const tbs = fieldsOf(certificate.required(0x10, 'tbsCertificate'), what)
  tbs.context(0)
  const serialNumber = tbs.required(0x02, 'serialNumber').raw
  tbs.required(0x10, 'signature')
  const issuer = tbs.required(0x10, 'issuer').raw
  tbs.required(0x10, 'validity')
  const subject = tbs.required(0x10, 'subject').raw
  const subjectPublicKeyInfo = tbs.required(0x10, 'subjectPublicKeyInfo').raw
  tbs.context(1)
  tbs.context(2)
  const extensions = tbs.context(3)?.children[0]
  const info: { -readonly [K in keyof CertificateInfo]: CertificateInfo[K] } = {
    der,
    issuer,
    serialNumber,
    subject,
    subjectPublicKeyInfo,
  }
  for (const extension of extensions?.children ?? []) readExtension(extension, info)
  return info
}

function readExtension(node: DerNode, info: { subjectKeyIdentifier?: Buffer; extKeyUsage?: CertificateInfo['extKeyUsage'] }): void {
  const fields = fieldsOf(node, 'extension')
  const extnId = oidOf(fields.required(0x06, 'extnID'))
  const critical = fields.optional(0x01)?.content[0] === 0xff
  const value = readDer(octetsOf(fields.required(0x04, 'extnValue')), extnId)
  if (extnId === OID.subjectKeyIdentifier) {
    if (value.tag !== 0x04) throw new Asn1Error('subjectKeyIdentifier: expected an OCTET STRING')
    info.subjectKeyIdentifier = octetsOf(value)
  } else if (extnId === OID.extKeyUsage) {
    info.extKeyUsage = { purposes: value.children.map(oidOf), critical }
  }
}

const keyCache = new WeakMap<Buffer, KeyObject>()

/** The certificate's public key as a node:crypto KeyObject (cached per certificate Buffer). */
export function publicKeyOf(info: CertificateInfo): KeyObject {
  let key = keyCache.get(info.der)
  if (!key) {
    key = createPublicKey({ key: info.subjectPublicKeyInfo, format: 'der', type: 'spki' })
    keyCache.set(info.der, key)
  }
  return key
}
