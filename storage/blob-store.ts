import { createHash, randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Content-addressed storage for document versions: a file named by its SHA-256, written to a
 * temporary name, fsynced, then renamed, so a crash never leaves a half-written blob under a
 * real name. Writing the same bytes twice is a no-op.
 */
export class BlobStore {
  constructor(readonly dir: string) {}

  private pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256)
  }

  async put(bytes: Buffer): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    const final = this.pathOf(sha256)
    const exists = await stat(final).then((s) => s.size === bytes.length, () => false)
    if (!exists) {
      await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true })
      const tmp = `${final}.${randomBytes(6).toString('hex')}.tmp`
      const fh = await open(tmp, 'w', 0o600)
      try {
        await fh.writeFile(bytes)
        await fh.sync()
      } finally {
        await fh.close()
      }
      await rename(tmp, final)
      const dirHandle = await open(join(this.dir, sha256.slice(0, 2)), 'r')
      await dirHandle.sync().finally(() => dirHandle.close())
    }
    return { sha256, size: bytes.length }
  }

  /** The bytes of a blob, checked against their name. */
  async get(sha256: string): Promise<Buffer> {
    const bytes = await readFile(this.pathOf(sha256))
    if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw new Error(`blob ${sha256} is corrupt`)
    return bytes
  }
}
