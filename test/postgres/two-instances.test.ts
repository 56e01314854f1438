import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../config'
import { startServer, type Running } from '../../server/start'
import { verifyAudit } from '../../storage/audit'
import { consistencyProblems } from '../helpers/consistency'
import { onPostgres, testEnv } from '../helpers/database'
import { makePdf } from '../helpers/sample-pdfs'
import { as, type Client } from '../helpers/service'

/** Uploads and submits a one-step chain (truongphong1 approves); returns the document and step. */
async function oneStepChain(drafter: Client, title: string): Promise<{ documentId: number; stepId: number }> {
  const doc = (await (await drafter.upload(await makePdf({ title }))).json()) as { id: number }
  const res = await drafter.post(`/api/documents/${doc.id}/submit`, {
    steps: [{ action: 'approve', assignees: ['truongphong1'] }],
  })
  const body = (await res.json()) as { workflows: { steps: { id: number }[] }[] }
  return { documentId: doc.id, stepId: (body.workflows[0]?.steps[0] as { id: number }).id }
}

describe('two app instances on one PostgreSQL database', function () {
  this.timeout(300_000)
  const instances: Running[] = []
  let cleanup: () => Promise<void> = async () => {}
  let dataDir = ''

  before(async function () {
    if (!onPostgres()) return this.skip() // the PostgreSQL pass of npm test runs it
    dataDir = mkdtempSync(join(tmpdir(), 'kyso-two-'))
    const t = await testEnv({ KYSO_DATA_DIR: dataDir })
    cleanup = t.cleanup
    const config = loadConfig(t.env)
    // Both start on the empty database together: one migrates and seeds, the other waits.
    instances.push(...(await Promise.all([startServer(config), startServer(config)])))
  })

  after(async () => {
    await Promise.all(instances.map((r) => r.close()))
    await cleanup()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('lets exactly one of 20 concurrent sign requests for one step succeed, split across both: one signature, one version, one audit event', async () => {
    const [a, b] = instances as [Running, Running]
    const drafter = await as('chuyenvien', undefined, a.url)
    const signers = [await as('truongphong1', undefined, a.url), await as('truongphong1', undefined, b.url)]
    const { documentId, stepId } = await oneStepChain(drafter, 'HAI PHIEN BAN')
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (signers[i % 2] as Client).post(`/api/steps/${stepId}/sign`, { pin: '1234' }),
      ),
    )
    const statuses = answers.map((r) => r.status)
    expect(
      statuses.filter((s) => s === 200),
      statuses.join(' '),
    ).to.have.length(1)
    expect(
      statuses.filter((s) => s !== 200).every((s) => s === 409),
      statuses.join(' '),
    ).to.equal(true)
    const db = a.services.db
    expect(await db('signatures').where({ document_id: documentId }).count('* as n').first()).to.deep.equal({
      n: 1,
    })
    expect(await db('versions').where({ document_id: documentId }).count('* as n').first()).to.deep.equal({
      n: 2,
    })
    expect(
      await db('audit_events')
        .where({ document_id: documentId, action: 'step.approve' })
        .count('* as n')
        .first(),
    ).to.deep.equal({ n: 1 })
    expect(await verifyAudit(db)).to.include({ ok: true })
  })

  it('keeps one audit chain when both instances sign different documents at the same time', async () => {
    const [a, b] = instances as [Running, Running]
    const drafter = await as('chuyenvien', undefined, b.url)
    const signers = [await as('truongphong1', undefined, a.url), await as('truongphong1', undefined, b.url)]
    const chains = []
    for (let i = 0; i < 10; i++) chains.push(await oneStepChain(drafter, `SONG SONG ${i}`))
    const answers = await Promise.all(
      chains.map((c, i) => (signers[i % 2] as Client).post(`/api/steps/${c.stepId}/sign`, { pin: '1234' })),
    )
    expect(answers.map((r) => r.status)).to.deep.equal(chains.map(() => 200))
    const audit = await verifyAudit(a.services.db)
    expect(audit.ok, `broken at ${audit.brokenAt}`).to.equal(true)
    // Every event links to the one before it: no two events share a predecessor (no fork).
    const forks = await a.services
      .db('audit_events')
      .groupBy('prev_hash')
      .having(a.services.db.raw('count(*) > 1'))
      .select('prev_hash')
    expect(forks).to.deep.equal([])
    expect(await consistencyProblems(a.services.db, a.services.blobs)).to.deep.equal([])
  })

  it('shares the PIN counter: five wrong PINs across both lock the key on both, until an admin unlocks it on one', async () => {
    const [a, b] = instances as [Running, Running]
    const signers = [
      await as('truongphong2', undefined, a.url),
      await as('truongphong2', undefined, b.url),
    ] as [Client, Client]
    const drafter = await as('chuyenvien', undefined, a.url)
    const doc = (await (await drafter.upload(await makePdf({ title: 'KHOA CHUNG' }))).json()) as {
      id: number
    }
    const submitted = (await (
      await drafter.post(`/api/documents/${doc.id}/submit`, {
        steps: [{ action: 'approve', assignees: ['truongphong2'] }],
      })
    ).json()) as { workflows: { steps: { id: number }[] }[] }
    const stepId = (submitted.workflows[0]?.steps[0] as { id: number }).id
    const left: unknown[] = []
    for (let i = 0; i < 5; i++) {
      const res = await (signers[i % 2] as Client).post(`/api/steps/${stepId}/sign`, { pin: `00${i}0` })
      left.push(((await res.json()) as { error: { triesLeft: number } }).error.triesLeft)
    }
    expect(left).to.deep.equal([4, 3, 2, 1, 0])
    for (const s of signers)
      expect((await s.post(`/api/steps/${stepId}/sign`, { pin: '1234' })).status).to.equal(423)
    const cert = (await a.services
      .db('certificates as c')
      .join('users as u', 'u.id', 'c.holder_user_id')
      .where({ 'u.username': 'truongphong2', 'c.kind': 'personal' })
      .first('c.id')) as { id: number }
    expect(
      (await (await as('quantri', undefined, a.url)).post(`/api/admin/certificates/${cert.id}/unlock`))
        .status,
    ).to.equal(200)
    expect((await signers[1].post(`/api/steps/${stepId}/sign`, { pin: '1234' })).status).to.equal(200)
  })
})

/**
 * Issue 15, point 5: the internal CA lives in the database, so instances need no shared folder:
 * each here has a data folder of its own, the blobs in the database, and the key-wrapping key
 * given to both through the environment.
 */
describe('two app instances with no shared folder: one CA in the database', function () {
  this.timeout(300_000)
  const instances: Running[] = []
  const dirs: string[] = []
  let cleanup: () => Promise<void> = async () => {}

  before(async function () {
    if (!onPostgres()) return this.skip()
    const key = randomBytes(32).toString('base64')
    const base = await testEnv({ KYSO_BLOB_STORE: 'database', KYSO_KEY_WRAP_KEY: key })
    cleanup = base.cleanup
    for (let i = 0; i < 2; i++) dirs.push(mkdtempSync(join(tmpdir(), `kyso-alone-${i}-`)))
    // Started together on the empty database: one makes the CA and seeds, the other waits for it.
    instances.push(
      ...(await Promise.all(dirs.map((d) => startServer(loadConfig({ ...base.env, KYSO_DATA_DIR: d }))))),
    )
  })

  after(async () => {
    await Promise.all(instances.map((r) => r.close()))
    await cleanup()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it('publishes the same root and CRL on both, and keeps neither in a folder', async () => {
    const [a, b] = instances as [Running, Running]
    const roots = await Promise.all([a, b].map(async (r) => (await fetch(`${r.url}/api/ca/root.pem`)).text()))
    expect(roots[0])
      .to.match(/^-----BEGIN CERTIFICATE-----/)
      .and.equal(roots[1])
    const crls = await Promise.all([a, b].map(async (r) => (await fetch(`${r.url}/api/ca/crl.pem`)).text()))
    expect(crls[0]).to.equal(crls[1])
    expect(Number(((await a.services.db('ca_keys').count('* as n').first()) as { n: number }).n)).to.equal(4)
    for (const d of dirs) expect(readdirSync(d).filter((f) => f === 'ca' || f === 'blobs')).to.deep.equal([])
  })

  it('issues on both at once and revokes on both at once, one after the other under the CA lock, into one CRL', async () => {
    const [a, b] = instances as [Running, Running]
    const admin = await as('quantri', undefined, a.url)
    const holders = [await as('truongphong1', undefined, a.url), await as('giamdoc', undefined, b.url)]
    const requests = await Promise.all(
      ['truongphong1', 'giamdoc'].map(
        async (username) =>
          (await (await admin.post('/api/admin/certificates', { username, kind: 'personal' })).json()) as {
            id: number
          },
      ),
    )
    const issued = await Promise.all(
      holders.map(async (h, i) => {
        const res = await h.post(`/api/me/enrolments/${(requests[i] as { id: number }).id}/activate`, {
          pin: '13579',
        })
        expect(res.status).to.equal(201)
        return (await res.json()) as { id: number; serialHex: string }
      }),
    )
    expect(new Set(issued.map((x) => x.serialHex)).size).to.equal(2)
    const before = (await a.services.db('ca_crl').first('crl_number')) as { crl_number: number }
    const admins = [admin, await as('quantri', undefined, b.url)]
    const revoked = await Promise.all(
      issued.map((x, i) =>
        (admins[i] as Client).post(`/api/admin/certificates/${x.id}/revoke`, { reason: 'superseded' }),
      ),
    )
    expect(revoked.map((r) => r.status)).to.deep.equal([200, 200])
    const after = (await a.services.db('ca_crl').first('crl_number')) as { crl_number: number }
    expect(Number(after.crl_number)).to.equal(Number(before.crl_number) + 2)
    const file = join(dirs[0] as string, 'served.crl.pem')
    writeFileSync(file, await (await fetch(`${b.url}/api/ca/crl.pem`)).text())
    const text = execFileSync('openssl', ['crl', '-in', file, '-noout', '-text'], {
      encoding: 'utf8',
    }).replace(/\s/g, '')
    for (const x of issued) expect(text).to.contain(x.serialHex.replace(/^0+/, ''))
  })

  it('timestamps signatures made on either instance with the one TSA, and both validate them', async () => {
    const [a, b] = instances as [Running, Running]
    const drafter = await as('chuyenvien', undefined, a.url)
    const doc = (await (await drafter.upload(await makePdf({ title: 'HAI NOI KY' }))).json()) as {
      id: number
    }
    const steps = [
      { action: 'approve', assignees: ['truongphong1'] },
      { action: 'approve', assignees: ['truongphong2'] },
    ]
    const submitted = (await (await drafter.post(`/api/documents/${doc.id}/submit`, { steps })).json()) as {
      workflows: { steps: { id: number }[] }[]
    }
    const [first, second] = (submitted.workflows[0]?.steps ?? []).map((st) => st.id) as [number, number]
    expect(
      (await (await as('truongphong1', undefined, b.url)).post(`/api/steps/${first}/sign`, { pin: '1234' }))
        .status,
    ).to.equal(200)
    expect(
      (await (await as('truongphong2', undefined, a.url)).post(`/api/steps/${second}/sign`, { pin: '1234' }))
        .status,
    ).to.equal(200)
    for (const r of [a, b]) {
      const report = (await (
        await (await as('kiemtra', undefined, r.url)).get(`/api/documents/${doc.id}/verification`)
      ).json()) as {
        indication: string
        signatures: { level: string; timestamp: { valid: boolean; trusted: boolean } | null }[]
      }
      expect(report.indication).to.equal('PASSED')
      expect(report.signatures.map((x) => [x.level, x.timestamp?.valid, x.timestamp?.trusted])).to.deep.equal(
        [
          ['B-T', true, true],
          ['B-T', true, true],
        ],
      )
    }
    expect(existsSync(join(dirs[1] as string, 'ca'))).to.equal(false)
  })
})
