import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { makePdf } from '../helpers/sample-pdfs'
import { as, getService, pinOf, type Client } from '../helpers/service'

const CORPUS = join(__dirname, '../../../../shared/corpus')

interface Details {
  id: number
  status: string
  versions: unknown[]
  signatures: unknown[]
  workflows: { steps: { id: number; action: string; status: string }[] }[]
}

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

async function errorCode(res: Response, status: number): Promise<string> {
  const body = await json<{ error: { code: string; message: string } }>(res, status)
  expect(body.error.message).to.be.a('string')
  return body.error.code
}

describe('access rules, concurrency and bad input over HTTP', function () {
  this.timeout(180_000)
  const c: Record<string, Client> = {}
  let doc: Details
  let firstStep: number

  const details = async (id = doc.id): Promise<Details> =>
    json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${id}`), 200)

  before(async () => {
    await getService()
    for (const u of [
      'chuyenvien',
      'truongphong1',
      'truongphong2',
      'giamdoc',
      'vanthu',
      'cv.stp',
      'gd.stp',
      'pct.hoan',
      'kiemtra',
      'quantri',
      'cv.td',
    ])
      c[u] = await as(u)
    const uploaded = await json<Details>(await (c.chuyenvien as Client).upload(await makePdf()), 201)
    doc = await json<Details>(
      await (c.chuyenvien as Client).post(`/api/documents/${uploaded.id}/submit`, {
        template: 'cong-van-thuong',
      }),
      200,
    )
    firstStep = (doc.workflows[0]?.steps[0] as { id: number }).id
  })

  it("hides another agency's document (404) but shows it to the parent agency's leader, compliance and admin", async () => {
    expect(await errorCode(await (c['cv.stp'] as Client).get(`/api/documents/${doc.id}`), 404)).to.equal(
      'NOT_FOUND',
    )
    expect(await errorCode(await (c['gd.stp'] as Client).get(`/api/documents/${doc.id}/file`), 404)).to.equal(
      'NOT_FOUND',
    )
    for (const u of ['pct.hoan', 'kiemtra', 'quantri'])
      expect((await (c[u] as Client).get(`/api/documents/${doc.id}`)).status, u).to.equal(200)
    expect(await errorCode(await (c.chuyenvien as Client).get('/api/documents/999999'), 404)).to.equal(
      'NOT_FOUND',
    )
  })

  it('refuses a signer who is not the assignee (403), out of order (409) or on their own draft (403), and nothing changes', async () => {
    const before = await details()
    expect(
      await errorCode(
        await (c.giamdoc as Client).post(`/api/steps/${firstStep}/sign`, { pin: pinOf('giamdoc') }),
        403,
      ),
    ).to.equal('NOT_ASSIGNEE')
    const leaderStep = (doc.workflows[0]?.steps[1] as { id: number }).id
    expect(
      await errorCode(
        await (c.giamdoc as Client).post(`/api/steps/${leaderStep}/sign`, { pin: pinOf('giamdoc') }),
        409,
      ),
    ).to.equal('STEP_NOT_ACTIVE')
    expect(
      await errorCode(
        await (c['cv.stp'] as Client).post(`/api/steps/${firstStep}/sign`, { pin: '1234' }),
        404,
      ),
    ).to.equal('NOT_FOUND')
    // A drafter who names themself as an approver still cannot approve their own draft.
    const own = await json<Details>(await (c.chuyenvien as Client).upload(await makePdf()), 201)
    const submitted = await json<Details>(
      await (c.chuyenvien as Client).post(`/api/documents/${own.id}/submit`, {
        steps: [{ action: 'approve', assignees: ['chuyenvien'] }],
      }),
      200,
    )
    expect(
      await errorCode(
        await (c.chuyenvien as Client).post(`/api/steps/${submitted.workflows[0]?.steps[0]?.id}/sign`, {
          pin: '1234',
        }),
        403,
      ),
    ).to.equal('OWN_DRAFT')
    const after = await details()
    expect(after.versions).to.have.length(before.versions.length)
    expect(after.signatures).to.have.length(0)
  })

  it('answers a wrong PIN with 403 PIN_INCORRECT and changes nothing', async () => {
    expect(
      await errorCode(
        await (c.truongphong1 as Client).post(`/api/steps/${firstStep}/sign`, { pin: '0000' }),
        403,
      ),
    ).to.equal('PIN_INCORRECT')
    expect((await details()).versions).to.have.length(1)
  })

  it('lets exactly one of 20 concurrent sign requests on one assignment succeed', async () => {
    const tp2 = c.truongphong2 as Client
    const results = await Promise.all(
      Array.from({ length: 20 }, () => tp2.post(`/api/steps/${firstStep}/sign`, { pin: '1234' })),
    )
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).to.have.length(1)
    expect(
      statuses.filter((s) => s !== 200).every((s) => s === 409),
      JSON.stringify(statuses),
    ).to.equal(true)
    const after = await details()
    expect(after.versions).to.have.length(2)
    expect(after.signatures).to.have.length(1)
  })

  it('replays the first result for a repeated Idempotency-Key and signs once', async () => {
    const key = { 'Idempotency-Key': `sign-${doc.id}-tp1` }
    const first = await (c.truongphong1 as Client).post(`/api/steps/${firstStep}/sign`, { pin: '1234' }, key)
    const firstBody = await first.text()
    expect(first.status, firstBody).to.equal(200)
    const again = await (c.truongphong1 as Client).post(`/api/steps/${firstStep}/sign`, { pin: '1234' }, key)
    expect(again.status).to.equal(200)
    expect(again.headers.get('idempotent-replayed')).to.equal('true')
    expect(await again.text()).to.equal(firstBody)
    expect((await details()).versions).to.have.length(3)
    const other = await (c.truongphong1 as Client).post(
      `/api/steps/${firstStep}/reject`,
      { reason: 'khác' },
      key,
    )
    expect(other.status, 'the same key for another request').to.equal(422)
  })

  it('refuses oversized, non-PDF, encrypted and damaged uploads with 413, 415 and 422', async () => {
    const drafter = c.chuyenvien as Client
    expect(
      await errorCode(
        await drafter.upload(Buffer.concat([await makePdf(), Buffer.alloc(3 * 1024 * 1024)])),
        413,
      ),
    ).to.equal('UPLOAD_TOO_LARGE')
    expect(await errorCode(await drafter.upload(Buffer.from('xin chào, đây không phải PDF')), 415)).to.equal(
      'NOT_A_PDF',
    )
    expect(
      await errorCode(
        await drafter.upload(readFileSync(join(CORPUS, 'real/qpdf_qpdf__qpdf_qtest_qpdf_V4-aes.pdf'))),
        422,
      ),
    ).to.equal('PDF_ENCRYPTED')
    expect(
      await errorCode(
        await drafter.upload(
          readFileSync(join(CORPUS, 'real/esig_dss__dss-pades_src_test_resources_EmptyPage-corrupted.pdf')),
        ),
        422,
      ),
    ).to.equal('PDF_UNREADABLE')
    expect(await errorCode(await drafter.upload(await makePdf(), { kind: 'internal' }), 400)).to.equal(
      'BAD_REQUEST',
    )
  })

  it('answers bad JSON and bad fields with 400 naming the field', async () => {
    const { url } = await getService()
    const res = await fetch(`${url}/api/steps/${firstStep}/sign`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${(c.truongphong1 as Client).token}`,
        'content-type': 'application/json',
      },
      body: '{"pin": ',
    })
    expect(await errorCode(res, 400)).to.equal('BAD_REQUEST')
    const bad = await json<{ error: { message: string } }>(
      await (c.chuyenvien as Client).post(`/api/documents/${doc.id}/submit`, {
        steps: [{ action: 'dance', assignees: ['x'] }],
      }),
      400,
    )
    expect(bad.error.message).to.match(/steps\[0\]\.action/)
    const charset = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=latin2' },
      body: '{}',
    })
    expect(charset.status).to.equal(400)
  })

  it('requires a session, a CSRF token with the cookie, and throttles repeated failed logins', async () => {
    const { url } = await getService()
    expect(await errorCode(await fetch(`${url}/api/inbox`), 401)).to.equal('UNAUTHENTICATED')
    const cookieAuth = { cookie: (c.truongphong1 as Client).cookie, 'content-type': 'application/json' }
    expect((await fetch(`${url}/api/me`, { headers: cookieAuth })).status, 'cookie reads').to.equal(200)
    expect(
      await errorCode(
        await fetch(`${url}/api/delegations`, { method: 'POST', headers: cookieAuth, body: '{}' }),
        403,
      ),
    ).to.equal('CSRF_REJECTED')
    const login = (password: string) =>
      fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'cv.td', password }),
      })
    for (let i = 0; i < 5; i++) expect((await login('sai mật khẩu')).status).to.equal(401)
    expect(await errorCode(await login('Kyso@2024'), 429)).to.equal('LOGIN_THROTTLED')
  })

  it('lets no burst of concurrent failed logins past the limit (each attempt is recorded before it is counted)', async () => {
    const { url, services } = await getService()
    const login = (password: string) =>
      fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nguoi.la.dong.thoi', password }),
      })
    const codes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login(`sai-${i}`).then((r) => r.status)),
    )
    const checked = codes.filter((c) => c === 401).length
    expect(checked, codes.join(' ')).to.be.at.most(services.config.loginMaxFailures)
    expect(codes.filter((c) => c === 429).length).to.equal(12 - checked)
    // Refused attempts take their rows back, so attempts one at a time are checked up to the limit
    // and no further: in all, exactly loginMaxFailures passwords were ever checked.
    let total = checked
    for (let i = 0; i < 10; i++) {
      const status = (await login(`sai-nua-${i}`)).status
      if (status === 429) break
      expect(status).to.equal(401)
      total++
    }
    expect(total).to.equal(services.config.loginMaxFailures)
    expect(await errorCode(await login('sai-cuoi'), 429)).to.equal('LOGIN_THROTTLED')
    expect(
      Number(
        (
          (await services
            .db('login_failures')
            .where({ username: 'nguoi.la.dong.thoi' })
            .count('* as n')
            .first()) as { n: number }
        ).n,
      ),
    ).to.equal(total)
  })

  it('logs a disabled user out at once, and logout revokes the token', async () => {
    const { services } = await getService()
    const kiemtra = c.kiemtra as Client
    expect((await kiemtra.get('/api/me')).status).to.equal(200)
    await services.db('users').where({ username: 'kiemtra' }).update({ disabled: true })
    expect((await kiemtra.get('/api/me')).status).to.equal(401)
    await services.db('users').where({ username: 'kiemtra' }).update({ disabled: false })
    const fresh = await as('gd.stp')
    expect((await fresh.post('/api/auth/logout')).status).to.equal(200)
    expect((await fresh.get('/api/me')).status).to.equal(401)
  })

  it('verifies the audit chain, and names the first event edited in the database', async () => {
    const { services } = await getService()
    const admin = c.quantri as Client
    const ok = await json<{ ok: boolean; events: number }>(await admin.get('/api/audit/verify'), 200)
    expect(ok.ok).to.equal(true)
    expect(ok.events).to.be.greaterThan(10)
    expect((await (c.chuyenvien as Client).get('/api/audit/verify')).status).to.equal(403)
    const refusal = (await services.db('audit_events').where({ action: 'refused' }).first()) as {
      id: number
      detail_json: string
    }
    expect(refusal, 'refusals are audited').to.not.equal(undefined)
    await services
      .db('audit_events')
      .where({ id: refusal.id })
      .update({ detail_json: '{"code":"NOTHING_HAPPENED"}' })
    const broken = await json<{ ok: boolean; brokenAt: number }>(await admin.get('/api/audit/verify'), 200)
    expect(broken).to.deep.include({ ok: false, brokenAt: refusal.id })
    await services.db('audit_events').where({ id: refusal.id }).update({ detail_json: refusal.detail_json })
  })
})

describe('kyso audit verify', function () {
  this.timeout(60_000)
  it('checks the chain of a service database from the command line', async () => {
    const { services } = await getService()
    const { spawnSync } = await import('node:child_process')
    const r = spawnSync(
      process.execPath,
      [join(__dirname, '../../../bin/kyso.js'), 'audit', 'verify', '--data-dir', services.config.dataDir],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          ...(services.config.databaseUrl && { KYSO_DATABASE_URL: services.config.databaseUrl }),
        },
      },
    )
    expect(r.status, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout).ok).to.equal(true)
  })
})
