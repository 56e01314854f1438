import type { Config } from '../config'

/** Where the service serves its CA's CRL (DER, RFC 5280 §4.2.1.13: one CRL per URI). */
export const CRL_PATH = '/api/ca/crl.crl'
/** Where the service answers OCSP (RFC 6960 Appendix A: POST, or GET with the request in the path). */
export const OCSP_PATH = '/ocsp'

/**
 * The URLs the internal CA writes into the certificates it issues from now on (issue 18):
 * cRLDistributionPoints and authorityInfoAccess OCSP, under KYSO_PUBLIC_URL; none without it.
 */
export function caUrls(config: Pick<Config, 'publicUrl'>): { crlUrl?: string; ocspUrl?: string } {
  if (!config.publicUrl) return {}
  return { crlUrl: `${config.publicUrl}${CRL_PATH}`, ocspUrl: `${config.publicUrl}${OCSP_PATH}` }
}
