/**
 * Small DER building helpers shared by the certificate, CRL and OCSP code (reading is the one
 * reader of signing/cms/der-read.ts). Structures are assembled as byte buffers (tag, DER length,
 * contents) with the TLV writer of signing/cms, so that elements copied from elsewhere (the
 * issuer's Name, a SubjectPublicKeyInfo, a TBS) go in byte for byte.
 */
import { integer, oid as encodeOid, tlv } from '../cms/der-write'

export { tlv }

export const seq = (...parts: Buffer[]) => tlv(0x30, ...parts)
/** DER SET OF: elements in ascending order of their encodings (X.690 §11.6). */
export const set = (...parts: Buffer[]) => tlv(0x31, ...[...parts].sort(Buffer.compare))
/** EXPLICIT [n]: a constructed context-specific tag around the given elements. */
export const explicit = (tagNumber: number, ...parts: Buffer[]) => tlv(0xa0 | tagNumber, ...parts)
/** IMPLICIT [n] on a primitive value (e.g. GeneralName rfc822Name [1] IA5String). */
export const implicitPrimitive = (tagNumber: number, content: Buffer) => tlv(0x80 | tagNumber, content)

export const oid = (value: string) => encodeOid(value)
export const octetString = (data: Buffer) => tlv(0x04, data)
export const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]))
/** A non-negative INTEGER (versions, path lengths, CRL numbers), minimal (X.690 §8.3.2). */
export const int = (value: number) => integer(value)
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
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(digits.slice(2)))
    : tlv(0x18, Buffer.from(digits))
}

/** A NamedBitList BIT STRING (X.690 §11.2.2: trailing zero bits removed). */
export function namedBits(bits: number[]): Buffer {
  const highest = Math.max(...bits)
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1)
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7)
  return bitString(bytes, 7 - (highest & 7))
}
