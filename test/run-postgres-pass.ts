/**
 * `npm test`, second pass: the database-facing suites (storage, workflows through the API,
 * reports, operations) again on PostgreSQL, each test service on a fresh database, plus the
 * tests only PostgreSQL can run (several instances on one database). Runs when
 * KYSO_TEST_DATABASE_URL names a server and a role that may create databases; says so plainly
 * when it is skipped. A failure here fails `npm test`.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const ROOT = join(__dirname, '../..')
const url = process.env.KYSO_TEST_DATABASE_URL

if (!url) {
  process.stdout.write(
    '\nPostgreSQL pass SKIPPED: KYSO_TEST_DATABASE_URL is not set (e.g. postgres://kyso:kyso@127.0.0.1:5432/kyso, a role with CREATEDB; see README, Testing). Only SQLite was tested.\n',
  )
  process.exit(0)
}
const shown = new URL(url)
shown.password = shown.password ? '***' : ''
process.stdout.write(`\nPostgreSQL pass: the database-facing suites on ${shown.toString()}\n`)
const mocha = join(ROOT, 'node_modules/mocha/bin/mocha.js')
const r = spawnSync(process.execPath, [mocha, '--config', join(ROOT, '.mocharc.postgres.json')], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, KYSO_TEST_ON_POSTGRES: '1' },
})
process.exit(r.status ?? 1)
