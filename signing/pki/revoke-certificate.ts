/**
 * Revocation ("thu hồi") and CRL re-publication for the internal CA.
 */
import { SigningError } from '../errors'
import { openCaKey, normaliseSerial, readIndex, writeIndex } from './ca-store'
import { isRevocationReason, type RevocationReason } from './crl-builder'
import { writeCrls } from './publish-crls'

export interface RevokeOptions {
  caPin: string
  now?: Date
  /** An RFC 5280 §5.3.1 CRLReason name, e.g. 'keyCompromise', 'affiliationChanged'; default unspecified. */
  reason?: string
}

/**
 * Marks the certificate revoked in index.json and rewrites crl.pem. Revoking an already revoked
 * certificate changes nothing (the first date and reason stand). The root cannot be revoked by a
 * CRL it signs itself: remove it from the trust stores instead.
 *
 * @example
 * await revokeCertificate(caDir, '4F1A…', { caPin, reason: 'keyCompromise' })
 */
export async function revokeCertificate(dir: string, serialHex: string, opts: RevokeOptions): Promise<void> {
  const reason = opts.reason ?? 'unspecified'
  if (!isRevocationReason(reason))
    throw new SigningError('BAD_OPTION', `Unknown revocation reason "${reason}" (RFC 5280 §5.3.1)`)
  const index = await readIndex(dir)
  const serial = normaliseSerial(serialHex)
  const entry = index.certificates.find((c) => c.serialHex === serial)
  if (!entry)
    throw new SigningError('SERIAL_UNKNOWN', `CA không cấp chứng thư số nào có số sê-ri ${serialHex}`)
  if (entry.kind === 'root-ca')
    throw new SigningError('BAD_OPTION', 'The root CA cannot be revoked by its own CRL')
  if (entry.revokedAt) return
  const keys = await openKeys(dir, opts.caPin)
  // Whole seconds: the CRL's revocationDate carries no fractions (RFC 5280 §5.1.2.6).
  const now = new Date(Math.floor((opts.now ?? new Date()).getTime() / 1000) * 1000)
  const revoked = {
    ...entry,
    revokedAt: now.toISOString(),
    ...(reason !== 'unspecified' && { reason: reason as RevocationReason }),
  }
  const updated = { ...index, certificates: index.certificates.map((c) => (c === entry ? revoked : c)) }
  await writeIndex(dir, await writeCrls(dir, updated, keys, now))
}

/** Re-signs both CRLs with the current time (run before nextUpdate passes; see CRL_VALIDITY_DAYS). */
export async function publishCrls(dir: string, opts: { caPin: string; now?: Date }): Promise<void> {
  const index = await readIndex(dir)
  const keys = await openKeys(dir, opts.caPin)
  await writeIndex(dir, await writeCrls(dir, index, keys, opts.now ?? new Date()))
}

async function openKeys(dir: string, caPin: string) {
  return { root: await openCaKey(dir, 'root', caPin), issuing: await openCaKey(dir, 'issuing', caPin) }
}
