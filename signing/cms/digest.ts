/** Message digests through node:crypto, including the fixed-length SHAKE256 of RFC 8419. */
import { createHash, type Hash } from 'node:crypto'
import { HASH_LENGTH, type HashName } from './oids'

/**
 * A running hash for `hash`. SHAKE256 is an extendable-output function: RFC 8419 §2.3 fixes its
 * output at 512 bits when it is the digest algorithm of an Ed448 signature (id-shake256).
 */
export function createDigest(hash: HashName): Hash {
  return hash === 'shake256'
    ? createHash('shake256', { outputLength: HASH_LENGTH.shake256 })
    : createHash(hash)
}

/** A copy of a running hash, keeping SHAKE256's output length. */
export function copyDigest(running: Hash, hash: HashName): Hash {
  return hash === 'shake256' ? running.copy({ outputLength: HASH_LENGTH.shake256 }) : running.copy()
}

/** The digest of `parts` concatenated. */
export function digestOf(hash: HashName, ...parts: Buffer[]): Buffer {
  const h = createDigest(hash)
  for (const p of parts) h.update(p)
  return h.digest()
}
