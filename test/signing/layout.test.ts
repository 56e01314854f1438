import { expect } from 'chai'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import {
  analyseLayout,
  analyseLayoutIsolated,
  contains,
  decodeTcvn3,
  decodeVni,
  detectEncoding,
  findTextLines,
  overlapArea,
  planPlacements,
  rectToDisplay,
  type LayoutReport,
  type PlacementRequest,
} from '../../signing/layout'
import { OccupancyGrid } from '../../signing/layout/free-space'
import { generateSignaturePng } from '../../signing/appearance'
import { KysoError } from '../../signing/errors'
import { wordLikeDraft } from '../helpers/word-like-drafts'

const CHAIN: PlacementRequest[] = [
  { key: 'a1', role: 'approve' },
  { key: 'a2', role: 'approve' },
  { key: 'leader', role: 'sign' },
  { key: 'seal', role: 'seal' },
]

function plan(report: LayoutReport, requests = CHAIN): ReturnType<typeof planPlacements> {
  const last = report.pages.find((p) => p.page === report.pageCount)
  if (!last) throw new Error('no last page')
  return planPlacements({ layout: report, lastPage: { page: report.pageCount, geometry: last }, requests })
}

/** Ink of the page (text lines and drawings) under a planned rectangle, in display space. */
function inkUnder(
  report: LayoutReport,
  page: number,
  rect: { x: number; y: number; width: number; height: number },
): number {
  const p = report.pages.find((x) => x.page === page)
  if (!p) throw new Error('page not read')
  const grid = new OccupancyGrid(p.width, p.height, [...p.lines.map((l) => l.box), ...p.drawn], 0)
  return grid.takenCells(rectToDisplay(p, rect))
}

/** A page of nothing but text lines, top to bottom, for the "no free space" case. */
async function fullPage(): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const page = doc.addPage([300, 200])
  for (let y = 190; y > 0; y -= 9) page.drawText('x'.repeat(80), { x: 0, y, size: 9, font })
  return Buffer.from(await doc.save())
}

/** A scan: one page that is an image and no text. */
async function scannedPage(): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([595, 842])
  const png = await doc.embedPng(generateSignaturePng({ name: 'Bản quét' }))
  page.drawImage(png, { x: 60, y: 420, width: 475, height: 380 })
  return Buffer.from(await doc.save())
}

describe('reading where a document puts its signatures (signing/layout)', function () {
  this.timeout(60_000)

  it('joins a Word-like draft written one glyph at a time in decomposed Vietnamese, and finds its block', async () => {
    const report = await analyseLayout(await wordLikeDraft({ perGlyph: true, nfd: true }))
    const page = report.pages[0]
    const title = page?.lines.find((l) => l.text === 'GIÁM ĐỐC')
    expect(title, page?.lines.map((l) => l.text).join(' | ')).to.not.equal(undefined)
    expect(title?.text).to.equal('GIÁM ĐỐC'.normalize('NFC'))
    expect(report.block?.nameLine.text).to.equal('Võ Minh Thành')
    expect(report.endMark?.line.text).to.match(/\.\/\.$/)
    expect(report.recipientsEnd?.line.text).to.equal('- Lưu: VT.')
  })

  it('reads a TCVN3 (.VnTime) draft, says so, and still finds the block', async () => {
    const report = await analyseLayout(await wordLikeDraft({ tcvn3: true }))
    const title = report.pages[0]?.lines.find((l) => l.text.toUpperCase() === 'GIÁM ĐỐC')
    expect(title?.encoding).to.equal('tcvn3')
    expect(report.block?.titleLines.map((l) => l.text.toUpperCase())).to.deep.equal(['GIÁM ĐỐC'])
  })

  it('decodes TCVN3 and VNI, and leaves Unicode and English alone', () => {
    expect(decodeTcvn3('GI\u00b8M \u00a7\u00e8C').toUpperCase()).to.equal('GIÁM ĐỐC')
    expect(decodeVni('GIAÙM ÑOÁC')).to.equal('GIÁM ĐỐC')
    expect(decodeVni('COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM')).to.equal(
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    )
    expect(decodeVni('Nôi nhaän')).to.equal('Nơi nhận')
    expect(detectEncoding('Căn cứ Luật Giao dịch điện tử ngày 22 tháng 6 năm 2023 của Quốc hội')).to.equal(
      'unicode',
    )
    expect(detectEncoding('The quick brown fox jumps over the lazy dog')).to.equal('unicode')
    expect(
      detectEncoding('C\u00a8n c\u00f8 Lu\u00cbt ngµy 22 th\u00b8ng 6 n\u00a8m 2023 cña Quèc héi'),
    ).to.equal('tcvn3')
  })

  it('gives issue 13 the "Số:" and date lines with their boxes and sizes', async () => {
    const [first] = await findTextLines(await wordLikeDraft(), 'first')
    const number = first?.lines.find((l) => /^Số\s*:/.test(l.text))
    const date = first?.lines.find((l) => /ngày\s+tháng\s+năm/.test(l.text))
    expect(number?.text).to.equal('Số: /QĐ-SKHCN')
    expect(number?.fontSize).to.be.closeTo(13, 0.01)
    expect(date?.rect.x).to.be.closeTo(270, 1)
    expect(first?.readable).to.equal('ok')
  })

  it('plans the chain on the draft: initials after "./." and "Nơi nhận", the image in the block, the seal over its left third', async () => {
    const report = await analyseLayout(await wordLikeDraft({ perGlyph: true }))
    const [a1, a2, leader, seal] = plan(report)
    expect([a1?.how, a2?.how, leader?.how, seal?.how]).to.deep.equal([
      'end-mark',
      'end-mark',
      'block',
      'block',
    ])
    for (const p of [a1, a2, leader])
      expect(inkUnder(report, 1, p?.rect as never), `${p?.key} over ink`).to.equal(0)
    const l = leader?.rect as { x: number; width: number }
    const s = seal?.rect as { x: number; width: number }
    expect((s.x + s.width - l.x) / l.width).to.be.closeTo(1 / 3, 0.02)
  })

  for (const rotate of [90, 180, 270] as const) {
    it(`reads a page turned by /Rotate ${rotate} upright and keeps every place inside its crop box`, async () => {
      const report = await analyseLayout(await wordLikeDraft({ rotate }))
      const page = report.pages[0]
      if (!page) throw new Error('no page')
      expect(page.rotate).to.equal(rotate)
      expect(report.block?.nameLine.text).to.equal('Võ Minh Thành')
      const placed = plan(report)
      for (const p of placed) expect(contains(page.view, p.rect), p.key).to.equal(true)
      expect(overlapArea(placed[0]?.rect as never, placed[1]?.rect as never)).to.equal(0)
    })
  }

  it('falls back to free space on a page without a block, never over its text', async () => {
    const report = await analyseLayout(
      await wordLikeDraft({ tcvn3: false, nfd: false }).then(async () => {
        const doc = await PDFDocument.create()
        const font = await doc.embedFont(StandardFonts.Helvetica)
        const page = doc.addPage([595, 842])
        for (let y = 780; y > 300; y -= 16)
          page.drawText('Lorem ipsum dolor sit amet, consectetur adipiscing elit.', {
            x: 72,
            y,
            size: 11,
            font,
          })
        return Buffer.from(await doc.save())
      }),
    )
    const [a1, , leader, seal] = plan(report)
    expect(leader?.how).to.equal('free-space')
    expect(leader?.note).to.match(/free space on the last page/)
    for (const p of [a1, leader, seal]) expect(inkUnder(report, 1, p?.rect as never), `${p?.key}`).to.equal(0)
  })

  it('takes the emptiest area of a page with no free space at all, and says so', async () => {
    const report = await analyseLayout(await fullPage())
    const [leader] = plan(report, [{ key: 'leader', role: 'sign' }])
    expect(leader?.how).to.equal('emptiest')
    expect(leader?.note).to.match(/emptiest area/)
    expect(contains(report.pages[0]?.view as never, leader?.rect as never)).to.equal(true)
  })

  it('says a scanned page has no text and places outside the scan', async () => {
    const report = await analyseLayout(await scannedPage())
    expect(report.pages[0]?.readable).to.equal('no-text')
    const [leader] = plan(report, [{ key: 'leader', role: 'sign' }])
    expect(leader?.note).to.match(/no-text/)
    expect(inkUnder(report, 1, leader?.rect as never)).to.equal(0)
  })

  it('stops reading past its time limit with LAYOUT_TIMEOUT, in a worker the caller survives', async () => {
    const err = await analyseLayoutIsolated(await wordLikeDraft(), { timeoutMs: 5 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.be.instanceOf(KysoError)
    expect((err as KysoError).code).to.equal('LAYOUT_TIMEOUT')
    const report = await analyseLayoutIsolated(await wordLikeDraft())
    expect(report.block?.nameLine.text).to.equal('Võ Minh Thành')
  })
})
