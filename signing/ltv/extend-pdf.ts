import { SigningError } from '../errors'
import { timestampPdf } from '../sign/timestamp-pdf'
import { verifyTimestampToken } from '../tsa/verify'
import {
  addValidationData,
  type ValidationDataOptions,
  type ValidationDataResult,
} from './add-validation-data'
import { parse, pathOf } from './validation-material'

export type LongTermLevel = 'B-LT' | 'B-LTA'

export interface ExtendOptions extends ValidationDataOptions {
  level: LongTermLevel
  /**
   * B-LTA: an RFC 3161 token over a SHA-256 imprint (see timestampPdf): the built-in TSA, or the
   * national time-stamping service over HTTP (`httpTsaForImprint`).
   */
  timestamp?: (imprint: Buffer) => Promise<Buffer>
  /** Refuse (LTV_DATA_MISSING) when a certificate has no revocation data; default true. */
  strict?: boolean
}

export interface ExtendResult {
  pdf: Buffer
  level: LongTermLevel
  /** The document time-stamp's field (B-LTA). */
  timestampField?: string
  /**
   * B-LTA: when the first certificate of the new time-stamp's path expires. The file must be
   * time-stamped again before then (EN 319 142-1 §5.5), by a TSA whose certificate lasts longer.
   */
  archiveUntil?: Date
  /** Revisions appended: the DSS, the time-stamp, and the DSS of a new TSA's own path. */
  revisions: number
  missing: ValidationDataResult['missing']
  fetches: ValidationDataResult['fetches']
}

/**
 * Extends a signed PDF to PAdES B-LT or B-LTA (ETSI EN 319 142-1 §6.4, §6.5), each step an
 * incremental revision so that every earlier signature stays valid: (1) the DSS with the
 * validation data of every signature and time-stamp; (2) for B-LTA, a document time-stamp over
 * everything before it (ISO 32000-2 §12.8.5); (3) when that time-stamp's TSA is one the DSS knew
 * nothing of, a last DSS revision with its path and revocation data (to be covered by the next
 * time-stamp, at the next extension). Extending a B-LTA file again is how its archive time-stamp
 * is renewed before the TSA's certificate expires (EN 319 142-1 §5.5).
 *
 * @example
 * const timestamp = (imprint: Buffer) => createTimestampToken({ imprint, keySource: tsaKey })
 * const { pdf: lta } = await extendPdf(signed, { level: 'B-LTA', timestamp, crls, certificates: [root] })
 */
export async function extendPdf(pdf: Buffer, opts: ExtendOptions): Promise<ExtendResult> {
  const { level, timestamp, strict = true, ...data } = opts
  if (level === 'B-LTA' && !timestamp) throw new SigningError('BAD_OPTION', 'B-LTA needs a time-stamp source')
  // 1. Validation data.
  const lt = await addValidationData(pdf, data)
  if (strict && lt.missing.length > 0) {
    const who = lt.missing.map((m) => `"${m.subject}" (${m.serialHex}, ${m.why})`).join('; ')
    throw new SigningError('LTV_DATA_MISSING', `Không có dữ liệu kiểm tra thu hồi cho chứng thư số ${who}`)
  }
  let revisions = lt.written ? 1 : 0
  const out = { level, missing: lt.missing, fetches: lt.fetches }
  if (level === 'B-LT' || !timestamp) return { pdf: lt.pdf, revisions, ...out }
  // 2. The document time-stamp over it all.
  let token: Buffer | undefined
  const stamped = await timestampPdf(lt.pdf, {
    timestamp: async (imprint) => (token = await timestamp(imprint)),
  })
  revisions++
  // 3. The new TSA's path, if the DSS lacked it (a no-op with the TSA the signatures used).
  const tsaData = await addValidationData(stamped.pdf, { ...data, scope: 'missing' })
  if (tsaData.written) revisions++
  return {
    pdf: tsaData.pdf,
    timestampField: stamped.fieldName,
    ...(token && { archiveUntil: earliestExpiry(token, data.certificates ?? []) }),
    revisions,
    ...out,
    fetches: [...lt.fetches, ...tsaData.fetches],
  }
}

/** The earliest notAfter on the path of the token's TSA certificate (RFC 5280 §4.1.2.5). */
function earliestExpiry(token: Buffer, certificates: readonly Buffer[]): Date | undefined {
  const check = verifyTimestampToken(token, Buffer.alloc(0))
  if (!check.tsaCertificate) return undefined
  const ends = pathOf(check.tsaCertificate, [...check.certificates, ...certificates])
    .map((c) => parse(c))
    .flatMap((x) => (x ? [new Date(x.validTo).getTime()] : []))
  return ends.length ? new Date(Math.min(...ends)) : undefined
}
