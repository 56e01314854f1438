/**
 * The facts about a certificate that issuing, revocation and pre-signing checks need, read from
 * the DER (RFC 5280 §4.1) with the original bytes of names kept for exact comparison.
 */
import * as crypto from 'node:crypto'
import {
  Asn1Error,
  bitStringOf,
  booleanOf,
  elementsOf,
  octetsOf,
  oidOf,
  readDer,
  timeOf,
  type DerNode,
} from '../cms/der-read'
import { SigningError } from '../errors'
import { ACCESS_METHODS, EXTENSION_OIDS, KEY_USAGE, type KeyUsageName } from './extensions'
import { formatName, nameAttribute } from './names'

export interface CertificateFacts {
  der: Buffer
  /** Upper-case hex, as `X509Certificate.serialNumber` and `openssl x509 -serial` print it. */
  serialHex: string
  issuerName: Buffer
  subjectName: Buffer
  /** "CN=…, title=…, O=…, C=VN". */
  subject: string
  issuer: string
  commonName?: string
  organization?: string
  notBefore: Date
  notAfter: Date
  publicKey: crypto.KeyObject
  /** Absent when the certificate has no keyUsage extension (then every usage is allowed). */
  keyUsage?: Set<KeyUsageName>
  extKeyUsage?: { purposes: string[]; critical: boolean }
  isCa: boolean
  subjectKeyId?: Buffer
  /** authorityInfoAccess id-ad-ocsp URIs (RFC 5280 §4.2.2.1, RFC 6960 §3.1); empty when absent. */
  ocspUrls: string[]
  /** authorityInfoAccess id-ad-caIssuers URIs: where the issuer's certificate is published. */
  caIssuersUrls: string[]
}

function parseCertificateFacts(der: Buffer): CertificateFacts {
  try {
    const tbs = elementsOf(elementsOf(readDer(der, 'certificate'), 3)[0], 6)
    // §4.1.2.1: version is [0] EXPLICIT and absent for v1.
    const t = isContext(tbs[0], 0) ? tbs.slice(1) : tbs
    const [serial, , issuer, validity, subject, spki, ...rest] = t
    if (!issuer || !validity || !subject || !spki) throw new Asn1Error('tbsCertificate lacks a field')
    const [notBefore, notAfter] = elementsOf(validity, 2)
    const facts: CertificateFacts = {
      der,
      serialHex: serialHexOf(serial),
      issuerName: Buffer.from(issuer.raw),
      subjectName: Buffer.from(subject.raw),
      subject: formatName(subject),
      issuer: formatName(issuer),
      commonName: nameAttribute(subject),
      organization: nameAttribute(subject, '2.5.4.10'),
      notBefore: timeOf(notBefore),
      notAfter: timeOf(notAfter),
      publicKey: crypto.createPublicKey({ key: spki.raw, format: 'der', type: 'spki' }),
      isCa: false,
      ocspUrls: [],
      caIssuersUrls: [],
    }
    const extensions = rest.find((b) => isContext(b, 3))
    const list = extensions ? elementsOf(elementsOf(extensions, 1)[0]) : []
    for (const ext of list) readExtension(ext, facts)
    return facts
  } catch (err) {
    if (err instanceof SigningError) throw err
    throw new SigningError('CERT_UNREADABLE', 'Không đọc được chứng thư số (certificate is not X.509 DER)', {
      cause: err,
    })
  }
}

const isContext = (node: DerNode | undefined, tag: number): boolean =>
  node?.tagClass === 'context' && node.tag === tag
const isBoolean = (node: DerNode | undefined): boolean => node?.tagClass === 'universal' && node.tag === 0x01

/** Upper-case hex of an INTEGER's octets without leading zero octets (`X509Certificate.serialNumber`). */
function serialHexOf(node: DerNode | undefined): string {
  if (node?.tagClass !== 'universal' || node.tag !== 0x02 || node.constructed) {
    throw new Asn1Error('expected an INTEGER')
  }
  let bytes = node.content
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1)
  return bytes.toString('hex').toUpperCase()
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue } (§4.1). */
function readExtension(ext: DerNode, facts: CertificateFacts): void {
  const parts = elementsOf(ext, 2)
  const critical = isBoolean(parts[1]) && booleanOf(parts[1])
  const value = readDer(octetsOf(parts[parts.length - 1]), 'extnValue')
  switch (oidOf(parts[0])) {
    case EXTENSION_OIDS.keyUsage: {
      const { bytes } = bitStringOf(value)
      const set = new Set<KeyUsageName>()
      for (const [name, bit] of Object.entries(KEY_USAGE) as Array<[KeyUsageName, number]>) {
        if (((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0) set.add(name)
      }
      facts.keyUsage = set
      break
    }
    case EXTENSION_OIDS.extKeyUsage:
      facts.extKeyUsage = { purposes: elementsOf(value).map((p) => oidOf(p)), critical }
      break
    case EXTENSION_OIDS.basicConstraints: {
      const first = elementsOf(value)[0]
      facts.isCa = isBoolean(first) && booleanOf(first)
      break
    }
    case EXTENSION_OIDS.subjectKeyIdentifier:
      facts.subjectKeyId = Buffer.from(octetsOf(value))
      break
    case EXTENSION_OIDS.authorityInfoAccess:
      readAccessDescriptions(value, facts)
      break
  }
}

/** AccessDescription ::= SEQUENCE { accessMethod, accessLocation GeneralName }; URIs only ([6]). */
function readAccessDescriptions(value: DerNode, facts: CertificateFacts): void {
  for (const description of elementsOf(value)) {
    const [method, location] = elementsOf(description, 2)
    if (!isContext(location, 6) || location?.constructed) continue
    const url = (location as DerNode).content.toString('latin1')
    const accessMethod = oidOf(method)
    if (accessMethod === ACCESS_METHODS.ocsp) facts.ocspUrls.push(url)
    else if (accessMethod === ACCESS_METHODS.caIssuers) facts.caIssuersUrls.push(url)
  }
}

/** PEM armour (RFC 7468) for a DER certificate or CRL. */
export function toPem(label: 'CERTIFICATE' | 'X509 CRL', der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

export { fromPem } from './pem'

/** Parsed certificates by their DER, so a validator checking many signatures parses each once. */
const factsCache = new Map<string, CertificateFacts>()
const FACTS_CACHE_SIZE = 512

/** The facts of a DER certificate, parsed once per distinct certificate. */
export function readCertificate(der: Buffer): CertificateFacts {
  const key = der.toString('base64')
  const hit = factsCache.get(key)
  if (hit) return hit
  const facts = parseCertificateFacts(der)
  if (factsCache.size >= FACTS_CACHE_SIZE) factsCache.delete(factsCache.keys().next().value as string)
  factsCache.set(key, facts)
  return facts
}
