/** Issues RFC 3161 time-stamp tokens: CMS SignedData over a TSTInfo (RFC 3161 §2.4.2). */
import { createHash, randomBytes } from 'node:crypto'
import { certificateInfo, encodeSignedData, HASH_LENGTH, HASH_OID, OID, type CertificateInfo } from '../cms'
import { SigningError } from '../errors'
import type { KeySource } from '../keys/key-source'
import { encodeMessageImprint, encodeTstInfo } from './tst-info'

/**
 * Default TSA policy (RFC 3161 §2.4.2 `policy`). Kyso owns no enterprise number, so the arc is a
 * UUID OID (ITU-T X.667, arc 2.25, usable without registration):
 * 2.25.{uuid dc829d51-8e45-4b34-97d4-fa4375f30fd1}.1 = Kyso time-stamping, .1.1 = policy v1.
 * An agency with its own registered arc passes `policy` instead.
 */
export const KYSO_TSA_POLICY = '2.25.293108348464110599022056383370686042065.1.1'

/** Imprint hash algorithms the built-in TSA accepts (SHA-1 is refused as too weak). */
export type ImprintHash = 'sha256' | 'sha384' | 'sha512'

export interface TimestampTokenOptions {
  /** Hash of the time-stamped data (SHA-256 unless `hashAlgorithm` says otherwise). */
  readonly imprint: Buffer
  readonly keySource: KeySource
  /** TSA policy OID; default KYSO_TSA_POLICY. */
  readonly policy?: string
  /** Serial number, unique per TSA (RFC 3161 §2.4.2); default 128 random bits. */
  readonly serial?: bigint
  /** Default: now. */
  readonly genTime?: Date
  readonly nonce?: bigint
  /** Default 1 second. */
  readonly accuracySeconds?: number
  readonly hashAlgorithm?: ImprintHash
  /** RFC 3161 §2.4.1: the TSA certificate is included only when requested (certReq). Default true. */
  readonly includeCertificates?: boolean
}

/**
 * Returns a DER TimeStampToken: ContentInfo(SignedData) with eContentType id-ct-TSTInfo, signed
 * attributes content-type, message-digest and signing-certificate-v2 (RFC 5816 §2.2.1).
 *
 * @example
 * const token = await createTimestampToken({ imprint: sha256(signatureValue), keySource: tsaKey })
 */
export async function createTimestampToken(opts: TimestampTokenOptions): Promise<Buffer> {
  const hashAlgorithm = opts.hashAlgorithm ?? 'sha256'
  if (!Buffer.isBuffer(opts.imprint) || opts.imprint.length !== HASH_LENGTH[hashAlgorithm]) {
    throw new SigningError('BAD_OPTION', `imprint must be a ${hashAlgorithm} hash`)
  }
  return issueToken({ ...opts, messageImprint: encodeMessageImprint(HASH_OID[hashAlgorithm], opts.imprint) })
}

/** Like createTimestampToken, with the MessageImprint given as DER (echoed from a request). */
export async function issueToken(
  opts: Omit<TimestampTokenOptions, 'imprint' | 'hashAlgorithm'> & { messageImprint: Buffer },
): Promise<Buffer> {
  const tsa = tsaCertificate(opts.keySource)
  let tstInfo: Buffer
  try {
    tstInfo = encodeTstInfo({
      policy: opts.policy ?? KYSO_TSA_POLICY,
      messageImprint: opts.messageImprint,
      serialNumber: opts.serial ?? BigInt('0x' + randomBytes(16).toString('hex')),
      genTime: opts.genTime ?? new Date(),
      accuracySeconds: opts.accuracySeconds ?? 1,
      ...(opts.nonce !== undefined ? { nonce: opts.nonce } : {}),
      tsaName: tsa.subject,
    })
  } catch (cause) {
    throw new SigningError('BAD_OPTION', 'policy, serial or nonce cannot be encoded', { cause })
  }
  return encodeSignedData({
    contentType: OID.tstInfo,
    content: tstInfo,
    digest: createHash('sha256').update(tstInfo).digest(),
    keySource: opts.keySource,
    includeCertificates: opts.includeCertificates ?? true,
  })
}

function tsaCertificate(keySource: KeySource): CertificateInfo {
  try {
    return certificateInfo(keySource.certificate)
  } catch (cause) {
    throw new SigningError('KEY_UNREADABLE', 'the TSA certificate is not a DER X.509 certificate', { cause })
  }
}
