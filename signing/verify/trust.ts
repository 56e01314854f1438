import { certificateInfo } from '../cms/certificate'
import { buildChain } from './chain'
import { NO_EVIDENCE, type DocumentEvidence } from './document-evidence'
import { judgeRevocation, type RevocationTimes } from './revocation'
import type { SignatureReport, Verdict } from './report'
import type { VerifyOptions } from './verify-pdf'

/** The validator's options and what the document itself carries (its DSS, issue 18). */
export interface JudgeOptions extends VerifyOptions {
  evidence?: DocumentEvidence
}

/**
 * X.509 validation of the signer (or TSA) certificate at `at`, the proven time or the validation
 * time (EN 319 102-1 §5.2.6, §5.6.2): key usage, a chain to a trust anchor (through the
 * certificates of the signature and of the document's DSS), every certificate within its
 * validity, then revocation. Returns the path (signer first), empty when untrusted.
 */
export function judgeTrust(
  v: Verdict,
  r: SignatureReport,
  certificate: Buffer,
  pool: Buffer[],
  opts: JudgeOptions,
  times: RevocationTimes & { at: Date },
): Buffer[] {
  const evidence = opts.evidence ?? NO_EVIDENCE
  const chain = buildChain(
    certificate,
    [...pool, ...evidence.certificates],
    opts.trustAnchors ?? [],
    times.at,
  )
  // RFC 5280 §4.2.1.3: a signing key needs digitalSignature or nonRepudiation when keyUsage is present.
  v.test(
    'trust',
    signingKeyUsage(certificate),
    {
      ok: 'the certificate allows signing (keyUsage)',
      bad: 'the certificate does not allow signing (keyUsage lacks digitalSignature and nonRepudiation)',
    },
    ['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE'],
  )
  const trusted = {
    ok: `chains to a trust anchor (${chain.path.length} certificates)`,
    bad: 'no chain to a trusted root',
  }
  if (!v.test('trust', chain.trusted, trusted, ['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND'])) return []
  const sub = times.proof ? 'OUT_OF_BOUNDS_NOT_REVOKED' : 'OUT_OF_BOUNDS_NO_POE'
  const validity = { ok: `certificates valid at ${times.at.toISOString()}`, bad: chain.problems.join('; ') }
  v.test('validity', chain.problems.length === 0, validity, ['INDETERMINATE', sub])
  const path = chain.path.map((x) => x.raw)
  judgeRevocation(v, r, path, { held: opts.crls ?? [], document: evidence }, times)
  return path
}

function signingKeyUsage(cert: Buffer): boolean {
  try {
    const ku = certificateInfo(cert).keyUsage
    return !ku || ku.has(0) || ku.has(1)
  } catch {
    return false
  }
}
