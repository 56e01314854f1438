import { isRevoked, type ParsedCrl } from '../pki/crl'
import { safeCert } from './chain'
import type { DocumentEvidence, PlacedAnswer } from './document-evidence'
import { signerName } from './names'
import type { SignatureReport, Verdict } from './report'

export interface RevocationTimes {
  /** When the signer says it signed: a time-stamp's genTime, else /M, else the validation time. */
  claimed: Date
  /** When a trusted time-stamp proves the signature existed, if one does. */
  proof?: Date
  /**
   * The time the certificates' status must be shown for by the document's own revocation data:
   * the proven time, else the validation time (a document time-stamp with no later proof: its own
   * time, see document-timestamp.ts).
   */
  statusAt: Date
}

export interface RevocationSources {
  /** CRLs the validator holds (--crl, the service's own): today's knowledge, used first. */
  held: ParsedCrl[]
  /** The CRLs and OCSP responses of the document's DSS (PAdES B-LT). */
  document: DocumentEvidence
}

/** A little clock difference between a CA and the time-stamp authority is tolerated. */
const SKEW_MS = 5 * 60_000

/**
 * Every certificate of the chain below the anchor needs revocation information (EN 319 102-1
 * §5.2.6): none makes the signature INDETERMINATE, never PASSED. Revoked before the claimed time
 * is FAILED; revoked after it is fine only when a time-stamp proves the signature existed before
 * the revocation (§5.6.2.3, past signature validation), else REVOKED_NO_POE. A revocation shown
 * by any verified answer (held or in the document) wins; otherwise a held CRL, then an answer of
 * the document that speaks about `statusAt` (see `speaksAbout`).
 */
export function judgeRevocation(
  v: Verdict,
  r: SignatureReport,
  path: Buffer[],
  sources: RevocationSources,
  times: RevocationTimes,
): void {
  const subject = r.kind === 'document-timestamp' ? 'the TSA certificate' : 'the signer certificate'
  r.revocation = 'unknown'
  // Every certificate but the anchor, each against answers signed by its own issuer in the path.
  for (const [i, cert] of path.slice(0, -1).entries()) {
    const who = i === 0 ? subject : `CA certificate '${signerName(cert)}'`
    const issuer = path[i + 1] as Buffer
    const held = isRevoked(cert, sources.held, new Date(), [issuer])
    const inFile = sources.document.answersFor(cert, issuer)
    const revoked = revocationOf(held, inFile)
    if (revoked) {
      if (i === 0) r.revocation = 'revoked'
      note(r, revoked.source, revoked.from)
      judgeRevoked(v, who, revoked.revokedAt, times)
      continue
    }
    if (held.crlFound) {
      note(r, 'crl', 'held')
      v.check('revocation', true, `${who} is not revoked (CRL)`)
      continue
    }
    const good = inFile.filter((a) => a.status === 'good' && speaksAbout(a, cert, times.statusAt))
    const best = good.sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())[0]
    if (best) {
      note(r, best.source, 'document')
      const what = `${best.source === 'ocsp' ? 'OCSP answer' : 'CRL'} of ${best.thisUpdate.toISOString()} in the document`
      v.check('revocation', true, `${who} is not revoked (${what})`)
      continue
    }
    const at = times.statusAt.toISOString()
    const detail =
      inFile.length > 0
        ? `the document's revocation data for ${who} does not show its status at ${at}`
        : `no revocation information for ${who}`
    v.check('revocation', false, detail, ['INDETERMINATE', 'TRY_LATER'])
  }
  const revocationChecks = r.checks.filter((c) => c.check === 'revocation')
  const allGood = revocationChecks.length > 0 && revocationChecks.every((c) => c.passed)
  if (r.revocation === 'unknown' && allGood) r.revocation = 'good'
}

type Revoked = { revokedAt: Date | undefined; source: 'crl' | 'ocsp'; from: 'held' | 'document' }

/** The earliest revocation any verified answer shows, if one does. */
function revocationOf(held: ReturnType<typeof isRevoked>, inFile: PlacedAnswer[]): Revoked | undefined {
  const all: Revoked[] = inFile
    .filter((a) => a.status === 'revoked')
    .map((a) => ({ revokedAt: a.revokedAt, source: a.source, from: 'document' }))
  if (held.revoked) all.push({ revokedAt: held.revokedAt, source: 'crl', from: 'held' })
  return all.sort((a, b) => (a.revokedAt?.getTime() ?? 0) - (b.revokedAt?.getTime() ?? 0))[0]
}

function judgeRevoked(v: Verdict, who: string, revokedAt: Date | undefined, times: RevocationTimes): void {
  const when = revokedAt ? revokedAt.toISOString() : 'an unknown date'
  if (!revokedAt || revokedAt <= times.claimed) {
    v.check('revocation', false, `${who} was revoked on ${when}, before the signing time`, [
      'FAILED',
      'REVOKED',
    ])
  } else if (times.proof && times.proof < revokedAt) {
    const proven = times.proof.toISOString()
    v.check(
      'revocation',
      true,
      `${who} was revoked on ${when}, after the time the signature is proven to exist (${proven})`,
    )
  } else {
    const detail = `${who} was revoked on ${when}; nothing proves the signature was made before`
    v.check('revocation', false, detail, ['INDETERMINATE', 'REVOKED_NO_POE'])
  }
}

/**
 * Whether a "not revoked" answer kept in the document shows the status at `at` (EN 319 102-1
 * §5.2.5, revocation freshness): it was issued at or after `at`, or it was current then
 * (thisUpdate <= at <= nextUpdate); and it was issued while the certificate was valid, since a CA
 * may drop an expired certificate from its CRLs (RFC 5280 §3.3).
 */
function speaksAbout(a: PlacedAnswer, cert: Buffer, at: Date): boolean {
  const x = safeCert(cert)
  if (!x || a.thisUpdate.getTime() > new Date(x.validTo).getTime() + SKEW_MS) return false
  const after = a.thisUpdate.getTime() >= at.getTime() - SKEW_MS
  const current = a.thisUpdate <= at && a.nextUpdate !== undefined && a.nextUpdate >= at
  return after || current
}

/** Which kind of answer the signature's status rests on, and whose it was (the first one named). */
function note(r: SignatureReport, source: 'crl' | 'ocsp', from: 'held' | 'document'): void {
  r.revocationSource ??= source
  r.revocationEvidence ??= from
}
