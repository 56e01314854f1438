/**
 * `npm run bench:api`: the service as a child process (`node dist/main.js`, a fresh data folder,
 * demo data, 127.0.0.1 on a free port). Prints
 *  1. signed steps per second through the API for complete `cong-van-thuong` chains (two head
 *     approvals, the leader's signature, the clerk's seal) on a 1-page and a 100-page document,
 *     timing the POST /api/steps/:id/sign calls only, one after another; next to it the signing
 *     engine alone (signPdf in this process) on the same input versions with the same key types,
 *     the same built-in TSA (B-T) and CRL; and the ratio against the goal of issue 4 (<= 1.5x);
 *  2. requests per second and p50/p99 latency (autocannon, 10 connections, 10 s) for
 *     GET /api/inbox and GET /api/documents/:id;
 *  3. concurrent load (8 chains in flight, then reads) on this SQLite service, and on PostgreSQL
 *     with 1 and 2 instances when KYSO_BENCH_DATABASE_URL is set (bench/api-scale.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiClient, load, type LoadResult } from './api-client'
import { setUpEngine, type ChainStep, type Engine } from './api-engine'
import { startChildServer, type ChildServer } from './api-server'
import {
  benchDatabase,
  measureScale,
  printScale,
  startPostgresInstances,
  type ScaleFigures,
} from './api-scale'
import { ROOT, makeDoc, timeIt } from './fixtures'

const TEMPLATE = 'cong-van-thuong'
const AGENCY = 'SKHCN'
const CHAIN: ChainStep[] = [
  { username: 'truongphong1', action: 'approve' },
  { username: 'truongphong2', action: 'approve' },
  { username: 'giamdoc', action: 'sign' },
  { username: 'vanthu', action: 'seal' },
]
const WARM_UP_CHAINS = 1
const MEASURED_CHAINS = 5
const WAITING_DOCUMENTS = 5
const CONNECTIONS = 10
const READ_SECONDS = 10
const GOAL = 1.5

interface DemoUser {
  username: string
  password: string
  pin: string
}
type Tokens = Record<string, string>

interface ChainRun {
  documentId: number
  /** Seconds of each POST /api/steps/:id/sign, in CHAIN order. */
  seconds: number[]
  /** The latest version before each step: the input the server signed. */
  inputs: Buffer[]
  indications: string[]
}

const ms = (s: number): string => `${(s * 1000).toFixed(1)} ms`
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

/** Upload, submit along the template, then every step in order as its assignee. */
async function runChain(
  api: ApiClient,
  tokens: Tokens,
  pins: Record<string, string>,
  pdf: Buffer,
  n: number,
): Promise<ChainRun> {
  const drafter = tokens.chuyenvien as string
  const { id } = await api.upload(drafter, pdf, `Công văn đo hiệu năng ${n}`)
  await api.json('POST', `/api/documents/${id}/submit`, drafter, { template: TEMPLATE })
  const run: ChainRun = { documentId: id, seconds: [], inputs: [], indications: [] }
  for (const step of CHAIN) {
    const token = tokens[step.username] as string
    const inbox = await api.json<{ stepId: number; documentId: number; action: string }[]>(
      'GET',
      '/api/inbox',
      token,
    )
    const item = inbox.find((i) => i.documentId === id)
    if (!item || item.action !== step.action)
      throw new Error(`${step.username}: no ${step.action} step for document ${id} in the inbox`)
    run.inputs.push(await api.file(drafter, id))
    const body = {
      pin: pins[step.username],
      ...(step.action === 'seal' && {
        outgoingNumber: `${n}/SKHCN-VP`,
        outgoingDate: new Date().toISOString().slice(0, 10),
      }),
    }
    const t = process.hrtime.bigint()
    await api.json('POST', `/api/steps/${item.stepId}/sign`, token, body)
    run.seconds.push(Number(process.hrtime.bigint() - t) / 1e9)
  }
  const detail = await api.json<{ status: string; signatures: { indication: string | null }[] }>(
    'GET',
    `/api/documents/${id}`,
    drafter,
  )
  if (detail.status !== 'issued' || detail.signatures.length !== CHAIN.length)
    throw new Error(`document ${id}: ${detail.status} with ${detail.signatures.length} signatures`)
  run.indications = detail.signatures.map((g) => g.indication ?? 'none')
  return run
}

interface SigningFigures {
  label: string
  size: number
  runs: ChainRun[]
  api: number[]
  engine: number[]
  keyOpen: number
  validation: number
}

async function measureSigning(
  api: ApiClient,
  tokens: Tokens,
  pins: Record<string, string>,
  engine: Engine,
  label: string,
  pdf: Buffer,
  first: number,
): Promise<SigningFigures> {
  for (let i = 0; i < WARM_UP_CHAINS; i++) await runChain(api, tokens, pins, pdf, first + i)
  const runs: ChainRun[] = []
  for (let i = 0; i < MEASURED_CHAINS; i++)
    runs.push(await runChain(api, tokens, pins, pdf, first + WARM_UP_CHAINS + i))
  const apiMeans = CHAIN.map((_, k) => sum(runs.map((r) => r.seconds[k] as number)) / runs.length)
  const inputs = (runs[0] as ChainRun).inputs
  const engineMeans: number[] = []
  for (let k = 0; k < CHAIN.length; k++)
    engineMeans.push(await timeIt(() => engine.sign(inputs[k] as Buffer, k), 1000, 5))
  const final = await api.file(tokens.chuyenvien as string, (runs[0] as ChainRun).documentId)
  const validation = await timeIt(() => engine.validate(final), 500, 3)
  const keyOpen = (await timeIt(() => engine.openKeys(), 500, 3)) / CHAIN.length
  return { label, size: pdf.length, runs, api: apiMeans, engine: engineMeans, keyOpen, validation }
}

function printSigning(figures: SigningFigures[], engine: Engine): void {
  console.log(
    `Signing through the API: complete '${TEMPLATE}' chains, ${MEASURED_CHAINS} per document after ${WARM_UP_CHAINS} warm-up, POST /api/steps/:id/sign only, sequential`,
  )
  console.log(
    'Both sides make PAdES B-T signatures: the server with its built-in TSA, the engine with builtinTsa() on the same TSA key (<dataDir>/ca/tsa.p12); engine certificates from a copy of the server CA, same key types, same CRL check, same appearance and reason.',
  )
  console.log(
    '| document | size | API: signed steps/s | API: chain (4 signs) | engine alone: steps/s | engine: chain | API time / engine time | goal <= 1.5x |',
  )
  console.log('|---|---|---|---|---|---|---|---|')
  for (const f of figures) {
    const a = sum(f.api)
    const e = sum(f.engine)
    console.log(
      `| ${f.label} | ${(f.size / 1024).toFixed(0)} KB | ${(CHAIN.length / a).toFixed(1)}/s | ${ms(a)} | ${(CHAIN.length / e).toFixed(1)}/s | ${ms(e)} | ${(a / e).toFixed(2)}x | ${a / e <= GOAL ? 'met' : 'NOT met'} |`,
    )
  }
  console.log('\nPer step (means): API request against signPdf alone on the same input version')
  console.log('| document | step | key | API | engine | API / engine | API - engine |')
  console.log('|---|---|---|---|---|---|---|')
  for (const f of figures) {
    CHAIN.forEach((step, k) => {
      const a = f.api[k] as number
      const e = f.engine[k] as number
      console.log(
        `| ${f.label} | ${k + 1}. ${step.action} (${step.username}) | ${engine.keyTypes[k]} | ${ms(a)} | ${ms(e)} | ${(a / e).toFixed(2)}x | ${ms(a - e)} |`,
      )
    })
  }
  console.log('\nWork the API does besides signPdf, measured alone in this process')
  console.log(
    '| document | opening a PKCS#12 with the PIN (every step) | validating the final file (last step only, verifyPdf in the request) | final indications in GET /api/documents/:id |',
  )
  console.log('|---|---|---|---|')
  for (const f of figures) {
    const verdicts = new Map<string, number>()
    for (const ind of f.runs.flatMap((r) => r.indications)) verdicts.set(ind, (verdicts.get(ind) ?? 0) + 1)
    console.log(
      `| ${f.label} | ${ms(f.keyOpen)} | ${ms(f.validation)} | ${[...verdicts].map(([k, v]) => `${v} ${k}`).join(', ')} |`,
    )
  }
}

function printReads(rows: [string, string, LoadResult][]): void {
  console.log(
    `\nReads: autocannon, ${CONNECTIONS} connections, ${READ_SECONDS} s each, loopback, server and load generator on the same machine`,
  )
  console.log('| request | as | requests/s | p50 | p99 | requests | non-2xx | errors |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const [route, who, r] of rows) {
    const non2xx =
      Object.entries(r.non2xx)
        .map(([code, n]) => `${n} x ${code}`)
        .join(', ') || '0'
    console.log(
      `| ${route} | ${who} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms} ms | ${r.p99Ms} ms | ${r.requests} | ${non2xx} | ${r.errors} |`,
    )
  }
}

const users = JSON.parse(readFileSync(join(ROOT, 'fixtures/demo-users.json'), 'utf8')) as DemoUser[]
const pins = Object.fromEntries(users.map((u) => [u.username, u.pin]))

async function loginAll(api: ApiClient): Promise<Tokens> {
  const tokens: Tokens = {}
  for (const name of ['chuyenvien', ...CHAIN.map((s) => s.username)]) {
    const u = users.find((x) => x.username === name)
    if (!u) throw new Error(`${name} is not in fixtures/demo-users.json`)
    tokens[name] = await api.login(u.username, u.password)
  }
  return tokens
}

/**
 * The same concurrent load on PostgreSQL with 1 and 2 instances, when KYSO_BENCH_DATABASE_URL
 * names a role that may create databases (e.g. postgres://kyso:kyso@127.0.0.1:5432/kyso).
 */
async function postgresRuns(work: string, pdf: Buffer): Promise<ScaleFigures[]> {
  const base = process.env.KYSO_BENCH_DATABASE_URL
  if (!base) {
    console.log(
      '\nPostgreSQL runs SKIPPED: set KYSO_BENCH_DATABASE_URL (a role that may create databases) to measure 1 and 2 instances on PostgreSQL',
    )
    return []
  }
  const rows: ScaleFigures[] = []
  for (const n of [1, 2]) {
    const db = await benchDatabase(base)
    const instances = await startPostgresInstances(join(work, `pg-${n}`), db.url, n).catch(
      async (err: unknown) => {
        await db.drop()
        throw err
      },
    )
    try {
      const tokens = await loginAll(new ApiClient((instances[0] as ChildServer).url))
      rows.push(
        await measureScale(
          `PostgreSQL, ${n} instance${n > 1 ? 's' : ''}`,
          instances.map((i) => i.url),
          tokens,
          pins,
          CHAIN,
          TEMPLATE,
          pdf,
        ),
      )
      const errors = instances.flatMap((i) => i.errors)
      if (errors.length)
        console.log(
          `\nPostgreSQL, ${n} instance(s): server error log (${errors.length} lines):\n${errors.join('\n')}`,
        )
    } finally {
      await Promise.all(instances.map((i) => i.stop()))
      await db.drop()
    }
  }
  return rows
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'kyso-bench-api-'))
  const dataDir = join(work, 'data')
  let server: ChildServer | undefined
  const stop = (): void => {
    void (server?.stop() ?? Promise.resolve()).finally(() => {
      rmSync(work, { recursive: true, force: true })
      process.exit(130)
    })
  }
  process.once('SIGINT', stop)
  try {
    const started = Date.now()
    server = await startChildServer(dataDir)
    console.log(
      `Server: node dist/main.js at ${server.url}, fresh data folder, demo seeded and answering after ${((Date.now() - started) / 1000).toFixed(1)} s (without NODE_EXTRA_CA_CERTS, see bench/fixtures.ts)\n`,
    )
    const api = new ApiClient(server.url)
    const tokens = await loginAll(api)
    const engine = await setUpEngine(dataDir, work, CHAIN, pins, AGENCY)

    const docs: [string, Buffer][] = [
      ['1 page', await makeDoc(1)],
      ['100 pages', await makeDoc(100)],
    ]
    const figures: SigningFigures[] = []
    for (const [i, [label, pdf]] of docs.entries())
      figures.push(await measureSigning(api, tokens, pins, engine, label, pdf, 1 + i * 100))
    printSigning(figures, engine)

    const onePage = (docs[0] as [string, Buffer])[1]
    for (let i = 0; i < WAITING_DOCUMENTS; i++) {
      const { id } = await api.upload(tokens.chuyenvien as string, onePage, `Công văn chờ duyệt ${i + 1}`)
      await api.json('POST', `/api/documents/${id}/submit`, tokens.chuyenvien, { template: TEMPLATE })
    }
    const issued = ((figures[0] as SigningFigures).runs[0] as ChainRun).documentId
    const rows: [string, string, LoadResult][] = []
    rows.push([
      `GET /api/inbox (${WAITING_DOCUMENTS} waiting)`,
      'truongphong1',
      await load(`${server.url}/api/inbox`, tokens.truongphong1 as string, CONNECTIONS, READ_SECONDS),
    ])
    rows.push([
      `GET /api/documents/:id (issued, 5 versions, 4 signatures)`,
      'chuyenvien',
      await load(
        `${server.url}/api/documents/${issued}`,
        tokens.chuyenvien as string,
        CONNECTIONS,
        READ_SECONDS,
      ),
    ])
    printReads(rows)

    console.log(
      server.errors.length
        ? `\nServer error log (${server.errors.length} lines):\n${server.errors.join('\n')}`
        : '\nServer error log: empty',
    )
    const scale = [
      await measureScale('SQLite, 1 instance', [server.url], tokens, pins, CHAIN, TEMPLATE, onePage),
    ]
    await server.stop()
    scale.push(...(await postgresRuns(work, onePage)))
    printScale(scale)
  } finally {
    process.removeListener('SIGINT', stop)
    await server?.stop()
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
