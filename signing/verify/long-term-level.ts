import type { DocumentEvidence } from './document-evidence'
import type { DocumentTimestampProof } from './proof-of-existence'

/**
 * The PAdES level a B-T signature reaches with the document's DSS (ETSI EN 319 142-1 §6.3-6.4):
 * B-LT when the DSS holds revocation data for the signer certificate that verifies against its
 * issuer; B-LTA when a document time-stamp after the signature also covers that data (§5.4.3).
 * A format fact: whether the data and the time-stamp are enough for a verdict is judged elsewhere.
 */
export function longTermLevel(
  signer: Buffer,
  pool: readonly Buffer[],
  evidence: DocumentEvidence,
  ctx: { end: number; documentTimestamps: readonly DocumentTimestampProof[] },
): 'B-T' | 'B-LT' | 'B-LTA' {
  const issuer = evidence.issuerOf(signer, pool)
  if (!issuer) return 'B-T'
  const answers = evidence.answersFor(signer, issuer)
  if (answers.length === 0) return 'B-T'
  const first = Math.min(...answers.map((a) => a.offset))
  const stamped = ctx.documentTimestamps.some((ts) => ts.coveredUpTo >= ctx.end && ts.coveredUpTo > first)
  return stamped ? 'B-LTA' : 'B-LT'
}
