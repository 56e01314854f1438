/**
 * Proof of existence (ETSI EN 319 102-1 §5.6.2.3-5.6.2.4): a valid, trusted time-stamp over some
 * bytes proves they existed at its genTime. A signature's own signature-time-stamp proves its
 * signature value; a document time-stamp (ISO 32000-2 §12.8.5) proves every byte before its own
 * /Contents, so every signature whose revision it covers. The earliest proof is what past
 * signature validation uses: a certificate that expired, or was revoked, after that time does not
 * spoil the signature. Issue 18 (B-LTA, `kyso verify --at`) builds on these functions.
 */
import type { ProofOfExistence } from './report'

/** A document time-stamp as proof for what it covers. */
export interface DocumentTimestampProof {
  field: string
  /** Offset of its /Contents: everything before it is covered. */
  coveredUpTo: number
  genTime: Date
  /** Token valid (imprint, signature, TSA certificate) and its TSA trusted at the time it is judged. */
  usable: boolean
}

/**
 * The earliest proof that bytes up to `end` existed: the signature's own trusted time-stamp
 * (`own`, when there is one) or a usable document time-stamp covering them.
 */
export function proofOfExistence(
  end: number,
  own: Date | undefined,
  documentTimestamps: readonly DocumentTimestampProof[],
): ProofOfExistence | undefined {
  let best: ProofOfExistence | undefined = own && {
    time: own.toISOString(),
    source: 'signature-timestamp',
    field: null,
  }
  for (const ts of documentTimestamps) {
    if (!ts.usable || ts.coveredUpTo < end) continue
    if (!best || ts.genTime.getTime() < new Date(best.time).getTime()) {
      best = { time: ts.genTime.toISOString(), source: 'document-timestamp', field: ts.field }
    }
  }
  return best
}

/** The time certificates and algorithms are judged at: the proven time, else the validation time. */
export function judgedAt(proof: ProofOfExistence | undefined, now: Date): Date {
  return proof ? new Date(proof.time) : now
}
