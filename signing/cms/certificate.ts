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
  /**
   * keyUsage bits (RFC 5280 §4.2.1.3), when present: bit 0 digitalSignature, 1 nonRepudiation,
   * 5 keyCertSign, 6 cRLSign.
   */
  readonly keyUsage?: ReadonlySet<number>
  /** cRLDistributionPoints URIs (RFC 5280 §4.2.1.13), when present. */
  readonly crlUrls?: readonly string[]
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
  const info: { -readonly [K in keyof CertificateInfo]: CertificateInfo[K] } & MutableInfo = {
    der,
    issuer,
    serialNumber,
    subject,
    subjectPublicKeyInfo,
  }
  for (const extension of extensions?.children ?? []) readExtension(extension, info)
  return info
}

type MutableInfo = {
  subjectKeyIdentifier?: Buffer
  extKeyUsage?: CertificateInfo['extKeyUsage']
  keyUsage?: ReadonlySet<number>
  crlUrls?: readonly string[]
}

function readExtension(node: DerNode, info: MutableInfo): void {
  const fields = fieldsOf(node, 'extension')
  const extnId = oidOf(fields.required(0x06, 'extnID'))
  const critical = fields.optional(0x01)?.content[0] === 0xff
  const value = readDer(octetsOf(fields.required(0x04, 'extnValue')), extnId)
  if (extnId === OID.subjectKeyIdentifier) {
    if (value.tag !== 0x04) throw new Asn1Error('subjectKeyIdentifier: expected an OCTET STRING')
    info.subjectKeyIdentifier = octetsOf(value)
  } else if (extnId === OID.extKeyUsage) {
    info.extKeyUsage = { purposes: value.children.map(oidOf), critical }
  } else if (extnId === OID_KEY_USAGE && value.tag === 0x03) {
    const bits = new Set<number>()
    value.content.subarray(1).forEach((byte, i) => {
      for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) bits.add(i * 8 + b)
    })
    info.keyUsage = bits
  } else if (extnId === OID_CRL_DISTRIBUTION_POINTS) {
    info.crlUrls = uris(value)
  }
}

const OID_KEY_USAGE = '2.5.29.15'
const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31'

/** Every uniformResourceIdentifier ([6] IA5String) under a node, depth-first. */
function uris(node: DerNode, depth = 0): string[] {
  if (depth > 8) return []
  if (node.tagClass === 'context' && node.tag === 6 && !node.constructed)
    return [node.content.toString('latin1')]
  return node.children.flatMap((c) => uris(c, depth + 1))
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
