/**
 * The one ASN.1 reader (issue 16): BER and DER (ITU-T X.690 §8, §10) for CMS, certificates, CRLs,
 * OCSP, time-stamps and PKCS#12. Every node keeps its original bytes (`raw`), so a verifier hashes
 * or compares exactly what was signed (RFC 5652 §5.4: the signature covers the signed attributes
 * as received) and a builder splices certificate fields in unchanged.
 *
 * Hand-written rather than asn1js: asn1js 4 took 4.5 ms to parse a 5 KB B-T signature and 25 ms
 * to load; this reader takes microseconds. Nodes are views into the input: `raw` and `content`
 * are made when first asked for, so a large CRL costs one small object per element.
 * The value decoders (der-values.ts, der-time.ts, der-text.ts) are exported from here too.
 */
import { Asn1Error } from './asn1-error'

export { Asn1Error } from './asn1-error'
export {
  bitStringOf,
  booleanOf,
  elementsOf,
  integerOf,
  octetsOf,
  oidOf,
  smallIntegerOf,
  type BitString,
} from './der-values'
export { timeOf } from './der-time'
export { textOf } from './der-text'

export type TagClass = 'universal' | 'application' | 'context' | 'private'

export interface DerNode {
  readonly tagClass: TagClass
  readonly tag: number
  readonly constructed: boolean
  /** The whole TLV as it appears in the input. */
  readonly raw: Buffer
  /** The value octets (without the end-of-contents octets of an indefinite length). */
  readonly content: Buffer
  readonly children: readonly DerNode[]
}

/**
 * What a read refuses, for every caller alike. X.690 bounds none of these; our structures stay far
 * inside them: a CMS with its chain nests about 15 deep, and a 10 MB CRL (the most a fetch takes,
 * remote-fetch.ts) has about 1.8 million elements.
 */
export const DER_LIMITS = Object.freeze({
  /** Nesting of constructed encodings below the outermost one. */
  maxDepth: 64,
  /** Elements in one read (each costs an object; two-byte elements would cost 60x the input). */
  maxNodes: 2_000_000,
  /** Subsequent length octets of the long form (X.690 §8.1.3.5): lengths below 4 GiB. */
  maxLengthOctets: 4,
  /** Subsequent octets of a high tag number (X.690 §8.1.2.4): tag numbers below 2^28. */
  maxTagOctets: 4,
})

const TAG_CLASSES: readonly TagClass[] = ['universal', 'application', 'context', 'private']
const NO_CHILDREN: readonly DerNode[] = Object.freeze([])

class Node implements DerNode {
  private rawBytes: Buffer | undefined = undefined
  private contentBytes: Buffer | undefined = undefined
  constructor(
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly contentStart: number,
    private readonly contentEnd: number,
    /** Offset just after the TLV in the input (the reader's own bookkeeping). */
    readonly end: number,
    readonly tagClass: TagClass,
    readonly tag: number,
    readonly constructed: boolean,
    readonly children: readonly DerNode[],
  ) {}

  get raw(): Buffer {
    return (this.rawBytes ??= this.bytes.subarray(this.start, this.end))
  }

  get content(): Buffer {
    return (this.contentBytes ??= this.bytes.subarray(this.contentStart, this.contentEnd))
  }
}

interface Read {
  readonly bytes: Buffer
  readonly what: string
  nodes: number
}

function fail(read: Read, offset: number, reason: string): never {
  throw new Asn1Error(`${read.what}: ${reason} at offset ${offset}`)
}

/**
 * Parses the first TLV of `input`; trailing bytes (a PDF /Contents zero padding) are ignored.
 * Throws Asn1Error, naming `what`, for anything that is not BER within DER_LIMITS.
 */
export function readDer(input: Uint8Array, what: string): DerNode {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  const read: Read = { bytes, what, nodes: 0 }
  if (bytes.length === 0) fail(read, 0, 'empty input')
  return readNode(read, 0, bytes.length, 0)
}

function readNode(read: Read, start: number, end: number, depth: number): Node {
  if (depth > DER_LIMITS.maxDepth) fail(read, start, `nested more than ${DER_LIMITS.maxDepth} deep`)
  if (++read.nodes > DER_LIMITS.maxNodes) fail(read, start, `more than ${DER_LIMITS.maxNodes} elements`)
  const { bytes } = read
  let pos = start
  // 1. Identifier octets (X.690 §8.1.2).
  const first = bytes[pos++] as number
  const constructed = (first & 0x20) !== 0
  let tag = first & 0x1f
  if (tag === 0x1f) [tag, pos] = highTagNumber(read, pos, end)
  if (first === 0x00 || first === 0x20) {
    fail(read, start, 'end-of-contents octets where no indefinite length ends (X.690 §8.1.5)')
  }
  // 2. Length octets (X.690 §8.1.3): short, long (BER allows leading zero octets), or indefinite.
  if (pos >= end) fail(read, start, 'truncated before its length')
  let length = bytes[pos++] as number
  const indefinite = length === 0x80
  if (indefinite && !constructed)
    fail(read, start, 'indefinite length on a primitive encoding (X.690 §8.1.3.2)')
  if (length > 0x80) {
    const count = length & 0x7f
    if (count === 0x7f) fail(read, start, 'reserved length octet FF (X.690 §8.1.3.5)')
    if (count > DER_LIMITS.maxLengthOctets)
      fail(read, start, `length of more than ${DER_LIMITS.maxLengthOctets} octets`)
    if (pos + count > end) fail(read, start, 'truncated in its length')
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[pos++] as number)
  }
  const tagClass = TAG_CLASSES[first >> 6] as TagClass
  // 3. Contents: up to the length, or up to the end-of-contents octets 00 00 (X.690 §8.1.5).
  if (!indefinite) {
    const contentEnd = pos + length
    if (contentEnd > end)
      fail(read, start, `truncated: ${length} content octets announced, ${end - pos} there`)
    const children = constructed ? readChildren(read, pos, contentEnd, depth) : NO_CHILDREN
    return new Node(bytes, start, pos, contentEnd, contentEnd, tagClass, tag, constructed, children)
  }
  const children: DerNode[] = []
  let p = pos
  for (;;) {
    if (p + 2 > end) fail(read, start, 'indefinite length without end-of-contents octets')
    if (bytes[p] === 0 && bytes[p + 1] === 0) break
    const child = readNode(read, p, end, depth + 1)
    children.push(child)
    p = child.end
  }
  return new Node(bytes, start, pos, p, p + 2, tagClass, tag, constructed, children)
}

function readChildren(read: Read, start: number, end: number, depth: number): DerNode[] {
  const children: DerNode[] = []
  for (let p = start; p < end; ) {
    const child = readNode(read, p, end, depth + 1)
    children.push(child)
    p = child.end
  }
  return children
}

/** High-tag-number form (X.690 §8.1.2.4): base-128 octets, the first not 80, for numbers >= 31. */
function highTagNumber(read: Read, pos: number, end: number): [number, number] {
  const start = pos - 1
  let tag = 0
  for (let octets = 1; ; octets++) {
    if (pos >= end) fail(read, start, 'truncated in its tag number')
    const b = read.bytes[pos++] as number
    if (octets === 1 && b === 0x80)
      fail(read, start, 'tag number with a leading zero octet (X.690 §8.1.2.4.2)')
    if (octets > DER_LIMITS.maxTagOctets) fail(read, start, 'tag number too large')
    tag = tag * 128 + (b & 0x7f)
    if ((b & 0x80) === 0) break
  }
  if (tag < 31) fail(read, start, `tag number ${tag} in the high-tag-number form (X.690 §8.1.2.2)`)
  return [tag, pos]
}

/** Walks the children of a SEQUENCE in order, with OPTIONAL and [n] tagged fields. */
export class Fields {
  private index = 0
  constructor(
    private readonly nodes: readonly DerNode[],
    private readonly what: string,
  ) {}

  /** The next field, which must have universal tag `tag`. */
  required(tag: number, field: string): DerNode {
    const node = this.optional(tag)
    if (!node) throw new Asn1Error(`${this.what}: ${field} missing or of the wrong type`)
    return node
  }

  /** The next field if it has universal tag `tag`. */
  optional(tag: number): DerNode | undefined {
    return this.take((n) => n.tagClass === 'universal' && n.tag === tag)
  }

  /** The next field if it is context-specific [n]. */
  context(n: number): DerNode | undefined {
    return this.take((node) => node.tagClass === 'context' && node.tag === n)
  }

  /** The next field whatever its tag (an ANY or a CHOICE). */
  any(field: string): DerNode {
    const node = this.take(() => true)
    if (!node) throw new Asn1Error(`${this.what}: ${field} missing`)
    return node
  }

  private take(accept: (node: DerNode) => boolean): DerNode | undefined {
    const node = this.nodes[this.index]
    if (!node || !accept(node)) return undefined
    this.index++
    return node
  }
}

/** The children of a SEQUENCE (or SET) node, checking its tag. */
export function fieldsOf(node: DerNode, what: string, tag = 0x10): Fields {
  if (!node.constructed || (node.tagClass === 'universal' && node.tag !== tag)) {
    throw new Asn1Error(`${what}: expected a ${tag === 0x11 ? 'SET' : 'SEQUENCE'}`)
  }
  return new Fields(node.children, what)
}
