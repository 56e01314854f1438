import { expect } from 'chai'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { json } from '../helpers/coverage-flow'
import { makePdf } from '../helpers/sample-pdfs'
import { as, getService, pinOf, type Client } from '../helpers/service'
import { pdftotext, tempDir } from '../helpers/tools'

interface Details {
  id: number
  status: string
  workflows: { steps: { id: number; status: string }[] }[]
  signatures: { username: string; marker: string | null }[]
}

/** Drafts a one-page document and submits it with one signing step for `signer`; returns the step. */
async function routedTo(drafter: Client, signer: string): Promise<{ doc: number; step: number }> {
  const doc = await json<{ id: number }>(
    await drafter.upload(await makePdf(), { title: 'Công văn', kind: 'internal' }),
    201,
  )
  const d = await json<Details>(
    await drafter.post(`/api/documents/${doc.id}/submit`, {
      steps: [{ action: 'sign', assignees: [signer] }],
    }),
  )
  return { doc: doc.id, step: d.workflows[0]?.steps[0]?.id as number }
}

/** The issued file's text, spaces collapsed (pdftotext reads the appearance back). */
async function textOf(reader: Client, doc: number): Promise<string> {
  const file = join(tempDir(), `d${doc}.pdf`)
  writeFileSync(file, Buffer.from(await (await reader.get(`/api/documents/${doc}/file`)).arrayBuffer()))
  return pdftotext(file).replace(/\s+/g, ' ')
}

/**
 * Delegation as agencies practise it (issue 14): TL. by a chief of office, TM. by the head of a
 * collective body, a deputy's standing KT.; only people whose role can sign may receive one.
 */
describe('signing authorities: TL., TM., standing KT., and who may receive one', function () {
  this.timeout(180_000)
  let admin: Client
  let leader: Client
  let drafter: Client

  before(async () => {
    await getService()
    admin = await as('quantri')
    leader = await as('giamdoc')
    drafter = await as('chuyenvien')
  })

  it('refuses to delegate to a clerk or a compliance officer, and KT. to a head; TL. may go to the chief of office', async () => {
    const window = {
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 3_600_000).toISOString(),
    }
    for (const delegate of ['vanthu', 'kiemtra']) {
      const refused = await json<{ error: { code: string; message: string } }>(
        await leader.post('/api/delegations', { delegate, marker: 'KT.', ...window }),
        422,
      )
      expect(refused.error.code).to.equal('NOT_ELIGIBLE')
      expect(refused.error.message).to.match(/^delegate:/)
    }
    expect(
      (
        await json<{ error: { code: string } }>(
          await leader.post('/api/delegations', { delegate: 'truongphong1', marker: 'KT.', ...window }),
          422,
        )
      ).error.code,
    ).to.equal('NOT_ELIGIBLE')
    expect(
      (await leader.post('/api/delegations', { delegate: 'vanthu', marker: 'TL.', ...window })).status,
      'a clerk never signs TL.',
    ).to.equal(422)
    expect(
      (await leader.post('/api/delegations', { delegate: 'phogiamdoc', marker: 'TM.', ...window })).status,
      'TM. is a standing authority',
    ).to.equal(400)
    await json(
      await leader.post('/api/delegations', { delegate: 'chanhvanphong', marker: 'TL.', ...window }),
      201,
    )
    const list = await json<{ given: { delegate: string; marker: string }[] }>(
      await leader.get('/api/delegations'),
    )
    expect(list.given.filter((g) => g.delegate === 'vanthu' || g.delegate === 'kiemtra')).to.deep.equal([])
  })

  it('lets the chief of office sign the director\'s step by order: "TL. GIÁM ĐỐC" over "CHÁNH VĂN PHÒNG"', async () => {
    const { doc, step } = await routedTo(drafter, 'giamdoc')
    const chief = await as('chanhvanphong')
    const inbox = await json<{ stepId: number; onBehalfOf: number | null }[]>(await chief.get('/api/inbox'))
    expect(inbox.find((i) => i.stepId === step)?.onBehalfOf).to.be.a('number')
    await json(await chief.post(`/api/steps/${step}/sign`, { pin: pinOf('chanhvanphong') }))
    const d = await json<Details>(await drafter.get(`/api/documents/${doc}`))
    expect(d.signatures.map((g) => [g.username, g.marker])).to.deep.equal([['chanhvanphong', 'TL.']])
    expect(await textOf(drafter, doc))
      .to.contain('TL. GIÁM ĐỐC CHÁNH VĂN PHÒNG')
      .and.contain('Lâm Văn Phước')
  })

  it('prints the chairman\'s standing TM. on his own signature: "TM. ỦY BAN NHÂN DÂN" over "CHỦ TỊCH"', async () => {
    const { doc, step } = await routedTo(await as('cv.td'), 'ct.td')
    await json(await (await as('ct.td')).post(`/api/steps/${step}/sign`, { pin: pinOf('ct.td') }))
    const text = await textOf(await as('cv.td'), doc)
    expect(text).to.contain('TM. ỦY BAN NHÂN DÂN CHỦ TỊCH').and.contain('Hoàng Minh Đức')
    const standing = await json<{ holder: string; marker: string; principalTitle: string }[]>(
      await admin.get('/api/admin/standing-authorities'),
    )
    expect(standing.find((a) => a.holder === 'ct.td')).to.deep.include({
      marker: 'TM.',
      principalTitle: 'Ủy ban nhân dân',
    })
  })

  it('gives a deputy a standing KT. from the administrator: no end date, "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC" on her own steps', async () => {
    expect(
      (
        await leader.post('/api/admin/standing-authorities', {
          holder: 'phogiamdoc',
          marker: 'KT.',
          principal: 'giamdoc',
        })
      ).status,
    ).to.equal(403)
    const headKt = await json<{ error: { code: string } }>(
      await admin.post('/api/admin/standing-authorities', {
        holder: 'truongphong1',
        marker: 'KT.',
        principal: 'giamdoc',
      }),
      422,
    )
    expect(headKt.error.code).to.equal('NOT_ELIGIBLE')
    expect(
      (
        await admin.post('/api/admin/standing-authorities', {
          holder: 'kiemtra',
          marker: 'TL.',
          principal: 'giamdoc',
        })
      ).status,
    ).to.equal(422)
    const granted = await json<{ id: number; marker: string; principalTitle: string; endedAt: null }>(
      await admin.post('/api/admin/standing-authorities', {
        holder: 'phogiamdoc',
        marker: 'KT.',
        principal: 'giamdoc',
      }),
      201,
    )
    expect(granted).to.deep.include({ marker: 'KT.', principalTitle: 'Giám đốc', endedAt: null })
    expect(
      (
        await admin.post('/api/admin/standing-authorities', {
          holder: 'phogiamdoc',
          marker: 'Q.',
          principalTitle: 'Giám đốc',
        })
      ).status,
      'one at a time',
    ).to.equal(409)
    const { doc, step } = await routedTo(drafter, 'phogiamdoc')
    await json(await (await as('phogiamdoc')).post(`/api/steps/${step}/sign`, { pin: pinOf('phogiamdoc') }))
    expect(await textOf(drafter, doc))
      .to.contain('KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC')
      .and.contain('Phạm Thị Hoa')
    const mine = await json<{ standing: { marker: string; principalTitle: string; active: boolean }[] }>(
      await (await as('phogiamdoc')).get('/api/delegations'),
    )
    expect(mine.standing).to.deep.include({
      ...mine.standing[0],
      marker: 'KT.',
      principalTitle: 'Giám đốc',
      active: true,
    })
    const ended = await json<{ endedAt: string | null }>(
      await admin.post(`/api/admin/standing-authorities/${granted.id}/end`),
    )
    expect(ended.endedAt).to.be.a('string')
    const after = await routedTo(drafter, 'phogiamdoc')
    await json(
      await (await as('phogiamdoc')).post(`/api/steps/${after.step}/sign`, { pin: pinOf('phogiamdoc') }),
    )
    expect(await textOf(drafter, after.doc), 'ended: no marker any more').to.not.contain('KT. GIÁM ĐỐC')
  })
})
