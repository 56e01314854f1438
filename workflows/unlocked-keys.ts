import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { KeySource } from '../signing/keys/key-source'
import { openPkcs12KeySource } from '../signing/keys/pkcs12'

/** How long an opened key stays ready after its last use. */
const TTL_MS = 5 * 60_000
const MAX_ENTRIES = 1000

/** Per-process secret for PIN fingerprints: they mean nothing outside this process. */
const secret = randomBytes(32)
const fingerprint = (pin: string): Buffer => createHmac('sha256', secret).update(pin.normalize('NFC')).digest()

/**
 * Keyed by the certificate's id and its PKCS#12's digest: two services in one process (the tests
 * run an isolated one beside the shared one) have certificates with the same ids, and an id alone
 * would hand one database's opened key to the other's signer.
 */
const cache = new Map<string, { key: KeySource; pin: Buffer; until: number; certificateId: number }>()
const cacheKey = (certificateId: number, p12: Buffer): string =>
  `${certificateId}:${createHash('sha256').update(p12).digest('hex')}`

/**
 * Opens a certificate's PKCS#12 with the holder's PIN, keeping the opened key for a few minutes
 * so that a signer's next steps do not pay the PKCS#12 key derivation again (~10 ms of CPU,
 * twice the signature itself). Every request still needs the PIN: it is compared with an HMAC
 * fingerprint under a per-process random key, never stored; a wrong PIN goes to the PKCS#12
 * itself and fails there (PIN_INCORRECT). Nothing survives a restart.
 */
export function unlockKey(certificateId: number, p12: Buffer, pin: string): KeySource {
  const now = Date.now()
  const id = cacheKey(certificateId, p12)
  const hit = cache.get(id)
  const fp = fingerprint(pin)
  if (hit && hit.until > now && timingSafeEqual(hit.pin, fp)) {
    hit.until = now + TTL_MS
    return hit.key
  }
  const key = openPkcs12KeySource(p12, pin)
  if (cache.size >= MAX_ENTRIES) for (const [k, e] of cache) if (e.until <= now || cache.size >= MAX_ENTRIES) cache.delete(k)
  cache.set(id, { key, pin: fp, until: now + TTL_MS, certificateId })
  return key
}

/** Forget a certificate's opened key (revocation, PIN change). */
export function forgetKey(certificateId: number): void {
  for (const [k, e] of cache) if (e.certificateId === certificateId) cache.delete(k)
}
