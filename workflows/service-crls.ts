import { loadCrls, type ParsedCrl } from '../signing/pki/crl'
import type { Services } from './context'

let parsed: { source: Buffer[]; crls: ParsedCrl[] } | undefined

/** The service's CRLs, parsed again only when their bytes change (a revocation rewrites them). */
export function serviceCrls(s: Services): ParsedCrl[] {
  const source = s.crls()
  if (!parsed || parsed.source.length !== source.length || parsed.source.some((b, i) => !b.equals(source[i] as Buffer))) {
    parsed = { source, crls: source.flatMap((c) => loadCrls(c)) }
  }
  return parsed.crls
}
