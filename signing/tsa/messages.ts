/** TimeStampReq and TimeStampResp (RFC 3161 §2.4.1, §2.4.2) and PKIStatusInfo (RFC 3161 §2.4.2). */
import { Asn1Error, derWrite as w, fieldsOf, integerOf, oidOf, readDer, type HashName } from '../cms'
import { parseMessageImprint } from './tst-info'

export interface TimeStampRequest {
  /** The MessageImprint exactly as received: the token must carry the same value. */
  readonly messageImprint: Buffer
  /** Undefined when the hash algorithm is not one we know. */
  readonly hashAlgorithm?: HashName
  readonly hashedMessage: Buffer
  readonly reqPolicy?: string
  readonly nonce?: bigint
  readonly certReq: boolean
  readonly hasExtensions: boolean
}

/** Parses a DER TimeStampReq; throws Asn1Error for anything else (including trailing bytes). */
export function parseTimeStampReq(der: Buffer): TimeStampRequest {
  const what = 'TimeStampReq'
  const node = readDer(der, what)
  if (node.raw.length !== der.length) throw new Asn1Error(`${what}: trailing bytes`)
  const fields = fieldsOf(node, what)
  if (integerOf(fields.required(0x02, 'version')) !== 1n) throw new Asn1Error(`${what}: version is not 1`)
  const imprintNode = fields.required(0x10, 'messageImprint')
  const reqPolicy = fields.optional(0x06)
  const nonce = fields.optional(0x02)
  const certReq = fields.optional(0x01)
  const extensions = fields.context(0)
  return {
    messageImprint: Buffer.from(imprintNode.raw),
    ...parseMessageImprint(imprintNode),
    ...(reqPolicy ? { reqPolicy: oidOf(reqPolicy) } : {}),
    ...(nonce ? { nonce: integerOf(nonce) } : {}),
    certReq: certReq !== undefined && certReq.content[0] !== 0,
    hasExtensions: extensions !== undefined,
  }
}

export function encodeTimeStampReq(req: { messageImprint: Buffer; nonce: bigint; certReq: boolean }): Buffer {
  return w.sequence(
    w.integer(1),
    req.messageImprint,
    w.integer(req.nonce),
    ...(req.certReq ? [w.boolean(true)] : []),
  )
}

/** PKIStatus values (RFC 3161 §2.4.2). */
export const PKI_STATUS = { granted: 0, grantedWithMods: 1, rejection: 2, waiting: 3 } as const

/** PKIFailureInfo bit numbers (RFC 3161 §2.4.2). */
export const FAILURE_INFO = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
} as const

export type FailureInfo = keyof typeof FAILURE_INFO

export function encodeGranted(token: Buffer): Buffer {
  return w.sequence(w.sequence(w.integer(PKI_STATUS.granted)), token)
}

export function encodeRejection(failure: FailureInfo, text: string): Buffer {
  const statusInfo = w.sequence(
    w.integer(PKI_STATUS.rejection),
    w.sequence(w.utf8String(text)),
    w.namedBitString(FAILURE_INFO[failure]),
  )
  return w.sequence(statusInfo)
}

export interface TimeStampResponse {
  readonly status: number
  readonly statusText: readonly string[]
  readonly failInfo: readonly FailureInfo[]
  readonly token?: Buffer
}

/** Parses a DER TimeStampResp; throws Asn1Error for anything else. */
export function parseTimeStampResp(der: Buffer): TimeStampResponse {
  const fields = fieldsOf(readDer(der, 'TimeStampResp'), 'TimeStampResp')
  const statusInfo = fieldsOf(fields.required(0x10, 'status'), 'PKIStatusInfo')
  const status = Number(integerOf(statusInfo.required(0x02, 'status')))
  const statusText = (statusInfo.optional(0x10)?.children ?? []).map((t) => t.content.toString('utf8'))
  const failBits = statusInfo.optional(0x03)?.content.subarray(1) ?? Buffer.alloc(0)
  const failInfo = (Object.keys(FAILURE_INFO) as FailureInfo[]).filter((name) => {
    const bit = FAILURE_INFO[name]
    return ((failBits[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0
  })
  const token = fields.optional(0x10)
  return { status, statusText, failInfo, ...(token ? { token: Buffer.from(token.raw) } : {}) }
}
