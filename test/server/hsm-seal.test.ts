import { expect } from 'chai'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { envelopeKeyId } from '../../signing/keys/key-wrap'
import { findObjects, openTokenSession, type TokenSession } from '../../signing/keys/pkcs11-module'
import type { Running } from '../../server/start'
import { makePdf } from '../helpers/sample-pdfs'
import { as, startIsolatedService, type Client } from '../helpers/service'
import { createServiceToken, type ServiceToken } from '../helpers/softhsm'
import { nssDbTrusting, pdfsig, tempDir } from '../helpers/tools'

interface Details {
  id: number
  status: string
  signatures: { indication: string | null }[]
  workflows: { steps: { id: number; action: string; status: string }[] }[]
}

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

/** The PKCS#11 error a read of `attribute` gets, or 'readable'. */
function readAttempt(token: TokenSession, handle: Buffer, attribute: number): string {
  try {
    token.p11.C_GetAttributeValue(token.session, handle, [{ type: attribute }])
    return 'readable'
  } catch (err) {
    return /CKR_[A-Z_]+/.exec((err as Error).message)?.[0] ?? (err as Error).message
  }
}

/** Issue 15, point 4: agency seal keys (and the CA's, and the key-wrapping key) in an HSM. */
describe('agency seal keys in an HSM (SoftHSM2 through PKCS#11)', function () {
  this.timeout(300_000)
  let hsm: ServiceToken
  let svc: Running

  before(async () => {
    hsm = createServiceToken(`kyso-service-${process.pid}`)
    hsm.use()
    svc = await startIsolatedService({
      KYSO_PKCS11_MODULE: hsm.module,
      KYSO_PKCS11_TOKEN_LABEL: hsm.tokenLabel,
      KYSO_PKCS11_PIN_FILE: hsm.pinFile,
      KYSO_KEY_WRAP_PKCS11_LABEL: 'kyso-key-wrap',
    })
  })

  after(async () => {
    await svc?.close()
    hsm?.release()
  })

  it('makes the seal keys, the CA keys and the key-wrapping key inside the token, where their values cannot be read', async () => {
    const db = svc.services.db
    const seals = (await db('certificates')
      .where({ kind: 'seal', source: 'internal' })
      .select('key_protection', 'hsm_key_id')) as { key_protection: string; hsm_key_id: string }[]
    expect(seals.length, 'one seal key per agency with a records clerk').to.equal(7)
    expect(seals.every((x) => x.key_protection === 'hsm' && /^[0-9a-f]{16}$/.test(x.hsm_key_id))).to.equal(
      true,
    )
    expect(new Set((await db('ca_keys').pluck('key_protection')) as string[])).to.deep.equal(new Set(['hsm']))
    // Personal keys stay PKCS#12 under the PIN, wrapped by the key inside the HSM.
    const ring = svc.services.keyRing
    expect(ring.current.location).to.equal(`pkcs11:${hsm.tokenLabel}/kyso-key-wrap`)
    const personal = (await db('certificates').where({ kind: 'personal' }).first('p12')) as {
      p12: Uint8Array
    }
    expect(envelopeKeyId(Buffer.from(personal.p12))).to.equal(ring.current.id)
    // The service's own session is logged in, so this one sees the private objects too.
    const token = openTokenSession({ module: hsm.module, tokenLabel: hsm.tokenLabel })
    try {
      const { lib } = token
      const [seal] = findObjects(token, [
        { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
        { type: lib.CKA_ID, value: Buffer.from((seals[0] as { hsm_key_id: string }).hsm_key_id, 'hex') },
      ])
      expect(seal, 'the seal key is on the token').to.not.equal(undefined)
      expect(readAttempt(token, seal as Buffer, lib.CKA_VALUE)).to.equal('CKR_ATTRIBUTE_SENSITIVE')
      const flags = token.p11.C_GetAttributeValue(token.session, seal as Buffer, [
        { type: lib.CKA_SENSITIVE },
        { type: lib.CKA_EXTRACTABLE },
      ])
      expect(flags.map((a) => (a.value as Buffer)[0])).to.deep.equal([1, 0])
      const [aes] = findObjects(token, [
        { type: lib.CKA_CLASS, value: lib.CKO_SECRET_KEY },
        { type: lib.CKA_LABEL, value: 'kyso-key-wrap' },
      ])
      expect(readAttempt(token, aes as Buffer, lib.CKA_VALUE)).to.equal('CKR_ATTRIBUTE_SENSITIVE')
    } finally {
      token.close()
    }
  })

  it("seals a chain with the HSM key once the clerk's PIN is right (five wrong ones lock it), and pdfsig finds all four valid and trusted", async () => {
    const c: Record<string, Client> = {}
    for (const u of ['chuyenvien', 'truongphong1', 'truongphong2', 'giamdoc', 'vanthu'])
      c[u] = await as(u, undefined, svc.url)
    const up = await json<{ id: number }>(
      await (c.chuyenvien as Client).upload(await makePdf({ title: 'CON DAU HSM' })),
      201,
    )
    let d = await json<Details>(
      await (c.chuyenvien as Client).post(`/api/documents/${up.id}/submit`, { template: 'cong-van-thuong' }),
      200,
    )
    const active = (): { id: number; action: string } =>
      d.workflows[0]?.steps.find((x) => x.status === 'active') as { id: number; action: string }
    const reload = async (): Promise<void> =>
      void (d = await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${up.id}`), 200))
    for (const [u, pin] of [
      ['truongphong1', '1234'],
      ['truongphong2', '1234'],
      ['giamdoc', '2468'],
    ] as const) {
      await reload()
      await json(await (c[u] as Client).post(`/api/steps/${active().id}/sign`, { pin }), 200)
    }
    await reload()
    expect(active().action).to.equal('seal')
    const seal = { outgoingNumber: '7/STTTT-VP', outgoingDate: '2026-02-05' }
    const wrong = await json<{ error: { code: string; triesLeft: number } }>(
      await (c.vanthu as Client).post(`/api/steps/${active().id}/sign`, { pin: '4321', ...seal }),
      403,
    )
    expect(wrong.error).to.deep.include({ code: 'PIN_INCORRECT', triesLeft: 4 })
    await json(
      await (c.vanthu as Client).post(`/api/steps/${active().id}/sign`, { pin: '1234', ...seal }),
      200,
    )
    await reload()
    expect(d.status).to.equal('issued')
    for (let i = 0; i < 50 && d.signatures.some((x) => x.indication === null); i++) {
      await new Promise((r) => setTimeout(r, 100))
      await reload()
    }
    expect(d.signatures.map((x) => x.indication)).to.deep.equal(['PASSED', 'PASSED', 'PASSED', 'PASSED'])
    const dir = tempDir('kyso-hsm-pdf-')
    writeFileSync(
      join(dir, 'issued.pdf'),
      Buffer.from(await (await (c.chuyenvien as Client).get(`/api/documents/${up.id}/file`)).arrayBuffer()),
    )
    const root = await (await fetch(`${svc.url}/api/ca/root.pem`)).text()
    const sigs = pdfsig(join(dir, 'issued.pdf'), nssDbTrusting(root))
    expect(sigs.map((x) => x.signatureStatus)).to.deep.equal(Array(4).fill('Signature is Valid.'))
    expect(sigs.map((x) => x.certificateStatus)).to.deep.equal(Array(4).fill('Certificate is Trusted.'))
  })

  it('keeps the seal key where it is when the clerk changes the PIN: the new PIN seals, the old one does not', async () => {
    const clerk = await as('vanthu', undefined, svc.url)
    const cert = (await svc.services
      .db('certificates as c')
      .join('users as u', 'u.id', 'c.holder_user_id')
      .where({ 'u.username': 'vanthu', 'c.kind': 'seal' })
      .first('c.id', 'c.hsm_key_id')) as { id: number; hsm_key_id: string }
    await json(
      await clerk.post(`/api/me/certificates/${cert.id}/pin`, { oldPin: '1234', newPin: '80808' }),
      200,
    )
    const after = (await svc.services
      .db('certificates')
      .where({ id: cert.id })
      .first('hsm_key_id', 'key_protection')) as { hsm_key_id: string; key_protection: string }
    expect(after).to.deep.equal({ hsm_key_id: cert.hsm_key_id, key_protection: 'hsm' })
    const drafter = await as('chuyenvien', undefined, svc.url)
    const up = await json<{ id: number }>(await drafter.upload(await makePdf({ title: 'DOI PIN' })), 201)
    const d = await json<Details>(
      await drafter.post(`/api/documents/${up.id}/submit`, {
        steps: [{ action: 'seal', assignees: ['vanthu'] }],
      }),
      200,
    )
    const stepId = (d.workflows[0]?.steps[0] as { id: number }).id
    const seal = { outgoingNumber: '8/STTTT-VP', outgoingDate: '2026-02-06' }
    expect((await clerk.post(`/api/steps/${stepId}/sign`, { pin: '1234', ...seal })).status).to.equal(403)
    await json(await clerk.post(`/api/steps/${stepId}/sign`, { pin: '80808', ...seal }), 200)
  })
})
