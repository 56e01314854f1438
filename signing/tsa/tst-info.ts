/** TSTInfo (RFC 3161 §2.4.2), the content a time-stamp token signs. */
import {
  Asn1Error,
  derWrite as w,
  fieldsOf,
  HASH_BY_OID,
  integerOf,
  octetsOf,
  oidOf,
  readDer,
  timeOf,
  type DerNode,
} from '../cms'
import type { HashName } from '../cms'

export interface TstInfoInput {
  readonly policy: string
  /** MessageImprint ::= SEQUENCE { hashAlgorithm, hashedMessage }, DER. */
  readonly messageImprint: Buffer
  readonly serialNumber: bigint
  readonly genTime: Date
  readonly accuracySeconds?: number
  readonly nonce?: bigint
  /** The TSA's subject Name, DER, for the `tsa` hint field. */
  readonly tsaName?: Buffer
}

export function encodeMessageImprint(hashOid: string, hashedMessage: Buffer): Buffer {
  return w.sequence(w.algorithmIdentifier(hashOid), w.octetString(hashedMessage))
}

export function encodeTstInfo(input: TstInfoInput): Buffer {
  return w.sequence(
    w.integer(1),
    w.oid(input.policy),
    input.messageImprint,
    w.integer(input.serialNumber),
    w.generalizedTime(input.genTime),
    ...(input.accuracySeconds ? [encodeAccuracy(input.accuracySeconds)] : []),
    ...(input.nonce !== undefined ? [w.integer(input.nonce)] : []),
    // tsa [0] GeneralName: a CHOICE, so EXPLICIT; directoryName is [4] (RFC 5280 §4.2.1.6).
    ...(input.tsaName ? [w.contextConstructed(0, w.contextConstructed(4, input.tsaName))] : []),
  )
}

/** Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] IMPLICIT INTEGER (1..999) OPTIONAL, ... } */
function encodeAccuracy(accuracySeconds: number): Buffer {
  const seconds = Math.floor(accuracySeconds)
  const millis = Math.round((accuracySeconds - seconds) * 1000)
  return w.sequence(
    ...(seconds > 0 ? [w.integer(seconds)] : []),
    ...(millis > 0 ? [w.contextPrimitive(0, w.integer(millis).subarray(2))] : []),
  )
}

export interface TstInfo {
  readonly policy: string
  /** Undefined when the imprint's hash algorithm is not one we support. */
  readonly hashAlgorithm?: HashName
  readonly hashedMessage: Buffer
  readonly serialNumber: bigint
  readonly genTime: Date
  readonly nonce?: bigint
}

/** Parses TSTInfo DER; throws Asn1Error when it is not one. */
export function parseTstInfo(der: Buffer): TstInfo {
  const what = 'TSTInfo'
  const fields = fieldsOf(readDer(der, what), what)
  if (integerOf(fields.required(0x02, 'version')) !== 1n) throw new Asn1Error('TSTInfo: unsupported version')
  const policy = oidOf(fields.required(0x06, 'policy'))
  const imprint = parseMessageImprint(fields.required(0x10, 'messageImprint'))
  const serialNumber = integerOf(fields.required(0x02, 'serialNumber'))
  const genTime = timeOf(fields.required(0x18, 'genTime'))
  fields.optional(0x10)
  fields.optional(0x01)
  const nonce = fields.optional(0x02)
  return { policy, ...imprint, serialNumber, genTime, ...(nonce ? { nonce: integerOf(nonce) } : {}) }
}

export function parseMessageImprint(node: DerNode): { hashAlgorithm?: HashName; hashedMessage: Buffer } {
  const fields = fieldsOf(node, 'MessageImprint')
  const algorithm = fieldsOf(fields.required(0x10, 'hashAlgorithm'), 'AlgorithmIdentifier')
  const hashAlgorithm = HASH_BY_OID[oidOf(algorithm.required(0x06, 'algorithm'))]
  const hashedMessage = Buffer.from(octetsOf(fields.required(0x04, 'hashedMessage')))
  return hashAlgorithm ? { hashAlgorithm, hashedMessage } : { hashedMessage }
}
