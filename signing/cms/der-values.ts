/**
 * Values of the universal types (ITU-T X.690 §8) read from nodes of der-read.ts, each refusing
 * what BER itself forbids: truncated or padded OBJECT IDENTIFIER arcs, empty INTEGERs, BOOLEANs of
 * more than one octet, BIT STRINGs with more than 7 unused bits, OCTET STRING segments of another
 * type. Import them from der-read.ts.
 */
import { Asn1Error } from './asn1-error'
import type { DerNode } from './der-read'

/** Octets of one OBJECT IDENTIFIER arc: 2.25 UUID arcs (128 bits) take 19. */
const MAX_ARC_OCTETS = 20
/** Octets of an INTEGER read as a bigint: serials have at most 20 (RFC 5280 §4.1.2.2). */
const MAX_INTEGER_OCTETS = 1024

/** The elements of a constructed node (SEQUENCE, SET, [n] EXPLICIT), at least `min` of them. */
export function elementsOf(node: DerNode | undefined, min = 0): readonly DerNode[] {
  if (!node?.constructed) throw new Asn1Error('expected a constructed element')
  if (node.children.length < min)
    throw new Asn1Error(`expected at least ${min} elements, found ${node.children.length}`)
  return node.children
}

/** Dotted OBJECT IDENTIFIER (X.690 §8.19): minimal arcs, the last one complete. */
export function oidOf(node: DerNode | undefined): string {
  if (node?.tagClass !== 'universal' || node.tag !== 0x06 || node.constructed) {
    throw new Asn1Error('expected an OBJECT IDENTIFIER')
  }
  const content = node.content
  if (content.length === 0) throw new Asn1Error('empty OBJECT IDENTIFIER')
  const arcs: bigint[] = []
  let value = 0n
  let octets = 0
  for (const byte of content) {
    // §8.19.2: "the leading octet of the subidentifier shall not have the value 80".
    if (octets === 0 && byte === 0x80) throw new Asn1Error('OBJECT IDENTIFIER arc with a leading zero octet')
    if (++octets > MAX_ARC_OCTETS)
      throw new Asn1Error(`OBJECT IDENTIFIER arc longer than ${MAX_ARC_OCTETS} octets`)
    value = (value << 7n) | BigInt(byte & 0x7f)
    if ((byte & 0x80) === 0) {
      arcs.push(value)
      value = 0n
      octets = 0
    }
  }
  if (octets !== 0) throw new Asn1Error('OBJECT IDENTIFIER truncated in its last arc')
  const first = arcs.shift() as bigint
  const top = first < 80n ? first / 40n : 2n
  return [top, first - top * 40n, ...arcs].join('.')
}

/** INTEGER or ENUMERATED as a bigint (two's complement, X.690 §8.3). */
export function integerOf(node: DerNode | undefined): bigint {
  if (!node || node.constructed) throw new Asn1Error('expected an INTEGER')
  const content = node.content
  if (content.length === 0) throw new Asn1Error('empty INTEGER')
  if (content.length > MAX_INTEGER_OCTETS)
    throw new Asn1Error(`INTEGER longer than ${MAX_INTEGER_OCTETS} octets`)
  const value = BigInt('0x' + content.toString('hex'))
  const negative = ((content[0] as number) & 0x80) !== 0
  return negative ? value - (1n << BigInt(content.length * 8)) : value
}

/** An INTEGER that counts something (a version, an iteration count): a number in 0..max. */
export function smallIntegerOf(node: DerNode | undefined, max: number): number {
  const value = integerOf(node)
  if (value < 0n || value > BigInt(max)) throw new Asn1Error(`INTEGER ${value} out of range 0..${max}`)
  return Number(value)
}

/** BOOLEAN (X.690 §8.2): one octet, any non-zero value TRUE. */
export function booleanOf(node: DerNode | undefined): boolean {
  if (node?.tagClass !== 'universal' || node.tag !== 0x01 || node.constructed) {
    throw new Asn1Error('expected a BOOLEAN')
  }
  if (node.content.length !== 1) throw new Asn1Error('BOOLEAN of other than one octet (X.690 §8.2.1)')
  return node.content[0] !== 0
}

export interface BitString {
  /** Unused bits in the last octet (0..7). */
  readonly unusedBits: number
  /** The octets after the unused-bits octet: bit 0 is the top bit of the first. */
  readonly bytes: Buffer
}

/** BIT STRING, primitive (X.690 §8.6.2): the initial octet counts 0-7 unused bits, 0 when empty. */
export function bitStringOf(node: DerNode | undefined): BitString {
  if (node?.tagClass !== 'universal' || node.tag !== 0x03 || node.constructed) {
    throw new Asn1Error('expected a primitive BIT STRING')
  }
  const unusedBits = node.content[0]
  if (unusedBits === undefined) throw new Asn1Error('BIT STRING without its initial octet')
  if (unusedBits > 7 || (unusedBits > 0 && node.content.length === 1)) {
    throw new Asn1Error(`BIT STRING with ${unusedBits} unused bits (X.690 §8.6.2.2)`)
  }
  return { unusedBits, bytes: node.content.subarray(1) }
}

/**
 * OCTET STRING value, or the value of an IMPLICIT [n] one; a BER constructed OCTET STRING is the
 * concatenation of its segments, each itself an OCTET STRING (X.690 §8.7.3).
 */
export function octetsOf(node: DerNode | undefined): Buffer {
  if (!node || (node.tagClass === 'universal' && node.tag !== 0x04))
    throw new Asn1Error('expected an OCTET STRING')
  if (!node.constructed) return node.content
  return Buffer.concat(node.children.map(segmentOf))
}

function segmentOf(node: DerNode): Buffer {
  if (node.tagClass !== 'universal' || node.tag !== 0x04) {
    throw new Asn1Error('a constructed OCTET STRING holds something else than OCTET STRINGs')
  }
  return octetsOf(node)
}
