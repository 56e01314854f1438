import { expect } from 'chai'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyAudit } from '../../storage/audit'
import { FileBlobStore } from '../../storage/blob-store'
import { openDb } from '../../storage/db'
import { spawnService } from '../helpers/child-service'
import { consistencyProblems } from '../helpers/consistency'
import { createTestDatabase, onPostgres, testEnv } from '../helpers/database'
import { makePdf } from '../helpers/sample-pdfs'
import { as, getService, serviceLog, type Client } from '../helpers/service'

const KYSO = join(__dirname, '../../../bin/kyso.js')

/** A one-step chain (truongphong1 approves) ready to sign; the step's id. */
async function readyStep(drafter: Client, title = 'VAN HANH'): Promise<number> {
  const doc = (await (await drafter.upload(await makePdf({ title }))).json()) as { id: number }
  const body = (await (
    await drafter.post(`/api/documents/${doc.id}/submit`, {
      steps: [{ action: 'approve', assignees: ['truongphong1'] }],
    })
  ).json()) as { workflows: { steps: { id: number }[] }[] }
  return (body.workflows[0]?.steps[0] as { id: number }).id
}

/** Runs the kyso command asynchronously (the service in this process keeps answering). */
function kyso(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KYSO, ...args], { env: { PATH: process.env.PATH ?? '', ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => void (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => void (stderr += c))
    child.once('exit', (status) => resolve({ status, stdout, stderr }))
  })
}

describe('operations: health, readiness, metrics, logs', function () {
  this.timeout(120_000)
  let drafter: Client
  let signer: Client

  before(async () => {
    await getService()
    drafter = await as('chuyenvien')
    signer = await as('truongphong1')
  })

  it('answers /healthz, and /readyz with every check ok', async () => {
    const { url } = await getService()
    expect(await (await fetch(`${url}/healthz`)).json()).to.deep.equal({ status: 'ok' })
    const ready = await fetch(`${url}/readyz`)
    expect(ready.status).to.equal(200)
    expect(await ready.json()).to.deep.equal({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', blobs: 'ok', accepting: 'ok' },
    })
  })

  it('answers /readyz with 503 naming the blob store when it cannot be written, and 200 again once it can', async function () {
    const { url, services } = await getService()
    if (services.blobs.kind !== 'files') return this.skip()
    const dir = (services.blobs as FileBlobStore).dir
    // Root ignores permissions, so the directory is replaced by a file instead.
    renameSync(dir, `${dir}.away`)
    writeFileSync(dir, 'not a directory')
    try {
      const res = await fetch(`${url}/readyz`)
      const body = (await res.json()) as { status: string; checks: Record<string, string> }
      expect(res.status).to.equal(503)
      expect(body.status).to.equal('unavailable')
      expect(body.checks.blobs).to.not.equal('ok')
      expect(body.checks.database).to.equal('ok')
    } finally {
      rmSync(dir)
      renameSync(`${dir}.away`, dir)
    }
    expect((await fetch(`${url}/readyz`)).status).to.equal(200)
  })

  it('counts requests by route, signatures, lock waits and validations by verdict at /metrics', async () => {
    const { url } = await getService()
    const res = await signer.post(`/api/steps/${await readyStep(drafter)}/sign`, { pin: '1234' })
    expect(res.status).to.equal(200)
    let text = ''
    for (let i = 0; i < 100 && !/kyso_validations_total\{indication="PASSED"\} [1-9]/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 100))
      text = await (await fetch(`${url}/metrics`)).text()
    }
    expect(text).to.match(
      /kyso_http_requests_total\{method="POST",route="\/api\/steps\/:id\/sign",status="200"\} [1-9]/,
    )
    expect(text).to.match(
      /kyso_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/api\/steps\/:id\/sign"\}/,
    )
    expect(text).to.match(/kyso_signatures_total\{action="approve"\} [1-9]/)
    expect(text).to.match(/kyso_validations_total\{indication="PASSED"\} [1-9]/)
    expect(text).to.match(/kyso_lock_wait_seconds_count\{lock="document"\} [1-9]/)
    expect(text).to.match(/kyso_lock_wait_seconds_count\{lock="pool"\} [1-9]/)
  })

  it('logs each request as JSON with the request id the audit event carries, and never a PIN, password or token', async () => {
    const { services } = await getService()
    const stepId = await readyStep(drafter)
    const requestId = 'ops-test-7f3a9c1d'
    const refused = await signer.post(
      `/api/steps/${stepId}/sign`,
      { pin: '97531864' },
      { 'x-request-id': requestId },
    )
    expect(refused.status).to.equal(403)
    expect(refused.headers.get('x-request-id')).to.equal(requestId)
    const line = serviceLog.find((l) => l.requestId === requestId)
    expect(line).to.include({
      msg: 'request',
      method: 'POST',
      route: '/api/steps/:id/sign',
      status: 403,
      user: 'truongphong1',
    })
    const event = (await services.db('audit_events').where({ request_id: requestId }).first('action')) as
      | { action: string }
      | undefined
    expect(event?.action).to.equal('refused')
    const all = JSON.stringify(serviceLog)
    for (const secret of ['97531864', 'Kyso@2024', signer.token, signer.csrf])
      expect(all).to.not.include(secret)
  })
})

describe('operations: graceful shutdown, backup, migrate', function () {
  this.timeout(300_000)

  it('lets a signature in flight finish on SIGTERM, then exits 0 and takes no new request', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kyso-term-'))
    const { env, cleanup } = await testEnv({ KYSO_DATA_DIR: dataDir })
    const svc = await spawnService(env)
    try {
      const stepId = await readyStep(await as('chuyenvien', undefined, svc.url))
      const { token } = await as('truongphong1', undefined, svc.url)
      // The request is on the wire (headers and half of its body) when SIGTERM arrives.
      const body = JSON.stringify({ pin: '1234' })
      const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          `${svc.url}/api/steps/${stepId}/sign`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            let text = ''
            res
              .setEncoding('utf8')
              .on('data', (c: string) => void (text += c))
              .on('end', () => resolve({ status: res.statusCode ?? 0, text }))
          },
        )
        req.on('error', reject)
        req.write(body.slice(0, 5))
        setTimeout(() => {
          svc.child.kill('SIGTERM')
          setTimeout(() => req.end(body.slice(5)), 300)
        }, 300)
      })
      const { status, text } = await answer
      expect(status, text).to.equal(200)
      expect(await svc.exited).to.equal(0)
      expect(svc.lines.map((l) => l.msg)).to.include.members([
        'shutting down: finishing requests in flight',
        'stopped',
      ])
      const refused = await fetch(`${svc.url}/healthz`).then(
        () => 'answered',
        () => 'refused',
      )
      expect(refused).to.equal('refused')
    } finally {
      svc.child.kill('SIGKILL')
      await cleanup()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('kyso backup, while the service signs, yields a database that opens, whose audit chain verifies and whose blobs all verify', async () => {
    const { services } = await getService()
    const drafter = await as('chuyenvien')
    const signer = await as('truongphong1')
    const steps: number[] = []
    for (let i = 0; i < 6; i++) steps.push(await readyStep(drafter, `SAO LUU ${i}`))
    const out = join(mkdtempSync(join(tmpdir(), 'kyso-backup-')), 'backup')
    const env = {
      KYSO_DATA_DIR: services.config.dataDir,
      KYSO_KEY_WRAP_FILE: services.config.keyWrap.file,
      ...(services.config.databaseUrl && { KYSO_DATABASE_URL: services.config.databaseUrl }),
    }
    const [backup, ...signed] = await Promise.all([
      kyso(['backup', out], env),
      ...steps.map((id) => signer.post(`/api/steps/${id}/sign`, { pin: '1234' })),
    ])
    expect(backup?.status, backup?.stderr).to.equal(0)
    expect(signed.map((r) => r.status)).to.deep.equal(steps.map(() => 200))
    const manifest = JSON.parse(backup?.stdout ?? '') as {
      blobs: number
      ca: string
      keyWrap: { keyId: string; location: string; included: boolean }
    }
    // The CA is in the database (issue 15); the key-wrapping key is named, never copied.
    expect(manifest.ca).to.equal('database')
    expect(manifest.keyWrap).to.deep.equal({
      keyId: services.keyRing.current.id,
      location: services.config.keyWrap.file,
      included: false,
    })
    expect(backup?.stderr).to.include(services.config.keyWrap.file).and.include('NOT in this backup')
    const restored = await restoredDatabase(out)
    try {
      expect(await verifyAudit(restored.db)).to.include({ ok: true })
      expect(await consistencyProblems(restored.db, new FileBlobStore(join(out, 'blobs')))).to.deep.equal([])
      expect(manifest.blobs).to.be.at.least(
        Number(((await restored.db('versions').countDistinct('sha256 as n').first()) as { n: number }).n),
      )
    } finally {
      await restored.close()
      rmSync(join(out, '..'), { recursive: true, force: true })
    }
  })

  it('kyso migrate brings an empty database to the current schema, and then has nothing to do', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kyso-migrate-'))
    const { env, cleanup } = await testEnv({ KYSO_DATA_DIR: dataDir })
    try {
      const first = await kyso(['migrate'], env)
      expect(first.status, first.stderr).to.equal(0)
      expect(JSON.parse(first.stdout)).to.deep.include({
        database: onPostgres() ? 'postgresql' : 'sqlite',
        pending: [],
      })
      expect(JSON.parse(first.stdout).applied).to.include('2026-11-28-initial-schema')
      const second = await kyso(['migrate'], env)
      expect(JSON.parse(second.stdout)).to.deep.include({ applied: [], pending: [] })
    } finally {
      await cleanup()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

/** The backup's database, opened: the SQLite copy as is, or the PostgreSQL dump restored into a new database. */
async function restoredDatabase(
  out: string,
): Promise<{ db: Awaited<ReturnType<typeof openDb>>; close: () => Promise<void> }> {
  if (!onPostgres()) {
    const db = await openDb(out, { migrate: false })
    return { db, close: () => db.destroy() }
  }
  const target = await createTestDatabase()
  const r = spawnSync('pg_restore', ['--no-owner', `--dbname=${target.url}`, join(out, 'kyso.pgdump')], {
    encoding: 'utf8',
  })
  expect(r.status, r.stderr).to.equal(0)
  const db = await openDb(out, { databaseUrl: target.url, migrate: false })
  return {
    db,
    close: async () => {
      await db.destroy()
      await target.drop()
    },
  }
}
