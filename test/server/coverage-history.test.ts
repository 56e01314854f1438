import { expect } from 'chai'
import type { Running } from '../../server/start'
import { parseCsv } from '../../workflows/csv-text'
import { issueThrough, json, tamperedSignedPdf, vnToday, type Flow } from '../helpers/coverage-flow'
import { makePdf } from '../helpers/sample-pdfs'
import { as, startIsolatedService, type Client } from '../helpers/service'

interface Row {
  code: string
  documents: number
  paper: number
  fullySigned: number
  rate: number | null
  noActivity: boolean
  open: number
  rejectedOrCancelled: number
  status: string
  overdue: boolean
  deadlineSet: boolean
  judgedOn: string
  total: { documents: number; paper: number; fullySigned: number; rate: number | null; agencies: number }
}
interface Report {
  targets: { year: number; deadline: string; deadlineSet: boolean; source: string }
  agencies: Row[]
}
interface Reason {
  kind: string
  step: number | null
  indication: string
  subIndication: string | null
  signer?: string | null
}
interface Drill {
  agency: Row
  units: Row[]
  rateExplained: { documents: number; fullySigned: number; notFullySigned: number; paper: number }
  notFullySigned: { id: number; reasons: Reason[] }[]
  paper: { number: string; kind: string; reason: string }[]
  open: { id: number; status: string; ageDays: number }[]
  procedures: { code: string; signed: boolean; paperResults: { number: string }[] }[]
}

/**
 * The known history of issue 14, on a service of its own so every figure is exact. Today, in Sở
 * Tư pháp: five documents issued and fully signed, one issued whose upload carried a signature
 * that fails, one internal paper entry (7 documents, 5 fully signed: 71,4%), a rejected one, an
 * open one, and a procedure's result on paper (not an internal document). Sở Nội vụ issues
 * nothing itself; its Ban Thi đua - Khen thưởng registers two paper documents.
 */
describe('coverage on a known history: what counts as fully signed, paper entries, roll-up, targets, CSV', function () {
  this.timeout(300_000)
  let svc: Running
  let flow: Flow
  let compliance: Client
  let drafter: Client
  let failedId = 0
  let openId = 0
  const today = vnToday()
  const report = async (q = ''): Promise<Report> =>
    json<Report>(await compliance.get(`/api/reports/coverage?from=${today}&to=${today}${q}`))
  const row = async (code: string): Promise<Row> =>
    (await report()).agencies.find((a) => a.code === code) as Row
  const drill = async (code: string): Promise<Drill> =>
    json<Drill>(await compliance.get(`/api/reports/coverage/${code}?from=${today}&to=${today}`))

  before(async () => {
    svc = await startIsolatedService()
    flow = { base: svc.url, db: svc.services.db }
    compliance = await as('kiemtra', undefined, svc.url)
    drafter = await as('cv.stp', undefined, svc.url)
    const chain: [string, 'sign' | 'seal'][] = [
      ['gd.stp', 'sign'],
      ['vanthu.stp', 'seal'],
    ]
    for (let i = 1; i <= 5; i++) await issueThrough(flow, drafter, chain, { number: `${i}/STP-VP` })
    failedId = await issueThrough(flow, drafter, chain, {
      pdf: await tamperedSignedPdf(),
      number: '6/STP-VP',
    })
  })

  after(async () => {
    await svc?.close()
  })

  it("flags an upload whose own signatures fail, in the upload's answer and on the document", async () => {
    const up = await json<{
      id: number
      uploadCheck: { signatures: number; indication: string; failed: { signer: string }[]; warning: string }
    }>(
      await drafter.upload(await tamperedSignedPdf(), { title: 'Bản có chữ ký hỏng', kind: 'internal' }),
      201,
    )
    expect(up.uploadCheck).to.deep.include({ signatures: 1, indication: 'FAILED' })
    expect(up.uploadCheck.failed.map((f) => f.signer)).to.deep.equal(['Võ Văn Hoan'])
    expect(up.uploadCheck.warning).to.contain('không được tính là ký số đầy đủ')
    const page = await json<{ uploadCheck: { indication: string } }>(
      await drafter.get(`/api/documents/${up.id}`),
    )
    expect(page.uploadCheck.indication).to.equal('FAILED')
    const clean = await json<{ uploadCheck: null }>(await drafter.upload(await makePdf()), 201)
    expect(clean.uploadCheck).to.equal(null)
  })

  it('does not count a document whose final validation has a FAILED signature, and says why', async () => {
    const d = await drill('STP')
    const failed = d.notFullySigned.find((x) => x.id === failedId)
    expect(failed?.reasons).to.have.length(1)
    expect(failed?.reasons[0]).to.deep.include({
      kind: 'foreign-signature',
      step: null,
      indication: 'FAILED',
      subIndication: 'HASH_FAILURE',
      signer: 'Võ Văn Hoan',
    })
    expect(await row('STP')).to.deep.include({ documents: 6, fullySigned: 5 })
  })

  it('refuses a paper entry that takes a number of the year (409) or is dated after today (422), changing nothing', async () => {
    const clerk = await as('vanthu.stp', undefined, svc.url)
    const entry = { number: '6/STP-VP', date: today, title: 'Công văn giấy', signer: 'Lý Thị Ngọc' }
    const taken = await json<{ error: { code: string } }>(
      await clerk.post('/api/documents/paper', entry),
      409,
    )
    expect(taken.error.code).to.equal('NUMBER_TAKEN')
    const future = await json<{ error: { code: string } }>(
      await clerk.post('/api/documents/paper', { ...entry, number: '7/STP-VP', date: vnToday(1) }),
      422,
    )
    expect(future.error.code).to.equal('DATE_IN_FUTURE')
    await json(await clerk.post('/api/documents/paper', { ...entry, number: '7/STP-VP' }), 201)
    const again = await json<{ error: { code: string } }>(
      await clerk.post('/api/documents/paper', {
        ...entry,
        number: ' 7/STP-VP ',
        date: `${today.slice(0, 4)}-01-01`,
      }),
      409,
    )
    expect(again.error.code, 'one number a year, whatever the date').to.equal('NUMBER_TAKEN')
    await json(
      await clerk.post('/api/documents/paper', {
        ...entry,
        number: '8/STP-VP',
        kind: 'procedure',
        procedureCode: '1.001193',
        title: 'Giấy khai sinh (giấy)',
      }),
      201,
    )
    expect(
      (await clerk.post('/api/documents/paper', { ...entry, number: '9/STP-VP', kind: 'procedure' })).status,
      'a procedure needs its code',
    ).to.equal(400)
    expect(await row('STP')).to.deep.include({ documents: 7, paper: 1, fullySigned: 5 })
  })

  it('puts the agency at 71,4% and lists every document that lowers the rate, the paper entry included', async () => {
    const stp = await row('STP')
    expect(stp.rate).to.be.closeTo(5 / 7, 1e-9)
    const d = await drill('STP')
    expect(d.rateExplained).to.deep.equal({ documents: 7, fullySigned: 5, notFullySigned: 1, paper: 1 })
    expect(d.paper).to.deep.equal([{ ...d.paper[0], number: '7/STP-VP', kind: 'internal', reason: 'PAPER' }])
    const birth = d.procedures.find((p) => p.code === '1.001193')
    expect(birth).to.deep.include({ signed: false })
    expect(birth?.paperResults.map((p) => p.number)).to.deep.equal(['8/STP-VP'])
  })

  it('shows rejected and open documents: the open one with its age, counted apart from the rate', async () => {
    const rejected = await json<{ id: number; workflows: { steps: { id: number }[] }[] }>(
      await drafter.post(
        `/api/documents/${(await json<{ id: number }>(await drafter.upload(await makePdf()), 201)).id}/submit`,
        { steps: [{ action: 'sign', assignees: ['gd.stp'] }] },
      ),
    )
    await json(
      await (await as('gd.stp', undefined, svc.url)).post(
        `/api/steps/${rejected.workflows[0]?.steps[0]?.id}/reject`,
        { reason: 'Không ban hành' },
      ),
    )
    openId = (
      await json<{ id: number }>(
        await drafter.upload(await makePdf(), { title: 'Đang trình ký', kind: 'internal' }),
        201,
      )
    ).id
    await json(
      await drafter.post(`/api/documents/${openId}/submit`, {
        steps: [{ action: 'sign', assignees: ['gd.stp'] }],
      }),
    )
    expect(await row('STP')).to.deep.include({
      documents: 7,
      fullySigned: 5,
      rejectedOrCancelled: 1,
      open: 1,
    })
    const d = await drill('STP')
    expect(d.open).to.deep.equal([{ ...d.open[0], id: openId, status: 'in_progress', ageDays: 0 }])
  })

  it('rolls a parent up: own and total side by side; a parent with an active unit is never "no activity"', async () => {
    const clerk = await as('vanthu.btdkt', undefined, svc.url)
    for (const n of ['1/BTĐKT', '2/BTĐKT'])
      await json(
        await clerk.post('/api/documents/paper', {
          number: n,
          date: today,
          title: 'Tờ trình khen thưởng',
          signer: 'Trưởng ban',
        }),
        201,
      )
    const snv = await row('SNV')
    expect(snv).to.deep.include({ documents: 0, noActivity: false, judgedOn: 'total' })
    expect(snv.total).to.deep.include({ documents: 2, paper: 2, fullySigned: 0, rate: 0, agencies: 2 })
    expect(snv.status).to.not.equal('met')
    const city = await row('UBND-TPHCM')
    expect(city.total.documents).to.equal(9)
    expect(city.total.agencies).to.equal(11)
    const d = await drill('SNV')
    expect(d.units.map((u) => [u.code, u.documents])).to.deep.equal([['BTDKT', 2]])
    expect((await row('UBND-P-TANGNHONPHU')).noActivity).to.equal(true)
  })

  it('says when no deadline is set for the year instead of counting from an old one; a set deadline is used', async () => {
    const unset = await report()
    expect(unset.targets).to.deep.include({
      year: Number(today.slice(0, 4)),
      deadline: `${today.slice(0, 4)}-12-31`,
      deadlineSet: false,
      source: 'default',
    })
    expect(unset.agencies.filter((a) => a.overdue)).to.deep.equal([])
    const admin = await as('quantri', undefined, svc.url)
    const put = (year: string, body: unknown) =>
      fetch(`${svc.url}/api/admin/coverage-targets/${year}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const staff = await fetch(`${svc.url}/api/admin/coverage-targets/${today.slice(0, 4)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${compliance.token}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(staff.status).to.equal(403)
    expect((await put(today.slice(0, 4), { internalRate: 2 })).status).to.equal(400)
    await json(await put(today.slice(0, 4), { deadline: vnToday(-1), procedures: 1 }))
    const set = await report()
    expect(set.targets).to.deep.include({ deadline: vnToday(-1), deadlineSet: true, source: 'configured' })
    expect(set.agencies.find((a) => a.code === 'STP')).to.deep.include({ overdue: true, status: 'behind' })
    const list = await json<{ years: { year: number; procedures: number }[] }>(
      await compliance.get('/api/admin/coverage-targets'),
    )
    expect(list.years.map((y) => [y.year, y.procedures])).to.deep.equal([[Number(today.slice(0, 4)), 1]])
  })

  it('writes the CSV with its period and generation time first, Vietnamese numbers, no stray characters', async () => {
    const res = await compliance.get(`/api/reports/coverage?from=${today}&to=${today}&format=csv`)
    const bytes = Buffer.from(await res.arrayBuffer())
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf])
    const lines = bytes.subarray(3).toString('utf8').split('\r\n')
    const dmy = `${today.slice(8, 10)}/${today.slice(5, 7)}/${today.slice(0, 4)}`
    expect(lines[0]).to.equal('Báo cáo tiến độ ký số theo hai mục tiêu của Thành phố')
    expect(lines[1]).to.equal(`Kỳ báo cáo: ${dmy} – ${dmy}`)
    expect(lines[2]).to.match(
      /^Thời điểm lập: \d{2}:\d{2}:\d{2} \d{2}\/\d{2}\/\d{4} \(giờ Việt Nam UTC\+7\)$/,
    )
    expect(lines[3]).to.equal(
      `Chỉ tiêu năm ${today.slice(0, 4)}: ký số đầy đủ từ 100% văn bản nội bộ (ít nhất 1 văn bản) – ` +
        `ít nhất 1 TTHC có kết quả ký số – hạn: ${vnToday(-1).split('-').reverse().join('/')}`,
    )
    expect(lines[4]).to.equal('')
    expect(lines[5]?.split(',')).to.include.members([
      'Tên cơ quan',
      'Tỷ lệ ký số',
      'Bị từ chối hoặc hủy',
      'Đang xử lý',
    ])
    const stpLine = lines.find((l) => l.startsWith('STP,')) as string
    expect(stpLine).to.contain('"71,4%"')
    const stp = parseCsv(stpLine)[0] as string[]
    // Rate, days left (the deadline set above was yesterday), rejected or cancelled, open, subtree.
    expect([stp[6], stp[12], stp[13], stp[14], stp[15], stp[16]]).to.deep.equal([
      '71,4%',
      '-1',
      '1',
      '1',
      '7',
      '71,4%',
    ])
    expect(
      lines.some((l) => /(^|,)'/.test(l)),
      'no leading apostrophes',
    ).to.equal(false)
  })
})
