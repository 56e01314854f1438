import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  opts: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>

/**
 * scrypt's cost (RFC 7914): N = 2^17, r = 8, p = 1 by default (OWASP's current minimum for scrypt,
 * issue 15; it was 2^14). Memory is 128 * N * r bytes, 128 MiB at 2^17, so maxmem leaves room.
 */
export const DEFAULT_N = 1 << 17
const R = 8
const P = 1
const maxmemFor = (n: number): number => 128 * n * R + 32 * 1024 * 1024

/** scrypt with a random salt: `scrypt$N$r$p$salt$hash`, base64. */
export async function hashPassword(password: string, n = DEFAULT_N): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scrypt(password.normalize('NFC'), salt, 32, { N: n, r: R, p: P, maxmem: maxmemFor(n) })
  return ['scrypt', n, R, P, salt.toString('base64'), hash.toString('base64')].join('$')
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const N = Number(n)
  // A stored cost we would not choose is not run (a hostile row could ask for gigabytes).
  if (!Number.isInteger(N) || N < 2 || N > 1 << 20 || Number(r) !== R || Number(p) !== P) return false
  const expected = Buffer.from(hash, 'base64')
  const got = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64'), expected.length, {
    N,
    r: R,
    p: P,
    maxmem: maxmemFor(N),
  })
  return got.length === expected.length && timingSafeEqual(got, expected)
}

/** True when a hash was made with a lower cost than `n`: it is redone at the next login. */
export function needsRehash(stored: string, n = DEFAULT_N): boolean {
  const [scheme, cost] = stored.split('$')
  return scheme !== 'scrypt' || Number(cost) < n
}
