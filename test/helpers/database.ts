import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * PostgreSQL for the tests. KYSO_TEST_DATABASE_URL names a server and a role that may create
 * databases (CI: .ci/run); every test service gets a database of its own, dropped at the end.
 * The database-facing suites run twice (test/run-postgres-pass.ts): on SQLite, then with
 * KYSO_TEST_ON_POSTGRES=1 on PostgreSQL.
 */
export function testDatabaseUrl(): string | undefined {
  return process.env.KYSO_TEST_DATABASE_URL || undefined
}

/** True in the PostgreSQL pass: getService() and friends use a fresh PostgreSQL database. */
export function onPostgres(): boolean {
  return process.env.KYSO_TEST_ON_POSTGRES === '1' && testDatabaseUrl() !== undefined
}

async function admin<T>(fn: (q: (sql: string) => Promise<unknown>) => Promise<T>): Promise<T> {
  const { Client } = require('pg') as typeof import('pg')
  const client = new Client({ connectionString: testDatabaseUrl() })
  await client.connect()
  try {
    return await fn((sql) => client.query(sql))
  } finally {
    await client.end()
  }
}

export interface TestDatabase {
  url: string
  drop: () => Promise<void>
}

/** A new empty database on the test server; `drop` removes it (and cuts its connections). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = testDatabaseUrl()
  if (!base) throw new Error('KYSO_TEST_DATABASE_URL is not set')
  const name = `kyso_test_${randomBytes(6).toString('hex')}`
  await admin((q) => q(`CREATE DATABASE ${name}`))
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => admin((q) => q(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  }
}

/**
 * A key-wrapping key file of its own, in a folder of its own outside any data folder (the default
 * would be a `secrets` folder beside the data folder, here the shared temporary directory).
 */
export function testKeyWrapFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kyso-secrets-'))
  // One exit listener for all of them (a listener each would pass Node's warning limit).
  if (secretDirs.length === 0)
    process.once('exit', () => secretDirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
  secretDirs.push(dir)
  return join(dir, 'key-wrap.kwk')
}

const secretDirs: string[] = []

/**
 * The settings of a test service: KYSO_DATABASE_URL when on PostgreSQL (a fresh database), quiet
 * logs, issuance at B-T, a key-wrapping key file of its own, and scrypt at 2^14 for passwords (the default 2^17
 * costs ~0.5 s a login on this machine, and the suites log in hundreds of times; the rehash test
 * sets 2^17). `cleanup` drops the database.
 */
export async function testEnv(
  extra: Record<string, string> = {},
): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  const env: Record<string, string> = {
    PORT: '0',
    KYSO_HOST: '127.0.0.1',
    KYSO_LOG_LEVEL: 'warn',
    KYSO_PASSWORD_HASH_N: '16384',
    // Issued documents stay as signed (B-T) unless a suite asks for more: the suites written before
    // issue 18 count the signatures and versions of issued files, and the extension to B-LTA (the
    // production default) lands after the response. Its own suites set KYSO_ISSUE_LEVEL.
    KYSO_ISSUE_LEVEL: 'B-T',
    ...(!extra.KYSO_KEY_WRAP_FILE && { KYSO_KEY_WRAP_FILE: testKeyWrapFile() }),
    ...extra,
  }
  if (!onPostgres()) return { env, cleanup: async () => {} }
  const db = await createTestDatabase()
  return { env: { ...env, KYSO_DATABASE_URL: db.url }, cleanup: db.drop }
}
