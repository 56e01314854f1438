import { expect } from 'chai'
import { mkdtempSync, rmSync } from 'node:fs'
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
  const res = await drafter.post(`/api/documents/${doc.id}/submit`, { steps: [{ action: 'approve', assignees: ['truongphong1'] }] })
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
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (signers[i % 2] as Client).post(`/api/steps/${stepId}/sign`, { pin: '1234' })))
    const statuses = answers.map((r) => r.status)
    expect(statuses.filter((s) => s === 200), statuses.join(' ')).to.have.length(1)
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409), statuses.join(' ')).to.equal(true)
    const db = a.services.db
    expect(await db('signatures').where({ document_id: documentId }).count('* as n').first()).to.deep.equal({ n: 1 })
    expect(await db('versions').where({ document_id: documentId }).count('* as n').first()).to.deep.equal({ n: 2 })
    expect(await db('audit_events').where({ document_id: documentId, action: 'step.approve' }).count('* as n').first()).to.deep.equal({ n: 1 })
    expect(await verifyAudit(db)).to.include({ ok: true })
  })

  it('keeps one audit chain when both instances sign different documents at the same time', async () => {
    const [a, b] = instances as [Running, Running]
    const drafter = await as('chuyenvien', undefined, b.url)
    const signers = [await as('truongphong1', undefined, a.url), await as('truongphong1', undefined, b.url)]
    const chains = []
    for (let i = 0; i < 10; i++) chains.push(await oneStepChain(drafter, `SONG SONG ${i}`))
    const answers = await Promise.all(chains.map((c, i) => (signers[i % 2] as Client).post(`/api/steps/${c.stepId}/sign`, { pin: '1234' })))
    expect(answers.map((r) => r.status)).to.deep.equal(chains.map(() => 200))
    const audit = await verifyAudit(a.services.db)
    expect(audit.ok, `broken at ${audit.brokenAt}`).to.equal(true)
    // Every event links to the one before it: no two events share a predecessor (no fork).
    const forks = await a.services.db('audit_events').groupBy('prev_hash').having(a.services.db.raw('count(*) > 1')).select('prev_hash')
    expect(forks).to.deep.equal([])
    expect(await consistencyProblems(a.services.db, a.services.blobs)).to.deep.equal([])
  })
})
