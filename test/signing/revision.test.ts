import { expect } from 'chai'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { PdfDocument } from '../../signing/pdf/document'
import type { PdfDict, PdfString } from '../../signing/pdf/objects'
import { appearanceFromCertificate, signPdf, type Rect } from '../../signing/sign'
import { signatureRects } from '../../signing/sign/placement'
import { getTestPki } from '../helpers/test-pki'
import { makePdf } from '../helpers/sample-pdfs'
import { pdfsig, nssDbTrusting, pdftotext, qpdfCheck, tempDir } from '../helpers/tools'

async function keyOf(who: string) {
  const pki = await getTestPki()
  const s = pki.signers[who] as { p12: Buffer; certificate: Buffer }
  return { keySource: openPkcs12KeySource(s.p12, pki.pin), certificate: s.certificate }
}

function rectsOnPage(pdf: Buffer, pageIndex: number): Rect[] {
  const doc = new PdfDocument(pdf)
  return signatureRects(doc, doc.dict(doc.pageRef(pageIndex)) as PdfDict)
}

function overlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

describe('the revision a signature appends', function () {
  this.timeout(60_000)

  it('writes an xref stream after an xref stream and a table after a table, with /Prev, /Root and /ID kept', async () => {
    const { keySource } = await keyOf('khai')
    for (const kind of ['stream', 'table'] as const) {
      const input = await makePdf({ xref: kind })
      const before = new PdfDocument(input)
      const { pdf } = await signPdf(input, { keySource })
      const after = new PdfDocument(pdf)
      expect(after.lastSectionKind).to.equal(kind)
      expect(after.sections[0]?.trailer.get('Prev'), 'points back to the previous section').to.be.a('number')
      expect(after.catalogRef().num).to.equal(before.catalogRef().num)
      expect(before.trailer.get('ID'), 'pdf-lib writes no /ID').to.equal(undefined)
      expect(after.trailer.get('ID'), 'a signed file gets one').to.be.an('array').with.length(2)
    }
  })

  it('keeps the /ID of a file that has one', async () => {
    const { keySource } = await keyOf('khai')
    const input = readFileSync(
      join(
        __dirname,
        '../../../../shared/corpus/real/py-pdf_sample-files__002-trivial-libre-office-writer_002-trivial-libre-office-writer.pdf',
      ),
    )
    const idBefore = new PdfDocument(input).trailer.get('ID') as PdfString[]
    const { pdf } = await signPdf(input, { keySource })
    const idAfter = new PdfDocument(pdf).trailer.get('ID') as PdfString[]
    expect(idBefore).to.have.length(2)
    expect(idAfter.map((s) => s.bytes.toString('hex'))).to.deep.equal(
      idBefore.map((s) => s.bytes.toString('hex')),
    )
  })

  it('places successive personal signatures side by side without overlap, and the seal over a third of the last one, on its left', async () => {
    let pdf = await makePdf()
    for (const who of ['khai', 'luong', 'hoan']) {
      const { keySource, certificate } = await keyOf(who)
      pdf = (await signPdf(pdf, { keySource, appearance: appearanceFromCertificate(certificate) })).pdf
    }
    const personal = rectsOnPage(pdf, 0)
    expect(personal).to.have.length(3)
    for (let i = 0; i < personal.length; i++)
      for (let j = i + 1; j < personal.length; j++)
        expect(overlap(personal[i] as Rect, personal[j] as Rect), `${i} vs ${j}`).to.equal(false)
    const seal = await keyOf('seal')
    pdf = (
      await signPdf(pdf, {
        keySource: seal.keySource,
        appearance: appearanceFromCertificate(seal.certificate),
      })
    ).pdf
    const all = rectsOnPage(pdf, 0)
    const last = personal[2] as Rect
    const sealRect = all[3] as Rect
    expect(sealRect.x + sealRect.width).to.be.closeTo(last.x + last.width / 3, 0.5)
    expect(sealRect.x).to.be.lessThan(last.x)
  })

  it('signs invisibly or at an explicit place on a chosen page, and both stay valid in pdfsig', async () => {
    const pki = await getTestPki()
    const { keySource } = await keyOf('khai')
    let pdf = await makePdf({ pages: 3 })
    pdf = (await signPdf(pdf, { keySource, appearance: 'invisible' })).pdf
    const rect = { x: 100, y: 400, width: 180, height: 120 }
    pdf = (await signPdf(pdf, { keySource, page: 2, rect })).pdf
    expect(rectsOnPage(pdf, 1)).to.deep.equal([rect])
    expect(rectsOnPage(pdf, 2)).to.deep.equal([])
    const file = join(tempDir(), 'p.pdf')
    writeFileSync(file, pdf)
    const sigs = pdfsig(file, nssDbTrusting(pki.rootPem))
    expect(sigs.map((s) => s.signatureStatus)).to.deep.equal(['Signature is Valid.', 'Signature is Valid.'])
    expect(pdftotext(file, 2)).to.include('Nguyễn Thị Minh Khai')
  })

  it('writes names given in decomposed Unicode (NFD) as NFC', async () => {
    const { keySource } = await keyOf('khai')
    const nfd = 'Nguyễn Thị Minh Khai'.normalize('NFD')
    const { pdf } = await signPdf(await makePdf(), {
      keySource,
      signerName: nfd,
      appearance: { kind: 'text' },
    })
    const file = join(tempDir(), 'n.pdf')
    writeFileSync(file, pdf)
    expect(pdftotext(file)).to.include('Nguyễn Thị Minh Khai'.normalize('NFC'))
  })

  it('rebuilds a damaged xref: the signed file lists every object again and qpdf finds nothing', async () => {
    const pki = await getTestPki()
    const { keySource } = await keyOf('khai')
    const input = await makePdf({ xref: 'table' })
    // Shift one in-use entry of the classic table by 3 bytes, keeping the table's layout.
    const text = input.toString('latin1')
    const xref = text.lastIndexOf('\nxref')
    const entry = /(\d{10}) 00000 n/.exec(text.slice(xref + 20))
    expect(entry).to.not.equal(null)
    const pos = xref + 20 + (entry as RegExpExecArray).index
    const damaged = Buffer.from(input)
    damaged.write(String(Number((entry as RegExpExecArray)[1]) + 3).padStart(10, '0'), pos, 'latin1')
    const dir = tempDir()
    writeFileSync(join(dir, 'damaged.pdf'), damaged)
    expect(qpdfCheck(join(dir, 'damaged.pdf')).code, 'qpdf sees the damage').to.not.equal(0)
    const { pdf } = await signPdf(damaged, { keySource })
    expect(new PdfDocument(damaged).repaired).to.equal(true)
    writeFileSync(join(dir, 'signed.pdf'), pdf)
    const q = qpdfCheck(join(dir, 'signed.pdf'))
    expect(q.code, q.output).to.equal(0)
    expect(pdfsig(join(dir, 'signed.pdf'), nssDbTrusting(pki.rootPem))[0]?.signatureStatus).to.equal(
      'Signature is Valid.',
    )
  })

  it('refuses a page that does not exist with PDF_PAGE_NOT_FOUND', async () => {
    const { keySource } = await keyOf('khai')
    const err = await signPdf(await makePdf(), { keySource, page: 9 }).then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as { code?: string }).code).to.equal('PDF_PAGE_NOT_FOUND')
  })
})
