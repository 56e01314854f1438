import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { analyseLayout, overlapArea, type Rect } from '../../signing/layout'
import { PdfDocument } from '../../signing/pdf/document'
import { pageGeometry, signatureRects } from '../../signing/sign/placement'
import { draftSpecs, type DraftSpec } from '../helpers/decree30-drafts'
import { convertWithLibreOffice, printWithChromium } from '../helpers/draft-pdfs'
import { ARTIFACTS, inkIn, renderPage } from '../helpers/render'
import { as, getService, pinOf, type Client } from '../helpers/service'
import {
  extractSignatures,
  nssDbTrusting,
  opensslCmsVerify,
  pdfsig,
  pdftotext,
  qpdfCheck,
  tempDir,
} from '../helpers/tools'

interface Placement {
  stepId: number
  page: number
  rect: [number, number, number, number]
  how: string
  look: string
  username?: string
  anchor?: string
  note?: string
}
interface Details {
  id: number
  status: string
  placements: Placement[]
  myActions: { action: string; stepId?: number }[]
  signatures: { indication: string | null }[]
}

async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

/** The XMP packet of the last revision names the number (Decree 30/2020 Appendix VI). */
function issuedHasNumberInXmp(file: string, number: string): boolean {
  const text = readFileSync(file).toString('utf8')
  const at = text.lastIndexOf('<x:xmpmeta')
  return at >= 0 && text.indexOf(`<nd30:SoKyHieu>${number}</nd30:SoKyHieu>`, at) > at
}

const rectOf = (p: Placement): Rect => ({ x: p.rect[0], y: p.rect[1], width: p.rect[2], height: p.rect[3] })
const OUT = join(ARTIFACTS, 'official')
/** What the README reports: per draft, the areas, overlaps and seal coverage measured here. */
const figures: Record<string, unknown> = {}

interface Issued {
  outgoingNumber: string
  outgoingDate: string
  numberPrinted: boolean
  datePrinted: boolean
}

/**
 * Signs every step of the document in turn with the assignees' PINs; the clerk takes the
 * register's next number (none typed) with the date 5 March 2026 (issue 13).
 */
async function signAll(id: number, people: Record<string, Client>, order: string[]): Promise<Issued> {
  let issued: Issued | undefined
  for (const username of order) {
    const c = people[username] as Client
    const d = await json<Details>(await c.get(`/api/documents/${id}`))
    const act = d.myActions.find((a) => a.stepId !== undefined)
    expect(act, `${username} has something to sign`).to.not.equal(undefined)
    const issue = act?.action === 'seal' ? { outgoingDate: '2026-03-05' } : {}
    const answer = await json<Issued>(
      await c.post(`/api/steps/${act?.stepId}/sign`, { pin: pinOf(username), ...issue }),
    )
    if (act?.action === 'seal') issued = answer
  }
  return issued as Issued
}

/** "15/QĐ-SKHCN" -> "15-QD-SKHCN.pdf", as the download is named. */
const fileNameOf = (n: string): string =>
  `${n
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/Đ/g, 'D')
    .replace(/\//g, '-')}.pdf`

describe('issued as an official document: Decree 30 drafts from Chromium and LibreOffice through the API', function () {
  this.timeout(600_000)
  const drafts: Array<{ spec: DraftSpec; producer: string; pdf: Buffer }> = []
  const people: Record<string, Client> = {}
  let root = ''

  before(async () => {
    // The internal CA lives in the database (issue 15); its root is published without login.
    const { url } = await getService()
    root = join(OUT, 'internal-root.pem')
    mkdirSync(OUT, { recursive: true })
    writeFileSync(root, await (await fetch(`${url}/api/ca/root.pem`)).text())
    for (const u of [
      'chuyenvien',
      'truongphong1',
      'truongphong2',
      'giamdoc',
      'phogiamdoc',
      'vanthu',
      'kiemtra',
    ])
      people[u] = await as(u)
    mkdirSync(OUT, { recursive: true })
    for (const spec of draftSpecs()) {
      drafts.push({ spec, producer: 'chromium', pdf: await printWithChromium(spec) })
      drafts.push({ spec, producer: 'libreoffice', pdf: convertWithLibreOffice(spec) })
    }
  })

  after(() => writeFileSync(join(OUT, 'figures.json'), JSON.stringify(figures, null, 2)))

  for (const name of draftSpecs().map((s) => s.name)) {
    for (const producer of ['chromium', 'libreoffice']) {
      it(`${name} (${producer}): two approvals, the leader and the seal land where the draft was blank; every validator agrees`, async () => {
        const draft = drafts.find((d) => d.spec.name === name && d.producer === producer) as {
          spec: DraftSpec
          pdf: Buffer
        }
        const tag = `${name}-${producer}`
        const leader = draft.spec.signer.name === 'Phạm Thị Hoa' ? 'phogiamdoc' : 'giamdoc'
        const drafter = people.chuyenvien as Client
        const doc = await json<Details>(
          await drafter.upload(draft.pdf, { title: `Quyết định ${tag}`, kind: 'internal' }),
          201,
        )
        const steps = [
          { action: 'approve', assignees: ['truongphong1', 'truongphong2'], rule: 'all' },
          { action: 'sign', assignees: [leader] },
          { action: 'seal', assignees: ['vanthu'] },
        ]
        const submitted = await json<Details>(
          await drafter.post(`/api/documents/${doc.id}/submit`, { steps }),
        )
        const p = submitted.placements
        expect(p.map((x) => [x.look, x.how])).to.deep.equal([
          ['initials', 'end-mark'],
          ['initials', 'end-mark'],
          ['handwritten', 'block'],
          ['seal', 'block'],
        ])
        expect(p.slice(0, 2).map((x) => x.anchor)).to.deep.equal(['content-end', 'recipients-end'])
        const number = await signAll(doc.id, people, ['truongphong1', 'truongphong2', leader, 'vanthu'])
        expect(number.outgoingNumber, "the register's next number, with the draft's notation").to.match(
          /^\d{2,}\/QĐ-SKHCN$/,
        )
        expect([number.outgoingDate, number.numberPrinted, number.datePrinted]).to.deep.equal([
          '2026-03-05',
          true,
          true,
        ])

        // The issued file, named after its number.
        const res = await drafter.get(`/api/documents/${doc.id}/file`)
        expect(res.headers.get('content-disposition')).to.equal(
          `attachment; filename="${fileNameOf(number.outgoingNumber)}"`,
        )
        const issued = Buffer.from(await res.arrayBuffer())
        const dir = tempDir('kyso-official-')
        const draftFile = join(dir, 'draft.pdf')
        const issuedFile = join(dir, 'issued.pdf')
        writeFileSync(draftFile, draft.pdf)
        writeFileSync(issuedFile, issued)
        writeFileSync(join(OUT, `${tag}-draft.pdf`), draft.pdf)
        writeFileSync(join(OUT, `${tag}-issued.pdf`), issued)

        // Every widget is where the plan said, inside the crop box, and none overlaps another
        // but the seal over the leader's image.
        const pdfDoc = new PdfDocument(issued)
        const page = p[2]?.page as number
        const pageDict = pdfDoc.dict(pdfDoc.pageRef(page - 1))
        if (!pageDict) throw new Error('no page')
        const widgets = signatureRects(pdfDoc, pageDict)
        const view = pageGeometry(pdfDoc, pageDict).view
        expect(widgets).to.have.length(4)
        widgets.forEach((w, i) => {
          const planned = rectOf(p[i] as Placement)
          for (const k of ['x', 'y', 'width', 'height'] as const)
            expect(w[k], `widget ${i} ${k}`).to.be.closeTo(planned[k], 0.01)
          expect(
            w.x >= view.x &&
              w.y >= view.y &&
              w.x + w.width <= view.x + view.width &&
              w.y + w.height <= view.y + view.height,
            `widget ${i} in the crop box`,
          ).to.equal(true)
        })
        const [a1, a2, image, seal] = widgets as [Rect, Rect, Rect, Rect]
        for (const [i, j] of [
          [0, 1],
          [0, 2],
          [0, 3],
          [1, 2],
          [1, 3],
        ] as const) {
          expect(
            overlapArea(widgets[i] as Rect, widgets[j] as Rect),
            `widgets ${i} and ${j} overlap`,
          ).to.equal(0)
        }
        // Approvals are initials: legible, never a second signer block.
        for (const a of [a1, a2]) expect(a.width * a.height).to.be.within(300, 3000)
        // The leader's image between the title lines and the typed name of the draft's own block.
        const layout = await analyseLayout(draft.pdf)
        const block = layout.block
        if (!block) throw new Error('the draft has no signer block')
        expect(block.page).to.equal(page)
        const titleBottom = Math.min(...block.titleLines.map((l) => l.rect.y))
        const nameTop = block.nameLine.rect.y + block.nameLine.rect.height
        expect(image.y + image.height).to.be.at.most(titleBottom)
        expect(image.y).to.be.at.least(nameTop)
        const blockCentre = block.space.x + block.space.width / 2
        expect(Math.abs(image.x + image.width / 2 - blockCentre), 'centred on the block').to.be.below(20)
        // The seal at its real size (36 mm), over the left part of the image.
        expect(seal.width).to.be.closeTo((36 * 72) / 25.4, 0.05)
        const covered = (seal.x + seal.width - image.x) / image.width
        expect(seal.x, 'the seal on the left').to.be.below(image.x)
        expect(covered, 'share of the image width under the seal').to.be.within(0.15, 0.55)

        // Rendered by poppler: the draft was blank where every appearance but the seal went; the
        // issued page has ink there.
        const before = renderPage(draftFile, page, { keepAs: `${tag}-draft-p${page}.png` })
        const after = renderPage(issuedFile, page, { keepAs: `${tag}-issued-p${page}.png` })
        const inks = [a1, a2, image].map((r) => ({ draft: inkIn(before, r), issued: inkIn(after, r) }))
        inks.forEach((k, i) => {
          expect(k.draft.ink, `draft ink under appearance ${i}`).to.equal(0)
          expect(k.issued.ink, `appearance ${i} drawn`).to.be.greaterThan(20)
        })
        figures[tag] = {
          approvalAreas: [a1, a2].map((a) => Math.round(a.width * a.height)),
          imageRect: [image.x, image.y, image.width, image.height].map((v) => Math.round(v * 10) / 10),
          sealDiameterPt: Math.round(seal.width * 100) / 100,
          sealCoversImageWidth: Math.round(covered * 1000) / 10,
          overlapsOtherThanSeal: 0,
          draftInkUnderAppearances: inks.map((k) => k.draft.ink),
        }

        // pdfsig, qpdf, openssl cms and Kyso's validator agree.
        const sigs = pdfsig(issuedFile, nssDbTrusting(readFileSync(root, 'utf8')))
        expect(sigs.map((s) => s.signatureStatus)).to.deep.equal(Array(4).fill('Signature is Valid.'))
        expect(sigs.map((s) => s.certificateStatus)).to.deep.equal(Array(4).fill('Certificate is Trusted.'))
        const q = qpdfCheck(issuedFile)
        expect(q.code, q.output).to.equal(0)
        expect(q.output).to.not.match(/WARNING/)
        for (const sig of extractSignatures(issued))
          expect(opensslCmsVerify(sig.cms, sig.signedData, root).ok).to.equal(true)
        const report = await json<{ indication: string; signatures: { indication: string }[] }>(
          await (people.kiemtra as Client).get(`/api/documents/${doc.id}/verification`),
        )
        expect(report.signatures.map((s) => s.indication)).to.deep.equal([
          'PASSED',
          'PASSED',
          'PASSED',
          'PASSED',
        ])
        // The seal prints its time in ISO 8601 with +07:00; no appearance repeats the title.
        const text = pdftotext(issuedFile, page)
        expect(text.replace(/\s+/g, '')).to.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00/)
        const title = draft.spec.signer.lines.at(-1) as string
        const times = (t: string): number => t.split(title).length - 1
        expect(times(text), 'the title printed by the draft only').to.equal(times(pdftotext(draftFile, page)))
        expect(spawnSync('pdfinfo', [issuedFile], { encoding: 'utf8' }).stdout).to.match(
          new RegExp(`Pages:\\s+${page}\\b`),
        )
        // Issue 13: number and date on the document's own lines, in the layout pdftotext reads.
        const head = spawnSync('pdftotext', ['-layout', '-f', '1', '-l', '1', issuedFile, '-'], {
          encoding: 'utf8',
        }).stdout
        expect(head).to.include(`Số: ${number.outgoingNumber}`)
        expect(head).to.match(/ngày 05 tháng 03 năm/)
        expect(number.outgoingNumber.split('/')[0]).to.match(/^\d{2,}$/)
        renderPage(issuedFile, 1, { keepAs: `${tag}-issued-p1.png` })
        expect(issuedHasNumberInXmp(issuedFile, number.outgoingNumber)).to.equal(true)
      })
    }
  }
})
