import { expect } from 'chai'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { makePdf } from '../helpers/sample-pdfs'
import { as, getService, pinOf, type Client } from '../helpers/service'
import { nssDbTrusting, pdfsig, pdftotext, tempDir } from '../helpers/tools'

interface Details {
  id: number
  status: string
  outgoingNumber: string | null
  versions: { seq: number }[]
  workflows: {
    round: number
    status: string
    steps: { id: number; seq: number; action: string; status: string }[]
  }[]
  signatures: { field: string; indication: string | null; username: string; marker: string | null }[]
}

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

/** Drafter uploads a fresh 1-page PDF and submits it along the SKHCN template. */
async function submitted(drafter: Client, template = 'cong-van-thuong'): Promise<Details> {
  const doc = await json<Details>(await drafter.upload(await makePdf({ xref: 'table' })), 201)
  return json<Details>(await drafter.post(`/api/documents/${doc.id}/submit`, { template }), 200)
}

function activeStep(d: Details): { id: number; action: string } {
  const wf = d.workflows[d.workflows.length - 1]
  return wf?.steps.find((s) => s.status === 'active') as { id: number; action: string }
}

async function sign(
  c: Client,
  username: string,
  stepId: number,
  extra: Record<string, string> = {},
): Promise<Response> {
  return c.post(`/api/steps/${stepId}/sign`, { pin: pinOf(username), ...extra })
}

describe('the approval chain over HTTP', function () {
  this.timeout(180_000)
  const users: Record<string, Client> = {}

  before(async () => {
    await getService()
    for (const u of [
      'chuyenvien',
      'truongphong1',
      'truongphong2',
      'giamdoc',
      'phogiamdoc',
      'vanthu',
      'cv.stp',
      'pct.hoan',
      'kiemtra',
      'quantri',
    ])
      users[u] = await as(u)
  })

  it('runs the full chain: two heads in parallel, the leader, the clerk seals; four valid, trusted signatures', async () => {
    const c = users as Record<string, Client>
    let d = await submitted(c.chuyenvien as Client)
    const approve = activeStep(d)
    expect(approve.action).to.equal('approve')
    const inbox1 = await json<{ stepId: number }[]>(await (c.truongphong1 as Client).get('/api/inbox'), 200)
    expect(inbox1.map((i) => i.stepId)).to.include(approve.id)
    await json(await sign(c.truongphong1 as Client, 'truongphong1', approve.id), 200)
    d = await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`), 200)
    expect(activeStep(d).id, 'rule all: still waiting for the second head').to.equal(approve.id)
    await json(await sign(c.truongphong2 as Client, 'truongphong2', approve.id), 200)
    d = await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`), 200)
    const leaderStep = activeStep(d)
    expect(leaderStep.action).to.equal('sign')
    await json(await sign(c.giamdoc as Client, 'giamdoc', leaderStep.id), 200)
    d = await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`), 200)
    const sealStep = activeStep(d)
    expect(sealStep.action).to.equal('seal')
    const future = await sign(c.vanthu as Client, 'vanthu', sealStep.id, { outgoingDate: '2999-01-01' })
    expect(future.status, 'an issuing date after today is refused').to.equal(422)
    await json(
      await sign(c.vanthu as Client, 'vanthu', sealStep.id, {
        outgoingNumber: '15/SKHCN-VP',
        outgoingDate: '2024-07-25',
      }),
      200,
    )
    d = await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`), 200)
    expect(d.status).to.equal('issued')
    expect(d.outgoingNumber).to.equal('15/SKHCN-VP')
    expect(d.versions).to.have.length(5)
    // The verdicts are recorded just after the response (validation is not on the signer's path).
    for (let i = 0; i < 50 && d.signatures.some((s) => s.indication === null); i++) {
      await new Promise((r) => setTimeout(r, 100))
      d = await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`), 200)
    }
    expect(d.signatures.map((s) => s.indication)).to.deep.equal(['PASSED', 'PASSED', 'PASSED', 'PASSED'])

    const pdf = Buffer.from(
      await (await (c.chuyenvien as Client).get(`/api/documents/${d.id}/file`)).arrayBuffer(),
    )
    const dir = tempDir()
    writeFileSync(join(dir, 'issued.pdf'), pdf)
    const { services } = await getService()
    // Published without login (issue 15): what a relying party installs.
    const root = await (await fetch(`${(await getService()).url}/api/ca/root.pem`)).text()
    expect(services.ca?.root.equals(Buffer.from(root.replace(/-----[^-]+-----|\s/g, ''), 'base64'))).to.equal(
      true,
    )
    const sigs = pdfsig(join(dir, 'issued.pdf'), nssDbTrusting(root))
    expect(sigs.map((s) => s.signatureStatus)).to.deep.equal(Array(4).fill('Signature is Valid.'))
    expect(sigs.map((s) => s.certificateStatus)).to.deep.equal(Array(4).fill('Certificate is Trusted.'))
    const text = pdftotext(join(dir, 'issued.pdf')).replace(/\s+/g, ' ')
    expect(text).to.include('Võ Minh Thành')
    const report = await json<{ indication: string; signatures: { level: string }[] }>(
      await (c.kiemtra as Client).get(`/api/documents/${d.id}/verification`),
      200,
    )
    expect(report.indication).to.equal('PASSED')
    expect(report.signatures.map((s) => s.level)).to.deep.equal(['B-T', 'B-T', 'B-T', 'B-T'])
  })

  it('ends the chain on a reject with a reason, and refuses a reject without one', async () => {
    const c = users as Record<string, Client>
    const d = await submitted(c.chuyenvien as Client)
    const step = activeStep(d)
    expect((await (c.truongphong1 as Client).post(`/api/steps/${step.id}/reject`, {})).status).to.equal(400)
    await json(
      await (c.truongphong1 as Client).post(`/api/steps/${step.id}/reject`, { reason: 'Sai thể thức' }),
      200,
    )
    const after = await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`), 200)
    expect(after.status).to.equal('rejected')
    const late = await sign(c.truongphong2 as Client, 'truongphong2', step.id)
    expect(late.status).to.equal(409)
  })

  it('returns a document for revision; the drafter uploads a new version and the chain starts again', async () => {
    const c = users as Record<string, Client>
    const d = await submitted(c.chuyenvien as Client, 'mot-truong-phong')
    const step = activeStep(d)
    await json(
      await (c.truongphong2 as Client).post(`/api/steps/${step.id}/return`, { reason: 'Bổ sung số liệu' }),
      200,
    )
    let after = await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`), 200)
    expect(after.status).to.equal('returned')
    const notDrafter = await (c.truongphong1 as Client).upload(
      await makePdf(),
      {},
      `/api/documents/${d.id}/versions`,
    )
    expect(notDrafter.status).to.equal(403)
    await json(
      await (c.chuyenvien as Client).upload(
        await makePdf({ title: 'BAN SUA' }),
        {},
        `/api/documents/${d.id}/versions`,
      ),
      201,
    )
    after = await json<Details>(
      await (c.chuyenvien as Client).post(`/api/documents/${d.id}/submit`, { template: 'mot-truong-phong' }),
      200,
    )
    expect(after.workflows.map((w) => w.round)).to.deep.equal([1, 2])
    const again = activeStep(after)
    await json(await sign(c.truongphong1 as Client, 'truongphong1', again.id), 200)
    after = await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`), 200)
    expect(activeStep(after).action, 'rule any: one head is enough').to.equal('sign')
  })

  it('lets a delegate sign inside the window with the marker, and refuses outside it', async () => {
    const c = users as Record<string, Client>
    const d = await submitted(c.chuyenvien as Client, 'mot-truong-phong')
    await json(await sign(c.truongphong1 as Client, 'truongphong1', activeStep(d).id), 200)
    const leaderStep = activeStep(
      await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`), 200),
    )
    const tomorrow = new Date(Date.now() + 86_400_000)
    await json(
      await (c.giamdoc as Client).post('/api/delegations', {
        delegate: 'phogiamdoc',
        marker: 'KT.',
        from: tomorrow.toISOString(),
        to: new Date(tomorrow.getTime() + 86_400_000).toISOString(),
      }),
      201,
    )
    const early = await sign(c.phogiamdoc as Client, 'phogiamdoc', leaderStep.id)
    expect(early.status, 'outside the window').to.equal(403)
    await json(
      await (c.giamdoc as Client).post('/api/delegations', {
        delegate: 'phogiamdoc',
        marker: 'KT.',
        from: new Date(Date.now() - 3_600_000).toISOString(),
        to: new Date(Date.now() + 3_600_000).toISOString(),
      }),
      201,
    )
    const inbox = await json<{ stepId: number; onBehalfOf: number | null }[]>(
      await (c.phogiamdoc as Client).get('/api/inbox'),
      200,
    )
    expect(inbox.find((i) => i.stepId === leaderStep.id)?.onBehalfOf).to.be.a('number')
    await json(await sign(c.phogiamdoc as Client, 'phogiamdoc', leaderStep.id), 200)
    const after = await json<Details>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`), 200)
    const sig = after.signatures.find((s) => s.username === 'phogiamdoc')
    expect(sig?.marker).to.equal('KT.')
    const pdf = Buffer.from(
      await (await (c.chuyenvien as Client).get(`/api/documents/${d.id}/file`)).arrayBuffer(),
    )
    const file = join(tempDir(), 'kt.pdf')
    writeFileSync(file, pdf)
    expect(pdftotext(file).replace(/\s+/g, ' ')).to.include('KT. GIÁM ĐỐC')
  })
})
