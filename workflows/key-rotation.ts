import { envelopeKeyId, rewrap, wrap, type KeyRing } from '../signing/keys/key-wrap'
import { caKeys, replaceCaKeyEnvelope } from '../storage/ca-records'
import { replaceServiceSecret, replaceStoredKey, serviceSecrets, storedKeys } from '../storage/key-records'
import type { Queryable } from '../storage/transaction'
import { caKeyContext } from './internal-ca'
import { certificateKeyContext } from './key-ring'

export interface RewrapResult {
  /** Envelopes sealed again under the current key, by kind. */
  certificates: number
  caKeys: number
  secrets: number
  /** Keys stored before issue 15 (PIN only), sealed for the first time. */
  legacy: number
}

/**
 * Rotation of the key-wrapping key (`kyso keys rewrap`, issue 15): every envelope sealed under an
 * older key of the ring is opened and sealed again under the current one: signers' keys, the CA's
 * keys and the server secrets. What is inside does not change (the PINs are not needed: the
 * envelope is around the PIN-protected key). Each row is replaced only if it is still what was
 * read, so a PIN changed meanwhile is not undone; running again finishes what is left.
 */
export async function rewrapAll(db: Queryable, ring: KeyRing): Promise<RewrapResult> {
  const out: RewrapResult = { certificates: 0, caKeys: 0, secrets: 0, legacy: 0 }
  const stale = (envelope: Buffer): boolean => envelopeKeyId(envelope) !== ring.current.id
  for (const k of await storedKeys(db)) {
    if (k.p12.length === 0) continue
    const context = certificateKeyContext(k.serialHex)
    if (k.keyProtection === 'pin') {
      if (
        await replaceStoredKey(db, k.id, k.p12, {
          p12: await wrap(ring, k.p12, context),
          keyProtection: 'wrapped',
        })
      )
        out.legacy++
    } else if (stale(k.p12)) {
      if (
        await replaceStoredKey(db, k.id, k.p12, {
          p12: await rewrap(ring, k.p12, context),
          keyProtection: k.keyProtection,
        })
      )
        out.certificates++
    }
  }
  for (const k of await caKeys(db)) {
    if (!k.wrappedKey || !stale(k.wrappedKey)) continue
    await replaceCaKeyEnvelope(db, k.name, await rewrap(ring, k.wrappedKey, caKeyContext(k.name)))
    out.caKeys++
  }
  for (const secret of await serviceSecrets(db)) {
    if (!stale(secret.envelope)) continue
    await replaceServiceSecret(db, secret.name, await rewrap(ring, secret.envelope, secret.name))
    out.secrets++
  }
  return out
}

/** How many envelopes each key id seals (and how many keys are still under their PIN alone). */
export async function envelopeCounts(
  db: Queryable,
): Promise<{ byKeyId: Record<string, number>; legacy: number }> {
  const byKeyId: Record<string, number> = {}
  const count = (e: Buffer): void => {
    const id = envelopeKeyId(e)
    byKeyId[id] = (byKeyId[id] ?? 0) + 1
  }
  let legacy = 0
  for (const k of await storedKeys(db)) {
    if (k.p12.length === 0) continue
    if (k.keyProtection === 'pin') legacy++
    else count(k.p12)
  }
  for (const k of await caKeys(db)) if (k.wrappedKey) count(k.wrappedKey)
  for (const s of await serviceSecrets(db)) count(s.envelope)
  return { byKeyId, legacy }
}
