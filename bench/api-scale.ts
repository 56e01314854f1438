/**
 * `bench:api`, PostgreSQL part: the service on PostgreSQL with one instance and with two (one
 * shared data folder for the CA and blobs, one database), and the same concurrent load on the
 * SQLite service for comparison. Needs KYSO_BENCH_DATABASE_URL: a PostgreSQL role that may create
 * databases (each run gets a fresh one, dropped after).
 */
import { randomBytes } from 'node:crypto'
import { ApiClient, load, type LoadResult } from './api-client'
import { startChildServer, type ChildServer } from './api-server'

export interface ScaleChain {
  username: string
  action: 'approve' | 'sign' | 'seal'
}

export interface ScaleFigures {
  label: string
  /** Signed steps per second with WORKERS chains in flight at once. */
  stepsPerSecond: number
  p50Ms: number
  p99Ms: number
  reads: LoadResult
}

const WORKERS = 8
const CHAINS_PER_WORKER = 3
const READ_CONNECTIONS = 10
const READ_SECONDS = 10

const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0

/**
 * WORKERS chains at a time, each worker on one instance (instances taken in turn, as a reverse
 * proxy would), every step signed as its assignee; then GET /api/inbox with autocannon, the
 * connections shared out over the instances.
 */
export async function measureScale(
  label: string,
  urls: string[],
  tokens: Record<string, string>,
  pins: Record<string, string>,
  chain: ScaleChain[],
  template: string,
  pdf: Buffer,
): Promise<ScaleFigures> {
  const latencies: number[] = []
  const worker = async (w: number): Promise<void> => {
    const api = new ApiClient(urls[w % urls.length] as string)
    for (let c = 0; c < CHAINS_PER_WORKER; c++) {
      const { id } = await api.upload(tokens.chuyenvien as string, pdf, `Công văn tải song song ${w}-${c}`)
      await api.json('POST', `/api/documents/${id}/submit`, tokens.chuyenvien, { template })
      for (const step of chain) {
        const inbox = await api.json<{ stepId: number; documentId: number }[]>(
          'GET',
          '/api/inbox',
          tokens[step.username],
        )
        const item = inbox.find((i) => i.documentId === id)
        if (!item) throw new Error(`${step.username}: document ${id} is not in the inbox`)
        const body = {
          pin: pins[step.username],
          ...(step.action === 'seal' && {
            outgoingNumber: `${w}-${c}/BENCH`,
            outgoingDate: new Date().toISOString().slice(0, 10),
          }),
        }
        const t = process.hrtime.bigint()
        await api.json('POST', `/api/steps/${item.stepId}/sign`, tokens[step.username], body)
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6)
      }
    }
  }
  const t0 = process.hrtime.bigint()
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)))
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  const per = Math.max(1, Math.round(READ_CONNECTIONS / urls.length))
  const reads = await Promise.all(
    urls.map((u) => load(`${u}/api/inbox`, tokens.truongphong1 as string, per, READ_SECONDS)),
  )
  const merged: LoadResult = {
    requestsPerSecond: reads.reduce((n, r) => n + r.requestsPerSecond, 0),
    p50Ms: Math.max(...reads.map((r) => r.p50Ms)),
    p99Ms: Math.max(...reads.map((r) => r.p99Ms)),
    requests: reads.reduce((n, r) => n + r.requests, 0),
    non2xx: Object.assign({}, ...reads.map((r) => r.non2xx)) as Record<string, number>,
    errors: reads.reduce((n, r) => n + r.errors, 0),
  }
  return {
    label,
    stepsPerSecond: latencies.length / seconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    reads: merged,
  }
}

export function printScale(rows: ScaleFigures[]): void {
  console.log(
    `\nConcurrent load: ${WORKERS} complete chains in flight (${WORKERS * CHAINS_PER_WORKER} chains, 4 signatures each), then GET /api/inbox with autocannon (${READ_CONNECTIONS} connections over the instances, ${READ_SECONDS} s); everything on this one machine`,
  )
  console.log(
    '| service | signed steps/s | sign p50 | sign p99 | GET /api/inbox requests/s | inbox p50 | inbox p99 | non-2xx / errors |',
  )
  console.log('|---|---|---|---|---|---|---|---|')
  for (const r of rows) {
    const bad = Object.values(r.reads.non2xx).reduce((n, x) => n + x, 0) + r.reads.errors
    console.log(
      `| ${r.label} | ${r.stepsPerSecond.toFixed(1)}/s | ${r.p50Ms.toFixed(0)} ms | ${r.p99Ms.toFixed(0)} ms | ${r.reads.requestsPerSecond.toFixed(0)} | ${r.reads.p50Ms} ms | ${r.reads.p99Ms} ms | ${bad} |`,
    )
  }
}

async function admin(baseUrl: string, sql: string): Promise<void> {
  const { Client } = require('pg') as typeof import('pg')
  const client = new Client({ connectionString: baseUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** A fresh database next to KYSO_BENCH_DATABASE_URL's, for one run. */
export async function benchDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kyso_bench_${randomBytes(5).toString('hex')}`
  await admin(baseUrl, `CREATE DATABASE ${name}`)
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => admin(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

/** Instances on one PostgreSQL database sharing `dataDir` (the CA and the file blob store). */
export async function startPostgresInstances(
  dataDir: string,
  databaseUrl: string,
  n: number,
): Promise<ChildServer[]> {
  const first = await startChildServer(dataDir, 180_000, { KYSO_DATABASE_URL: databaseUrl })
  const rest = await Promise.all(
    Array.from({ length: n - 1 }, () =>
      startChildServer(dataDir, 180_000, { KYSO_DATABASE_URL: databaseUrl }),
    ),
  )
  return [first, ...rest]
}
