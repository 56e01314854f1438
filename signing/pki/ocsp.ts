/**
 * OCSP client (RFC 6960): the request for one certificate, and the checks a response must pass
 * before its answer is believed. Fetching goes through the allow-list of remote-fetch.ts.
 */
import { randomBytes } from 'node:crypto'
import { contextConstructed, sequence } from '../cms/der-write'
import { SigningError } from '../errors'
import { findResponder, issuedBy } from './ocsp-authority'
import * as m from './ocsp-messages'
import { readOcspResponse, type BasicResponse, type SingleAnswer } from './ocsp-response'
import { fetchAllowed, type FetchPolicy } from './remote-fetch'

export interface OcspRequestOptions {
  /** 1 to 32 octets (RFC 8954 §2.1), sent in the nonce extension (§4.4.1). */
  nonce?: Buffer
  /** Default SHA-1, as §4.1.1 and openssl do; responders need not know others. */
  hashAlgorithm?: m.CertIdHash
}

export interface OcspCheckOptions {
  cert: Buffer
  /** The certificate that issued `cert` (the CertID names this issuer). */
  issuer: Buffer
  now: Date
  /** The nonce sent with the request: the response must echo it. */
  nonce?: Buffer
  /**
   * Certificates whose keys are trusted to sign responses for any certificate: the "local
   * configuration of OCSP signing authority" of §4.2.2.2. Not needed for the issuer itself.
   */
  trustAnchors?: Buffer[]
  /** Tolerated clock difference with the responder, default 5 minutes. */
  maxSkewMs?: number
  /** Without nextUpdate, how old thisUpdate may be; default one day. */
  maxAgeMs?: number
}

export type OcspCertStatus = 'good' | 'revoked' | 'unknown'

export interface OcspResult {
  status: OcspCertStatus
  revokedAt?: Date
  /** RFC 5280 §5.3.1 CRLReason name, when the responder gave one. */
  reason?: string
  thisUpdate: Date
  nextUpdate?: Date
  producedAt: Date
  /** The certificate whose key signed the response: the issuer, a delegated responder or an anchor. */
  responder: Buffer
  /** The OCSPResponse DER, kept as evidence. */
  raw: Buffer
}

const MINUTE = 60_000
const DEFAULTS = { maxSkewMs: 5 * MINUTE, maxAgeMs: 24 * 60 * MINUTE } as const

/**
 * A DER OCSPRequest (§4.1.1) for one certificate, unsigned, with the nonce when one is given.
 *
 * @example
 * const nonce = randomBytes(32)
 * const request = buildOcspRequest(cert, issuer, { nonce })
 */
export function buildOcspRequest(cert: Buffer, issuer: Buffer, opts: OcspRequestOptions = {}): Buffer {
  const { nonce } = opts
  if (nonce && (nonce.length === 0 || nonce.length > m.MAX_NONCE_LENGTH)) {
    const limit = m.MAX_NONCE_LENGTH
    throw new SigningError('BAD_OPTION', `the OCSP nonce must be 1 to ${limit} octets (RFC 8954 §2.1)`)
  }
  const certId = readable(() => m.encodeCertId(cert, issuer, opts.hashAlgorithm ?? 'sha1'))
  const extensions = nonce ? [contextConstructed(2, sequence(m.nonceExtension(nonce)))] : []
  // OCSPRequest { tbsRequest { requestList { Request { reqCert } }, requestExtensions [2] } }
  return sequence(sequence(sequence(sequence(certId)), ...extensions))
}

/**
 * Checks a DER OCSPResponse for `cert` and returns its answer. Throws OCSP_UNREADABLE for bytes
 * that are not a basic OCSP response, and OCSP_FAILED when the responder refused to answer, the
 * signature or the responder's authority does not hold (§4.2.2.2), no SingleResponse names the
 * certificate, the answer is not current, or the nonce was not echoed. BAD_OPTION when `issuer`
 * did not issue `cert`.
 *
 * @example
 * const answer = parseOcspResponse(der, { cert, issuer, now: new Date(), nonce })
 * if (answer.status === 'revoked') console.log(answer.revokedAt, answer.reason)
 */
export function parseOcspResponse(der: Buffer, opts: OcspCheckOptions): OcspResult {
  if (!readable(() => issuedBy(opts.cert, opts.issuer))) {
    throw new SigningError('BAD_OPTION', 'the issuer given for the OCSP check did not issue the certificate')
  }
  // 1. The envelope: responseStatus, then the BasicOCSPResponse (§4.2.1).
  const basic = basicResponseOf(der)
  // 2. Who signed, and may they (§3.2 items 2-4, §4.2.2.2).
  const skewMs = opts.maxSkewMs ?? DEFAULTS.maxSkewMs
  const trusted = opts.trustAnchors ?? []
  const found = findResponder(basic, { issuer: opts.issuer, trusted, now: opts.now, skewMs })
  if ('problem' in found) fail(found.problem)
  // 3. The answer about this certificate (§3.2 item 1).
  const single = basic.responses.find((r) => m.certIdMatches(r.certId, opts.cert, opts.issuer))
  if (!single) fail('no SingleResponse is for the certificate asked about')
  // 4. Current (§3.2 items 5-6, §4.2.2.1) and, when a nonce was sent, fresh (§4.4.1).
  checkTimes(basic.producedAt, single, opts)
  if (opts.nonce && !basic.nonce?.equals(opts.nonce)) fail('the response does not echo the request nonce')
  return {
    status: single.status,
    ...(single.revokedAt && { revokedAt: single.revokedAt }),
    ...(single.reason !== undefined && { reason: single.reason }),
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate && { nextUpdate: single.nextUpdate }),
    producedAt: basic.producedAt,
    responder: found.responder,
    raw: der,
  }
}

export interface OcspFetchPolicy extends FetchPolicy {
  now: Date
  /** Send a nonce (default true). Responders that pre-produce their answers ignore it. */
  nonce?: boolean
  hashAlgorithm?: m.CertIdHash
  trustAnchors?: Buffer[]
  maxSkewMs?: number
  maxAgeMs?: number
}

/**
 * POSTs an OCSP request (RFC 6960 App. A.1) for `cert` to `url` when the URL is allow-listed
 * (URL_NOT_ALLOWED otherwise, and nothing is sent), then checks the answer as parseOcspResponse
 * does. A transport failure (HTTP error, redirect, timeout, size) is OCSP_FAILED.
 *
 * @example
 * const url = readCertificate(cert).ocspUrls[0]!
 * const answer = await fetchOcsp(url, cert, issuer, { allow: ['http://ocsp.ca.gov.vn/'], now: new Date() })
 */
export async function fetchOcsp(
  url: string,
  cert: Buffer,
  issuer: Buffer,
  policy: OcspFetchPolicy,
): Promise<OcspResult> {
  const nonce = policy.nonce === false ? undefined : randomBytes(m.MAX_NONCE_LENGTH)
  const body = buildOcspRequest(cert, issuer, { nonce, hashAlgorithm: policy.hashAlgorithm })
  const post = { contentType: 'application/ocsp-request', accept: 'application/ocsp-response', body }
  const got = await fetchAllowed(url, policy, post)
  if (!got.ok && got.status === 'not-allowed') {
    const message = `Địa chỉ OCSP ${url} không nằm trong danh sách được phép truy cập`
    throw new SigningError('URL_NOT_ALLOWED', message)
  }
  if (!got.ok) {
    const message = `Không truy vấn được OCSP ${url} (${got.detail ?? 'failed'})`
    throw new SigningError('OCSP_FAILED', message)
  }
  const { now, trustAnchors, maxSkewMs, maxAgeMs } = policy
  return parseOcspResponse(got.body, { cert, issuer, now, nonce, trustAnchors, maxSkewMs, maxAgeMs })
}

function basicResponseOf(der: Buffer): BasicResponse {
  let read: ReturnType<typeof readOcspResponse>
  try {
    read = readOcspResponse(der)
  } catch (err) {
    const message = 'Không đọc được phản hồi OCSP (not a DER basic OCSPResponse)'
    throw new SigningError('OCSP_UNREADABLE', message, { cause: err })
  }
  if (!('basic' in read)) fail(`the responder answered ${read.status}`)
  return read.basic
}

function checkTimes(producedAt: Date, single: SingleAnswer, opts: OcspCheckOptions): void {
  const now = opts.now.getTime()
  const skew = opts.maxSkewMs ?? DEFAULTS.maxSkewMs
  if (single.thisUpdate.getTime() > now + skew) fail('thisUpdate is in the future')
  if (producedAt.getTime() > now + skew) fail('producedAt is in the future')
  if (single.nextUpdate && single.nextUpdate.getTime() < now - skew) {
    fail('nextUpdate has passed: the answer is stale')
  }
  if (!single.nextUpdate && single.thisUpdate.getTime() < now - (opts.maxAgeMs ?? DEFAULTS.maxAgeMs)) {
    fail('the answer has no nextUpdate and its thisUpdate is too old')
  }
}

function fail(problem: string): never {
  throw new SigningError('OCSP_FAILED', `Phản hồi OCSP không dùng được (${problem})`)
}

function readable<T>(read: () => T): T {
  try {
    return read()
  } catch (err) {
    const message = 'Không đọc được chứng thư số (certificate is not X.509 DER)'
    throw new SigningError('CERT_UNREADABLE', message, { cause: err })
  }
}
