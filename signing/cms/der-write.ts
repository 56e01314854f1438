/**
 * A minimal DER writer (ITU-T X.690 §10). CMS signed attributes must be DER (RFC 5652 §5.4), and
 * anything taken from a certificate (issuer Name, serial number, the certificate itself) is
 * spliced in as the original bytes, never re-encoded: node-forge issue #847 shows how rebuilding
 * a UTF8String issuer name breaks issuerAndSerialNumber matching.
 */

/** Encodes one TLV with a single-byte identifier `tag` (tag numbers up to 30). */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = content.length === 1 ? content[0]! : Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body])
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length])
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

export function sequence(...content: Buffer[]): Buffer {
  return tlv(0x30, ...content)
}

/** SET OF in DER: elements sorted by their encodings (X.690 §11.6). */
export function setOf(elements: readonly Buffer[]): Buffer {
  return tlv(0x31, ...[...elements].sort(Buffer.compare))
}

/** Context-specific constructed [n]: EXPLICIT tagging, or IMPLICIT tagging of a SET/SEQUENCE. */
export function contextConstructed(n: number, ...content: Buffer[]): Buffer {
  return tlv(0xa0 | n, ...content)
}

/** Context-specific primitive [n] IMPLICIT (e.g. Accuracy.millis in RFC 3161). */
export function contextPrimitive(n: number, content: Buffer): Buffer {
  return tlv(0x80 | n, content)
}

/** Re-tags a SET/SEQUENCE TLV to [n] IMPLICIT, keeping its content bytes as they are. */
export function retag(der: Buffer, tag: number): Buffer {
  const copy = Buffer.from(der)
  copy[0] = tag
  return copy
}

export const NULL = Buffer.from([0x05, 0x00])

export function octetString(bytes: Buffer): Buffer {
  return tlv(0x04, bytes)
}

export function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'))
}

export function boolean(value: boolean): Buffer {
  return Buffer.from([0x01, 0x01, value ? 0xff : 0x00])
}

/** INTEGER from a non-negative value, minimal two's complement (X.690 §8.3.2). */
export function integer(value: bigint | number): Buffer {
  let rest = BigInt(value)
  if (rest < 0n) throw new RangeError('negative INTEGER values are not used here')
  const bytes: number[] = []
  do {
    bytes.unshift(Number(rest & 0xffn))
    rest >>= 8n
  } while (rest > 0n)
  if (bytes[0]! & 0x80) bytes.unshift(0)
  return tlv(0x02, Buffer.from(bytes))
}

const oidCache = new Map<string, Buffer>()

/** OBJECT IDENTIFIER from dotted notation (X.690 §8.19); arcs may exceed 2^53 (2.25 UUID arcs). */
export function oid(dotted: string): Buffer {
  const cached = oidCache.get(dotted)
  if (cached) return cached
  const arcs = dotted.split('.').map((arc) => BigInt(arc))
  if (arcs.length < 2) throw new RangeError(`not an OID: ${dotted}`)
  const [first, second, ...rest] = arcs as [bigint, bigint, ...bigint[]]
  const bytes: number[] = []
  for (const arc of [first * 40n + second, ...rest]) {
    const group: number[] = [Number(arc & 0x7fn)]
    for (let v = arc >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80)
    bytes.push(...group)
  }
  const encoded = tlv(0x06, Buffer.from(bytes))
  oidCache.set(dotted, encoded)
  return encoded
}

/** AlgorithmIdentifier (RFC 5280 §4.1.1.2); parameters omitted unless given. */
export function algorithmIdentifier(algorithm: string, parameters?: Buffer): Buffer {
  return parameters ? sequence(oid(algorithm), parameters) : sequence(oid(algorithm))
}

/**
 * GeneralizedTime in UTC with milliseconds when non-zero; RFC 3161 §2.4.2 and X.690 §11.7 forbid
 * trailing zeros in the fraction and a bare decimal point.
 */
export function generalizedTime(date: Date): Buffer {
  const iso = date.toISOString() // YYYY-MM-DDTHH:MM:SS.mmmZ
  const whole = iso.slice(0, 19).replace(/[-T:]/g, '')
  const fraction = iso.slice(20, 23).replace(/0+$/, '')
  return tlv(0x18, Buffer.from(`${whole}${fraction ? '.' + fraction : ''}Z`, 'ascii'))
}

/** BIT STRING with one named bit set (X.690 §11.2.2: trailing zero bits removed). */
export function namedBitString(bit: number): Buffer {
  const bytes = Buffer.alloc(Math.floor(bit / 8) + 1)
  bytes[bytes.length - 1] = 0x80 >> (bit % 8)
  return tlv(0x03, Buffer.from([7 - (bit % 8)]), bytes)
}
