import type { Hash } from 'node:crypto'
import { copyDigest, createDigest } from '../cms/digest'
import type { HashName } from '../cms/oids'

/**
 * Digests of several signatures' byte ranges with one pass over the file. In a chain of N
 * signatures each one covers almost the whole file, so hashing each range separately reads the
 * file N times. Signature i signs bytes [0, b_i) and [c_i, c_i + d_i): one running hash over the
 * file is copied at each b_i and finished with that signature's short tail, so the file is read
 * once (plus the tails).
 */
export class RangeDigests {
  private readonly cache = new Map<string, Buffer>()
  private prepared = new Set<string>()

  constructor(
    private readonly pdf: Buffer,
    private readonly ranges: [number, number, number, number][],
  ) {}

  digest(alg: HashName, br: [number, number, number, number]): Buffer {
    if (!this.prepared.has(alg)) this.prepare(alg)
    const hit = this.cache.get(`${alg}:${br.join(',')}`)
    if (hit) return hit
    const [a, b, c, d] = br
    return createDigest(alg)
      .update(this.pdf.subarray(a, a + b))
      .update(this.pdf.subarray(c, c + d))
      .digest()
  }

  private prepare(alg: HashName): void {
    this.prepared.add(alg)
    const sorted = this.ranges.filter(([a]) => a === 0).sort((x, y) => x[1] - y[1])
    let running: Hash
    try {
      running = createDigest(alg)
    } catch {
      return
    }
    let pos = 0
    for (const br of sorted) {
      const [, b, c, d] = br
      if (b < pos) continue
      running.update(this.pdf.subarray(pos, b))
      pos = b
      const h = copyDigest(running, alg).update(this.pdf.subarray(c, c + d))
      this.cache.set(`${alg}:${br.join(',')}`, h.digest())
    }
  }
}
