import { expect } from 'chai'
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { makePdf } from '../helpers/sample-pdfs'
import type { Running } from '../../server/start'
import { MESSAGES } from '../../shared/messages'
import { as, getService, startIsolatedService, type Client } from '../helpers/service'

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

const code = async (res: Response, status: number): Promise<string> =>
  (await json<{ error: { code: string } }>(res, status)).error.code

const patch = async (client: Client, path: string, body: unknown, on?: Running): Promise<Response> =>
  fetch(`${(on ?? (await getService())).url}${path}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

/** The API the web interface reads and administers with (issue 6), refusals first-class. */
describe('the API behind the web interface', function () {
  this.timeout(120_000)
  const c: Record<string, Client> = {}

  before(async () => {
    await getService()
    for (const u of ['chuyenvien', 'truongphong1', 'giamdoc', 'phogiamdoc', 'cv.stp', 'kiemtra', 'quantri'])
      c[u] = await as(u)
  })

  it('answers /api/auth/session 200 both signed out and signed in, with the CSRF token only to its session', async () => {
    const { url } = await getService()
    expect(await json(await fetch(`${url}/api/auth/session`), 200)).to.deep.equal({ signedIn: false })
    expect(
      await json(await fetch(`${url}/api/auth/session`, { headers: { cookie: 'kyso_session=forged' } }), 200),
    ).to.deep.equal({ signedIn: false })
    const me = await json<{
      signedIn: boolean
      user: { username: string; agencyCode: string; csrfToken: string }
    }>(await fetch(`${url}/api/auth/session`, { headers: { cookie: (c.chuyenvien as Client).cookie } }), 200)
    expect(me.signedIn).to.equal(true)
    expect(me.user.username).to.equal('chuyenvien')
    expect(me.user.agencyCode).to.equal('SKHCN')
    expect(me.user.csrfToken).to.equal((c.chuyenvien as Client).csrf)
  })

  it('answers /api/messages without sign-in: the one catalogue of refusals and reasons, cacheable', async () => {
    const { url } = await getService()
    const res = await fetch(`${url}/api/messages`)
    expect(res.headers.get('cache-control')).to.equal('public, max-age=3600')
    const body = await json<typeof MESSAGES>(res, 200)
    expect(body).to.deep.equal(MESSAGES)
    expect(body.en.refusals.OWN_DRAFT).to.equal('You cannot sign your own draft.')
    expect(body.vi.reasons.HASH_FAILURE).to.equal('Nội dung đã bị thay đổi sau khi ký.')
  })

  it('lists what I sent, what was issued where I may read, and refuses a bad box', async () => {
    const doc = await json<{ id: number }>(
      await (c.chuyenvien as Client).upload(await makePdf(), {
        title: 'Danh sách: văn bản thử',
        kind: 'internal',
      }),
      201,
    )
    const sent = await json<{ id: number; title: string; agency: string }[]>(
      await (c.chuyenvien as Client).get('/api/documents?box=sent'),
      200,
    )
    expect(sent.map((d) => d.id)).to.include(doc.id)
    expect(
      await json<unknown[]>(await (c.truongphong1 as Client).get('/api/documents?box=sent'), 200),
    ).to.not.deep.include({ id: doc.id })
    const all = await json<{ id: number }[]>(
      await (c['cv.stp'] as Client).get('/api/documents?box=all&limit=500'),
      200,
    )
    expect(all.map((d) => d.id)).to.not.include(doc.id)
    const found = await json<{ id: number }[]>(
      await (c.chuyenvien as Client).get(`/api/documents?box=sent&q=${encodeURIComponent('Danh sách')}`),
      200,
    )
    expect(found.map((d) => d.id)).to.deep.equal([doc.id])
    // Case and Vietnamese marks are ignored alike, on SQLite and PostgreSQL; LIKE's wildcards are literal.
    for (const q of ['DANH SÁCH: VĂN', 'danh sach: van ban thu', 'Danh Sach']) {
      const hits = await json<{ id: number }[]>(
        await (c.chuyenvien as Client).get(`/api/documents?box=sent&q=${encodeURIComponent(q)}`),
        200,
      )
      expect(
        hits.map((d) => d.id),
        q,
      ).to.deep.equal([doc.id])
    }
    expect(
      await json<unknown[]>(
        await (c.chuyenvien as Client).get(`/api/documents?box=sent&q=${encodeURIComponent('%')}`),
        200,
      ),
    ).to.deep.equal([])
    expect(await code(await (c.chuyenvien as Client).get('/api/documents?box=secret'), 400)).to.equal(
      'BAD_REQUEST',
    )
    expect(await code(await (c.chuyenvien as Client).get('/api/documents?limit=0'), 400)).to.equal(
      'BAD_REQUEST',
    )
  })

  it('gives the drafter the directory, and the document page its actions and history', async () => {
    const dir = await json<{
      users: { username: string; roles: string[] }[]
      templates: { name: string }[]
      procedures: unknown[]
    }>(await (c.chuyenvien as Client).get('/api/directory'), 200)
    expect(dir.users.map((u) => u.username))
      .to.include.members(['giamdoc', 'vanthu'])
      .and.not.include('cv.stp')
    expect(dir.templates.map((t) => t.name)).to.include('cong-van-thuong')
    expect(dir.procedures.length).to.be.greaterThan(1)
    const doc = await json<{ id: number; myActions: { action: string }[] }>(
      await (c.chuyenvien as Client).upload(await makePdf()),
      201,
    )
    expect(doc.myActions.map((a) => a.action)).to.deep.equal(['revise', 'submit', 'cancel'])
    const submitted = await json<{ myActions: unknown[]; history: { action: string; fullName: string }[] }>(
      await (c.chuyenvien as Client).post(`/api/documents/${doc.id}/submit`, { template: 'cong-van-thuong' }),
      200,
    )
    expect(submitted.history.map((e) => e.action)).to.deep.equal(['document.uploaded', 'document.submitted'])
    const asHead = await json<{ myActions: { action: string; stepId: number }[] }>(
      await (c.truongphong1 as Client).get(`/api/documents/${doc.id}`),
      200,
    )
    expect(asHead.myActions.map((a) => a.action)).to.deep.equal(['approve'])
    const asLeader = await json<{ myActions: unknown[] }>(
      await (c.giamdoc as Client).get(`/api/documents/${doc.id}`),
      200,
    )
    expect(asLeader.myActions).to.deep.equal([])
    await json(
      await (c.truongphong1 as Client).post(`/api/steps/${asHead.myActions[0]?.stepId}/return`, {
        reason: 'Sửa lại trích yếu',
      }),
      200,
    )
    const returned = await json<{ history: { action: string; detail: { reason?: string } }[] }>(
      await (c.chuyenvien as Client).get(`/api/documents/${doc.id}`),
      200,
    )
    expect(returned.history.at(-1)).to.deep.include({ action: 'document.returned' })
    expect(returned.history.at(-1)?.detail.reason).to.equal('Sửa lại trích yếu')
  })

  it('downloads a given version with ?version=N and refuses one that does not exist', async () => {
    const pdf = await makePdf()
    const doc = await json<{ id: number }>(await (c.chuyenvien as Client).upload(pdf), 201)
    const v1 = Buffer.from(
      await (await (c.chuyenvien as Client).get(`/api/documents/${doc.id}/file?version=1`)).arrayBuffer(),
    )
    expect(v1.equals(pdf)).to.equal(true)
    expect(
      await code(await (c.chuyenvien as Client).get(`/api/documents/${doc.id}/file?version=2`), 404),
    ).to.equal('NOT_FOUND')
    expect(
      await code(await (c.chuyenvien as Client).get(`/api/documents/${doc.id}/file?version=abc`), 404),
    ).to.equal('NOT_FOUND')
    expect(
      await code(await (c['cv.stp'] as Client).get(`/api/documents/${doc.id}/file?version=1`), 404),
    ).to.equal('NOT_FOUND')
  })

  it("lists a leader's delegations and ends one; only the principal may end it, once", async () => {
    const now = Date.now()
    const created = await json<{ id: number }>(
      await (c.giamdoc as Client).post('/api/delegations', {
        delegate: 'phogiamdoc',
        marker: 'KT.',
        from: new Date(now - 60_000).toISOString(),
        to: new Date(now + 86_400_000).toISOString(),
      }),
      201,
    )
    const mine = await json<{ given: { id: number; active: boolean }[] }>(
      await (c.giamdoc as Client).get('/api/delegations'),
      200,
    )
    expect(mine.given.find((d) => d.id === created.id)?.active).to.equal(true)
    const received = await json<{ received: { id: number }[] }>(
      await (c.phogiamdoc as Client).get('/api/delegations'),
      200,
    )
    expect(received.received.map((d) => d.id)).to.include(created.id)
    expect(
      await code(await (c.phogiamdoc as Client).post(`/api/delegations/${created.id}/end`), 404),
    ).to.equal('NOT_FOUND')
    await json(await (c.giamdoc as Client).post(`/api/delegations/${created.id}/end`), 200)
    expect(await code(await (c.giamdoc as Client).post(`/api/delegations/${created.id}/end`), 409)).to.equal(
      'CONFLICT',
    )
    const after = await json<{ given: { id: number; active: boolean; endedAt: string | null }[] }>(
      await (c.giamdoc as Client).get('/api/delegations'),
      200,
    )
    expect(after.given.find((d) => d.id === created.id)).to.deep.include({ active: false })
  })

  it('adds the monthly trend to the coverage report on request', async () => {
    const r = await json<{ trend?: { month: string; documents: number; rate: number | null }[] }>(
      await (c.kiemtra as Client).get('/api/reports/coverage?from=2026-01-01&to=2026-03-31&trend=1'),
      200,
    )
    expect(r.trend?.map((p) => p.month)).to.deep.equal(['2026-01', '2026-02', '2026-03'])
    expect(
      (
        await json<{ trend?: unknown }>(
          await (c.kiemtra as Client).get('/api/reports/coverage?from=2026-01-01&to=2026-03-31'),
          200,
        )
      ).trend,
    ).to.equal(undefined)
  })

  // On a service of its own: these tests add agencies and users that other suites would count.
  describe('administration', () => {
    let svc: Running
    const a: Record<string, Client> = {}
    before(async () => {
      svc = await startIsolatedService()
      for (const u of ['quantri', 'giamdoc', 'kiemtra']) a[u] = await as(u, undefined, svc.url)
    })
    after(async () => svc?.close())
    it('refuses every admin route to a non-admin, changing nothing', async () => {
      const before = await json<unknown[]>(await (a.quantri as Client).get('/api/admin/users'), 200)
      for (const [method, path] of [
        ['get', '/api/admin/users'],
        ['get', '/api/admin/agencies'],
        ['get', '/api/admin/certificates'],
        ['get', '/api/admin/trust-anchors'],
        ['post', '/api/admin/users'],
        ['post', '/api/admin/agencies'],
        ['post', '/api/admin/certificates'],
        ['post', '/api/admin/trust-anchors'],
      ] as const) {
        const res =
          method === 'get'
            ? await (a.giamdoc as Client).get(path)
            : await (a.giamdoc as Client).post(path, { username: 'x', code: 'X', name: 'x' })
        expect(await code(res, 403), path).to.equal('FORBIDDEN')
      }
      expect(
        await code(await patch(a.kiemtra as Client, '/api/admin/users/1', { disabled: true }, svc), 403),
      ).to.equal('FORBIDDEN')
      expect(await json<unknown[]>(await (a.quantri as Client).get('/api/admin/users'), 200)).to.deep.equal(
        before,
      )
    })

    it('adds an agency and a user, changes roles, disables and re-enables: a disabled user is out at once', async () => {
      const admin = a.quantri as Client
      await json(
        await admin.post('/api/admin/agencies', {
          code: 'UBND-P-TANDINH',
          name: 'Ủy ban nhân dân phường Tân Định',
          parentCode: 'UBND-TPHCM',
        }),
        201,
      )
      expect(
        await code(await admin.post('/api/admin/agencies', { code: 'UBND-P-TANDINH', name: 'again' }), 409),
      ).to.equal('CONFLICT')
      expect(
        await code(await admin.post('/api/admin/agencies', { code: 'bad code', name: 'x' }), 400),
      ).to.equal('BAD_REQUEST')
      // Two admins (or a double click) creating the same agency at once: one 201, the rest 409, never a 500.
      const racing = await Promise.all(
        Array.from({ length: 4 }, () =>
          admin
            .post('/api/admin/agencies', { code: 'UBND-P-DAKAO', name: 'Ủy ban nhân dân phường Đa Kao' })
            .then((r) => r.status),
        ),
      )
      expect(racing.sort()).to.deep.equal([201, 409, 409, 409])
      expect(
        await code(
          await admin.post('/api/admin/users', {
            username: 'cv.tandinh',
            fullName: 'Lâm Thị Ngân',
            agencyCode: 'UBND-P-TANDINH',
            roles: ['staff'],
            password: 'short',
          }),
          400,
        ),
      ).to.equal('BAD_REQUEST')
      expect(
        await code(
          await admin.post('/api/admin/users', {
            username: 'cv.tandinh',
            fullName: 'Lâm Thị Ngân',
            agencyCode: 'NOWHERE',
            roles: ['staff'],
            password: 'Mat-khau-2026',
          }),
          400,
        ),
      ).to.equal('BAD_REQUEST')
      expect(
        await code(
          await admin.post('/api/admin/users', {
            username: 'cv.tandinh',
            fullName: 'Lâm Thị Ngân',
            agencyCode: 'UBND-P-TANDINH',
            roles: ['king'],
            password: 'Mat-khau-2026',
          }),
          400,
        ),
      ).to.equal('BAD_REQUEST')
      const u = await json<{ id: number }>(
        await admin.post('/api/admin/users', {
          username: 'cv.tandinh',
          fullName: 'Lâm Thị Ngân',
          title: 'Chuyên viên',
          agencyCode: 'UBND-P-TANDINH',
          roles: ['staff'],
          password: 'Mat-khau-2026',
        }),
        201,
      )
      expect(
        await code(
          await admin.post('/api/admin/users', {
            username: 'cv.tandinh',
            fullName: 'x',
            agencyCode: 'UBND-P-TANDINH',
            roles: ['staff'],
            password: 'Mat-khau-2026',
          }),
          409,
        ),
      ).to.equal('CONFLICT')
      const newcomer = await as('cv.tandinh', 'Mat-khau-2026', svc.url)
      const updated = await json<{ roles: string[] }>(
        await patch(admin, `/api/admin/users/${u.id}`, { roles: ['staff', 'clerk'] }, svc),
        200,
      )
      expect(updated.roles).to.have.members(['staff', 'clerk'])
      await json(await patch(admin, `/api/admin/users/${u.id}`, { disabled: true }, svc), 200)
      expect(await code(await newcomer.get('/api/me'), 401)).to.equal('UNAUTHENTICATED')
      await json(await patch(admin, `/api/admin/users/${u.id}`, { disabled: false }, svc), 200)
      expect((await newcomer.get('/api/me')).status).to.equal(200)
      const self = (
        await json<{ id: number; username: string }[]>(await admin.get('/api/admin/users'), 200)
      ).find((x) => x.username === 'quantri')
      expect(
        await code(await patch(admin, `/api/admin/users/${self?.id}`, { disabled: true }, svc), 409),
      ).to.equal('CONFLICT')
      expect(
        await code(await patch(admin, '/api/admin/users/999999', { disabled: true }, svc), 404),
      ).to.equal('NOT_FOUND')
    })

    it('authorises a certificate that the holder activates with their own PIN, then revokes it into the CRL', async () => {
      const admin = a.quantri as Client
      await json(
        await admin.post('/api/admin/users', {
          username: 'ld.tandinh',
          fullName: 'Châu Văn Tâm',
          title: 'Chủ tịch',
          agencyCode: 'UBND-P-TANDINH',
          roles: ['leader'],
          password: 'Mat-khau-2026',
        }),
        201,
      )
      expect(
        await code(
          await admin.post('/api/admin/certificates', { username: 'ld.tandinh', kind: 'seal' }),
          400,
        ),
      ).to.equal('BAD_REQUEST')
      const req = await json<{ id: number; status: string }>(
        await admin.post('/api/admin/certificates', { username: 'ld.tandinh' }),
        201,
      )
      expect(req.status).to.equal('awaiting-pin')
      const holder = await as('ld.tandinh', 'Mat-khau-2026', svc.url)
      const pending = await json<{ pending: { id: number }[]; certificates: unknown[] }>(
        await holder.get('/api/me/certificates'),
        200,
      )
      expect(pending.pending.map((p) => p.id)).to.deep.equal([req.id])
      expect(
        await code(
          await (a.giamdoc as Client).post(`/api/me/enrolments/${req.id}/activate`, { pin: '5678' }),
          404,
        ),
      ).to.equal('NOT_FOUND')
      expect(
        await code(await holder.post(`/api/me/enrolments/${req.id}/activate`, { pin: '12' }), 400),
      ).to.equal('BAD_REQUEST')
      const cert = await json<{ id: number; serialHex: string; subject: string }>(
        await holder.post(`/api/me/enrolments/${req.id}/activate`, { pin: '5678' }),
        201,
      )
      expect(cert.subject).to.contain('Châu Văn Tâm')
      expect(
        await code(await holder.post(`/api/me/enrolments/${req.id}/activate`, { pin: '5678' }), 404),
      ).to.equal('NOT_FOUND')
      const { services } = svc
      // The PIN is nowhere in the database: the key is sealed under it, and the PKCS#12 is sealed
      // again under the key-wrapping key (issue 15), so even the right PIN opens nothing from the row.
      const row = (await services.db('certificates').where({ id: cert.id }).first()) as { p12: Buffer }
      expect(Buffer.from(row.p12).includes(Buffer.from('5678'))).to.equal(false)
      const p12 = join(services.config.dataDir, 'test-ld.p12')
      require('node:fs').writeFileSync(p12, row.p12)
      expect(
        spawnSync('openssl', ['pkcs12', '-in', p12, '-nokeys', '-passin', 'pass:5678']).status,
      ).to.not.equal(0)
      expect(
        await code(
          await admin.post(`/api/admin/certificates/${cert.id}/revoke`, { reason: 'becauseISaidSo' }),
          400,
        ),
      ).to.equal('BAD_REQUEST')
      await json(
        await admin.post(`/api/admin/certificates/${cert.id}/revoke`, { reason: 'affiliationChanged' }),
        200,
      )
      expect(await code(await admin.post(`/api/admin/certificates/${cert.id}/revoke`, {}), 409)).to.equal(
        'CONFLICT',
      )
      const listed = await json<{ id: number; status: string }[]>(
        await admin.get('/api/admin/certificates'),
        200,
      )
      expect(listed.find((x) => x.id === cert.id && x.status !== 'awaiting-pin')?.status).to.equal('revoked')
      writeFileSync(
        join(services.config.dataDir, 'published.crl.pem'),
        await (await fetch(`${svc.url}/api/ca/crl.pem`)).text(),
      )
      const crl = execFileSync(
        'openssl',
        ['crl', '-in', join(services.config.dataDir, 'published.crl.pem'), '-noout', '-text'],
        { encoding: 'utf8' },
      )
      expect(crl.replace(/\s/g, '')).to.contain(cert.serialHex.replace(/^0+/, ''))
    })

    it('lists the trust anchors and adds a self-signed CA, refusing a leaf or garbage', async () => {
      const admin = a.quantri as Client
      const anchors = await json<{ source: string }[]>(await admin.get('/api/admin/trust-anchors'), 200)
      expect(anchors.map((a) => a.source)).to.include('internal-ca')
      const { services } = svc
      const dir = services.config.dataDir
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          join(dir, 'other.key'),
          '-out',
          join(dir, 'other.pem'),
          '-days',
          '30',
          '-subj',
          '/CN=Other CA/O=Bo Noi vu',
          '-addext',
          'basicConstraints=critical,CA:TRUE',
        ],
        { stdio: 'ignore' },
      )
      const pem = readFileSync(join(dir, 'other.pem'), 'utf8')
      const added = await json<{ subject: string; source: string }>(
        await admin.post('/api/admin/trust-anchors', { pem }),
        201,
      )
      expect(added.source).to.equal('added')
      expect((await services.trustAnchors()).length).to.equal(anchors.length + 1)
      expect(await code(await admin.post('/api/admin/trust-anchors', { pem }), 409)).to.equal('CONFLICT')
      expect(
        await code(await admin.post('/api/admin/trust-anchors', { pem: 'not a certificate' }), 400),
      ).to.equal('BAD_REQUEST')
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          join(dir, 'leaf.key'),
          '-out',
          join(dir, 'leaf.pem'),
          '-days',
          '30',
          '-subj',
          '/CN=Leaf',
          '-addext',
          'basicConstraints=critical,CA:FALSE',
        ],
        { stdio: 'ignore' },
      )
      expect(
        await code(
          await admin.post('/api/admin/trust-anchors', { pem: readFileSync(join(dir, 'leaf.pem'), 'utf8') }),
          400,
        ),
      ).to.equal('BAD_REQUEST')
    })
  })

  it('serves the page shell with a CSP for app paths, the assets, and a 404 for unknown paths', async () => {
    const { url } = await getService()
    for (const p of ['/', '/inbox', '/documents/12', '/dashboard/SKHCN', '/admin/users']) {
      const res = await fetch(`${url}${p}`)
      expect(res.status, p).to.equal(200)
      expect(res.headers.get('content-security-policy')).to.contain("script-src 'self' 'sha256-")
      expect(await res.text()).to.contain('<script type="module" src="/app/main.js">')
    }
    for (const asset of [
      '/app/main.js',
      '/vendor/preact/preact.mjs',
      '/vendor/pdfjs/pdf.min.mjs',
      '/vendor/pdfjs/pdf.worker.min.mjs',
      '/static/styles.css',
      '/static/fonts/be-vietnam-pro-regular.ttf',
    ]) {
      expect((await fetch(`${url}${asset}`)).status, asset).to.equal(200)
    }
    expect((await fetch(`${url}/vendor/preact/../../package.json`)).status).to.equal(404)
    expect((await fetch(`${url}/nothing-here`)).status).to.equal(404)
    expect((await fetch(`${url}/api/nothing-here`)).status).to.equal(404)
  })
})
