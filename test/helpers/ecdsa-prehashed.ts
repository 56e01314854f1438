/**
 * ECDSA over P-256 of a digest someone else computed, for the test CSC server (a remote-signing
 * provider receives only the hash). node:crypto cannot do this: `crypto.sign(null, data, ecKey)`
 * still hashes `data` with SHA-256 (OpenSSL's default digest for EC keys), and neither
 * `privateEncrypt` (RSA only) nor WebCrypto (hash required) signs a prehashed value. So the
 * arithmetic of SEC 1 v2 §4.1.3 is done here with bigints: slow and not constant-time, which is
 * fine for a test provider and nothing else. Results are checked with crypto.verify in the tests.
 */
import { randomBytes, type KeyObject } from 'node:crypto'
import { derWrite } from '../../signing/cms'

interface Point {
  x: bigint
  y: bigint
}

// SEC 2 v2 §2.4.2 (secp256r1 = NIST P-256).
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
const A = P - 3n
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
const G: Point = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
}

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m

/** Modular inverse by the extended Euclidean algorithm (m prime, a not 0 mod m). */
function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, t0, t1] = [mod(a, m), m, 1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[t0, t1] = [t1, t0 - q * t1]
  }
  return mod(t0, m)
}

/** Affine point addition and doubling (SEC 1 v2 §2.2.1); null is the point at infinity. */
function add(p: Point | null, q: Point | null): Point | null {
  if (!p) return q
  if (!q) return p
  if (p.x === q.x && mod(p.y + q.y, P) === 0n) return null
  const slope =
    p.x === q.x && p.y === q.y
      ? mod((3n * p.x * p.x + A) * inverse(2n * p.y, P), P)
      : mod((q.y - p.y) * inverse(q.x - p.x, P), P)
  const x = mod(slope * slope - p.x - q.x, P)
  return { x, y: mod(slope * (p.x - x) - p.y, P) }
}

function multiply(k: bigint, point: Point): Point | null {
  let result: Point | null = null
  let addend: Point | null = point
  for (let rest = k; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = add(result, addend)
    addend = add(addend, addend)
  }
  return result
}

const toBigInt = (bytes: Buffer) => BigInt('0x' + (bytes.toString('hex') || '0'))
const toBytes = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex')

/**
 * Signs a 32-byte digest with a P-256 private key (SEC 1 v2 §4.1.3, fresh random k); returns
 * the DER Ecdsa-Sig-Value, or `r || s` (32 bytes each) when `raw` is set.
 */
export function signPrehashedP256(key: KeyObject, digest: Buffer, raw = false): Buffer {
  if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('a P-256 key is required')
  if (digest.length !== 32) throw new Error('a 32-byte digest is required')
  const { d } = key.export({ format: 'jwk' })
  if (!d) throw new Error('not a private key')
  const secret = toBigInt(Buffer.from(d, 'base64url'))
  const e = toBigInt(digest)
  for (;;) {
    const k = toBigInt(randomBytes(32))
    if (k === 0n || k >= N) continue
    const r = mod(multiply(k, G)?.x ?? 0n, N)
    const s = mod(inverse(k, N) * (e + r * secret), N)
    if (r === 0n || s === 0n) continue
    if (raw) return Buffer.concat([toBytes(r), toBytes(s)])
    return derWrite.sequence(derWrite.integer(r), derWrite.integer(s))
  }
}
