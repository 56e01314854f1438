import { expect } from 'chai'
import type { Running } from '../../server/start'
import { makePdf } from '../helpers/sample-pdfs'
import { restartableService, type Restartable } from '../helpers/restartable'
import { as, type Client } from '../helpers/service'

interface Refusal {
  error: { code: string; message: string; triesLeft?: number }
}

async function answer<T>(res: Response, status: number): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

/** A one-step chain for `signer` on a document of chuyenvien's; the step's id. */
async function stepFor(drafter: Client, signer: string): Promise<number> {
  const doc = await answer<{ id: number }>(await drafter.upload(await makePdf({ title: 'THU MA PIN' })), 201)
  const body = await answer<{ workflows: { steps: { id: number }[] }[] }>(
    await drafter.post(`/api/documents/${doc.id}/submit`, {
      steps: [{ action: 'approve', assignees: [signer] }],
    }),
    200,
  )
  return (body.workflows[0]?.steps[0] as { id: number }).id
}

async function certificateOf(
  svc: Running,
  username: string,
): Promise<{ id: number; pin_failures: number; pin_locked_at: unknown }> {
  return (await svc.services
    .db('certificates as c')
    .join('users as u', 'u.id', 'c.holder_user_id')
    .where({ 'u.username': username, 'c.kind': 'personal' })
    .orderBy('c.id', 'desc')
    .first('c.id', 'c.pin_failures', 'c.pin_locked_at')) as {
    id: number
    pin_failures: number
    pin_locked_at: unknown
  }
}

/** Issue 15, point 1: PIN tries like a smart card, counted in the database. */
describe('PIN tries: five wrong PINs lock the key', function () {
  this.timeout(300_000)
  let r: Restartable
  let svc: Running
  const c: Record<string, Client> = {}

  before(async () => {
    r = await restartableService()
    svc = await r.start()
    for (const u of ['chuyenvien', 'truongphong1', 'truongphong2', 'phogiamdoc', 'quantri'])
      c[u] = await as(u, undefined, svc.url)
  })

  after(async () => {
    await svc?.close()
    await r?.dispose()
  })

  it('answers each wrong PIN with the tries left, locks at the fifth, then refuses the right PIN (423) across a restart until an admin unlocks', async () => {
    const signer = c.truongphong1 as Client
    const stepId = await stepFor(c.chuyenvien as Client, 'truongphong1')
    const left: (number | undefined)[] = []
    for (let i = 0; i < 5; i++) {
      const wrong = await answer<Refusal>(
        await signer.post(`/api/steps/${stepId}/sign`, { pin: `99${i}9` }),
        403,
      )
      expect(wrong.error.code).to.equal('PIN_INCORRECT')
      left.push(wrong.error.triesLeft)
    }
    expect(left).to.deep.equal([4, 3, 2, 1, 0])
    const locked = await answer<Refusal>(await signer.post(`/api/steps/${stepId}/sign`, { pin: '1234' }), 423)
    expect(locked.error.code).to.equal('KEY_LOCKED')
    expect(await svc.services.db('signatures').where({ step_id: stepId }).first()).to.equal(undefined)
    expect(
      await svc.services.db('audit_events').where({ action: 'certificate.locked' }).first(),
    ).to.not.equal(undefined)
    const mine = await answer<{ certificates: { kind: string; keyLocked: boolean; triesLeft: number }[] }>(
      await signer.get('/api/me/certificates'),
      200,
    )
    expect(mine.certificates.find((x) => x.kind === 'personal')).to.include({ keyLocked: true, triesLeft: 0 })

    // The count is the database's: a restart changes nothing.
    await svc.close()
    svc = await r.start()
    const again = await as('truongphong1', undefined, svc.url)
    expect(
      (await answer<Refusal>(await again.post(`/api/steps/${stepId}/sign`, { pin: '1234' }), 423)).error.code,
    ).to.equal('KEY_LOCKED')

    const admin = await as('quantri', undefined, svc.url)
    const cert = await certificateOf(svc, 'truongphong1')
    const listed = await answer<{ id: number; keyLocked: boolean; pinFailures: number }[]>(
      await admin.get('/api/admin/certificates'),
      200,
    )
    expect(listed.find((x) => x.id === cert.id)).to.include({ keyLocked: true, pinFailures: 5 })
    expect(
      (await answer<Refusal>(await again.post(`/api/admin/certificates/${cert.id}/unlock`), 403)).error.code,
    ).to.equal('FORBIDDEN')
    expect(await answer(await admin.post(`/api/admin/certificates/${cert.id}/unlock`), 200)).to.deep.equal({
      id: cert.id,
      unlocked: true,
      triesLeft: 5,
    })
    const unlocked = (await svc.services
      .db('audit_events')
      .where({ action: 'certificate.unlocked' })
      .orderBy('id', 'desc')
      .first('actor_id', 'detail_json')) as { actor_id: number; detail_json: string }
    expect(JSON.parse(unlocked.detail_json)).to.include({ certificateId: cert.id, by: 'admin', failures: 5 })
    await answer(await again.post(`/api/steps/${stepId}/sign`, { pin: '1234' }), 200)
    expect(await certificateOf(svc, 'truongphong1')).to.include({ pin_failures: 0, pin_locked_at: null })
  })

  it('lets a right PIN reset the count: four wrong, one right, four wrong again is not a lock', async () => {
    const signer = await as('truongphong2', undefined, svc.url)
    for (let round = 0; round < 2; round++) {
      const stepId = await stepFor(await as('chuyenvien', undefined, svc.url), 'truongphong2')
      for (let i = 0; i < 4; i++)
        await answer(await signer.post(`/api/steps/${stepId}/sign`, { pin: '0000' }), 403)
      await answer(await signer.post(`/api/steps/${stepId}/sign`, { pin: '1234' }), 200)
    }
    expect((await certificateOf(svc, 'truongphong2')).pin_failures).to.equal(0)
  })

  it('lets no more than five of twelve concurrent wrong PINs be tried', async () => {
    const signer = await as('phogiamdoc', undefined, svc.url)
    const stepId = await stepFor(await as('chuyenvien', undefined, svc.url), 'phogiamdoc')
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        signer.post(`/api/steps/${stepId}/sign`, { pin: `55${String(i).padStart(2, '0')}` }),
      ),
    )
    const codes = await Promise.all(answers.map(async (a) => ((await a.json()) as Refusal).error.code))
    expect(
      codes.filter((x) => x === 'PIN_INCORRECT'),
      codes.join(' '),
    ).to.have.length(5)
    // The rest were never tried: refused as locked, or while the five were being checked.
    expect(
      codes.every((x) => ['PIN_INCORRECT', 'KEY_LOCKED', 'CONFLICT'].includes(x)),
      codes.join(' '),
    ).to.equal(true)
    expect(
      (await answer<Refusal>(await signer.post(`/api/steps/${stepId}/sign`, { pin: '1234' }), 423)).error
        .code,
    ).to.equal('KEY_LOCKED')
  })

  it('unlocks with the one-time code an admin issues (like a PUK): a wrong code is refused, a code works once', async () => {
    const admin = await as('quantri', undefined, svc.url)
    const holder = await as('phogiamdoc', undefined, svc.url)
    const cert = await certificateOf(svc, 'phogiamdoc')
    expect(cert.pin_locked_at).to.not.equal(null)
    const issued = await answer<{ unlockCode: string; expiresAt: string }>(
      await admin.post(`/api/admin/certificates/${cert.id}/unlock-code`, undefined, {
        'idempotency-key': 'code-1',
      }),
      201,
    )
    expect(issued.unlockCode).to.match(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/)
    // Only its hash is kept, and never as an idempotent answer to replay.
    const dump =
      JSON.stringify(await svc.services.db('certificates').select()) +
      JSON.stringify(await svc.services.db('idempotency_keys').select())
    expect(dump).to.not.include(issued.unlockCode).and.not.include(issued.unlockCode.replace(/-/g, ''))
    expect(
      (
        await answer<Refusal>(
          await holder.post(`/api/me/certificates/${cert.id}/unlock`, {
            unlockCode: 'AAAAA-AAAAA-AAAAA-AAAAA',
          }),
          403,
        )
      ).error.code,
    ).to.equal('UNLOCK_CODE_INVALID')
    expect(
      (
        await answer<Refusal>(
          await admin.post(`/api/me/certificates/${cert.id}/unlock`, { unlockCode: issued.unlockCode }),
          404,
        )
      ).error.code,
    ).to.equal('NOT_FOUND')
    await answer(
      await holder.post(`/api/me/certificates/${cert.id}/unlock`, {
        unlockCode: issued.unlockCode.toLowerCase(),
      }),
      200,
    )
    expect(
      (
        await answer<Refusal>(
          await holder.post(`/api/me/certificates/${cert.id}/unlock`, { unlockCode: issued.unlockCode }),
          403,
        )
      ).error.code,
    ).to.equal('UNLOCK_CODE_INVALID')
    const stepId = await stepFor(await as('chuyenvien', undefined, svc.url), 'phogiamdoc')
    await answer(await holder.post(`/api/steps/${stepId}/sign`, { pin: '1234' }), 200)
    const events = (await svc.services
      .db('audit_events')
      .whereIn('action', ['certificate.unlock-code-issued', 'certificate.unlocked'])
      .pluck('action')) as string[]
    expect(events).to.include.members(['certificate.unlock-code-issued', 'certificate.unlocked'])
  })

  it('changes a PIN: the old one must be right (a counted try), the new one follows the policy, and the old one opens nothing after', async () => {
    const holder = await as('phogiamdoc', undefined, svc.url)
    const cert = await certificateOf(svc, 'phogiamdoc')
    const warm = await stepFor(await as('chuyenvien', undefined, svc.url), 'phogiamdoc')
    await answer(await holder.post(`/api/steps/${warm}/sign`, { pin: '1234' }), 200)
    const wrong = await answer<Refusal>(
      await holder.post(`/api/me/certificates/${cert.id}/pin`, { oldPin: '4321', newPin: '86420' }),
      403,
    )
    expect(wrong.error).to.include({ code: 'PIN_INCORRECT', triesLeft: 4 })
    expect(
      (
        await answer<Refusal>(
          await holder.post(`/api/me/certificates/${cert.id}/pin`, { oldPin: '1234', newPin: '12' }),
          400,
        )
      ).error.code,
    ).to.equal('BAD_REQUEST')
    expect(
      (
        await answer<Refusal>(
          await holder.post(`/api/me/certificates/${cert.id}/pin`, { oldPin: '1234', newPin: '12 34' }),
          400,
        )
      ).error.code,
    ).to.equal('BAD_REQUEST')
    await answer(
      await holder.post(`/api/me/certificates/${cert.id}/pin`, { oldPin: '1234', newPin: '86420' }),
      200,
    )
    // The opened key was dropped from the cache: the old PIN, which opened it a moment ago, fails.
    const stepId = await stepFor(await as('chuyenvien', undefined, svc.url), 'phogiamdoc')
    expect(
      (await answer<Refusal>(await holder.post(`/api/steps/${stepId}/sign`, { pin: '1234' }), 403)).error
        .code,
    ).to.equal('PIN_INCORRECT')
    await answer(await holder.post(`/api/steps/${stepId}/sign`, { pin: '86420' }), 200)
    expect(
      await svc.services.db('audit_events').where({ action: 'certificate.pin-changed' }).first(),
    ).to.not.equal(undefined)
    const other = await as('truongphong1', undefined, svc.url)
    expect(
      (
        await answer<Refusal>(
          await other.post(`/api/me/certificates/${cert.id}/pin`, { oldPin: '86420', newPin: '1234' }),
          404,
        )
      ).error.code,
    ).to.equal('NOT_FOUND')
  })

  it('applies the PIN policy of the configuration when a certificate is activated', async () => {
    await svc.close()
    svc = await r.start({ KYSO_PIN_MIN_LENGTH: '6' })
    const admin = await as('quantri', undefined, svc.url)
    const holder = await as('chuyenvien', undefined, svc.url)
    const req = await answer<{ id: number }>(
      await admin.post('/api/admin/certificates', { username: 'chuyenvien', kind: 'personal' }),
      201,
    )
    const short = await answer<Refusal>(
      await holder.post(`/api/me/enrolments/${req.id}/activate`, { pin: '12345' }),
      400,
    )
    expect(short.error.message).to.match(/^pin: từ 6 đến 64/)
    await answer(await holder.post(`/api/me/enrolments/${req.id}/activate`, { pin: '123456' }), 201)
  })
})
