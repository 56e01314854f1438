import { loadCrls, type ParsedCrl } from '../signing/pki/crl'
import type { Services } from './context'

let parsed: { source: Buffer[]; crls: ParsedCrl[] } | undefined

/** The service's CRLs, parsed again only when their bytes change (a revocation re-signs them). */
export async function serviceCrls(s: Services): Promise<ParsedCrl[]> {
  const source = await s.crls()
  const last = parsed
  if (
    last &&
    last.source.length === source.length &&
    last.source.every((b, i) => b.equals(source[i] as Buffer))
  )
    return last.crls
  const crls = source.flatMap((c) => loadCrls(c))
  parsed = { source, crls }
  return crls
}
