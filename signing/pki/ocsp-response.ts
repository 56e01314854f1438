/**
 * Reading an OCSPResponse (RFC 6960 §4.2.1) into its parts, checking nothing but its shape: what
 * the parts are worth is decided in ocsp.ts. Bytes are kept as received for signature checks.
 */
import { Asn1Error, fieldsOf, integerOf, octetsOf, oidOf, readDer, timeOf } from '../cms/der-read'
import type { DerNode } from '../cms/der-read'
import * as m from './ocsp-messages'
import { reasonName } from './revocation-reasons'

export interface SingleAnswer {
  certId: m.CertId
  status: 'good' | 'revoked' | 'unknown'
  revokedAt?: Date
  /** RFC 5280 §5.3.1 CRLReason name. */
  reason?: string
  thisUpdate: Date
  nextUpdate?: Date
}

export interface BasicResponse {
  /** ResponseData as received: what the signature covers. */
  tbs: Buffer
  signatureAlgorithm: { oid: string; parameters?: DerNode }
  signature: Buffer
  /** certs [0]: certificates that help to verify the signature (a delegated responder's). */
  certs: Buffer[]
  responderId: { byName: Buffer } | { byKey: Buffer }
  producedAt: Date
  responses: SingleAnswer[]
  nonce?: Buffer
}

export type ReadResponse = { status: 'successful'; basic: BasicResponse } | { status: string }

/**
 * The responseStatus and, when successful, the BasicOCSPResponse. Throws Asn1Error for anything
 * that is not a DER OCSPResponse of type id-pkix-ocsp-basic (trailing bytes included).
 */
export function readOcspResponse(der: Buffer): ReadResponse {
  const top = readDer(der, 'OCSPResponse')
  if (top.raw.length !== der.length) throw new Asn1Error('OCSPResponse: trailing bytes')
  const fields = fieldsOf(top, 'OCSPResponse')
  const code = Number(integerOf(fields.required(0x0a, 'responseStatus')))
  const name = Object.entries(m.RESPONSE_STATUS).find(([, value]) => value === code)?.[0] ?? `status ${code}`
  if (code !== m.RESPONSE_STATUS.successful) return { status: name }
  const bytes = fields.context(0)?.children[0]
  if (!bytes) throw new Asn1Error('a successful OCSPResponse has responseBytes')
  const responseBytes = fieldsOf(bytes, 'ResponseBytes')
  const type = oidOf(responseBytes.required(0x06, 'responseType'))
  if (type !== m.OCSP_OID.basicResponse) throw new Asn1Error(`response type ${type} is not basic`)
  const basic = readDer(octetsOf(responseBytes.required(0x04, 'response')), 'BasicOCSPResponse')
  return { status: 'successful', basic: readBasic(basic) }
}

function readBasic(node: DerNode): BasicResponse {
  const fields = fieldsOf(node, 'BasicOCSPResponse')
  const tbsNode = fields.required(0x10, 'tbsResponseData')
  const algorithm = fieldsOf(fields.required(0x10, 'signatureAlgorithm'), 'AlgorithmIdentifier')
  const algorithmOid = oidOf(algorithm.required(0x06, 'algorithm'))
  const parameters = algorithm.optional(0x10)
  const signature = fields.required(0x03, 'signature').content.subarray(1) // skip the unused-bits octet
  const certs = (fields.context(0)?.children[0]?.children ?? []).map((c) => Buffer.from(c.raw))
  const tbs = fieldsOf(tbsNode, 'ResponseData')
  const version = tbs.context(0)?.children[0]
  if (version && integerOf(version) !== 0n) throw new Asn1Error('ResponseData: version is not v1')
  const responderId = readResponderId(tbs.any('responderID'))
  const producedAt = timeOf(tbs.required(0x18, 'producedAt'))
  const responses = tbs.required(0x10, 'responses').children.map(readSingle)
  const nonce = m.readExtensions(tbs.context(1)?.children[0]).find((e) => e.id === m.OCSP_OID.nonce)
  return {
    tbs: tbsNode.raw,
    signatureAlgorithm: { oid: algorithmOid, ...(parameters && { parameters }) },
    signature,
    certs,
    responderId,
    producedAt,
    responses,
    ...(nonce && { nonce: m.nonceOf(nonce.value) }),
  }
}

/** ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }, explicitly tagged. */
function readResponderId(node: DerNode): BasicResponse['responderId'] {
  const inner = node.children[0]
  if (node.tagClass === 'context' && node.tag === 1 && inner) return { byName: inner.raw }
  if (node.tagClass === 'context' && node.tag === 2 && inner) return { byKey: octetsOf(inner) }
  throw new Asn1Error('ResponderID is neither byName nor byKey')
}

/** CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] }. */
function readSingle(node: DerNode): SingleAnswer {
  const fields = fieldsOf(node, 'SingleResponse')
  const certId = m.readCertId(fields.required(0x10, 'certID'))
  const certStatus = fields.any('certStatus')
  const thisUpdate = timeOf(fields.required(0x18, 'thisUpdate'))
  const next = fields.context(0)?.children[0]
  const nextUpdate = next ? timeOf(next) : undefined
  const answer: SingleAnswer = { certId, status: 'unknown', thisUpdate, ...(nextUpdate && { nextUpdate }) }
  if (certStatus.tagClass !== 'context' || certStatus.tag > 2) throw new Asn1Error('unexpected CertStatus')
  if (certStatus.tag === 0) answer.status = 'good'
  if (certStatus.tag === 1) {
    const revoked = fieldsOf(certStatus, 'RevokedInfo')
    answer.status = 'revoked'
    answer.revokedAt = timeOf(revoked.required(0x18, 'revocationTime'))
    const reason = revoked.context(0)?.children[0]
    if (reason?.tag === 0x0a) answer.reason = reasonName(Number(integerOf(reason)))
  }
  return answer
}
