/** The built-in TSA's request handler: TimeStampReq in, TimeStampResp out (RFC 3161 §2.4). */
import { HASH_LENGTH } from '../cms'
import type { KeySource } from '../keys/key-source'
import { encodeGranted, encodeRejection, parseTimeStampReq, type TimeStampRequest } from './messages'
import { issueToken, KYSO_TSA_POLICY, type ImprintHash } from './token'

export interface TsaConfig {
  readonly keySource: KeySource
  /** Default KYSO_TSA_POLICY. */
  readonly policy?: string
}

const ACCEPTED_HASHES: ReadonlySet<string> = new Set<ImprintHash>(['sha256', 'sha384', 'sha512'])

/**
 * Answers one DER TimeStampReq (served over HTTP as application/timestamp-reply, RFC 3161 §3.4).
 * A request we cannot honour gets a `rejection` status with its PKIFailureInfo: badDataFormat
 * for a malformed request, badAlg for a hash other than SHA-256/384/512, unacceptedPolicy and
 * unacceptedExtension for a policy or extensions we do not offer. A failure of the key source
 * is thrown: the caller logs it and answers 500.
 *
 * @example
 * app.post('/tsa', raw(), async (req, res) => res.type('application/timestamp-reply').send(await handleTimestampRequest(req.body, tsa)))
 */
export async function handleTimestampRequest(reqDer: Buffer, tsa: TsaConfig): Promise<Buffer> {
  let request: TimeStampRequest
  try {
    request = parseTimeStampReq(reqDer)
  } catch {
    return encodeRejection('badDataFormat', 'the request is not a DER TimeStampReq')
  }
  if (request.nonce !== undefined && request.nonce < 0n) {
    return encodeRejection('badDataFormat', 'the nonce must not be negative')
  }
  const policy = tsa.policy ?? KYSO_TSA_POLICY
  const { hashAlgorithm } = request
  if (!hashAlgorithm || !ACCEPTED_HASHES.has(hashAlgorithm)) {
    return encodeRejection('badAlg', 'the imprint must be SHA-256, SHA-384 or SHA-512')
  }
  if (request.hashedMessage.length !== HASH_LENGTH[hashAlgorithm]) {
    return encodeRejection('badDataFormat', `the imprint is not a ${hashAlgorithm} hash`)
  }
  if (request.reqPolicy !== undefined && request.reqPolicy !== policy) {
    return encodeRejection('unacceptedPolicy', `this TSA issues tokens under policy ${policy} only`)
  }
  if (request.hasExtensions)
    return encodeRejection('unacceptedExtension', 'no request extensions are supported')
  const token = await issueToken({
    keySource: tsa.keySource,
    policy,
    messageImprint: request.messageImprint,
    ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    includeCertificates: request.certReq,
  })
  return encodeGranted(token)
}
