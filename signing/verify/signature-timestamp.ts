import type { CmsCheck } from '../cms'
import { verifyTimestampToken } from '../tsa/verify'
import { buildChain } from './chain'
import { signerName } from './names'
import type { Indication, SignatureReport, SubIndication, Verdict } from './report'
import type { VerifyOptions } from './verify-pdf'

/**
 * The signature-time-stamp (ETSI EN 319 122-1 §5.3, PAdES B-T): a token over the signature value.
 * A token that does not verify fails the signature; a valid one from a trusted TSA (chain valid at
 * its genTime, timeStamping EKU) proves the signing time and is returned; an untrusted one is
 * reported and proves nothing.
 */
export function judgeSignatureTimestamp(
  v: Verdict,
  r: SignatureReport,
  cms: CmsCheck,
  opts: VerifyOptions,
  extraCertificates: readonly Buffer[] = [],
): Date | undefined {
  if (!cms.timestampToken) return undefined
  const ts = verifyTimestampToken(cms.timestampToken, cms.signatureValue)
  const anchors = opts.trustAnchors ?? []
  const pool = [...ts.certificates, ...extraCertificates]
  const at = ts.genTime ?? new Date()
  const tsaChain = ts.tsaCertificate ? buildChain(ts.tsaCertificate, pool, anchors, at) : null
  const trusted = !!tsaChain?.trusted && tsaChain.problems.length === 0 && ts.hasTimestampingEku
  r.timestamp = {
    genTime: ts.genTime?.toISOString() ?? null,
    valid: ts.valid,
    trusted,
    tsa: signerName(ts.tsaCertificate),
  }
  const detail = {
    ok: `timestamp token valid, genTime ${ts.genTime?.toISOString()}`,
    bad: `the signature timestamp is invalid: ${ts.problems.join('; ')}`,
  }
  // A token Kyso cannot check (an algorithm node:crypto lacks) is not a forged one.
  const uncheckable = !ts.valid && ts.imprintMatches && ts.cms?.unsupported !== undefined
  const onFail: [Indication, SubIndication] = uncheckable
    ? ['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE']
    : ['FAILED', 'SIG_CRYPTO_FAILURE']
  if (!v.test('timestamp', ts.valid, detail, onFail)) return undefined
  v.test('timestamp', trusted, {
    ok: `timestamp authority '${r.timestamp.tsa}' is trusted`,
    bad: 'the timestamp authority is not trusted: the signing time is not proven',
  })
  if (!trusted || !ts.genTime) return undefined
  r.signedAt = ts.genTime.toISOString()
  r.signedAtProven = true
  return ts.genTime
}
