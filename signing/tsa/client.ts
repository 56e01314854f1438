/**
 * Time-stamp sources for PAdES B-T: the built-in TSA in-process, or an RFC 3161 TSA over HTTP
 * (RFC 3161 §3.4: POST application/timestamp-query, answer application/timestamp-reply).
 */
import { createHash, randomBytes } from 'node:crypto'
import { HASH_OID } from '../cms'
import { SigningError } from '../errors'
import type { KeySource } from '../keys/key-source'
import { encodeTimeStampReq, parseTimeStampResp, PKI_STATUS } from './messages'
import { createTimestampToken } from './token'
import { encodeMessageImprint } from './tst-info'
import { verifyTimestampToken } from './verify'

/** Returns a token over a signature value; the shape buildPadesSignature's `timestamp` takes. */
export type TimestampSource = (signatureValue: Buffer) => Promise<Buffer>

/** Time-stamps with a TSA key held in this process (no network). */
export function builtinTsa(keySource: KeySource): TimestampSource {
  return (signatureValue) =>
    createTimestampToken({ imprint: createHash('sha256').update(signatureValue).digest(), keySource })
}

export interface HttpTsaOptions {
  /** Default 10 000 ms for the whole exchange. */
  readonly timeoutMs?: number
  /** Extra request headers, e.g. Authorization for a TSA that requires it. */
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * Time-stamps through a remote TSA. The request asks for the TSA certificate (certReq) and
 * carries a random 64-bit nonce; the reply must be granted, echo the nonce and the imprint, and
 * verify (verifyTimestampToken). Any failure is SigningError('TSA_FAILED') with the cause.
 *
 * @example
 * buildPadesSignature({ digest, keySource, timestamp: httpTsa('http://tsa.example.vn/tsa') })
 */
export function httpTsa(url: string, opts: HttpTsaOptions = {}): TimestampSource {
  const forImprint = httpTsaForImprint(url, opts)
  return (signatureValue) => forImprint(createHash('sha256').update(signatureValue).digest())
}

/**
 * The same exchange for a SHA-256 imprint computed by the caller: a document time-stamp's digest
 * of the ByteRange (timestampPdf), which is never hashed twice.
 */
export function httpTsaForImprint(
  url: string,
  opts: HttpTsaOptions = {},
): (imprint: Buffer) => Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? 10_000
  return async (imprint) => {
    // 1. The request.
    const nonce = BigInt('0x' + randomBytes(8).toString('hex'))
    const messageImprint = encodeMessageImprint(HASH_OID.sha256, imprint)
    const request = encodeTimeStampReq({ messageImprint, nonce, certReq: true })

    // 2. The exchange.
    let reply: Buffer
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          ...opts.headers,
          'content-type': 'application/timestamp-query',
          accept: 'application/timestamp-reply',
        },
        body: new Uint8Array(request),
        signal: AbortSignal.timeout(timeoutMs),
      })
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`)
      reply = Buffer.from(await response.arrayBuffer())
    } catch (cause) {
      throw new SigningError('TSA_FAILED', `the time-stamp authority at ${url} did not answer`, { cause })
    }

    // 3. The reply.
    return checkReply(reply, imprint, nonce, url)
  }
}

function checkReply(reply: Buffer, imprint: Buffer, nonce: bigint, url: string): Buffer {
  const fail = (reason: string, cause?: unknown): never => {
    throw new SigningError('TSA_FAILED', `the time-stamp authority at ${url} ${reason}`, { cause })
  }
  let response: ReturnType<typeof parseTimeStampResp>
  try {
    response = parseTimeStampResp(reply)
  } catch (cause) {
    return fail('answered something that is not a TimeStampResp', cause)
  }
  const granted = response.status === PKI_STATUS.granted || response.status === PKI_STATUS.grantedWithMods
  if (!granted || !response.token) {
    const detail = [...response.failInfo, ...response.statusText].join('; ')
    return fail(`refused the request (status ${response.status}${detail ? `: ${detail}` : ''})`)
  }
  const check = verifyTimestampToken(response.token, () => imprint)
  if (check.nonce !== nonce) return fail('did not echo the nonce')
  if (!check.imprintMatches) return fail('time-stamped something else')
  if (!check.valid) return fail(`returned a token that does not verify: ${check.problems.join('; ')}`)
  return response.token
}
