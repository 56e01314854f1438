/**
 * Revocation information for one certificate of a path, from the first source that gives a usable
 * answer: a CRL already held (uploaded by an administrator, or read from files), then OCSP at the
 * certificate's authorityInfoAccess URLs, then a CRL at its cRLDistributionPoints. Remote sources
 * are asked only under an allow-listed prefix. What was used is kept as evidence.
 */
import { certificateInfo } from '../cms/certificate'
import { SigningError } from '../errors'
import { readCertificate } from './certificate-info'
import { isRevoked, loadCrls, verifyCrlSignature, type ParsedCrl } from './crl'
import { fetchOcsp, type OcspResult } from './ocsp'
import { fetchAllowed, isAllowedUrl, type FetchPolicy } from './remote-fetch'

export interface RevocationEvidence {
  subject: string
  serialHex: string
  /** Where the answer came from; null when no source gave one. */
  source: 'crl' | 'ocsp' | null
  /** The URL fetched; absent for a held CRL. */
  url?: string
  status: 'good' | 'revoked' | 'unknown'
  revokedAt?: Date
  reason?: string
  /** The CRL DER or the OCSPResponse DER the answer rests on. */
  data?: Buffer
  detail?: string
}

export interface RevocationFetch {
  url: string
  kind: 'crl' | 'ocsp'
  status: 'fetched' | 'not-allowed' | 'failed'
  detail?: string
}

export interface RevocationFetchPolicy extends FetchPolicy {
  /** Send a nonce with OCSP requests (default true); see fetchOcsp. */
  ocspNonce?: boolean
}

export interface RevocationSources {
  /** CRLs at hand: only those signed by the issuer and current count. */
  crls: ParsedCrl[]
  /** Without it nothing is fetched. */
  fetch?: RevocationFetchPolicy
  now: Date
  /** Every fetch tried is appended here. */
  fetches: RevocationFetch[]
}

/** A little clock difference with the CRL issuer is tolerated on thisUpdate. */
const SKEW_MS = 5 * 60_000

/** The revocation status of `certDer`, issued by `issuerDer`, with the evidence for it. */
export async function revocationOf(
  certDer: Buffer,
  issuerDer: Buffer,
  sources: RevocationSources,
): Promise<RevocationEvidence> {
  const facts = readCertificate(certDer)
  const who = { subject: facts.subject, serialHex: facts.serialHex }
  // 1. A CRL at hand (RFC 5280 §6.3.3).
  const held = fromCrls(certDer, issuerDer, sources.crls, sources.now)
  if (held) return { ...who, ...held }
  const policy = sources.fetch
  if (!policy) return { ...who, source: null, status: 'unknown', detail: 'no current CRL at hand' }
  // 2. OCSP (RFC 6960 §3.1: the responder named in authorityInfoAccess).
  let unknown: RevocationEvidence | undefined
  for (const url of facts.ocspUrls) {
    const answer = await askOcsp(url, certDer, issuerDer, sources, policy)
    if (!answer) continue
    const evidence: RevocationEvidence = { ...who, source: 'ocsp', url, ...answerOf(answer) }
    if (answer.status !== 'unknown') return evidence
    unknown ??= { ...evidence, detail: 'the OCSP responder does not know the certificate' }
  }
  // 3. A CRL from the distribution points (RFC 5280 §4.2.1.13).
  for (const url of certificateInfo(certDer).crlUrls ?? []) {
    const found = await fetchCrl(url, certDer, issuerDer, sources, policy)
    if (found) return { ...who, ...found, url }
  }
  return unknown ?? { ...who, source: null, status: 'unknown', detail: 'no source gave a usable answer' }
}

async function askOcsp(
  url: string,
  certDer: Buffer,
  issuerDer: Buffer,
  sources: RevocationSources,
  policy: RevocationFetchPolicy,
): Promise<OcspResult | undefined> {
  if (!isAllowedUrl(url, policy.allow)) {
    sources.fetches.push({ url, kind: 'ocsp', status: 'not-allowed' })
    return undefined
  }
  try {
    const ocspPolicy = { ...policy, nonce: policy.ocspNonce, now: sources.now }
    const answer = await fetchOcsp(url, certDer, issuerDer, ocspPolicy)
    sources.fetches.push({ url, kind: 'ocsp', status: 'fetched' })
    return answer
  } catch (err) {
    if (!(err instanceof SigningError)) throw err
    sources.fetches.push({ url, kind: 'ocsp', status: 'failed', detail: err.message })
    return undefined
  }
}

async function fetchCrl(
  url: string,
  certDer: Buffer,
  issuerDer: Buffer,
  sources: RevocationSources,
  policy: RevocationFetchPolicy,
): Promise<Omit<RevocationEvidence, 'subject' | 'serialHex'> | undefined> {
  const got = await fetchAllowed(url, policy)
  if (!got.ok) {
    const detail = got.detail !== undefined ? { detail: got.detail } : {}
    sources.fetches.push({ url, kind: 'crl', status: got.status, ...detail })
    return undefined
  }
  let crls: ParsedCrl[]
  try {
    crls = loadCrls(got.body)
  } catch (err) {
    sources.fetches.push({ url, kind: 'crl', status: 'failed', detail: (err as Error).message })
    return undefined
  }
  const found = fromCrls(certDer, issuerDer, crls, sources.now)
  const detail = found ? {} : { detail: 'no current CRL signed by the issuer' }
  sources.fetches.push({ url, kind: 'crl', status: 'fetched', ...detail })
  return found
}

/**
 * The answer of the newest CRL among `crls` that the issuer signed (§6.3.3 (f), (g): with a key
 * allowed to sign CRLs) and that is current (§6.3.3 (a): nextUpdate not passed), if any.
 */
function fromCrls(certDer: Buffer, issuerDer: Buffer, crls: ParsedCrl[], now: Date) {
  const issuer = readCertificate(issuerDer)
  if (issuer.keyUsage && !issuer.keyUsage.has('cRLSign')) return undefined
  const usable = crls
    .filter((crl) => crl.nextUpdate !== undefined && crl.nextUpdate >= now)
    .filter((crl) => crl.thisUpdate.getTime() <= now.getTime() + SKEW_MS)
    .filter((crl) => verifyCrlSignature(crl, issuerDer))
    .sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())
  const newest = usable[0]
  if (!newest) return undefined
  const status = isRevoked(certDer, [newest], now)
  if (!status.crlFound) return undefined
  if (!status.revoked) return { source: 'crl' as const, status: 'good' as const, data: newest.der }
  const reason = status.reason !== undefined ? { reason: status.reason } : {}
  const revokedAt = status.revokedAt
  return { source: 'crl' as const, status: 'revoked' as const, revokedAt, ...reason, data: newest.der }
}

function answerOf(answer: OcspResult): Pick<RevocationEvidence, 'status' | 'revokedAt' | 'reason' | 'data'> {
  return {
    status: answer.status,
    data: answer.raw,
    ...(answer.revokedAt && { revokedAt: answer.revokedAt }),
    ...(answer.reason !== undefined && { reason: answer.reason }),
  }
}
