/**
 * Writes DIR/crl.pem: a CRL from the issuing CA (end-entity certificates) followed by one from the
 * root (the issuing CA). Both carry the next CRL number from the index.
 */
import * as path from 'node:path'
import { keySigner } from './algorithms'
import { signCrls } from './ca-builders'
import { CA_FILES, type CaIndex, type CaKey, writeFileAtomic } from './ca-store'
import { toPem } from './certificate-info'

export { CRL_VALIDITY_DAYS } from './ca-builders'

/** Signs both CRLs, writes crl.pem, and returns the index with the CRL number advanced. */
export async function writeCrls(
  dir: string,
  index: CaIndex,
  keys: { root: CaKey; issuing: CaKey },
  now: Date,
): Promise<CaIndex> {
  const crlNumber = index.crlNumber + 1
  const signer = (k: CaKey) => ({ certificate: k.certificate, signer: keySigner(k.key) })
  const crls = await signCrls(
    index.certificates,
    crlNumber,
    { root: signer(keys.root), issuing: signer(keys.issuing) },
    now,
  )
  await writeFileAtomic(
    path.join(dir, CA_FILES.crl),
    toPem('X509 CRL', crls.issuing) + toPem('X509 CRL', crls.root),
  )
  return { ...index, crlNumber }
}
