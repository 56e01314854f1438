import { randomBytes } from 'node:crypto'

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
 * The settings of a test service: KYSO_DATABASE_URL when on PostgreSQL (a fresh database), quiet
 * logs, issuance at B-T. `cleanup` drops the database.
 */
export async function testEnv(extra: Record<string, string> = {}): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  // Issued documents stay as signed (B-T) unless a suite asks for more: the suites written before
  // issue 18 count the signatures and versions of issued files, and the extension to B-LTA (the
  // production default) lands after the response. Its own suites set KYSO_ISSUE_LEVEL.
  const env: Record<string, string> = {
    PORT: '0', KYSO_HOST: '127.0.0.1', KYSO_LOG_LEVEL: 'warn', KYSO_ISSUE_LEVEL: 'B-T', ...extra,
  }
  if (!onPostgres()) return { env, cleanup: async () => {} }
  const db = await createTestDatabase()
  return { env: { ...env, KYSO_DATABASE_URL: db.url }, cleanup: db.drop }
}
