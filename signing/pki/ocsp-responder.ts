/**
 * The internal CA's OCSP responder: OCSPRequest in, OCSPResponse out (RFC 6960 §4.1, §4.2). The
 * issuing CA answers for its own certificates with its own key (§4.2.2.2, first case), so a
 * client needs no other certificate to check the answer.
 */
import { verify } from 'node:crypto'
import { certificateInfo, publicKeyOf } from '../cms/certificate'
import { Asn1Error, fieldsOf, integerOf, readDer } from '../cms/der-read'
import * as w from '../cms/der-write'
import { OID } from '../cms/oids'
import { SigningError } from '../errors'
import type { KeySource } from '../keys/key-source'
import * as m from './ocsp-messages'
import { REVOCATION_REASONS, type RevocationReason } from './revocation-reasons'

export interface SerialStatus {
  status: 'good' | 'revoked' | 'unknown'
  /** Required when revoked. */
  revokedAt?: Date
  /** Absent or 'unspecified': no revocationReason is sent (as RFC 5280 §5.3.1 asks of CRLs). */
  reason?: RevocationReason
}

export interface OcspResponderConfig {
  /** The CA whose certificates are answered for; requests about any other get `unauthorized`. */
  issuerCertificate: Buffer
  /**
   * Signs the responses. Its certificate is the responderID (byKey): normally the issuing CA
   * itself; a delegated responder certificate (id-kp-OCSPSigning) is sent along in `certs`.
   */
  keySource: KeySource
  /** What the CA's records say about a serial (upper-case hex, no leading zero octets). */
  statusOf: (serialHex: string) => SerialStatus | Promise<SerialStatus>
  /** Default: the current time. */
  now?: Date
  /** nextUpdate - thisUpdate, default one day (86 400 s). */
  validitySeconds?: number
}

const DEFAULT_VALIDITY_SECONDS = 24 * 60 * 60

/**
 * Answers one DER OCSPRequest (served over HTTP as application/ocsp-response, RFC 6960 App. A).
 * A request that cannot be read gets `malformedRequest`; one about a certificate of another CA,
 * or with a hash algorithm we do not know, gets `unauthorized` (RFC 5019 §2.2.3). A failure of
 * `statusOf` or of the key source is thrown: the caller logs it and may answer internalError
 * with `ocspErrorResponse`.
 *
 * @example
 * app.post('/ocsp', raw({ type: 'application/ocsp-request' }), async (req, res) =>
 *   res.type('application/ocsp-response').send(await handleOcspRequest(req.body, responder)))
 */
export async function handleOcspRequest(requestDer: Buffer, config: OcspResponderConfig): Promise<Buffer> {
  // 1. Read the request (§4.1.1); nothing unreadable is answered.
  let request: ParsedRequest
  try {
    request = parseOcspRequest(requestDer)
  } catch {
    return ocspErrorResponse('malformedRequest')
  }
  const ours = request.certIds.every((id) => m.isForIssuer(id, config.issuerCertificate))
  if (!ours) return ocspErrorResponse('unauthorized')
  // 2. One SingleResponse per CertID, echoed as received (§4.2.1).
  const now = wholeSeconds(config.now ?? new Date())
  const nextUpdate = new Date(now.getTime() + (config.validitySeconds ?? DEFAULT_VALIDITY_SECONDS) * 1000)
  const responses: Buffer[] = []
  for (const id of request.certIds) {
    const entry = await config.statusOf(id.serialHex)
    const times = [w.generalizedTime(now), w.contextConstructed(0, w.generalizedTime(nextUpdate))]
    responses.push(w.sequence(id.raw, certStatus(entry), ...times))
  }
  // 3. ResponseData (§4.2.1): byKey responderID, producedAt, the nonce echoed (§4.4.1).
  const responder = config.keySource.certificate
  const nonce = request.nonceExtension
  const extensions = nonce ? [w.contextConstructed(1, w.sequence(nonce))] : []
  const tbs = w.sequence(
    w.contextConstructed(2, w.octetString(m.keyHashOf(responder))),
    w.generalizedTime(now),
    w.sequence(...responses),
    ...extensions,
  )
  // 4. Sign, and check the value: a key source whose key does not fit its certificate must not answer.
  const signature = await config.keySource.sign(tbs)
  if (!verify('sha256', tbs, publicKeyOf(certificateInfo(responder)), signature)) {
    throw new SigningError('KEY_MISMATCH', 'the OCSP response does not verify with the responder certificate')
  }
  const delegated = !responder.equals(config.issuerCertificate)
  const certs = delegated ? [w.contextConstructed(0, w.sequence(responder))] : []
  const algorithm = signatureAlgorithm(config.keySource.keyAlgorithm)
  const basic = w.sequence(tbs, algorithm, bitString(signature), ...certs)
  const responseBytes = w.sequence(w.oid(m.OCSP_OID.basicResponse), w.octetString(basic))
  return w.sequence(enumerated(m.RESPONSE_STATUS.successful), w.contextConstructed(0, responseBytes))
}

/** An OCSPResponse with an error status and no responseBytes (§4.2.1). */
export function ocspErrorResponse(status: Exclude<m.ResponseStatusName, 'successful'>): Buffer {
  return w.sequence(enumerated(m.RESPONSE_STATUS[status]))
}

interface ParsedRequest {
  certIds: m.CertId[]
  /** The nonce Extension exactly as received. */
  nonceExtension?: Buffer
}

/**
 * OCSPRequest ::= SEQUENCE { tbsRequest, optionalSignature [0] }. A signature on the request is
 * not checked (we answer anyone, §4.1.2); a critical extension we do not know cannot be honoured.
 */
function parseOcspRequest(der: Buffer): ParsedRequest {
  const top = readDer(der, 'OCSPRequest')
  if (top.raw.length !== der.length) throw new Asn1Error('OCSPRequest: trailing bytes')
  const tbs = fieldsOf(fieldsOf(top, 'OCSPRequest').required(0x10, 'tbsRequest'), 'TBSRequest')
  const version = tbs.context(0)?.children[0]
  if (version && integerOf(version) !== 0n) throw new Asn1Error('TBSRequest: version is not v1')
  tbs.context(1) // requestorName
  const list = tbs.required(0x10, 'requestList').children
  if (list.length === 0) throw new Asn1Error('TBSRequest: empty requestList')
  const certIds = list.map((request) => {
    const fields = fieldsOf(request, 'Request')
    const id = m.readCertId(fields.required(0x10, 'reqCert'))
    rejectCritical(m.readExtensions(fields.context(0)?.children[0]))
    return id
  })
  const extensions = m.readExtensions(tbs.context(2)?.children[0])
  rejectCritical(extensions.filter((e) => e.id !== m.OCSP_OID.nonce))
  const nonce = extensions.find((e) => e.id === m.OCSP_OID.nonce)
  if (!nonce) return { certIds }
  // RFC 8954 §2.1: a nonce longer than 32 octets (or empty) is a malformed request.
  const length = m.nonceOf(nonce.value).length
  if (length === 0 || length > m.MAX_NONCE_LENGTH) throw new Asn1Error('nonce of an unacceptable length')
  return { certIds, nonceExtension: nonce.raw }
}

function rejectCritical(extensions: m.ReadExtension[]): void {
  const critical = extensions.find((e) => e.critical)
  if (critical) throw new Asn1Error(`unsupported critical extension ${critical.id}`)
}

/** CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] }. */
function certStatus(entry: SerialStatus): Buffer {
  if (entry.status === 'good') return w.contextPrimitive(0, Buffer.alloc(0))
  if (entry.status === 'unknown') return w.contextPrimitive(2, Buffer.alloc(0))
  if (!entry.revokedAt) {
    throw new SigningError('BAD_OPTION', 'a revoked certificate needs its revocation date')
  }
  const code = entry.reason ? REVOCATION_REASONS[entry.reason] : 0
  const reason = code === 0 ? [] : [w.contextConstructed(0, enumerated(code))]
  return w.contextConstructed(1, w.generalizedTime(wholeSeconds(entry.revokedAt)), ...reason)
}

/** sha256WithRSAEncryption with NULL parameters (RFC 4055 §5) or ecdsa-with-SHA256 (RFC 5758 §3.2). */
function signatureAlgorithm(keyAlgorithm: KeySource['keyAlgorithm']): Buffer {
  if (keyAlgorithm === 'RSA') return w.algorithmIdentifier(OID.sha256WithRSAEncryption, w.NULL)
  return w.algorithmIdentifier(OID.ecdsaWithSha256)
}

const enumerated = (value: number) => w.tlv(0x0a, Buffer.from([value]))
const bitString = (bytes: Buffer) => w.tlv(0x03, Buffer.from([0]), bytes)

/** RFC 5280 §4.1.2.5.2 style GeneralizedTime: no fractional seconds. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000)
}
