import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PdfDocument } from '../../signing/pdf/document'
import { ISSUANCE_FIELDS, walkFields } from '../../signing/pdf/fields'
import { IncrementalUpdate } from '../../signing/pdf/incremental'
import { type PdfDict, PdfRef, textString } from '../../signing/pdf/objects'
import { verifyPdf } from '../../signing/verify'
import { heldCrls } from '../../workflows/evidence'
import type { Running } from '../../server/start'
import { vnDate } from '../../shared/period'
import { draftSpecs } from '../helpers/decree30-drafts'
import { printWithChromium } from '../helpers/draft-pdfs'
import { ARTIFACTS, renderPage } from '../helpers/render'
import { makePdf } from '../helpers/sample-pdfs'
import { as, pinOf, startIsolatedService, type Client } from '../helpers/service'
import { nssDbTrusting, pdfsig, tempDir } from '../helpers/tools'

interface Doc {
  id: number
  status: string
  outgoingNumber: string | null
  workflows: { steps: { id: number; action: string }[] }[]
  metadata: Record<string, unknown> | null
  kind: string
  copyOf: number | null
}
interface Sealed {
  outgoingNumber: string
  outgoingDate: string
  numberPrinted?: boolean
}

async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

const OUT = join(ARTIFACTS, 'issuance')

/**
 * Issue 13 on a service of its own (its register starts empty): numbers from the register, printed
 * and locked, the register's rules, copies and attachments, secret documents refused.
 */
describe('issuance: the register, number and date on the document, copies and attachments', function () {
  this.timeout(300_000)
  let svc: Running
  const c: Record<string, Client> = {}
  const today = vnDate(new Date())
  const year = Number(today.slice(0, 4))

  before(async () => {
    svc = await startIsolatedService()
    for (const u of ['chuyenvien', 'giamdoc', 'vanthu', 'cv.stp', 'vanthu.stp', 'kiemtra'])
      c[u] = await as(u, undefined, svc.url)
    mkdirSync(OUT, { recursive: true })
  })
  after(async () => svc?.close())

  /** Uploads and submits a document whose chain is the leader's signature and the seal. */
  async function submitted(
    drafter: string,
    leader: string | null,
    clerk: string,
    fields: Record<string, string>,
    pdf?: Buffer,
  ): Promise<Doc> {
    const doc = await json<Doc>(await (c[drafter] as Client).upload(pdf ?? (await makePdf()), fields), 201)
    const steps = [
      ...(leader ? [{ action: 'sign', assignees: [leader] }] : []),
      { action: 'seal', assignees: [clerk] },
    ]
    return json<Doc>(await (c[drafter] as Client).post(`/api/documents/${doc.id}/submit`, { steps }))
  }
  const stepOf = (d: Doc, action: string): number =>
    d.workflows.at(-1)?.steps.find((s) => s.action === action)?.id ?? 0
  const seal = (d: Doc, clerk: string, body: Record<string, string> = {}): Promise<Response> =>
    (c[clerk] as Client).post(`/api/steps/${stepOf(d, 'seal')}/sign`, { pin: pinOf(clerk), ...body })
  const decision = { title: 'Quyết định về việc thử nghiệm sổ đăng ký', kind: 'internal' }

  it('numbers from 01, consecutive for two seals at once, typed duplicates refused, the year restarting at 01', async () => {
    const [a, b] = await Promise.all([
      submitted('chuyenvien', null, 'vanthu', decision),
      submitted('chuyenvien', null, 'vanthu', decision),
    ])
    const [ra, rb] = await Promise.all([seal(a as Doc, 'vanthu'), seal(b as Doc, 'vanthu')])
    const numbers = [(await json<Sealed>(ra)).outgoingNumber, (await json<Sealed>(rb)).outgoingNumber].sort()
    expect(numbers).to.deep.equal(['01/QĐ-SKHCN', '02/QĐ-SKHCN'])
    // A number the register holds, typed again (or its ordinal under another notation): 409.
    const d = await submitted('chuyenvien', null, 'vanthu', decision)
    const dup = await seal(d, 'vanthu', { outgoingNumber: '02/QĐ-SKHCN' })
    expect(dup.status).to.equal(409)
    expect(((await dup.json()) as { error: { code: string } }).error.code).to.equal('NUMBER_TAKEN')
    expect((await seal(d, 'vanthu', { outgoingNumber: '2/TB-SKHCN' })).status).to.equal(409)
    const stillOpen = await json<Doc>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`))
    expect([stillOpen.status, stillOpen.outgoingNumber]).to.deep.equal(['in_progress', null])
    // Paper and electronic share the register; last year's runs apart and goes on from its paper entries.
    await json(
      await (c.vanthu as Client).post('/api/documents/paper', {
        number: '250/QĐ-SKHCN',
        date: `${year - 1}-12-30`,
        title: 'Giấy',
        signer: 'Võ Minh Thành',
      }),
      201,
    )
    const lastYear = await json<Sealed>(await seal(d, 'vanthu', { outgoingDate: `${year - 1}-12-31` }))
    expect(lastYear.outgoingNumber).to.equal('251/QĐ-SKHCN')
    const e = await submitted('chuyenvien', null, 'vanthu', decision)
    expect((await json<Sealed>(await seal(e, 'vanthu'))).outgoingNumber).to.equal('03/QĐ-SKHCN')
    // A paper entry cannot take a number a seal took.
    const taken = await (c.vanthu as Client).post('/api/documents/paper', {
      number: '03/QĐ-SKHCN',
      date: today,
      title: 'Giấy',
      signer: 'Võ Minh Thành',
    })
    expect(taken.status).to.equal(409)
  })

  it('gives a normative document its own register with the year, a công văn its unit, and an opening number mid-year', async () => {
    const n = await submitted('chuyenvien', null, 'vanthu', { ...decision, normative: 'true' })
    expect((await json<Sealed>(await seal(n, 'vanthu'))).outgoingNumber).to.equal(`01/${year}/QĐ-SKHCN`)
    const cv = await submitted('chuyenvien', null, 'vanthu', {
      title: 'Về việc triển khai chữ ký số',
      kind: 'internal',
      unitCode: 'CĐS',
    })
    expect((await json<Sealed>(await seal(cv, 'vanthu'))).outgoingNumber).to.equal('04/SKHCN-CĐS')
    const opened = await fetch(`${svc.url}/api/registers/outgoing/opening`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${(c['vanthu.stp'] as Client).token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ year, register: 'general', firstSeq: 120 }),
    })
    expect((await json<{ next: string }>(opened)).next).to.equal('120')
    const stp = await submitted('cv.stp', null, 'vanthu.stp', {
      title: 'Thông báo lịch tiếp công dân',
      kind: 'internal',
    })
    expect((await json<Sealed>(await seal(stp, 'vanthu.stp'))).outgoingNumber).to.equal('120/TB-STP')
  })

  it('shows the register to its clerk, as JSON and as CSV, with reserved numbers kept as not used', async () => {
    const r = await json<{
      entries: { number: string; status: string; source: string }[]
      next: Record<string, string>
    }>(await (c.vanthu as Client).get(`/api/registers/outgoing?year=${year}`))
    expect(r.entries.map((e) => e.number)).to.include.members([
      '01/QĐ-SKHCN',
      '02/QĐ-SKHCN',
      '03/QĐ-SKHCN',
      `01/${year}/QĐ-SKHCN`,
    ])
    expect(r.next.general).to.equal('05')
    // A seal refused for its PIN keeps its reservation; a chain rejected leaves it "reserved, not used".
    const x = await submitted('chuyenvien', null, 'vanthu', decision)
    expect((await seal(x, 'vanthu', { pin: '0000' } as Record<string, string>)).status).to.equal(403)
    await json(
      await (c.vanthu as Client).post(`/api/steps/${stepOf(x, 'seal')}/reject`, { reason: 'Sai thể thức' }),
    )
    const after = await json<{ entries: { number: string; status: string }[] }>(
      await (c.vanthu as Client).get('/api/registers/outgoing'),
    )
    expect(after.entries.find((e) => e.number === '05/QĐ-SKHCN')?.status).to.equal('unused')
    const csv = await (c.vanthu as Client).get(`/api/registers/outgoing?year=${year}&format=csv`)
    expect(csv.headers.get('content-type')).to.match(/^text\/csv/)
    const text = (await csv.text()).replace(/^\ufeff/, '')
    expect(text.split('\r\n')[0]).to.equal('Sổ đăng ký văn bản đi')
    expect(text).to.include('05/QĐ-SKHCN').and.include('Giữ nhưng không dùng')
    expect((await (c.chuyenvien as Client).get('/api/registers/outgoing')).status).to.equal(403)
  })

  it('refuses a document marked secret, at upload or by the mark its first page prints, citing the law on state secrets', async () => {
    const res = await (c.chuyenvien as Client).upload(await makePdf(), { ...decision, secrecy: 'Mật' })
    const body = await json<{ error: { code: string; message: string } }>(res, 422)
    expect(body.error.code).to.equal('STATE_SECRET')
    expect(body.error.message).to.include('29/2018/QH14')
    const stamped = await printWithChromium({
      ...(draftSpecs()[0] as Parameters<typeof printWithChromium>[0]),
      secrecy: 'MẬT',
    })
    const doc = await json<Doc>(await (c.chuyenvien as Client).upload(stamped, decision), 201)
    const steps = [{ action: 'seal', assignees: ['vanthu'] }]
    const refused = await (c.chuyenvien as Client).post(`/api/documents/${doc.id}/submit`, { steps })
    expect((await json<{ error: { code: string } }>(refused, 422)).error.code).to.equal('STATE_SECRET')
    expect((await json<Doc>(await (c.chuyenvien as Client).get(`/api/documents/${doc.id}`))).status).to.equal(
      'draft',
    )
  })

  it('prints number and date on a Decree 30 draft, locks them with the seal, writes the XMP; a retyped number fails the seal', async () => {
    const spec = draftSpecs()[0] as Parameters<typeof printWithChromium>[0]
    const draft = await printWithChromium(spec)
    const d = await submitted('chuyenvien', 'giamdoc', 'vanthu', decision, draft)
    await json(
      await (c.giamdoc as Client).post(`/api/steps/${stepOf(d, 'sign')}/sign`, { pin: pinOf('giamdoc') }),
    )
    // A typed number under another notation than the draft prints would read otherwise on paper
    // than in the register: refused, naming the field and the notation to use, nothing reserved.
    const other = await seal(d, 'vanthu', { outgoingNumber: '1501/SKHCN-VP' })
    const refusal = ((await other.json()) as { error: { code: string; message: string } }).error
    expect([other.status, refusal.code]).to.deep.equal([400, 'BAD_REQUEST'])
    expect(refusal.message).to.match(/^outgoingNumber: .*\/QĐ-SKHCN.*1501\/QĐ-SKHCN/)
    const sealed = await json<Sealed>(await seal(d, 'vanthu'))
    expect(sealed.numberPrinted).to.equal(true)
    expect(sealed.outgoingNumber).to.match(/^\d{2,}\/QĐ-SKHCN$/)
    const issued = Buffer.from(
      await (await (c.chuyenvien as Client).get(`/api/documents/${d.id}/file`)).arrayBuffer(),
    )
    const dir = tempDir('kyso-issuance-')
    const file = join(dir, 'issued.pdf')
    writeFileSync(file, issued)
    writeFileSync(join(OUT, 'chromium-issued.pdf'), issued)
    renderPage(file, 1, { keepAs: join('..', 'issuance', 'chromium-issued-p1.png') })
    const [day, month] = [today.slice(8, 10), today.slice(5, 7)]
    const head = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' })
    expect(head).to.include(`Số: ${sealed.outgoingNumber}`)
    expect(head).to.include(`ngày ${day} tháng ${month} năm ${year}`)
    expect(issued.toString('utf8'))
      .to.include(`<nd30:SoKyHieu>${sealed.outgoingNumber}</nd30:SoKyHieu>`)
      .and.include('<x:xmpmeta')
    const meta = (await json<Doc>(await (c.chuyenvien as Client).get(`/api/documents/${d.id}`))).metadata
    expect(meta?.number).to.equal(sealed.outgoingNumber)
    const anchors = await svc.services.trustAnchors()
    const crls = await heldCrls(svc.services)
    const root = await readRoot(svc)
    expect(
      verifyPdf(issued, { trustAnchors: anchors, crls }).signatures.map((s) => s.indication),
    ).to.deep.equal(['PASSED', 'PASSED'])
    // Someone retypes the number in a later revision (any PDF editor can): pdfsig still finds both
    // signatures intact; Kyso fails the seal, which locked the field, and names the change.
    const retyped = retype(issued, '99')
    const report = verifyPdf(retyped, { trustAnchors: anchors, crls })
    expect(report.signatures.map((s) => s.indication)).to.deep.equal(['PASSED', 'FAILED'])
    expect(report.signatures[1]?.changes.some((ch) => ch.kind === 'issuance' && !ch.allowed)).to.equal(true)
    writeFileSync(join(dir, 'retyped.pdf'), retyped)
    expect(pdfsig(join(dir, 'retyped.pdf'), nssDbTrusting(root)).map((s) => s.signatureStatus)).to.deep.equal(
      ['Signature is Valid.', 'Signature is Valid.'],
    )
  })

  it('makes electronic copies (sao y keeps every signature; trích sao is a new file) and issues an attachment, each signed at the top right', async () => {
    const d = await submitted('chuyenvien', 'giamdoc', 'vanthu', decision)
    await json(
      await (c.giamdoc as Client).post(`/api/steps/${stepOf(d, 'sign')}/sign`, { pin: pinOf('giamdoc') }),
    )
    await json(await seal(d, 'vanthu'))
    const root = await readRoot(svc)
    const copy = await json<Doc>(
      await (c.vanthu as Client).post(`/api/documents/${d.id}/copies`, {
        form: 'sao-y',
        pin: pinOf('vanthu'),
      }),
      201,
    )
    expect([copy.kind, copy.copyOf, copy.status, copy.outgoingNumber]).to.deep.equal([
      'copy',
      d.id,
      'issued',
      '01/SY-SKHCN',
    ])
    const file = await download(copy.id, 'sao-y.pdf')
    expect(pdfsig(file, nssDbTrusting(root)).map((s) => s.signatureStatus)).to.deep.equal(
      Array(3).fill('Signature is Valid.'),
    )
    expect(topRightWords(file)).to.include('SAO').and.include('Y')
    const extract = await json<Doc>(
      await (c.vanthu as Client).post(`/api/documents/${d.id}/copies`, {
        form: 'trich-sao',
        pages: [1],
        pin: pinOf('vanthu'),
      }),
      201,
    )
    const extractFile = await download(extract.id, 'trich-sao.pdf')
    expect(pdfsig(extractFile, nssDbTrusting(root)).map((s) => s.signatureStatus)).to.deep.equal([
      'Signature is Valid.',
    ])
    expect(topRightWords(extractFile)).to.include('TRÍCH')
    expect(
      (await (c.vanthu as Client).post(`/api/documents/${d.id}/copies`, { form: 'sao-y', pin: '0000' }))
        .status,
    ).to.equal(403)
    // The PIN is read once the original is found issued (issue 16's schema, server/schemas-register.ts).
    for (const pin of [undefined, 42]) {
      const res = await (c.vanthu as Client).post(`/api/documents/${d.id}/copies`, { form: 'sao-y', pin })
      const { error } = (await res.json()) as { error: { message: string } }
      expect([res.status, error.message], String(pin)).to.deep.equal([400, 'pin: required'])
    }
    const form = new FormData()
    form.set('pin', pinOf('vanthu'))
    form.set('file', new Blob([new Uint8Array(await makePdf())], { type: 'application/pdf' }), 'phu-luc.pdf')
    const res = await fetch(`${svc.url}/api/documents/${d.id}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(c.vanthu as Client).token}` },
      body: form,
    })
    const attachment = await json<Doc>(res, 201)
    const attachmentFile = await download(attachment.id, 'phu-luc.pdf')
    expect(pdfsig(attachmentFile, nssDbTrusting(root)).map((s) => s.signatureStatus)).to.deep.equal([
      'Signature is Valid.',
    ])
    const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', attachmentFile, '-'], { encoding: 'utf8' })
    expect(text).to.include(
      `Kèm theo văn bản số ${d.id && (await json<Doc>(await (c.vanthu as Client).get(`/api/documents/${d.id}`))).outgoingNumber}`,
    )
  })

  async function download(id: number, name: string): Promise<string> {
    const bytes = Buffer.from(
      await (await (c.vanthu as Client).get(`/api/documents/${id}/file`)).arrayBuffer(),
    )
    const file = join(OUT, name)
    writeFileSync(file, bytes)
    renderPage(file, 1, { keepAs: join('..', 'issuance', name.replace(/\.pdf$/, '-p1.png')) })
    return file
  }
})

/** The service's CA root as relying parties get it (issue 15 keeps the CA in the database). */
async function readRoot(svc: Running): Promise<string> {
  return (await fetch(`${svc.url}/api/ca/root.pem`)).text()
}

/** Words of page 1 whose box lies in its top right corner (right half, top 60 pt), by `pdftotext -bbox`. */
function topRightWords(file: string): string[] {
  const html = execFileSync('pdftotext', ['-bbox', '-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' })
  const page = /<page width="([\d.]+)" height="([\d.]+)"/.exec(html)
  const width = Number(page?.[1])
  return [
    ...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)<\/word>/g),
  ]
    .filter((m) => Number(m[1]) > width / 2 && Number(m[2]) < 60)
    .map((m) => m[3] as string)
}

/** A later revision that changes the issued number field (its value and appearance), as an editor would. */
function retype(pdf: Buffer, value: string): Buffer {
  const doc = new PdfDocument(pdf)
  let ref: PdfRef | undefined
  walkFields(doc, (f) => {
    if (f.name === ISSUANCE_FIELDS.number && f.value instanceof PdfRef) ref = f.value
  })
  if (!ref) throw new Error('no number field')
  const upd = new IncrementalUpdate(doc)
  const field = doc.dict(ref) as PdfDict
  upd.set(ref, field.clone().set('V', textString(value)))
  return upd.write()
}
