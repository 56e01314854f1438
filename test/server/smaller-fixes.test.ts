import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { loadConfig } from '../../config'
import type { Running } from '../../server/start'
import { hashPassword } from '../../workflows/passwords'
import { restartableService, type Restartable } from '../helpers/restartable'
import { makePdf } from '../helpers/sample-pdfs'
import { as, getService, startIsolatedService, type Client } from '../helpers/service'

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

const code = async (res: Response, status: number): Promise<string> =>
  (await json<{ error: { code: string } }>(res, status)).error.code

/** Issue 15, point 7. */
describe('smaller fixes of the security review', function () {
  this.timeout(180_000)

  describe("assignees belong to the document's agency", () => {
    it('refuses an assignee of another agency with 422 ASSIGNEE_OUTSIDE_AGENCY, and the draft stays a draft', async () => {
      const drafter = await as('chuyenvien')
      const doc = await json<{ id: number }>(
        await drafter.upload(await makePdf({ title: 'SAI CO QUAN' })),
        201,
      )
      // gd.stp directs the Department of Justice; pct.hoan is on the People's Committee above STTTT.
      for (const assignees of [['gd.stp'], ['truongphong1', 'gd.stp'], ['pct.hoan']]) {
        const res = await drafter.post(`/api/documents/${doc.id}/submit`, {
          steps: [{ action: 'approve', assignees }],
        })
        expect(await code(res, 422), assignees.join()).to.equal('ASSIGNEE_OUTSIDE_AGENCY')
      }
      // A drafter cannot open the way up by writing `upward` into composed steps.
      const upward = await drafter.post(`/api/documents/${doc.id}/submit`, {
        steps: [{ action: 'sign', assignees: ['pct.hoan'], upward: true }],
      })
      expect(await code(upward, 422)).to.equal('ASSIGNEE_OUTSIDE_AGENCY')
      expect(
        (await json<{ status: string }>(await drafter.get(`/api/documents/${doc.id}`), 200)).status,
      ).to.equal('draft')
      expect(await (await as('gd.stp')).get('/api/inbox').then((r) => r.json())).to.deep.equal([])
    })

    it('lets a route template send a step up to the agencies above when it says so', async () => {
      const { services } = await getService()
      const agency = (await services.db('agencies').where({ code: 'SKHCN' }).first('id')) as { id: number }
      const steps = [
        { action: 'approve', assignees: ['truongphong1'] },
        { action: 'sign', assignees: ['pct.hoan'], upward: true },
      ]
      await services
        .db('route_templates')
        .insert({ agency_id: agency.id, name: 'trinh-ubnd', steps_json: JSON.stringify(steps) })
      const drafter = await as('chuyenvien')
      const doc = await json<{ id: number }>(
        await drafter.upload(await makePdf({ title: 'TRINH UBND' })),
        201,
      )
      const submitted = await json<{ status: string }>(
        await drafter.post(`/api/documents/${doc.id}/submit`, { template: 'trinh-ubnd' }),
        200,
      )
      expect(submitted.status).to.equal('in_progress')
    })
  })

  describe('behind a TLS proxy (KYSO_TRUST_PROXY)', () => {
    let r: Restartable
    let proxied: Running

    before(async () => {
      r = await restartableService({ KYSO_TRUST_PROXY: 'loopback' })
      proxied = await r.start()
    })

    after(async () => {
      await proxied?.close()
      await r?.dispose()
    })

    const login = (url: string, headers: Record<string, string>): Promise<Response> =>
      fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ username: 'chuyenvien', password: 'Kyso@2024' }),
      })

    it("sets Secure on the session cookie when the trusted proxy says https, and logs the client's address", async () => {
      const res = await login(proxied.url, {
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '203.0.113.7',
        'x-request-id': 'proxy-test-4f2a9c',
      })
      expect(res.status).to.equal(200)
      expect(res.headers.get('set-cookie')).to.match(/;\s*Secure/i)
      const line = r.lines.find((l) => l.requestId === 'proxy-test-4f2a9c')
      expect(line?.ip).to.equal('203.0.113.7')
      expect((await login(proxied.url, {})).headers.get('set-cookie')).to.not.match(/Secure/i)
    })

    it('believes no forwarded header without KYSO_TRUST_PROXY (the default)', async () => {
      const { url } = await getService()
      const res = await login(url, { 'x-forwarded-proto': 'https' })
      expect(res.headers.get('set-cookie')).to.not.match(/Secure/i)
    })

    it('refuses a value that is not one Express knows', async () => {
      expect(() => loadConfig({ KYSO_TRUST_PROXY: 'everyone' })).to.throw(/KYSO_TRUST_PROXY/)
      expect(loadConfig({ KYSO_TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).to.equal(
        '10.0.0.0/8, loopback',
      )
      expect(loadConfig({ KYSO_TRUST_PROXY: '1' }).trustProxy).to.equal(1)
    })
  })

  it('redoes a password hash made at scrypt N=2^14 with N=2^17 at the next login', async () => {
    const svc = await startIsolatedService({ KYSO_PASSWORD_HASH_N: String(1 << 17) })
    try {
      const db = svc.services.db
      await db('users')
        .where({ username: 'kiemtra' })
        .update({ password_hash: await hashPassword('Kyso@2024', 1 << 14) })
      await as('kiemtra', undefined, svc.url)
      const hash = (
        (await db('users').where({ username: 'kiemtra' }).first('password_hash')) as { password_hash: string }
      ).password_hash
      expect(hash).to.match(/^scrypt\$131072\$8\$1\$/)
      await as('kiemtra', undefined, svc.url)
      expect(
        await code(
          await fetch(`${svc.url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'kiemtra', password: 'wrong-password' }),
          }),
          401,
        ),
      ).to.equal('LOGIN_FAILED')
      const event = (await db('audit_events')
        .where({ action: 'login.succeeded' })
        .whereLike('detail_json', '%passwordRehashed%')
        .first('id')) as { id: number } | undefined
      expect(event).to.not.equal(undefined)
    } finally {
      await svc.close()
    }
  })

  it('refuses a multipart upload that gives a field twice, or two files, with 400', async () => {
    const { url } = await getService()
    const drafter: Client = await as('chuyenvien')
    const pdf = await makePdf({ title: 'HAI LAN' })
    const twice = new FormData()
    twice.append('title', 'Một')
    twice.append('title', 'Hai')
    twice.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'a.pdf')
    const sent = (form: FormData): Promise<Response> =>
      fetch(`${url}/api/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${drafter.token}` },
        body: form,
      })
    const res = await json<{ error: { code: string; message: string } }>(await sent(twice), 400)
    expect(res.error.message).to.match(/^title: given more than once/)
    const files = new FormData()
    files.append('title', 'Hai tệp')
    files.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'a.pdf')
    files.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'b.pdf')
    expect(await code(await sent(files), 400)).to.equal('BAD_REQUEST')
  })

  it('keys the idempotency fingerprint and leaves the PIN out of it: a replay still answers the first result', async () => {
    const { services } = await getService()
    const drafter = await as('chuyenvien')
    const head = await as('truongphong2')
    const doc = await json<{ id: number }>(await drafter.upload(await makePdf({ title: 'LAP LAI' })), 201)
    const body = await json<{ workflows: { steps: { id: number }[] }[] }>(
      await drafter.post(`/api/documents/${doc.id}/submit`, {
        steps: [{ action: 'approve', assignees: ['truongphong2'] }],
      }),
      200,
    )
    const stepId = (body.workflows[0]?.steps[0] as { id: number }).id
    const first = await json<{ version: number }>(
      await head.post(`/api/steps/${stepId}/sign`, { pin: '1234' }, { 'idempotency-key': 'fp-1' }),
      200,
    )
    const again = await head.post(`/api/steps/${stepId}/sign`, { pin: '1234' }, { 'idempotency-key': 'fp-1' })
    expect(again.headers.get('idempotent-replayed')).to.equal('true')
    expect(await json(again, 200)).to.deep.equal(first)
    // Another request under the same key is still told apart (the URL, the other fields).
    expect(
      await code(
        await head.post(
          `/api/steps/${stepId}/sign`,
          { pin: '1234', comment: 'khác' },
          { 'idempotency-key': 'fp-1' },
        ),
        422,
      ),
    ).to.equal('IDEMPOTENCY_MISMATCH')
    const row = (await services.db('idempotency_keys').where({ key: 'fp-1' }).first('request_hash')) as {
      request_hash: string
    }
    const unsalted = createHash('sha256')
      .update(`POST /api/steps/${stepId}/sign {"pin":"1234"}`)
      .digest('hex')
    expect(row.request_hash)
      .to.match(/^[0-9a-f]{64}$/)
      .and.not.equal(unsalted)
  })
})
