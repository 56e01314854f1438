import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../../config'
import { startServer } from '../../server/start'
import { testEnv } from '../helpers/database'

describe('start-up', function () {
  this.timeout(180_000)

  it('seeds the demo once when two instances start together on an empty database, and answers within 60 s', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kyso-twice-'))
    const { env, cleanup } = await testEnv({ KYSO_DATA_DIR: dataDir })
    after(cleanup)
    const config = loadConfig(env)
    const t0 = Date.now()
    const settled = await Promise.allSettled([startServer(config), startServer(config)])
    const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    if (started.length < 2) {
      await Promise.all(started.map((r) => r.close()))
      throw (settled.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason
    }
    const [a, b] = started as [
      Awaited<ReturnType<typeof startServer>>,
      Awaited<ReturnType<typeof startServer>>,
    ]
    try {
      expect(Date.now() - t0).to.be.lessThan(60_000)
      for (const r of [a, b]) expect((await fetch(`${r.url}/api/openapi.json`)).status).to.equal(200)
      const agencies = (await a.services.db('agencies').count('* as n').first()) as { n: number }
      const users = (await a.services.db('users').count('* as n').first()) as { n: number }
      const seals = (await a.services.db('certificates').where({ kind: 'seal' }).count('* as n').first()) as {
        n: number
      }
      expect(Number(agencies.n)).to.equal(11)
      expect(Number(users.n)).to.equal(20)
      expect(Number(seals.n), 'one seal certificate per agency with a records clerk').to.equal(7)
      // The city since 2025 (issue 14): departments as they now are, wards and communes directly
      // under the city, no district level, no Department of Information and Communications.
      const tree = (await a.services
        .db('agencies as a')
        .leftJoin('agencies as p', 'p.id', 'a.parent_id')
        .select('a.code', 'a.name', 'p.code as parent')) as {
        code: string
        name: string
        parent: string | null
      }[]
      const parentOf = Object.fromEntries(tree.map((t) => [t.code, t.parent]))
      expect(parentOf).to.deep.include({
        'UBND-TPHCM': null,
        SKHCN: 'UBND-TPHCM',
        STP: 'UBND-TPHCM',
        SNV: 'UBND-TPHCM',
        BTDKT: 'SNV',
        'UBND-P-THUDUC': 'UBND-TPHCM',
        'UBND-P-LINHXUAN': 'UBND-TPHCM',
        'UBND-X-CANGIO': 'UBND-TPHCM',
        'UBND-DK-CONDAO': 'UBND-TPHCM',
      })
      expect(tree.find((t) => t.code === 'SKHCN')?.name).to.equal(
        'Sở Khoa học và Công nghệ Thành phố Hồ Chí Minh',
      )
      expect(tree.map((t) => t.name).join(' ')).to.not.match(/Thông tin và Truyền thông|thành phố Thủ Đức/)
      const moved = (await a.services
        .db('users as u')
        .join('agencies as g', 'g.id', 'u.agency_id')
        .whereIn('u.username', ['giamdoc', 'vanthu', 'ct.td'])
        .orderBy('u.username')
        .select('u.username', 'g.code')) as { username: string; code: string }[]
      expect(moved.map((m) => `${m.username}@${m.code}`)).to.deep.equal([
        'ct.td@UBND-P-THUDUC',
        'giamdoc@SKHCN',
        'vanthu@SKHCN',
      ])
      const seeded = (await a.services
        .db('audit_events')
        .where({ action: 'demo.seeded' })
        .count('* as n')
        .first()) as { n: number }
      expect(Number(seeded.n)).to.equal(1)
      // No PIN or password is stored in clear: the demo ones appear nowhere in the database.
      const dump =
        JSON.stringify(await a.services.db('users').select()) +
        JSON.stringify(await a.services.db('audit_events').select())
      expect(dump).to.not.include('Kyso@2024')
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('stops on a bad setting with a message that names it', () => {
    expect(() => loadConfig({ PORT: 'tám nghìn', KYSO_DEMO: 'maybe' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/PORT/)
      .and.matches(/KYSO_DEMO/)
    const r = spawnSync(process.execPath, [join(__dirname, '../../main.js')], {
      env: { PATH: process.env.PATH ?? '', PORT: '99999' },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(r.status).to.equal(2)
    expect(r.stderr).to.match(/PORT must be an integer/)
  })
})
