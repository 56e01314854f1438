import { certificateInfo } from '../cms/certificate'
import { parseSignedData } from '../cms'
import { PdfDocument } from '../pdf/document'
import { loadCrls, type ParsedCrl } from '../pki/crl'
import { checkByteRange } from './byte-range'
import { findSignatureFields } from './find-signatures'
import { verifyPdf, type VerifyOptions, type VerifyReport } from './verify-pdf'

export interface CrlFetchPolicy {
  /**
   * URL prefixes a CRL may be fetched from (e.g. the national CA's CRL host). A URL written in an
   * uploaded certificate is attacker-controlled: anything not on this list is never requested.
   */
  allow: string[]
  timeoutMs?: number
  /** Largest CRL accepted, in bytes (default 10 MB). */
  maxBytes?: number
  fetch?: typeof fetch
}

export interface CrlFetchResult {
  url: string
  status: 'fetched' | 'not-allowed' | 'failed'
  detail?: string
}

export interface FetchingVerifyReport extends VerifyReport {
  crlFetches: CrlFetchResult[]
}

function allowed(url: string, allow: string[]): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false
  return allow.some((prefix) => url.startsWith(prefix))
}

/** The cRLDistributionPoints URLs of every certificate carried by the document's signatures. */
export function crlUrlsOf(pdf: Buffer): string[] {
  const urls = new Set<string>()
  const doc = new PdfDocument(pdf, { allowEncrypted: true })
  for (const f of findSignatureFields(doc)) {
    const br = checkByteRange(pdf, f.sig)
    if (!br.cms) continue
    try {
      for (const cert of parseSignedData(br.cms).certificates) for (const u of certificateInfo(cert).crlUrls ?? []) urls.add(u)
    } catch {
      /* an unreadable signature is reported by the validator itself */
    }
  }
  return [...urls]
}

async function fetchOne(url: string, policy: CrlFetchPolicy): Promise<{ crls: ParsedCrl[]; result: CrlFetchResult }> {
  const maxBytes = policy.maxBytes ?? 10 * 1024 * 1024
  try {
    const res = await (policy.fetch ?? fetch)(url, { signal: AbortSignal.timeout(policy.timeoutMs ?? 5000), redirect: 'error' })
    if (!res.ok) return { crls: [], result: { url, status: 'failed', detail: `HTTP ${res.status}` } }
    const body = Buffer.from(await res.arrayBuffer())
    if (body.length > maxBytes) return { crls: [], result: { url, status: 'failed', detail: `larger than ${maxBytes} bytes` } }
    return { crls: loadCrls(body), result: { url, status: 'fetched' } }
  } catch (err) {
    return { crls: [], result: { url, status: 'failed', detail: (err as Error).message } }
  }
}

/**
 * Validates after fetching the CRLs that the signatures' certificates point to, but only from
 * allow-listed locations (redirects are refused too, so an allowed host cannot bounce the request
 * elsewhere). Fetched CRLs count only when their signature verifies against the issuer in the
 * chain, like every CRL. Each URL's outcome is reported.
 */
export async function verifyPdfFetchingCrls(pdf: Buffer, opts: VerifyOptions & { crlFetch: CrlFetchPolicy }): Promise<FetchingVerifyReport> {
  const results: CrlFetchResult[] = []
  const crls: ParsedCrl[] = [...(opts.crls ?? [])]
  const wanted = crlUrlsOf(pdf)
  await Promise.all(
    wanted.map(async (url) => {
      if (!allowed(url, opts.crlFetch.allow)) {
        results.push({ url, status: 'not-allowed' })
        return
      }
      const got = await fetchOne(url, opts.crlFetch)
      crls.push(...got.crls)
      results.push(got.result)
    }),
  )
  return { ...verifyPdf(pdf, { ...opts, crls }), crlFetches: results }
}
