import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Running } from '../../server/start'
import { openDb } from '../../storage/db'
import { restartableService, type Restartable } from '../helpers/restartable'
import { makePdf } from '../helpers/sample-pdfs'
import { as } from '../helpers/service'

const KYSO = join(__dirname, '../../../bin/kyso.js')

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

interface Verification {
  ok: boolean
  events: number
  brokenAt?: number
  missingAfter?: number
  missing?: number
  checkpoint?: { events: number; lastId: number }
  checkpointInvalid?: string
}

async function verifyOver(svc: Running): Promise<Verification> {
  const res = await (await as('kiemtra', undefined, svc.url)).get('/api/audit/verify')
  expect(res.status).to.equal(200)
  return (await res.json()) as Verification
}

/** Issue 15, point 6: deleting the newest audit events is noticed, thanks to checkpoints outside the database. */
describe('an audit log whose end is anchored by signed checkpoints', function () {
  this.timeout(300_000)
  let r: Restartable
  let svc: Running | undefined

  before(async () => {
    r = await restartableService()
  })

  after(async () => {
    await svc?.close()
    await r.dispose()
  })

  it('writes a signed, timestamped checkpoint at shutdown that verification checks against', async () => {
    svc = await r.start()
    const drafter = await as('chuyenvien', undefined, svc.url)
    for (let i = 0; i < 3; i++)
      expect((await drafter.upload(await makePdf({ title: `NHAT KY ${i}` }))).status).to.equal(201)
    await svc.close()
    svc = undefined
    const dir = join(r.dataDir, 'audit-checkpoints')
    const files = readdirSync(dir)
    expect(files.length).to.be.greaterThan(0)
    const newest = JSON.parse(readFileSync(join(dir, files.sort().at(-1) as string), 'utf8')) as {
      events: number
      lastId: number
      signature: string
    }
    expect(newest.signature.length).to.be.greaterThan(1000)
    svc = await r.start()
    const v = await verifyOver(svc)
    expect(v.ok).to.equal(true)
    expect(v.checkpoint?.lastId).to.equal(newest.lastId)
  })

  it('reports the newest three events deleted while the service was stopped, after a restart, and never blesses the cut', async () => {
    const admin = await as('quantri', undefined, (svc as Running).url)
    expect(
      (
        await admin.post('/api/admin/agencies', {
          code: 'SO-MOI-1',
          name: 'Sở Mới',
          parentCode: 'UBND-TPHCM',
        })
      ).status,
    ).to.equal(201)
    await (svc as Running).close()
    svc = undefined
    // While stopped, someone with the database deletes the newest three events.
    const db = await openDb(r.dataDir, {
      ...(r.env.KYSO_DATABASE_URL && { databaseUrl: r.env.KYSO_DATABASE_URL }),
      migrate: false,
    })
    const ids = (await db('audit_events').orderBy('id', 'desc').limit(4).pluck('id')) as number[]
    await db('audit_events').whereIn('id', ids.slice(0, 3)).delete()
    await db.destroy()
    svc = await r.start()
    const v = await verifyOver(svc)
    expect(v).to.include({ ok: false, missingAfter: ids[3], missing: 3 })
    expect(v.brokenAt).to.equal(undefined)
    expect(r.lines.some((l) => l.level === 'error' && /audit log cut short/.test(String(l.msg)))).to.equal(
      true,
    )
    // New events after the cut chain on well; the checkpoints stay where they were.
    await svc.close()
    svc = undefined
    const cli = await kyso(['audit', 'verify'], r.env)
    expect(cli.status, cli.stderr).to.equal(1)
    expect(JSON.parse(cli.stdout)).to.include({ ok: false, missingAfter: ids[3], missing: 3 })
  })

  it('takes no checkpoint that does not verify: an edited file is reported', async () => {
    const dir = join(r.dataDir, 'audit-checkpoints')
    const newest = join(dir, readdirSync(dir).sort().at(-1) as string)
    const cp = JSON.parse(readFileSync(newest, 'utf8')) as { events: number }
    writeFileSync(newest, JSON.stringify({ ...cp, events: cp.events - 3 }))
    const cli = await kyso(['audit', 'verify'], r.env)
    expect(JSON.parse(cli.stdout)).to.include({ ok: false, checkpointInvalid: newest })
  })
})
