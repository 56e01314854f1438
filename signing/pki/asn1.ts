/**
 * Small DER building and reading helpers over asn1js, shared by the certificate and CRL code.
 * Parsing keeps the original bytes of every element (`raw`) so that names and TBS structures are
 * compared and verified exactly as they were signed, never re-encoded.
 */
import * as asn1js from 'asn1js'
import { tlv } from '../cms/der-write'

export type Block = asn1js.BaseBlock

/**
 * Structures are assembled as byte buffers (tag, DER length, contents) with the TLV writer of
 * signing/cms, so that elements copied from elsewhere (the issuer's Name, a SubjectPublicKeyInfo,
 * a TBS) go in byte for byte; asn1js encodes the leaves.
 */
export { tlv }

export const seq = (...parts: Buffer[]) => tlv(0x30, ...parts)
/** DER SET OF: elements in ascending order of their encodings (X.690 §11.6). */
export const set = (...parts: Buffer[]) => tlv(0x31, ...[...parts].sort(Buffer.compare))
/** EXPLICIT [n]: a constructed context-specific tag around the given elements. */
export const explicit = (tagNumber: number, ...parts: Buffer[]) => tlv(0xa0 | tagNumber, ...parts)
/** IMPLICIT [n] on a primitive value (e.g. GeneralName rfc822Name [1] IA5String). */
export const implicitPrimitive = (tagNumber: number, content: Buffer) => tlv(0x80 | tagNumber, content)

const der = (block: Block) => Buffer.from(block.toBER(false))
export const oid = (value: string) => der(new asn1js.ObjectIdentifier({ value }))
export const octetString = (data: Buffer) => tlv(0x04, data)
export const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]))
export const int = (value: number) => der(new asn1js.Integer({ value }))
export const nullDer = () => Buffer.from([0x05, 0x00])
export const utf8 = (value: string) => tlv(0x0c, Buffer.from(value, 'utf8'))
export const printable = (value: string) => tlv(0x13, Buffer.from(value, 'ascii'))
export const enumerated = (value: number) => tlv(0x0a, Buffer.from([value]))
/** A BIT STRING whose content is whole bytes (signatures, public keys, key identifiers). */
export const bitString = (data: Buffer, unusedBits = 0) => tlv(0x03, Buffer.from([unusedBits]), data)

/** An INTEGER from the magnitude's big-endian bytes; a 0x00 is prefixed when the top bit is set. */
export const intFromBytes = (bytes: Buffer) =>
  tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes)

/**
 * RFC 5280 §4.1.2.5 (and §5.1.2.4 for CRLs): UTCTime through 2049, GeneralizedTime from 2050,
 * always in Z and without fractional seconds.
 */
export function time(date: Date): Buffer {
  const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString() // YYYY-MM-DDTHH:MM:SS.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z'
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2))) : tlv(0x18, Buffer.from(digits))
}

/** A NamedBitList BIT STRING (X.690 §11.2.2: trailing zero bits removed). */
export function namedBits(bits: number[]): Buffer {
  const highest = Math.max(...bits)
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1)
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7)
  return bitString(bytes, 7 - (highest & 7))
}

export class Asn1Error extends Error {}

export function parseDer(der: Buffer | Uint8Array): Block {
  const parsed = asn1js.fromBER(der, { parseEmbedded: false, maxNodes: 10_000_000 })
  if (parsed.offset === -1) throw new Asn1Error(`not DER: ${parsed.result.error}`)
  return parsed.result
}

/** The elements of a SEQUENCE, SET or constructed tag, requiring at least `min` of them. */
export function children(block: Block, min = 0): Block[] {
  const value: unknown = (block.valueBlock as { value?: unknown }).value
  if (!Array.isArray(value) || value.length < min) throw new Asn1Error('unexpected ASN.1 structure')
  return value as Block[]
}

export const raw = (block: Block) => Buffer.from(block.valueBeforeDecodeView)

export function isContext(block: Block, tagNumber: number): boolean {
  return block.idBlock.tagClass === 3 && block.idBlock.tagNumber === tagNumber
}

export function oidOf(block: Block | undefined): string {
  if (!(block instanceof asn1js.ObjectIdentifier)) throw new Asn1Error('expected an OBJECT IDENTIFIER')
  return block.valueBlock.toString()
}

/** Content octets of a primitive element (OCTET STRING, INTEGER, IMPLICIT tags). */
export function contentOf(block: Block | undefined): Buffer {
  const view = (block?.valueBlock as { valueHexView?: Uint8Array } | undefined)?.valueHexView
  if (!view) throw new Asn1Error('expected a primitive value')
  return Buffer.from(view)
}

/** Upper-case hex of an INTEGER's magnitude, as `X509Certificate.serialNumber` prints it. */
export function serialHexOf(block: Block | undefined): string {
  if (!(block instanceof asn1js.Integer)) throw new Asn1Error('expected an INTEGER')
  let bytes = contentOf(block)
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1)
  return bytes.toString('hex').toUpperCase()
}

export function timeOf(block: Block | undefined): Date {
  if (!(block instanceof asn1js.UTCTime)) throw new Asn1Error('expected a UTCTime or GeneralizedTime')
  return block.toDate()
}
