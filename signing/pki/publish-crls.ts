/**
 * Writes DIR/crl.pem: a CRL from the issuing CA (end-entity certificates) followed by one from the
 * root (the issuing CA). Both carry the next CRL number from the index.
 */
import * as path from 'node:path'
import { CA_FILES, type CaIndex, type CaKey, writeFileAtomic } from './ca-store'
import { toPem } from './certificate-info'
import { signCrl } from './crl-builder'

const DAY = 24 * 60 * 60 * 1000
/**
 * How long each CRL is current (nextUpdate - thisUpdate). There is no publication service, so
 * these are generous; `publishCrls` re-signs them before they lapse.
 */
export const CRL_VALIDITY_DAYS = { issuing: 30, root: 365 } as const

/** Signs both CRLs, writes crl.pem, and returns the index with the CRL number advanced. */
export async function writeCrls(dir: string, index: CaIndex, keys: { root: CaKey; issuing: CaKey }, now: Date): Promise<CaIndex> {
  const crlNumber = index.crlNumber + 1
  const pems = (['issuing', 'root'] as const).map((ca) => {
    const entries = index.certificates
      .filter((c) => c.issuedBy === ca && c.kind !== 'root-ca' && c.revokedAt)
      .map((c) => ({ serialHex: c.serialHex, revokedAt: new Date(c.revokedAt!), ...(c.reason && { reason: c.reason }) }))
    const crl = signCrl({
      issuerCertificate: keys[ca].certificate,
      issuerKey: keys[ca].key,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + CRL_VALIDITY_DAYS[ca] * DAY),
      crlNumber,
      entries,
    })
    return toPem('X509 CRL', crl)
  })
  await writeFileAtomic(path.join(dir, CA_FILES.crl), pems.join(''))
  return { ...index, crlNumber }
}
