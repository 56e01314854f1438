import { X509Certificate } from 'node:crypto'

export interface ChainResult {
  /** Signer first, trust anchor last; empty when no path to an anchor was found. */
  path: X509Certificate[]
  trusted: boolean
  problems: string[]
}

const parsed = new Map<string, X509Certificate | null>()
const CACHE_SIZE = 512

/** node's X509Certificate for a DER certificate, parsed once per distinct certificate; null if unparsable. */
export function safeCert(der: Buffer): X509Certificate | null {
  const key = der.toString('base64')
  if (parsed.has(key)) return parsed.get(key) as X509Certificate | null
  let cert: X509Certificate | null
  try {
    cert = new X509Certificate(der)
  } catch {
    cert = null
  }
  if (parsed.size >= CACHE_SIZE) parsed.delete(parsed.keys().next().value as string)
  parsed.set(key, cert)
  return cert
}

/**
 * Builds a path from the signer to one of the trust anchors through the certificates at hand
 * (RFC 5280 §6, simplified: name chaining, signatures, CA basic constraints; policies are not
 * processed). Each certificate must be valid at `at` (the proven or claimed signing time).
 */
export function buildChain(signer: Buffer, pool: Buffer[], anchors: Buffer[], at: Date): ChainResult {
  const problems: string[] = []
  const leaf = safeCert(signer)
  if (!leaf) return { path: [], trusted: false, problems: ['the signer certificate cannot be parsed'] }
  const anchorCerts = anchors.map(safeCert).filter((c): c is X509Certificate => c !== null)
  const poolCerts = [...pool.map(safeCert), ...anchorCerts].filter((c): c is X509Certificate => c !== null)
  const isAnchor = (c: X509Certificate): boolean =>
    anchorCerts.some((a) => a.fingerprint256 === c.fingerprint256)
  const path: X509Certificate[] = [leaf]
  for (let cur = leaf; path.length <= 10; ) {
    if (isAnchor(cur)) break
    const issuer = poolCerts.find(
      (c) => c.fingerprint256 !== cur.fingerprint256 && c.ca && cur.checkIssued(c) && cur.verify(c.publicKey),
    )
    if (!issuer) return { path: [], trusted: false, problems: ['no chain to a trusted root'] }
    path.push(issuer)
    cur = issuer
  }
  if (!isAnchor(path[path.length - 1] as X509Certificate))
    return { path: [], trusted: false, problems: ['no chain to a trusted root'] }
  for (const c of path) {
    if (at < new Date(c.validFrom) || at > new Date(c.validTo))
      problems.push(
        `certificate '${c.subject.split('\n').find((l) => l.startsWith('CN=')) ?? c.subject}' is not valid at the signing time`,
      )
  }
  return { path, trusted: true, problems }
}
