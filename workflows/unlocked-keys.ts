import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { KeySource } from '../signing/keys/key-source'

/** How long an opened key stays ready after its last use. */
const TTL_MS = 5 * 60_000
const MAX_ENTRIES = 1000

/**
 * Keys opened with their holder's PIN, kept for a few minutes so that a signer's next steps do not
 * pay the key derivation and unwrapping again (~10 ms of CPU, twice the signature itself). Every
 * request still needs the PIN, and still counts as a PIN try (pin-tries.ts): it is compared with an
 * HMAC fingerprint under a random key of this cache, kept in memory only, never written; a wrong
 * PIN goes to the stored key itself and fails there (PIN_INCORRECT). A cached key is used only
 * while the stored bytes are the ones it was opened from (a PIN change or a rotation re-seals
 * them). One cache per service (in `Services`): certificate ids mean nothing across databases.
 * Nothing survives a restart; revocation and PIN changes `forget`.
 */
export interface UnlockedKeys {
  unlock(
    certificateId: number,
    stored: Buffer,
    pin: string,
    open: () => Promise<KeySource>,
  ): Promise<KeySource>
  /** The key opened earlier with this very PIN from these very bytes, if it is still kept. */
  cached(certificateId: number, stored: Buffer, pin: string): KeySource | undefined
  /** Forget a certificate's opened key (revocation, PIN change). */
  forget(certificateId: number): void
}

export function createUnlockedKeys(): UnlockedKeys {
  const secret = randomBytes(32)
  const fingerprint = (pin: string): Buffer =>
    createHmac('sha256', secret).update(pin.normalize('NFC')).digest()
  const cache = new Map<number, { key: KeySource; pin: Buffer; stored: Buffer; until: number }>()
  const cached = (certificateId: number, stored: Buffer, pin: string): KeySource | undefined => {
    const now = Date.now()
    const hit = cache.get(certificateId)
    if (!hit || hit.until <= now || !hit.stored.equals(stored) || !timingSafeEqual(hit.pin, fingerprint(pin)))
      return undefined
    hit.until = now + TTL_MS
    return hit.key
  }
  return {
    cached,
    async unlock(certificateId, stored, pin, open) {
      const hit = cached(certificateId, stored, pin)
      if (hit) return hit
      const now = Date.now()
      const fp = fingerprint(pin)
      const key = await open()
      if (cache.size >= MAX_ENTRIES)
        for (const [id, e] of cache) if (e.until <= now || cache.size >= MAX_ENTRIES) cache.delete(id)
      cache.set(certificateId, { key, pin: fp, stored: Buffer.from(stored), until: now + TTL_MS })
      return key
    },
    forget(certificateId) {
      cache.delete(certificateId)
    },
  }
}
