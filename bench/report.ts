/**
 * `npm run bench:report`: times the city coverage report and one drill-down on a generated city
 * (1,000 agencies, 1,000,000 documents by default; made by gen-data.ts if missing).
 * Goal (issue 5): the city report in under 300 ms on SQLite, memory not growing with documents.
 */
import { existsSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { coverageDrillDown, coverageReport } from '../reporting/coverage'
import { openDb } from '../storage/db'
import type { Actor } from '../workflows/context'
import { WORK, median } from './fixtures'
import { generate } from './gen-data'

async function main(): Promise<void> {
  const dataDir = join(WORK, 'report-data')
  if (!existsSync(join(dataDir, 'kyso.db'))) await generate(dataDir, 1000, 1_000_000)
  const db = await openDb(dataDir)
  const counts = (await db('documents').count('* as n').first()) as { n: number }
  const agencies = (await db('agencies').count('* as n').first()) as { n: number }
  const admin: Actor = {
    id: 1,
    username: 'gen',
    fullName: 'gen',
    title: null,
    agencyId: 1,
    roles: new Set(['admin']),
  }
  const q = { from: '2024-01-01', to: '2024-12-31', asOf: '2024-12-31' }
  const time = async (fn: () => Promise<unknown>, runs: number): Promise<number[]> => {
    const out: number[] = []
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint()
      await fn()
      out.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
    return out
  }
  await coverageReport(db, admin, q)
  const heapBefore = process.memoryUsage().heapUsed
  const city = await time(() => coverageReport(db, admin, q), 7)
  const heapAfter = process.memoryUsage().heapUsed
  const drill = await time(() => coverageDrillDown(db, admin, 'A00042', q), 7)
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, SQLite (knex + sqlite3)`,
  )
  console.log(`Data: ${agencies.n} agencies, ${counts.n} documents (plus paper ones), period 2024`)
  console.log('| query | median | min | max |')
  console.log('|---|---|---|---|')
  console.log(
    `| city coverage report | ${median(city).toFixed(0)} ms | ${Math.min(...city).toFixed(0)} ms | ${Math.max(...city).toFixed(0)} ms |`,
  )
  console.log(
    `| drill-down, one agency (12 months) | ${median(drill).toFixed(0)} ms | ${Math.min(...drill).toFixed(0)} ms | ${Math.max(...drill).toFixed(0)} ms |`,
  )
  console.log(
    `heap after 7 city reports: ${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB more than before (the result holds one row per agency)`,
  )
  console.log(`goal (city report < 300 ms): ${median(city) < 300 ? 'met' : 'NOT met'}`)
  await db.destroy()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
