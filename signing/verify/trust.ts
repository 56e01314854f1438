import { certificateInfo } from '../cms/certificate'
import { buildChain } from './chain'
import { judgeRevocation, type RevocationTimes } from './revocation'
import type { SignatureReport, Verdict } from './report'
import type { VerifyOptions } from './verify-pdf'

/**
 * X.509 validation of the signer (or TSA) certificate at `at`, the proven time or the validation
 * time (EN 319 102-1 §5.2.6, §5.6.2): key usage, a chain to a trust anchor, every certificate
 * within its validity, then revocation.
 */
export function judgeTrust(
  v: Verdict,
  r: SignatureReport,
  certificate: Buffer,
  pool: Buffer[],
  opts: VerifyOptions,
  times: RevocationTimes & { at: Date },
): void {
  const chain = buildChain(certificate, pool, opts.trustAnchors ?? [], times.at)
  // RFC 5280 §4.2.1.3: a signing key needs digitalSignature or nonRepudiation when keyUsage is present.
  v.test('trust', signingKeyUsage(certificate), {
    ok: 'the certificate allows signing (keyUsage)',
    bad: 'the certificate does not allow signing (keyUsage lacks digitalSignature and nonRepudiation)',
  }, ['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE'])
  const trusted = { ok: `chains to a trust anchor (${chain.path.length} certificates)`, bad: 'no chain to a trusted root' }
  if (!v.test('trust', chain.trusted, trusted, ['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND'])) return
  const sub = times.proof ? 'OUT_OF_BOUNDS_NOT_REVOKED' : 'OUT_OF_BOUNDS_NO_POE'
  const validity = { ok: `certificates valid at ${times.at.toISOString()}`, bad: chain.problems.join('; ') }
  v.test('validity', chain.problems.length === 0, validity, ['INDETERMINATE', sub])
  judgeRevocation(v, r, chain.path.map((x) => x.raw), opts.crls ?? [], times)
}

function signingKeyUsage(cert: Buffer): boolean {
  try {
    const ku = certificateInfo(cert).keyUsage
    return !ku || ku.has(0) || ku.has(1)
  } catch {
    return false
  }
}
