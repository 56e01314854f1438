import { certificateInfo } from '../cms/certificate'
import { parseSignedData } from '../cms'
import { PdfDocument } from '../pdf/document'
import { loadCrls, type ParsedCrl } from '../pki/crl'
import { fetchAllowed, type FetchPolicy } from '../pki/remote-fetch'
import { checkByteRange } from './byte-range'
import { findSignatureFields } from './find-signatures'
import { verifyPdf, type VerifyOptions, type VerifyReport } from './verify-pdf'

/**
 * Where CRLs may be fetched from, and the limits: the same rule as for OCSP (signing/pki/remote-fetch.ts).
 * A URL written in an uploaded certificate is attacker-controlled: anything not allow-listed is
 * never requested.
 */
export type CrlFetchPolicy = FetchPolicy

export interface CrlFetchResult {
  url: string
  status: 'fetched' | 'not-allowed' | 'failed'
  detail?: string
}

export interface FetchingVerifyReport extends VerifyReport {
  crlFetches: CrlFetchResult[]
}

/** The cRLDistributionPoints URLs of every certificate carried by the document's signatures. */
export function crlUrlsOf(pdf: Buffer): string[] {
  const urls = new Set<string>()
  const doc = new PdfDocument(pdf, { allowEncrypted: true })
  for (const f of findSignatureFields(doc)) {
    const br = checkByteRange(pdf, f.sig)
    if (!br.cms) continue
    try {
      for (const cert of parseSignedData(br.cms).certificates)
        for (const u of certificateInfo(cert).crlUrls ?? []) urls.add(u)
    } catch {
      /* an unreadable signature is reported by the validator itself */
    }
  }
  return [...urls]
}

async function fetchOne(
  url: string,
  policy: CrlFetchPolicy,
): Promise<{ crls: ParsedCrl[]; result: CrlFetchResult }> {
  const got = await fetchAllowed(url, policy)
  if (!got.ok) {
    const detail = got.detail !== undefined ? { detail: got.detail } : {}
    return { crls: [], result: { url, status: got.status, ...detail } }
  }
  try {
    return { crls: loadCrls(got.body), result: { url, status: 'fetched' } }
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
export async function verifyPdfFetchingCrls(
  pdf: Buffer,
  opts: VerifyOptions & { crlFetch: CrlFetchPolicy },
): Promise<FetchingVerifyReport> {
  const results: CrlFetchResult[] = []
  const crls: ParsedCrl[] = [...(opts.crls ?? [])]
  const wanted = crlUrlsOf(pdf)
  await Promise.all(
    wanted.map(async (url) => {
      const got = await fetchOne(url, opts.crlFetch)
      crls.push(...got.crls)
      results.push(got.result)
    }),
  )
  return { ...verifyPdf(pdf, { ...opts, crls }), crlFetches: results }
}
