/**
 * `npm run gen:data -- --agencies 1000 --documents 1000000 [--data-dir DIR]`: a large synthetic
 * city for the report benchmark, written straight into a Kyso database (clearly synthetic: no
 * PDFs, no signatures; each document carries the coverage flags the service maintains).
 */
import { parseArgs } from 'node:util'
import { join } from 'node:path'
import { rmSync } from 'node:fs'
import { openDb, type Db } from '../storage/db'
import { WORK } from './fixtures'

/** A small deterministic generator, so two runs make the same city. */
function rng(seed: number): () => number {
  let x = seed >>> 0
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
}

async function insertRows(db: Db, table: string, cols: string[], rows: unknown[][]): Promise<void> {
  const per = Math.floor(30000 / cols.length)
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per)
    await db.raw(
      `insert into ${table} (${cols.join(',')}) values ${chunk.map(() => `(${cols.map(() => '?').join(',')})`).join(',')}`,
      chunk.flat() as never[],
    )
  }
}

export async function generate(
  dataDir: string,
  agencies: number,
  documents: number,
  log = (s: string) => process.stdout.write(s + '\n'),
): Promise<void> {
  rmSync(dataDir, { recursive: true, force: true })
  const db = await openDb(dataDir)
  const rand = rng(20241231)
  const now = new Date().toISOString()
  const year = 2024
  await db.transaction(async (trx) => {
    await trx('agencies').insert({
      code: 'CITY',
      name: 'Ủy ban nhân dân Thành phố (tổng hợp)',
      parent_id: null,
    })
    const districts = Math.max(1, Math.round(Math.sqrt(agencies)))
    for (let i = 1; i < agencies; i++) {
      await trx('agencies').insert({
        code: `A${String(i).padStart(5, '0')}`,
        name: `Cơ quan số ${i}`,
        parent_id: i <= districts ? 1 : 2 + Math.floor(rand() * districts),
      })
    }
    await trx('users').insert({
      username: 'gen',
      password_hash: 'x',
      full_name: 'Người tạo dữ liệu',
      agency_id: 1,
      disabled: false,
      created_at: now,
    })
    for (let p = 0; p < 40; p++)
      await trx('procedures').insert({ code: `9.${String(p).padStart(6, '0')}`, name: `Thủ tục ${p}` })
  })
  log(`${agencies} agencies; writing ${documents} documents`)
  const started = Date.now()
  const batch = 50_000
  for (let done = 0; done < documents; done += batch) {
    const rows: unknown[][] = []
    for (let i = 0; i < Math.min(batch, documents - done); i++) {
      const agency = 1 + Math.floor(rand() * agencies)
      const procedure = rand() < 0.1
      const r = rand()
      const status = r < 0.9 ? 'issued' : r < 0.95 ? 'rejected' : 'cancelled'
      const finished = new Date(Date.UTC(year, 0, 1) + Math.floor(rand() * 365 * 86_400_000)).toISOString()
      rows.push([
        agency,
        1,
        'Văn bản tổng hợp',
        procedure ? 'procedure' : 'internal',
        procedure ? `9.${String(Math.floor(rand() * 40)).padStart(6, '0')}` : null,
        status,
        finished,
        finished,
        finished,
        rand() < 0.85 ? 1 : 0,
        procedure && rand() < 0.8 ? 1 : 0,
      ])
    }
    await db.transaction(async (trx) =>
      insertRows(
        trx as unknown as Db,
        'documents',
        [
          'agency_id',
          'drafter_id',
          'title',
          'kind',
          'procedure_code',
          'status',
          'created_at',
          'updated_at',
          'finished_at',
          'fully_signed',
          'seal_passed',
        ],
        rows,
      ),
    )
  }
  const paper: unknown[][] = []
  for (let i = 0; i < Math.floor(documents / 20); i++) {
    paper.push([
      1 + Math.floor(rand() * agencies),
      `${i}/GIAY`,
      new Date(Date.UTC(year, 0, 1) + Math.floor(rand() * 365 * 86_400_000)).toISOString().slice(0, 10),
      'Văn bản giấy',
      'Người ký',
      1,
      now,
    ])
  }
  await db.transaction(async (trx) =>
    insertRows(
      trx as unknown as Db,
      'paper_documents',
      ['agency_id', 'number', 'issued_on', 'title', 'signer', 'created_by', 'created_at'],
      paper,
    ),
  )
  // The counters the service maintains as documents finish (storage/coverage-counters.ts).
  await db.raw(`insert into coverage_daily (agency_id, day, issued, fully_signed, stopped)
    select agency_id, date(finished_at, '+7 hours'), sum(status = 'issued'), sum(status = 'issued' and fully_signed), sum(status <> 'issued')
    from documents where kind = 'internal' group by agency_id, date(finished_at, '+7 hours')`)
  await db.raw(`insert into coverage_procedure_days (agency_id, procedure_code, day, results)
    select agency_id, procedure_code, date(finished_at, '+7 hours'), count(*) from documents
    where kind = 'procedure' and status = 'issued' and seal_passed group by agency_id, procedure_code, date(finished_at, '+7 hours')`)
  await db.raw('analyze')
  log(`written in ${((Date.now() - started) / 1000).toFixed(1)} s to ${dataDir}`)
  await db.destroy()
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { agencies: { type: 'string' }, documents: { type: 'string' }, 'data-dir': { type: 'string' } },
  })
  generate(
    values['data-dir'] ?? join(WORK, 'report-data'),
    Number(values.agencies ?? 1000),
    Number(values.documents ?? 1_000_000),
  ).catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
