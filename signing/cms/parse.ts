/** Reads a CMS ContentInfo(SignedData) (RFC 5652 §3, §5) keeping the original bytes of each part. */
import { SigningError } from '../errors'
import { Asn1Error, fieldsOf, integerOf, octetsOf, oidOf, readDer, type DerNode } from './der-read'
import { retag } from './der-write'
import { OID } from './oids'

/** RFC 5652 §5.3 SignerIdentifier. */
export type SignerIdentifier =
  | { readonly issuer: Buffer; readonly serialNumber: Buffer }
  | { readonly subjectKeyIdentifier: Buffer }

export interface ParsedAttribute {
  readonly type: string
  readonly values: readonly DerNode[]
}

export interface ParsedSignerInfo {
  readonly version: number
  readonly sid: SignerIdentifier
  /** OID of the digest algorithm. */
  readonly digestAlgorithm: string
  /**
   * The signed attributes and their bytes re-tagged as a SET (0x31): what was signed (§5.4), as
   * received; `node` is the [0] element itself, for checking that it is DER.
   */
  readonly signedAttributes?: {
    readonly der: Buffer
    readonly node: DerNode
    readonly attributes: readonly ParsedAttribute[]
  }
  readonly signatureAlgorithm: { readonly oid: string; readonly parameters?: DerNode }
  readonly signatureValue: Buffer
  readonly unsignedAttributes: readonly ParsedAttribute[]
}

export interface ParsedSignedData {
  readonly version: number
  readonly digestAlgorithms: readonly string[]
  /** eContentType OID. */
  readonly contentType: string
  /** eContent; absent for a detached signature. */
  readonly content?: Buffer
  /** Certificates (the plain X.509 choice of CertificateChoices), DER. */
  readonly certificates: readonly Buffer[]
  readonly signerInfos: readonly ParsedSignerInfo[]
  /** The first SignerInfo's signature value (PDF signatures have exactly one SignerInfo). */
  readonly signatureValue: Buffer
  /** The first SignerInfo's signature-time-stamp token, DER, when present. */
  readonly timestampToken?: Buffer
}

/**
 * Parses `der` (trailing bytes, such as the zero padding of a PDF /Contents, are ignored).
 * Throws SigningError('CMS_UNREADABLE') if it is not a ContentInfo carrying SignedData.
 */
export function parseSignedData(der: Buffer): ParsedSignedData {
  try {
    return readSignedData(der)
  } catch (cause) {
    if (cause instanceof SigningError) throw cause
    throw new SigningError('CMS_UNREADABLE', 'not a CMS SignedData structure', { cause })
  }
}

/** The signature value of the first SignerInfo (what a signature time-stamp covers). */
export function extractSignatureValue(der: Buffer): Buffer {
  return Buffer.from(parseSignedData(der).signatureValue)
}

function readSignedData(der: Buffer): ParsedSignedData {
  const contentInfo = fieldsOf(readDer(der, 'ContentInfo'), 'ContentInfo')
  if (oidOf(contentInfo.required(0x06, 'contentType')) !== OID.signedData) {
    throw new Asn1Error('ContentInfo: content type is not signedData')
  }
  const wrapper = contentInfo.context(0)
  if (!wrapper?.children[0]) throw new Asn1Error('ContentInfo: content missing')
  const signedData = fieldsOf(wrapper.children[0], 'SignedData')
  const version = Number(integerOf(signedData.required(0x02, 'version')))
  const digestAlgorithms = signedData.required(0x11, 'digestAlgorithms').children.map(algorithmOid)
  const encap = fieldsOf(signedData.required(0x10, 'encapContentInfo'), 'EncapsulatedContentInfo')
  const contentType = oidOf(encap.required(0x06, 'eContentType'))
  const eContent = encap.context(0)?.children[0]
  const certificates = (signedData.context(0)?.children ?? [])
    .filter((c) => c.tagClass === 'universal' && c.tag === 0x10)
    .map((c) => Buffer.from(c.raw))
  signedData.context(1)
  const signerInfos = signedData.required(0x11, 'signerInfos').children.map(readSignerInfo)
  const first = signerInfos[0]
  if (!first) throw new Asn1Error('SignedData: no SignerInfo')
  const token = first.unsignedAttributes.find((a) => a.type === OID.signatureTimeStampToken)?.values[0]
  return {
    version,
    digestAlgorithms,
    contentType,
    ...(eContent ? { content: Buffer.from(octetsOf(eContent)) } : {}),
    certificates,
    signerInfos,
    signatureValue: first.signatureValue,
    ...(token ? { timestampToken: Buffer.from(token.raw) } : {}),
  }
}

function readSignerInfo(node: DerNode): ParsedSignerInfo {
  const what = 'SignerInfo'
  const fields = fieldsOf(node, what)
  const version = Number(integerOf(fields.required(0x02, 'version')))
  const sidNode = fields.any('sid')
  const digestAlgorithm = algorithmOid(fields.required(0x10, 'digestAlgorithm'))
  const signed = fields.context(0)
  const algorithm = fieldsOf(fields.required(0x10, 'signatureAlgorithm'), 'signatureAlgorithm')
  const signatureValue = Buffer.from(octetsOf(fields.required(0x04, 'signature')))
  const unsigned = fields.context(1)
  const signatureOid = oidOf(algorithm.required(0x06, 'algorithm'))
  const parameters = algorithm.optional(0x10)
  return {
    version,
    sid: readSid(sidNode),
    digestAlgorithm,
    ...(signed
      ? {
          signedAttributes: {
            der: retag(signed.raw, 0x31),
            node: signed,
            attributes: signed.children.map(readAttribute),
          },
        }
      : {}),
    signatureAlgorithm: parameters ? { oid: signatureOid, parameters } : { oid: signatureOid },
    signatureValue,
    unsignedAttributes: unsigned?.children.map(readAttribute) ?? [],
  }
}

function readSid(node: DerNode): SignerIdentifier {
  if (node.tagClass === 'context' && node.tag === 0) {
    return { subjectKeyIdentifier: Buffer.from(node.constructed ? octetsOf(node) : node.content) }
  }
  const fields = fieldsOf(node, 'IssuerAndSerialNumber')
  const issuer = Buffer.from(fields.required(0x10, 'issuer').raw)
  return { issuer, serialNumber: Buffer.from(fields.required(0x02, 'serialNumber').raw) }
}

function readAttribute(node: DerNode): ParsedAttribute {
  const fields = fieldsOf(node, 'Attribute')
  const type = oidOf(fields.required(0x06, 'attrType'))
  return { type, values: fields.required(0x11, 'attrValues').children }
}

function algorithmOid(node: DerNode): string {
  return oidOf(fieldsOf(node, 'AlgorithmIdentifier').required(0x06, 'algorithm'))
}
