import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Config } from '../config'
import { copySqliteTo, type Db } from '../storage/db'
import { hasCaKeys } from '../storage/ca-records'
import { serviceSecret } from '../storage/key-records'
import { parse, UsageError } from './args'
import { spec } from './commands'
import { openServiceDb } from './service-db'

/**
 * `kyso backup DIR [--data-dir D]`, while the service runs: a consistent copy of the database,
 * then of every blob the copy names (then a CA folder of a version before issue 15, if one is still
 * there). Blobs are immutable and content-addressed, so copying them after the database snapshot
 * always finds each one the snapshot names, and each copy is checked against its name.
 *  - Never the key-wrapping key (issue 15): the backup says where it is and which key id the
 *    database needs, and the operator keeps it apart. A backup alone opens no stored key.
 *  - SQLite: `VACUUM INTO` DIR/kyso.db (one read transaction: a snapshot; writers go on, WAL).
 *  - PostgreSQL: `pg_dump --format=custom` into DIR/kyso.pgdump (one snapshot; needs pg_dump on
 *    PATH, of the server's major version), then the blobs named by the live database (a
 *    superset of the dump's: blobs are never deleted). Blobs kept in the database are in the dump.
 * Restore: README, Deployment.
 */
export async function backupCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, spec('backup'))
  const [target, ...extra] = positionals
  if (!target || extra.length) throw new UsageError('usage: kyso backup DIR [--data-dir DATA_DIR]')
  const out = resolve(target)
  if (existsSync(out) && readdirSync(out).length) throw new UsageError(`${out} is not empty`)
  mkdirSync(out, { recursive: true })
  const { config, db } = await openServiceDb(values['data-dir'], { migrate: false, mustExist: true })
  try {
    const t0 = Date.now()
    const source = config.databaseUrl
      ? dumpPostgres(config.databaseUrl, join(out, 'kyso.pgdump'))
      : await copySqlite(db, join(out, 'kyso.db'))
    const copied =
      config.blobStore === 'files'
        ? await copyBlobs(config, await namedBlobs(config, db, out), join(out, 'blobs'))
        : { blobs: 0, bytes: 0 }
    const ca = join(config.dataDir, 'ca')
    if (existsSync(ca)) cpSync(ca, join(out, 'ca'), { recursive: true })
    const caInDatabase = await hasCaKeys(db)
    const keyWrap = await keyWrapNote(config, db)
    const manifest = {
      createdAt: new Date().toISOString(),
      database: source,
      blobStore: config.blobStore,
      ...copied,
      ca: caInDatabase ? 'database' : existsSync(ca) ? 'folder' : false,
      keyWrap,
      seconds: (Date.now() - t0) / 1000,
    }
    writeFileSync(join(out, 'backup.json'), JSON.stringify(manifest, null, 2) + '\n')
    process.stdout.write(JSON.stringify(manifest) + '\n')
    process.stderr.write(
      `kyso backup: the key-wrapping key (id ${keyWrap.keyId ?? 'unknown'}) is at ${keyWrap.location} ` +
        'and is NOT in this backup. Keep a copy of it apart from the backups: without it no stored key can be used, ' +
        'with it and a backup anyone holding a PIN can.\n',
    )
    return 0
  } finally {
    await db.destroy()
  }
}

/** Where the key-wrapping key is and which one the database needs (read from the database's check, no key needed). */
async function keyWrapNote(
  config: Config,
  db: Db,
): Promise<{ keyId: string | null; location: string; included: false }> {
  const check = await serviceSecret(db, 'key-wrap-check')
  const { envelopeKeyId } = require('../signing/keys/key-wrap') as typeof import('../signing/keys/key-wrap')
  const keyId = check ? envelopeKeyId(check) : null
  const kw = config.keyWrap
  const location = kw.pkcs11Label
    ? `HSM key "${kw.pkcs11Label}" (KYSO_PKCS11_MODULE)`
    : kw.key
      ? 'the environment (KYSO_KEY_WRAP_KEY)'
      : kw.file
  return { keyId, location, included: false }
}

async function copySqlite(db: Db, file: string): Promise<'sqlite'> {
  await copySqliteTo(db, file)
  return 'sqlite'
}

/** The password goes to pg_dump through its environment, never its command line (ps shows argv). */
function dumpPostgres(databaseUrl: string, file: string): 'postgresql' {
  const url = new URL(databaseUrl)
  const password = decodeURIComponent(url.password)
  url.password = ''
  const r = spawnSync(
    'pg_dump',
    ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${url.toString()}`],
    {
      env: { ...process.env, ...(password && { PGPASSWORD: password }) },
      encoding: 'utf8',
    },
  )
  if (r.error)
    throw new UsageError(
      `pg_dump could not run (${r.error.message}): install postgresql-client of the server's version`,
    )
  if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr.trim().split('\n')[0] ?? ''}`)
  return 'postgresql'
}

/** Blobs named by the copy (SQLite) or by the live database after the dump (PostgreSQL). */
async function namedBlobs(config: Config, live: Db, out: string): Promise<string[]> {
  if (config.databaseUrl) return (await live('versions').distinct('sha256').pluck('sha256')) as string[]
  const { openDb } = require('../storage/db') as typeof import('../storage/db')
  const copy = await openDb(out, { migrate: false })
  try {
    return (await copy('versions').distinct('sha256').pluck('sha256')) as string[]
  } finally {
    await copy.destroy()
  }
}

async function copyBlobs(
  config: Config,
  names: string[],
  dir: string,
): Promise<{ blobs: number; bytes: number }> {
  const { FileBlobStore } = require('../storage/blob-store') as typeof import('../storage/blob-store')
  const from = new FileBlobStore(config.blobDir)
  const to = new FileBlobStore(dir)
  let bytes = 0
  for (const sha256 of names) {
    const blob = await from.get(sha256)
    await to.put(blob)
    bytes += blob.length
  }
  return { blobs: names.length, bytes }
}
