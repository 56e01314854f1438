import { createHash, randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Knex } from 'knex'

/**
 * Content-addressed storage for document versions: a blob is named by the SHA-256 of its bytes,
 * never changes and is never deleted, so every instance may write the same blob at the same time
 * and a copy taken after a database snapshot holds every blob the snapshot names.
 */
export interface BlobStore {
  readonly kind: 'files' | 'database'
  /** Stores the bytes (a no-op when they are already there) and returns their name. */
  put(bytes: Buffer): Promise<{ sha256: string; size: number }>
  /** The bytes of a blob, checked against their name. */
  get(sha256: string): Promise<Buffer>
  /** Throws unless a blob could be written now (readiness). */
  checkWritable(): Promise<void>
}

const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

function checked(sha256: string, bytes: Buffer): Buffer {
  if (sha256Of(bytes) !== sha256) throw new Error(`blob ${sha256} is corrupt`)
  return bytes
}

/**
 * Files in a directory (local, or shared by every instance: NFS, a cluster file system), named
 * DIR/ab/abcdef...: written to a temporary name, fsynced, renamed, the directory fsynced, so a
 * crash never leaves a half-written blob under a real name.
 */
export class FileBlobStore implements BlobStore {
  readonly kind = 'files'
  constructor(readonly dir: string) {}

  pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256)
  }

  async put(bytes: Buffer): Promise<{ sha256: string; size: number }> {
    const sha256 = sha256Of(bytes)
    const final = this.pathOf(sha256)
    const exists = await stat(final).then(
      (s) => s.size === bytes.length,
      () => false,
    )
    if (!exists) {
      await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true })
      const tmp = `${final}.${randomBytes(6).toString('hex')}.tmp`
      await writeDurably(tmp, bytes)
      await rename(tmp, final)
      const dirHandle = await open(join(this.dir, sha256.slice(0, 2)), 'r')
      await dirHandle.sync().finally(() => dirHandle.close())
    }
    return { sha256, size: bytes.length }
  }

  async get(sha256: string): Promise<Buffer> {
    return checked(sha256, await readFile(this.pathOf(sha256)))
  }

  async checkWritable(): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const probe = join(this.dir, `.probe-${randomBytes(6).toString('hex')}`)
    await writeDurably(probe, Buffer.from('kyso'))
    await unlink(probe)
  }
}

async function writeDurably(path: string, bytes: Buffer): Promise<void> {
  const fh = await open(path, 'w', 0o600)
  try {
    await fh.writeFile(bytes)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/**
 * Blobs in the database's `blobs` table (bytea on PostgreSQL): one thing to back up and nothing
 * to share between instances but the database. Each put commits on its own, before the version
 * row that names it.
 */
export class DatabaseBlobStore implements BlobStore {
  readonly kind = 'database'
  constructor(private readonly db: Knex) {}

  async put(bytes: Buffer): Promise<{ sha256: string; size: number }> {
    const sha256 = sha256Of(bytes)
    await this.db('blobs').insert({ sha256, size: bytes.length, bytes }).onConflict('sha256').ignore()
    return { sha256, size: bytes.length }
  }

  async get(sha256: string): Promise<Buffer> {
    const row = (await this.db('blobs').where({ sha256 }).first('bytes')) as { bytes: Buffer } | undefined
    if (!row) throw new Error(`blob ${sha256} is missing`)
    return checked(sha256, Buffer.from(row.bytes))
  }

  async checkWritable(): Promise<void> {
    const probe = new Error('probe rolled back')
    await this.db
      .transaction(async (trx) => {
        await trx('blobs').insert({
          sha256: `probe-${randomBytes(8).toString('hex')}`,
          size: 0,
          bytes: Buffer.alloc(0),
        })
        throw probe
      })
      .catch((err: unknown) => {
        if (err !== probe) throw err
      })
  }
}

export function openBlobStore(kind: 'files' | 'database', dir: string, db: Knex): BlobStore {
  return kind === 'database' ? new DatabaseBlobStore(db) : new FileBlobStore(dir)
}
