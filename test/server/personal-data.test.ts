import { expect } from 'chai'
import { json } from '../helpers/coverage-flow'
import { makePdf } from '../helpers/sample-pdfs'
import { as, getService, type Client } from '../helpers/service'

interface Export {
  user: { id: number; username: string; fullName: string; title: string | null; erasedAt: string | null }
  certificates: { serialHex: string; revokedAt: string | null }[]
  delegations: { marker: string }[]
  purposes: Record<string, string>
  auditEvents: {
    id: number
    action: string
    format: number
    personal: Record<string, unknown> | null
    redactedAt: string | null
  }[]
}

/**
 * Personal data (Law 91/2025/QH15, issue 14): an administrator exports what Kyso holds about a
 * person and erases it on request; the signed records stay and the audit chain keeps verifying.
 */
describe('personal data: access and erasure requests', function () {
  this.timeout(120_000)
  let admin: Client
  let userId = 0
  const username = 'tran.thi.du'

  before(async () => {
    await getService()
    admin = await as('quantri')
    const created = await json<{ id: number }>(
      await admin.post('/api/admin/users', {
        username,
        fullName: 'Trần Thị Dự',
        title: 'Phó Giám đốc',
        agencyCode: 'SKHCN',
        roles: ['leader'],
        password: 'Mat-khau-2026',
      }),
      201,
    )
    userId = created.id
    const { url } = await getService()
    expect(
      (
        await fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: 'sai' }),
        })
      ).status,
    ).to.equal(401)
    const person = await as(username, 'Mat-khau-2026')
    await json(await admin.post('/api/admin/certificates', { username }), 201)
    const pending = await json<{ pending: { id: number }[] }>(await person.get('/api/me/certificates'))
    await json(
      await person.post(`/api/me/enrolments/${pending.pending[0]?.id}/activate`, { pin: '5678' }),
      201,
    )
    const window = { from: new Date().toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() }
    await json(
      await (await as('giamdoc')).post('/api/delegations', { delegate: username, marker: 'KT.', ...window }),
      201,
    )
  })

  it('exports everything held about the person, with why, to an administrator only', async () => {
    expect((await (await as('kiemtra')).get(`/api/admin/users/${userId}/personal-data`)).status).to.equal(403)
    const data = await json<Export>(await admin.get(`/api/admin/users/${userId}/personal-data`))
    expect(data.user).to.deep.include({
      username,
      fullName: 'Trần Thị Dự',
      title: 'Phó Giám đốc',
      erasedAt: null,
    })
    expect(data.certificates).to.have.length(1)
    expect(data.delegations.map((d) => d.marker)).to.deep.equal(['KT.'])
    expect(Object.keys(data.purposes)).to.include.members(['user', 'certificates', 'auditEvents'])
    const actions = data.auditEvents.map((e) => e.action)
    expect(actions).to.include.members([
      'user.created',
      'login.failed',
      'login.succeeded',
      'certificate.requested',
      'certificate.issued',
      'delegation.created',
    ])
    const created = data.auditEvents.find((e) => e.action === 'user.created')
    expect(created).to.deep.include({ format: 2 })
    expect(created?.personal).to.deep.include({ username, fullName: 'Trần Thị Dự' })
  })

  it('refuses an erasure without a reason, and one that would strand a waiting step', async () => {
    expect((await admin.post(`/api/admin/users/${userId}/erase`, {})).status).to.equal(400)
    const drafter = await as('chuyenvien')
    const doc = await json<{ id: number }>(await drafter.upload(await makePdf()), 201)
    await json(
      await drafter.post(`/api/documents/${doc.id}/submit`, {
        steps: [{ action: 'sign', assignees: [username] }],
      }),
    )
    const blocked = await json<{ error: { code: string } }>(
      await admin.post(`/api/admin/users/${userId}/erase`, { reason: 'Đơn yêu cầu xóa' }),
      409,
    )
    expect(blocked.error.code).to.equal('ERASURE_BLOCKED')
    await json(await drafter.post(`/api/documents/${doc.id}/cancel`))
  })

  it('erases the personal fields with a recorded reason; the person is out, the audit chain still verifies', async () => {
    const erased = await json<{ redactedEvents: number; certificatesRevoked: number; kept: string[] }>(
      await admin.post(`/api/admin/users/${userId}/erase`, {
        reason: 'Đơn yêu cầu xóa dữ liệu ngày 05/12/2026',
      }),
    )
    expect(erased.certificatesRevoked).to.equal(1)
    expect(erased.redactedEvents).to.be.at.least(4)
    expect(erased.kept).to.not.be.empty
    const { url, services } = await getService()
    const left = JSON.stringify(
      await services.db('audit_events').whereNotNull('personal_json').pluck('personal_json'),
    )
    expect(left, 'no audit event keeps the username').to.not.contain(username)
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'Mat-khau-2026' }),
    })
    expect(login.status).to.equal(401)
    const data = await json<Export>(await admin.get(`/api/admin/users/${userId}/personal-data`))
    expect(data.user).to.deep.include({
      username: `erased-${userId}`,
      fullName: `Người dùng đã xóa #${userId}`,
      title: null,
    })
    expect(data.certificates[0]?.revokedAt).to.be.a('string')
    const erasure = data.auditEvents.find((e) => e.action === 'personal-data.erased')
    expect(erasure).to.not.equal(undefined)
    const audit = await json<{ ok: boolean; redacted: number }>(await admin.get('/api/audit/verify'))
    expect(audit.ok).to.equal(true)
    expect(audit.redacted).to.be.at.least(erased.redactedEvents)
    expect((await admin.post(`/api/admin/users/${userId}/erase`, { reason: 'lần nữa' })).status).to.equal(409)
  })

  it('still names an event whose personal part was removed without an erasure, or altered', async () => {
    const { services } = await getService()
    const db = services.db
    const victim = (await db('audit_events').whereNotNull('personal_json').orderBy('id', 'desc').first()) as {
      id: number
      personal_json: string
      personal_salt: string
    }
    await db('audit_events')
      .where({ id: victim.id })
      .update({ personal_json: null, personal_salt: null, redacted_at: new Date().toISOString() })
    expect(await json(await admin.get('/api/audit/verify'))).to.deep.include({
      ok: false,
      brokenAt: victim.id,
    })
    await db('audit_events')
      .where({ id: victim.id })
      .update({
        personal_json: victim.personal_json.replace(/}$/, ' }'),
        personal_salt: victim.personal_salt,
        redacted_at: null,
      })
    expect(await json(await admin.get('/api/audit/verify'))).to.deep.include({
      ok: false,
      brokenAt: victim.id,
    })
    await db('audit_events')
      .where({ id: victim.id })
      .update({ personal_json: victim.personal_json, personal_salt: victim.personal_salt })
    expect(await json(await admin.get('/api/audit/verify'))).to.deep.include({ ok: true })
  })
})
