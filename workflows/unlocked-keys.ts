import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { KeySource } from '../signing/keys/key-source'
import { openPkcs12KeySource } from '../signing/keys/pkcs12'

/** How long an opened key stays ready after its last use. */
const TTL_MS = 5 * 60_000
const MAX_ENTRIES = 1000

/**
 * Keys opened with their holder's PIN, kept for a few minutes so that a signer's next steps do not
 * pay the PKCS#12 key derivation again (~10 ms of CPU, twice the signature itself). Every request
 * still needs the PIN: it is compared with an HMAC fingerprint under a random key of this cache,
 * never stored; a wrong PIN goes to the PKCS#12 itself and fails there (PIN_INCORRECT). One cache
 * per service (in `Services`): certificate ids mean nothing across databases. Nothing survives a
 * restart.
 */
export interface UnlockedKeys {
  unlock(certificateId: number, p12: Buffer, pin: string): KeySource
  /** Forget a certificate's opened key (revocation, PIN change). */
  forget(certificateId: number): void
}

export function createUnlockedKeys(): UnlockedKeys {
  const secret = randomBytes(32)
  const fingerprint = (pin: string): Buffer => createHmac('sha256', secret).update(pin.normalize('NFC')).digest()
  const cache = new Map<number, { key: KeySource; pin: Buffer; p12: Buffer; until: number }>()
  return {
    unlock(certificateId, p12, pin) {
      const now = Date.now()
      const hit = cache.get(certificateId)
      const fp = fingerprint(pin)
      if (hit && hit.until > now && hit.p12.equals(p12) && timingSafeEqual(hit.pin, fp)) {
        hit.until = now + TTL_MS
        return hit.key
      }
      const key = openPkcs12KeySource(p12, pin)
      if (cache.size >= MAX_ENTRIES) for (const [id, e] of cache) if (e.until <= now || cache.size >= MAX_ENTRIES) cache.delete(id)
      cache.set(certificateId, { key, pin: fp, p12, until: now + TTL_MS })
      return key
    },
    forget(certificateId) {
      cache.delete(certificateId)
    },
  }
}
