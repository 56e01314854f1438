import { isRevoked, type ParsedCrl } from '../pki/crl'
import { signerName } from './names'
import type { SignatureReport, Verdict } from './report'

export interface RevocationTimes {
  /** When the signer says it signed: a time-stamp's genTime, else /M, else the validation time. */
  claimed: Date
  /** When a trusted time-stamp proves the signature existed, if one does. */
  proof?: Date
}

/**
 * Every certificate of the chain below the anchor needs revocation information (EN 319 102-1
 * §5.2.6): none makes the signature INDETERMINATE, never PASSED. Revoked before the claimed time
 * is FAILED; revoked after it is fine only when a time-stamp proves the signature existed before
 * the revocation (§5.6.2.3, past signature validation), else REVOKED_NO_POE.
 */
export function judgeRevocation(
  v: Verdict,
  r: SignatureReport,
  path: Buffer[],
  crls: ParsedCrl[],
  times: RevocationTimes,
): void {
  const subject = r.kind === 'document-timestamp' ? 'the TSA certificate' : 'the signer certificate'
  r.revocation = 'unknown'
  // Every certificate but the anchor, each against CRLs signed by its own issuer in the path.
  for (const [i, cert] of path.slice(0, -1).entries()) {
    const who = i === 0 ? subject : `CA certificate '${signerName(cert)}'`
    const st = isRevoked(cert, crls, new Date(), [path[i + 1] as Buffer])
    if (!st.crlFound) {
      v.check('revocation', false, `no revocation information for ${who}`, ['INDETERMINATE', 'TRY_LATER'])
      continue
    }
    r.revocationSource = 'crl'
    if (!st.revoked) {
      v.check('revocation', true, `${who} is not revoked (CRL)`)
      continue
    }
    const when = st.revokedAt ? st.revokedAt.toISOString() : 'an unknown date'
    if (i === 0) r.revocation = 'revoked'
    if (!st.revokedAt || st.revokedAt <= times.claimed) {
      v.check('revocation', false, `${who} was revoked on ${when}, before the signing time`, ['FAILED', 'REVOKED'])
    } else if (times.proof && times.proof < st.revokedAt) {
      const proven = times.proof.toISOString()
      v.check('revocation', true, `${who} was revoked on ${when}, after the time the signature is proven to exist (${proven})`)
    } else {
      const detail = `${who} was revoked on ${when}; nothing proves the signature was made before`
      v.check('revocation', false, detail, ['INDETERMINATE', 'REVOKED_NO_POE'])
    }
  }
  const revocationChecks = r.checks.filter((c) => c.check === 'revocation')
  const allGood = revocationChecks.length > 0 && revocationChecks.every((c) => c.passed)
  if (r.revocation === 'unknown' && allGood) r.revocation = 'good'
}
