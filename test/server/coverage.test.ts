import { expect } from 'chai'
import { makePdf } from '../helpers/sample-pdfs'
import { as, getService, pinOf, type Client } from '../helpers/service'
import { refreshCoverageFacts } from '../../storage/coverage-counters'

interface Row {
  judgedOn: string
  code: string
  documents: number
  paper: number
  fullySigned: number
  rate: number | null
  noActivity: boolean
  signsInternally: boolean
  signedProcedures: string[]
  rejectedOrCancelled: number
  status: string
}

async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

const today = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)

/** Uploads and runs a chain of explicit steps to issuance; waits until the verdicts are stored. */
async function issue(
  drafter: Client,
  steps: [string, 'approve' | 'sign' | 'seal'][],
  fields: Record<string, string> = { title: 'Văn bản', kind: 'internal' },
): Promise<number> {
  const doc = await json<{ id: number }>(await drafter.upload(await makePdf(), fields), 201)
  const submitted = await json<{ workflows: { steps: { id: number }[] }[] }>(
    await drafter.post(`/api/documents/${doc.id}/submit`, {
      steps: steps.map(([u, action]) => ({ action, assignees: [u] })),
    }),
  )
  const ids = submitted.workflows[0]?.steps.map((s) => s.id) as number[]
  for (const [i, [u, action]] of steps.entries()) {
    const c = await as(u)
    await json(
      await c.post(`/api/steps/${ids[i]}/sign`, {
        pin: pinOf(u),
        ...(action === 'seal' && { outgoingDate: today() }),
      }),
    )
  }
  const { services } = await getService()
  for (let i = 0; i < 100; i++) {
    const d = (await services
      .db('signatures')
      .where({ document_id: doc.id })
      .whereNull('indication')
      .count('* as n')
      .first()) as { n: number }
    if (Number(d.n) === 0) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return doc.id
}

describe('coverage reports over HTTP', function () {
  this.timeout(180_000)
  let compliance: Client
  const row = async (code: string, q = ''): Promise<Row> => {
    const report = await json<{ agencies: Row[] }>(
      await compliance.get(`/api/reports/coverage?from=${today()}&to=${today()}${q}`),
    )
    return report.agencies.find((a) => a.code === code) as Row
  }

  before(async () => {
    await getService()
    compliance = await as('kiemtra')
  })

  it('puts an agency with 3 signed documents in Kyso and 1 on paper at 75%; a rejected one does not count but shows', async () => {
    const drafter = await as('cv.stp')
    for (let i = 0; i < 3; i++)
      await issue(drafter, [
        ['gd.stp', 'sign'],
        ['vanthu.stp', 'seal'],
      ])
    const clerk = await as('vanthu.stp')
    await json(
      await clerk.post('/api/documents/paper', {
        number: '12/STP-VP',
        date: today(),
        title: 'Công văn giấy',
        signer: 'Lý Thị Ngọc',
      }),
      201,
    )
    const rejected = await json<{ id: number; workflows: { steps: { id: number }[] }[] }>(
      await drafter.post(
        `/api/documents/${(await json<{ id: number }>(await drafter.upload(await makePdf()), 201)).id}/submit`,
        { steps: [{ action: 'sign', assignees: ['gd.stp'] }] },
      ),
    )
    await json(
      await (await as('gd.stp')).post(`/api/steps/${rejected.workflows[0]?.steps[0]?.id}/reject`, {
        reason: 'Không ban hành',
      }),
    )
    const stp = await row('STP')
    expect(stp).to.deep.include({
      documents: 4,
      paper: 1,
      fullySigned: 3,
      rate: 0.75,
      signsInternally: false,
      rejectedOrCancelled: 1,
    })
    const drill = await json<{ rejectedOrCancelled: unknown[]; series: { documents: number }[] }>(
      await compliance.get(`/api/reports/coverage/STP?from=${today()}&to=${today()}`),
    )
    expect(drill.rejectedOrCancelled).to.have.length(1)
    expect(drill.series.reduce((a, m) => a + m.documents, 0)).to.equal(4)
  })

  it('shows an agency with no documents as no activity, never 100%', async () => {
    expect(await row('UBND-P-TANGNHONPHU')).to.deep.include({
      documents: 0,
      rate: null,
      noActivity: true,
      signsInternally: false,
      status: 'behind',
    })
  })

  it("counts distinct procedures, not results, and only under the agency's PASSED seal", async () => {
    const drafter = await as('cv.td')
    for (const code of ['1.001193', '1.001193', '1.000894'])
      await issue(
        drafter,
        [
          ['ct.td', 'sign'],
          ['vanthu.td', 'seal'],
        ],
        { title: 'Giấy khai sinh', kind: 'procedure', procedureCode: code },
      )
    const td = await row('UBND-P-THUDUC')
    expect(td.signedProcedures).to.deep.equal(['1.000894', '1.001193'])
  })

  it("lets a delegate's signature count for the agency, and drops an agency below 100% when a stored verdict failed", async () => {
    const giamdoc = await as('giamdoc')
    await json(
      await giamdoc.post('/api/delegations', {
        delegate: 'phogiamdoc',
        marker: 'KT.',
        from: new Date(Date.now() - 3_600_000).toISOString(),
        to: new Date(Date.now() + 3_600_000).toISOString(),
      }),
      201,
    )
    const before = await row('SKHCN')
    const delegated = await issue(
      await as('chuyenvien'),
      [
        ['giamdoc', 'sign'],
        ['vanthu', 'seal'],
      ].map(([u, a]) => [u === 'giamdoc' ? 'phogiamdoc' : u, a]) as [string, 'sign' | 'seal'][],
    )
    const after = await row('SKHCN')
    expect(after.fullySigned - before.fullySigned, 'the delegated document is fully signed').to.equal(1)
    // A stored FAILED verdict on the last signature: the document no longer counts as fully signed.
    const { services } = await getService()
    const last = (await services
      .db('signatures')
      .where({ document_id: delegated })
      .orderBy('id', 'desc')
      .first('id')) as { id: number }
    await services
      .db('signatures')
      .where({ id: last.id })
      .update({ indication: 'FAILED', sub_indication: 'HASH_FAILURE' })
    await services.db.transaction((trx) => refreshCoverageFacts(trx, delegated))
    const failed = await row('SKHCN')
    expect(failed.fullySigned).to.equal(after.fullySigned - 1)
    expect(failed.rate).to.be.lessThan(1)
    const drill = await json<{ notFullySigned: { id: number; reasons: { indication: string }[] }[] }>(
      await compliance.get(`/api/reports/coverage/SKHCN?from=${today()}&to=${today()}`),
    )
    expect(
      drill.notFullySigned.find((d) => d.id === delegated)?.reasons.map((r) => r.indication),
    ).to.deep.equal(['FAILED'])
  })

  it("keeps period boundaries inclusive: tomorrow's period has none of today's documents", async () => {
    const tomorrow = new Date(Date.now() + 7 * 3600_000 + 86_400_000).toISOString().slice(0, 10)
    const report = await json<{ agencies: Row[] }>(
      await compliance.get(`/api/reports/coverage?from=${tomorrow}&to=${tomorrow}`),
    )
    expect(report.agencies.find((a) => a.code === 'STP')?.documents).to.equal(0)
  })

  it('serves CSV as UTF-8 with a BOM, its period first, Vietnamese headers, and says when no deadline is set', async () => {
    const res = await compliance.get(`/api/reports/coverage?from=${today()}&to=${today()}&format=csv`)
    expect(res.headers.get('content-type')).to.match(/text\/csv; charset=utf-8/)
    const bytes = Buffer.from(await res.arrayBuffer())
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf])
    const lines = bytes.subarray(3).toString('utf8').split('\r\n')
    expect(lines[3]).to.match(new RegExp(`hạn: chưa đặt \\(mặc định 31/12/${today().slice(0, 4)}\\)$`))
    expect(lines[5]).to.include('Tên cơ quan')
    expect(lines.find((l) => l.startsWith('STP,')))
      .to.include('Sở Tư pháp Thành phố Hồ Chí Minh')
      .and.include(',Chưa đặt hạn,')
  })

  it('refuses staff, limits a leader to their subtree, shows the city to compliance', async () => {
    expect((await (await as('chuyenvien')).get('/api/reports/coverage')).status).to.equal(403)
    const leader = await json<{ agencies: Row[] }>(await (await as('gd.stp')).get('/api/reports/coverage'))
    expect(leader.agencies.map((a) => a.code)).to.deep.equal(['STP'])
    const city = await json<{ agencies: Row[]; city: { agencies: number } }>(
      await compliance.get('/api/reports/coverage'),
    )
    expect(city.city.agencies).to.equal(11)
    const snv = await json<{ agencies: Row[] }>(await compliance.get('/api/reports/coverage?parent=SNV'))
    expect(snv.agencies.map((a) => a.code).sort()).to.deep.equal(['BTDKT', 'SNV'])
    expect((await (await as('gd.stp')).get('/api/reports/coverage/SKHCN')).status).to.equal(404)
  })

  it('imports a paper register from CSV, all rows or none', async () => {
    const clerk = await as('vanthu.linhtrung')
    const { url } = await getService()
    const csv = `Số,Ngày,Trích yếu,Người ký,Hình thức\r\n1/UBND,${today()},"Công văn, số 1",Tạ Thị Bích,paper\r\n2/UBND,${today()},Công văn số 2,Tạ Thị Bích,paper\r\n`
    const post = (body: string) =>
      fetch(`${url}/api/documents/paper/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clerk.token}`, 'content-type': 'text/csv' },
        body,
      })
    expect(await json<{ registered: number }>(await post(csv), 201)).to.deep.equal({ registered: 2 })
    expect((await post(`3/UBND,${today()},X,Y,paper\r\n4/UBND,not-a-date,X,Y,paper\r\n`)).status).to.equal(
      400,
    )
    expect((await row('UBND-P-LINHXUAN')).paper).to.equal(2)
  })

  it('has a year of marked demo history behind the dashboard: some agencies meet both targets, some are behind, one has no activity', async () => {
    const { services } = await getService()
    const imported = (await services
      .db('documents')
      .where('title', 'like', '[Dữ liệu mẫu]%')
      .count('* as n')
      .first()) as { n: number }
    const month = Number(today().slice(5, 7))
    if (month === 1) return // history covers January to last month: none yet in January
    expect(Number(imported.n)).to.be.greaterThan(0)
    const report = await json<{ agencies: Row[]; city: { meetingBoth: number } }>(
      await compliance.get('/api/reports/coverage'),
    )
    const byCode = new Map(report.agencies.map((a) => [a.code, a]))
    expect(byCode.get('UBND-P-THUDUC')?.signsInternally).to.equal(true)
    expect(byCode.get('STP')?.signsInternally).to.equal(false)
    expect(byCode.get('UBND-P-TANGNHONPHU')?.noActivity).to.equal(true)
    // Sở Nội vụ issues nothing itself: judged on its Ban Thi đua - Khen thưởng, never "no activity".
    expect(byCode.get('SNV')).to.deep.include({ documents: 0, noActivity: false, judgedOn: 'total' })
    expect(byCode.get('UBND-X-CANGIO')).to.deep.include({ fullySigned: 0, rate: 0 })
    if (month > 4) expect(byCode.get('UBND-P-THUDUC')?.status).to.equal('met')
  })
})
