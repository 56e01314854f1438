import type { HashName } from '../cms'
import { verifyTimestampToken } from '../tsa/verify'
import { digestName, judgeAlgorithms, keySummary } from './crypto-policy'
import { issuerName, signerName } from './names'
import { judgedAt, proofOfExistence, type DocumentTimestampProof } from './proof-of-existence'
import type { Check, SignatureReport, Verdict } from './report'
import { judgeTrust, type JudgeOptions } from './trust'

export interface DocumentTimestampContext {
  end: number
  /** Usable document time-stamps after this one: they prove when this one existed. */
  later: readonly DocumentTimestampProof[]
  afterIntegrity: () => void
}

/**
 * A document time-stamp (ISO 32000-2 §12.8.5, /SubFilter ETSI.RFC3161, PAdES B-LTA): /Contents
 * is an RFC 3161 token whose message imprint is the digest of the ByteRange bytes themselves (no
 * signed attributes of its own). Checked: the imprint (HASH_FAILURE when the bytes changed), the
 * TSA's CMS signature and signing-certificate binding, the timeStamping EKU, the changes after it,
 * the cryptographic policy, and the TSA certificate's chain, validity and revocation at the time a
 * later document time-stamp proves, or now (EN 319 102-1 §5.4); offline, the newest one's
 * revocation rests on the data the document carries about its own time (issue 18).
 */
export function judgeDocumentTimestamp(
  v: Verdict,
  r: SignatureReport,
  token: Buffer,
  digest: (hash: HashName) => Buffer,
  opts: JudgeOptions,
  ctx: DocumentTimestampContext,
): SignatureReport {
  const ts = verifyTimestampToken(token, digest)
  const cms = ts.cms
  if (!cms) {
    const detail = `the document timestamp is not an RFC 3161 token: ${ts.problems.join('; ')}`
    v.check('structure', false, detail, ['FAILED', 'FORMAT_FAILURE'])
    return v.done()
  }
  r.signer = signerName(ts.tsaCertificate)
  r.issuer = ts.tsaCertificate ? issuerName(ts.tsaCertificate) : null
  r.signedAt = ts.genTime?.toISOString() ?? null
  const imprint = ts.imprintAlgorithm ? digestName(ts.imprintAlgorithm) : 'unsupported'
  r.algorithms = {
    digest: imprint,
    signature: cms.algorithms.signature?.name ?? null,
    key: keySummary(cms.algorithms.key),
  }
  // 3. Integrity: the imprint over the ByteRange, then the token's own signature.
  if (!ts.imprintAlgorithm) {
    v.check('algorithms', false, 'the imprint uses a hash algorithm Kyso does not know', [
      'INDETERMINATE',
      'CRYPTO_CONSTRAINTS_FAILURE',
    ])
  } else {
    v.test(
      'integrity',
      ts.imprintMatches,
      {
        ok: 'the message imprint matches the signed bytes',
        bad: 'the document was changed after it was time-stamped (imprint mismatch)',
      },
      ['FAILED', 'HASH_FAILURE'],
    )
  }
  if (cms.unsupported) {
    v.check('algorithms', false, `the timestamp cannot be checked: ${cms.unsupported}`, [
      'INDETERMINATE',
      'CRYPTO_CONSTRAINTS_FAILURE',
    ])
  } else {
    const intact = cms.signatureValid && cms.messageDigestMatches
    v.test(
      'integrity',
      intact,
      { ok: 'the TSA signature verifies', bad: 'the TSA signature does not verify' },
      ['FAILED', 'SIG_CRYPTO_FAILURE'],
    )
  }
  // RFC 5816 §2.2.1: signing-certificate(-v2) names the TSA certificate; naming another one is a forgery.
  const v2 = cms.signingCertificateV2
  const ess = v2 === 'match' || (v2 === 'absent' && cms.signingCertificateV1 === 'match')
  const mismatch = v2 === 'mismatch' || cms.signingCertificateV1 === 'mismatch'
  v.test(
    'signing-certificate',
    ess,
    {
      ok: 'the signing-certificate attribute names the TSA certificate',
      bad: 'no signing-certificate attribute identifies the TSA certificate (RFC 5816)',
    },
    [mismatch ? 'FAILED' : 'INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE'],
  )
  // 4. Changes after it.
  ctx.afterIntegrity()
  if (!ts.tsaCertificate) {
    v.check('trust', false, 'the TSA certificate is not in the token', [
      'INDETERMINATE',
      'NO_SIGNING_CERTIFICATE_FOUND',
    ])
    return v.done()
  }
  v.test(
    'trust',
    ts.hasTimestampingEku,
    {
      ok: 'the TSA certificate is for time-stamping (EKU)',
      bad: 'the TSA certificate lacks the timeStamping extended key usage',
    },
    ['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE'],
  )
  // 5-8. Proof from later time-stamps; the policy and the TSA's chain at that time, or now.
  const proof = proofOfExistence(ctx.end, undefined, ctx.later)
  r.proofOfExistence = proof ?? null
  const at = judgedAt(proof, opts.now ?? new Date())
  if (!cms.unsupported && ts.imprintAlgorithm) {
    const algorithms = judgeAlgorithms({ ...cms.algorithms, digest: ts.imprintAlgorithm }, at)
    const detail = { ok: `algorithms accepted: ${algorithms.summary}`, bad: algorithms.problems.join('; ') }
    v.test('algorithms', algorithms.acceptable, detail, ['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE'])
  }
  // The status the document's own revocation data must show: at the time a later time-stamp
  // proves, else at this time-stamp's own time (the newest one, judged from what the file carries;
  // revocation data the validator holds speaks about today and is used first).
  const claimed = ts.genTime ?? at
  const statusAt = proof ? new Date(proof.time) : claimed
  const times = { at, claimed, statusAt, ...(proof && { proof: new Date(proof.time) }) }
  judgeTrust(v, r, ts.tsaCertificate, ts.certificates, opts, times)
  r.timestamp = {
    genTime: ts.genTime?.toISOString() ?? null,
    valid: ts.valid,
    trusted: usable(r.checks, r),
    tsa: r.signer,
  }
  r.signedAtProven = r.timestamp.trusted
  return v.done()
}

/** The checks that make a time-stamp a proof: everything but the changes made after it. */
const PROOF_CHECKS = new Set<Check['check']>([
  'structure',
  'coverage',
  'integrity',
  'signing-certificate',
  'trust',
  'validity',
  'algorithms',
])

/** Whether a judged document time-stamp proves what it covers (later changes do not undo that). */
export function usable(checks: readonly Check[], r: Pick<SignatureReport, 'revocation'>): boolean {
  const relevant = checks.filter((c) => PROOF_CHECKS.has(c.check))
  return (
    relevant.some((c) => c.check === 'trust') && relevant.every((c) => c.passed) && r.revocation !== 'revoked'
  )
}
