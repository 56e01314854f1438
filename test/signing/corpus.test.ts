import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { degrees, PDFDocument, PDFName, PDFNumber, StandardFonts } from 'pdf-lib'
import { contains, overlapArea, type Rect } from '../../signing/layout'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { PdfDocument } from '../../signing/pdf/document'
import { signPdf } from '../../signing/sign'
import { pageGeometry, signatureRects } from '../../signing/sign/placement'
import { getTestPki } from '../helpers/test-pki'
import { nssDbTrusting, pdfsig, qpdfCheck, tempDir } from '../helpers/tools'

const CORPUS = join(__dirname, '../../../../shared/corpus/real')

/**
 * The files of the corpus that Kyso refuses, and why. Everything else must come out signed three
 * times validly. Keep this list in step with the README ("Refused inputs").
 */
export const EXPECTED_REFUSALS: Record<string, string> = {
  'Hopding_pdf-lib__assets_pdfs_encrypted_new.pdf': 'PDF_ENCRYPTED',
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_minimal-aes256.pdf':
    'PDF_ENCRYPTED',
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_minimal-pubkey-aes256.pdf':
    'PDF_ENCRYPTED',
  'esig_dss__dss-pades_src_test_resources_protected_open_protected.pdf': 'PDF_ENCRYPTED',
  'esig_dss__dss-pades_src_test_resources_validation_encrypted.pdf': 'PDF_ENCRYPTED',
  'mozilla_pdf.js__test_pdfs_issue21579.pdf': 'PDF_ENCRYPTED',
  'mozilla_pdf.js__test_pdfs_issue6010_1.pdf': 'PDF_ENCRYPTED',
  'mozilla_pdf.js__test_pdfs_saslprep-r6.pdf': 'PDF_ENCRYPTED',
  'py-pdf_sample-files__005-libreoffice-writer-password_libreoffice-writer-password.pdf': 'PDF_ENCRYPTED',
  'qpdf_qpdf__qpdf_qtest_qpdf_20-pages.pdf': 'PDF_ENCRYPTED',
  'qpdf_qpdf__qpdf_qtest_qpdf_V4-aes.pdf': 'PDF_ENCRYPTED',
  'qpdf_qpdf__qpdf_qtest_qpdf_enc-R2_V1_U_view_O_master.pdf': 'PDF_ENCRYPTED',
  'qpdf_qpdf__qpdf_qtest_qpdf_enc-R3_V2.pdf': 'PDF_ENCRYPTED',
  'qpdf_qpdf__qpdf_qtest_qpdf_enc-XI-R6_V5_O_master.pdf': 'PDF_ENCRYPTED',
  'qpdf_qpdf__qpdf_qtest_qpdf_enc-XI-R6_V5_U_view_O_master.pdf': 'PDF_ENCRYPTED',
  'qpdf_qpdf__qpdf_qtest_qpdf_minimal-signed-restricted.pdf': 'PDF_ENCRYPTED',
  'qpdf_qpdf__qpdf_qtest_qpdf_bad1.pdf': 'PDF_UNREADABLE',
  'Hopding_pdf-lib__assets_pdfs_invalid_root_ref.pdf': 'PDF_UNREADABLE',
  'esig_dss__dss-pades_src_test_resources_EmptyPage-corrupted.pdf': 'PDF_UNREADABLE',
  'py-pdf_sample-files__017-unreadable-meta-data_unreadablemetadata.pdf': 'PDF_UNREADABLE',
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_circular-page-tree.pdf':
    'PDF_UNREADABLE',
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_broken-objstream1.pdf':
    'PDF_UNREADABLE',
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_certified-with-indirect-refs-in-dir.pdf':
    'PDF_CERTIFIED_NO_CHANGES',
}

/** Per-field verdict of pdfsig on a file: "valid" or the status line. */
function statusByField(file: string, nss: string): Map<string, string> {
  return new Map(pdfsig(file, nss).map((s) => [s.field, s.signatureStatus]))
}

/**
 * The appearances Kyso added (the last `count` signature widgets of the last page): inside the
 * crop box, none over another, and upright as displayed. Upright is read by poppler: on a rotated
 * page, `pdftotext -bbox` gives word boxes in displayed coordinates, and a signer's name set
 * sideways would be taller than wide.
 */
function assertAppearances(pdf: Buffer, file: string, names: string[], count = 3): void {
  const doc = new PdfDocument(pdf)
  const last = doc.pageCount()
  const page = doc.dict(doc.pageRef(last - 1))
  if (!page) throw new Error('no last page')
  const g = pageGeometry(doc, page)
  const ours = signatureRects(doc, page).slice(-count)
  expect(ours, 'visible appearances').to.have.length(count)
  ours.forEach((r, i) =>
    expect(
      contains(g.view, r),
      `appearance ${i} inside the crop box ${JSON.stringify(g.view)}: ${JSON.stringify(r)}`,
    ).to.equal(true),
  )
  for (let i = 0; i < ours.length; i++) {
    for (let j = i + 1; j < ours.length; j++)
      expect(overlapArea(ours[i] as Rect, ours[j] as Rect), `appearances ${i} and ${j} overlap`).to.equal(0)
  }
  if (g.rotate === 0) return
  const words = execFileSync('pdftotext', ['-bbox', '-f', String(last), '-l', String(last), file, '-'], {
    encoding: 'utf8',
  })
  const boxes = [
    ...words.matchAll(/xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</g),
  ].filter((m) => names.some((n) => n.split(' ').includes(m[5] as string)) && (m[5] as string).length >= 4)
  expect(boxes, "the signers' names are on the page").to.not.be.empty
  for (const m of boxes)
    expect(Number(m[3]) - Number(m[1]), `"${m[5]}" upright`).to.be.greaterThan(Number(m[4]) - Number(m[2]))
}

/**
 * Pages the corpus lacks, made here: turned by /Rotate (one inherited from the page tree), cropped
 * inside a larger media box, and very small.
 */
async function madePages(): Promise<Array<{ name: string; pdf: Buffer }>> {
  const out: Array<{ name: string; pdf: Buffer }> = []
  const make = async (name: string, build: (doc: PDFDocument) => Promise<void>): Promise<void> => {
    const doc = await PDFDocument.create()
    await build(doc)
    out.push({ name, pdf: Buffer.from(await doc.save({ useObjectStreams: false })) })
  }
  for (const rotate of [90, 180, 270]) {
    await make(`rotate-${rotate}`, async (doc) => {
      const font = await doc.embedFont(StandardFonts.Helvetica)
      const page = doc.addPage([595, 842])
      page.setRotation(degrees(rotate))
      page.drawText(`Rotated ${rotate}`, { x: 100, y: 400, size: 20, font })
    })
  }
  await make('rotate-inherited-90', async (doc) => {
    const font = await doc.embedFont(StandardFonts.Helvetica)
    doc.addPage([420, 595]).drawText('Inherited rotation', { x: 60, y: 300, size: 18, font })
    // /Rotate on the page tree's root, inherited by the page (ISO 32000-2 §7.7.3.4).
    doc.catalog.Pages().set(PDFName.of('Rotate'), PDFNumber.of(90))
  })
  await make('cropped', async (doc) => {
    const page = doc.addPage([595, 842])
    page.setCropBox(150, 200, 300, 260)
  })
  await make('tiny', async (doc) => void doc.addPage([120, 60]))
  return out
}

describe('every PDF of the shared corpus', function () {
  this.timeout(600_000)
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.pdf'))
    .sort()

  it('finds the corpus', () => {
    expect(files.length).to.be.greaterThan(80)
  })

  for (const f of files) {
    it(`${f.replace(/^MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_/, 'pyHanko_')}: signed three times validly, or refused as listed`, async () => {
      const pki = await getTestPki()
      const nss = nssDbTrusting(pki.rootPem)
      const input = readFileSync(join(CORPUS, f))
      const dir = tempDir('kyso-corpus-')
      const signers = ['khai', 'hoan', 'seal'].map((w) =>
        openPkcs12KeySource((pki.signers[w] as { p12: Buffer }).p12, pki.pin),
      )
      let pdf: Buffer = input
      try {
        for (const keySource of signers) pdf = (await signPdf(pdf, { keySource })).pdf
      } catch (err) {
        const code = (err as { code?: string }).code
        expect(EXPECTED_REFUSALS[f], `unexpected refusal ${code}: ${(err as Error).message}`).to.equal(code)
        return
      }
      expect(EXPECTED_REFUSALS[f], 'listed as refused but it was signed: update the list').to.equal(undefined)
      expect(pdf.subarray(0, input.length).equals(input)).to.equal(true)
      const inFile = join(dir, 'in.pdf')
      const outFile = join(dir, 'out.pdf')
      writeFileSync(inFile, input)
      writeFileSync(outFile, pdf)
      const before = statusByField(inFile, nss)
      const after = pdfsig(outFile, nss)
      const ours = after.slice(after.length - 3)
      for (const s of ours) {
        expect(s.signatureStatus, s.field).to.equal('Signature is Valid.')
        expect(s.certificateStatus, s.field).to.equal('Certificate is Trusted.')
      }
      expect(ours[2]?.totalDocumentSigned).to.equal(true)
      assertAppearances(
        pdf,
        outFile,
        ['khai', 'hoan', 'seal'].map((w) => (pki.signers[w] as { name: string }).name),
      )
      for (const [field, status] of before) {
        expect(after.find((s) => s.field === field)?.signatureStatus, `earlier signature ${field}`).to.equal(
          status,
        )
      }
      const qIn = qpdfCheck(inFile)
      const qOut = qpdfCheck(outFile)
      // qpdf exits 0 (clean), 3 (warnings) or 2 (errors): the output may not be worse than the input.
      const severity = (code: number): number => (code === 0 ? 0 : code === 3 ? 1 : 2)
      expect(severity(qOut.code), qOut.output).to.be.at.most(severity(qIn.code))
    })
  }

  describe('pages made here: rotated, inherited rotation, cropped, tiny', () => {
    let made: Array<{ name: string; pdf: Buffer }> = []
    before(async () => {
      made = await madePages()
    })
    for (const name of ['rotate-90', 'rotate-180', 'rotate-270', 'rotate-inherited-90', 'cropped', 'tiny']) {
      it(`${name}: three appearances upright, inside the crop box, apart`, async () => {
        const pki = await getTestPki()
        let pdf = (made.find((m) => m.name === name) as { pdf: Buffer }).pdf
        for (const w of ['khai', 'hoan', 'seal'])
          pdf = (
            await signPdf(pdf, {
              keySource: openPkcs12KeySource((pki.signers[w] as { p12: Buffer }).p12, pki.pin),
            })
          ).pdf
        const file = join(tempDir('kyso-made-'), `${name}.pdf`)
        writeFileSync(file, pdf)
        const sigs = pdfsig(file, nssDbTrusting(pki.rootPem))
        expect(sigs.map((x) => x.signatureStatus)).to.deep.equal(Array(3).fill('Signature is Valid.'))
        expect(qpdfCheck(file).code).to.equal(0)
        assertAppearances(
          pdf,
          file,
          ['khai', 'hoan', 'seal'].map((w) => (pki.signers[w] as { name: string }).name),
        )
      })
    }
  })
})
