import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseBlobStore, FileBlobStore, type BlobStore } from '../../storage/blob-store'
import { openDb, pendingMigrations, type Db } from '../../storage/db'
import { isUniqueViolation } from '../../storage/sql'
import { onPostgres, testEnv } from '../helpers/database'

describe(`storage on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, function () {
  this.timeout(60_000)
  let db: Db
  let dataDir: string
  let cleanup: () => Promise<void>

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kyso-storage-'))
    const t = await testEnv({ KYSO_DATA_DIR: dataDir })
    cleanup = t.cleanup
    db = await openDb(dataDir, { ...(t.env.KYSO_DATABASE_URL && { databaseUrl: t.env.KYSO_DATABASE_URL }) })
  })

  after(async () => {
    await db?.destroy()
    await cleanup()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('has no pending migration after opening, and opening again changes nothing', async () => {
    expect(await pendingMigrations(db)).to.deep.equal([])
    const again = await openDb(dataDir, {
      ...(onPostgres() && {
        databaseUrl: (db.client as { config: { connection: { connectionString: string } } }).config.connection
          .connectionString,
      }),
    })
    await again.destroy()
  })

  it('migrates past a knex lock table with two rows (two instances made it at once)', async function () {
    if (onPostgres()) this.skip() // PostgreSQL migrates under an advisory lock: knex's table is never raced
    const dir = mkdtempSync(join(tmpdir(), 'kyso-lockrace-'))
    try {
      const first = await openDb(dir)
      // What knex's select-then-insert leaves when two instances create the table together.
      await first('knex_migrations_lock').insert({ is_locked: 0 })
      await first.destroy()
      const second = await openDb(dir)
      expect(((await second('knex_migrations_lock').count('* as n').first()) as { n: number }).n).to.equal(1)
      await second.destroy()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('gives back what SQLite gives: ISO timestamps, YYYY-MM-DD dates, numeric counts, and Buffers', async () => {
    const at = '2024-08-01T03:04:05.678Z'
    await db('agencies').insert({ code: 'T1', name: 'Thử nghiệm' })
    const agency = (await db('agencies').where({ code: 'T1' }).first('id')) as { id: number }
    await db('users').insert({
      username: 'thu.nghiem',
      password_hash: 'x',
      full_name: 'Thử Nghiệm',
      agency_id: agency.id,
      disabled: false,
      created_at: at,
    })
    const user = (await db('users').where({ username: 'thu.nghiem' }).first('id', 'disabled')) as {
      id: number
      disabled: unknown
    }
    expect(Boolean(user.disabled)).to.equal(false)
    await db('paper_documents').insert({
      agency_id: agency.id,
      number: '1/GIAY',
      issued_on: '2024-08-01',
      title: 'Văn bản giấy',
      signer: 'Lãnh đạo',
      created_by: user.id,
      created_at: at,
    })
    expect(
      await db('paper_documents').where({ number: '1/GIAY' }).first('issued_on', 'created_at'),
    ).to.deep.equal({ issued_on: '2024-08-01', created_at: at })
    await db('login_failures').insert({ username: 'ai-do', at })
    const row = (await db('login_failures').where({ username: 'ai-do' }).first('at')) as { at: unknown }
    expect(row.at).to.equal(at)
    const count = (await db('login_failures').count('* as n').first()) as { n: unknown }
    expect(count.n).to.equal(1)
    await db('blobs').insert({ sha256: 'x'.repeat(64), size: 3, bytes: Buffer.from('abc') })
    const blob = (await db('blobs')
      .where({ sha256: 'x'.repeat(64) })
      .first('bytes')) as { bytes: unknown }
    expect(Buffer.isBuffer(blob.bytes) && blob.bytes.toString()).to.equal('abc')
    await db('blobs')
      .where({ sha256: 'x'.repeat(64) })
      .delete()
  })

  it('names a duplicate key a unique violation, whatever the driver says', async () => {
    await db('kyso_locks').insert({ name: 'twice', taken_at: new Date().toISOString() })
    const err = await db('kyso_locks')
      .insert({ name: 'twice', taken_at: new Date().toISOString() })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(isUniqueViolation(err)).to.equal(true)
    expect(isUniqueViolation(new Error('other'))).to.equal(false)
  })

  for (const kind of ['files', 'database'] as const) {
    describe(`the ${kind} blob store`, () => {
      const store = (): BlobStore =>
        kind === 'files' ? new FileBlobStore(join(dataDir, 'blobs')) : new DatabaseBlobStore(db)

      it('names a blob by its SHA-256, stores the same bytes once, and gives them back', async () => {
        const bytes = Buffer.from(`%PDF-1.7 ${kind} ${Date.now()}`)
        const sha256 = createHash('sha256').update(bytes).digest('hex')
        const [a, b] = await Promise.all([store().put(bytes), store().put(bytes)])
        expect(a).to.deep.equal({ sha256, size: bytes.length })
        expect(b).to.deep.equal(a)
        expect((await store().get(sha256)).equals(bytes)).to.equal(true)
        await store().checkWritable()
      })

      it('refuses a blob whose bytes no longer match their name', async () => {
        const bytes = Buffer.from(`original ${kind}`)
        const { sha256 } = await store().put(bytes)
        if (kind === 'files') writeFileSync((store() as FileBlobStore).pathOf(sha256), 'tampered')
        else
          await db('blobs')
            .where({ sha256 })
            .update({ bytes: Buffer.from('tampered') })
        const err = await store()
          .get(sha256)
          .then(
            () => undefined,
            (e: unknown) => e as Error,
          )
        expect(err?.message).to.match(/corrupt/)
      })
    })
  }
})
