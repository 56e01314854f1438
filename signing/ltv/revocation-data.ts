/**
 * Revocation data for one certificate, to be kept in a DSS (ETSI EN 319 142-1 §5.4.2.2): the
 * issuer's CRL (held, or fetched from the certificate's distribution point) and, where the CA
 * has a responder, an OCSP answer (held, asked in process of the service's own CA, or fetched
 * from the certificate's authorityInfoAccess URL). Remote sources are asked only under an
 * allow-listed prefix (remote-fetch.ts): a URL in a certificate is whatever its issuer wrote.
 */
import { certificateInfo } from '../cms/certificate'
import { SigningError } from '../errors'
import { readCertificate } from '../pki/certificate-info'
import { loadCrls, type ParsedCrl } from '../pki/crl'
import { fetchOcsp } from '../pki/ocsp'
import { fetchAllowed, isAllowedUrl, type FetchPolicy } from '../pki/remote-fetch'
import { crlAnswer, ocspAnswer, type RevocationAnswer } from '../pki/revocation-answer'
import type { RevocationFetch } from '../pki/revocation-sources'

export interface RevocationDataSources {
  /** CRLs at hand (the CA's own, uploaded ones, those of `--crl`). */
  crls: ParsedCrl[]
  /** OCSP responses at hand (DER OCSPResponse), e.g. kept as evidence when the signature was made. */
  ocspResponses: Buffer[]
  /** An OCSP responder in this process (the service's own CA): its DER answer about `cert`. */
  ocsp?: (cert: Buffer, issuer: Buffer) => Promise<Buffer | undefined>
  /** Where CRLs and OCSP answers may be fetched from; without it nothing is fetched. */
  fetch?: FetchPolicy
  now: Date
  /** Every fetch tried is appended here. */
  fetches: RevocationFetch[]
}

export interface RevocationData {
  crls: Buffer[]
  ocspResponses: Buffer[]
}

const DAY = 86_400_000

/** The revocation data to keep for `cert` (issued by `issuer`); empty lists when none was found. */
export async function revocationDataFor(
  cert: Buffer,
  issuer: Buffer,
  sources: RevocationDataSources,
): Promise<RevocationData> {
  const ocsp = await ocspFor(cert, issuer, sources)
  const crl = await crlFor(cert, issuer, sources)
  return { crls: crl ? [crl] : [], ocspResponses: ocsp ? [ocsp] : [] }
}

/** A current answer: thisUpdate not in the future, and nextUpdate not passed (or a day old at most). */
function current(a: RevocationAnswer, now: Date): boolean {
  const t = now.getTime()
  if (a.thisUpdate.getTime() > t + 5 * 60_000) return false
  return a.nextUpdate ? a.nextUpdate.getTime() >= t : a.thisUpdate.getTime() >= t - DAY
}

async function ocspFor(
  cert: Buffer,
  issuer: Buffer,
  sources: RevocationDataSources,
): Promise<Buffer | undefined> {
  // 1. An answer at hand that is still current.
  const held = sources.ocspResponses.filter((der) => {
    const a = ocspAnswer(der, cert, issuer)
    return a !== undefined && a.status !== 'unknown' && current(a, sources.now)
  })
  if (held[0]) return held[0]
  // 2. The service's own responder, in process.
  const own = await sources.ocsp?.(cert, issuer)
  if (own && ocspAnswer(own, cert, issuer)?.status !== undefined) return own
  // 3. The responder the certificate names, when allow-listed (RFC 6960 §3.1).
  const policy = sources.fetch
  if (!policy) return undefined
  for (const url of readCertificate(cert).ocspUrls) {
    if (!isAllowedUrl(url, policy.allow)) {
      sources.fetches.push({ url, kind: 'ocsp', status: 'not-allowed' })
      continue
    }
    try {
      const answer = await fetchOcsp(url, cert, issuer, { ...policy, now: sources.now })
      sources.fetches.push({ url, kind: 'ocsp', status: 'fetched' })
      if (answer.status !== 'unknown') return answer.raw
    } catch (err) {
      if (!(err instanceof SigningError)) throw err
      sources.fetches.push({ url, kind: 'ocsp', status: 'failed', detail: err.message })
    }
  }
  return undefined
}

async function crlFor(
  cert: Buffer,
  issuer: Buffer,
  sources: RevocationDataSources,
): Promise<Buffer | undefined> {
  // 1. The newest CRL at hand that the issuer signed; fetched anew when it is not current.
  const held = newest(sources.crls, cert, issuer)
  if (held && current(held.answer, sources.now)) return held.crl.der
  const policy = sources.fetch
  for (const url of policy ? (certificateInfo(cert).crlUrls ?? []) : []) {
    const got = await fetchAllowed(url, policy as FetchPolicy)
    if (!got.ok) {
      sources.fetches.push({
        url,
        kind: 'crl',
        status: got.status,
        ...(got.detail !== undefined && { detail: got.detail }),
      })
      continue
    }
    let crls: ParsedCrl[]
    try {
      crls = loadCrls(got.body)
    } catch (err) {
      sources.fetches.push({ url, kind: 'crl', status: 'failed', detail: (err as Error).message })
      continue
    }
    sources.fetches.push({ url, kind: 'crl', status: 'fetched' })
    const fetched = newest(crls, cert, issuer)
    if (fetched) return fetched.crl.der
  }
  // 2. Else the newest one at hand, stale or not: the validator judges the time it speaks about.
  return held?.crl.der
}

function newest(
  crls: ParsedCrl[],
  cert: Buffer,
  issuer: Buffer,
): { crl: ParsedCrl; answer: RevocationAnswer } | undefined {
  return crls
    .flatMap((crl) => {
      const answer = crlAnswer(crl, cert, issuer)
      return answer ? [{ crl, answer }] : []
    })
    .sort((a, b) => b.crl.thisUpdate.getTime() - a.crl.thisUpdate.getTime())[0]
}
