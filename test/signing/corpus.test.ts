import { expect } from 'chai'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { signPdf } from '../../signing/sign'
import { getTestPki } from '../helpers/test-pki'
import { nssDbTrusting, pdfsig, qpdfCheck, tempDir } from '../helpers/tools'

const CORPUS = join(__dirname, '../../../../shared/corpus/real')

/**
 * The files of the corpus that Kyso refuses, and why. Everything else must come out signed three
 * times validly. Keep this list in step with the README ("Refused inputs").
 */
export const EXPECTED_REFUSALS: Record<string, string> = {
  'Hopding_pdf-lib__assets_pdfs_encrypted_new.pdf': 'PDF_ENCRYPTED',
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_minimal-aes256.pdf': 'PDF_ENCRYPTED',
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_minimal-pubkey-aes256.pdf': 'PDF_ENCRYPTED',
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
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_circular-page-tree.pdf': 'PDF_UNREADABLE',
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_broken-objstream1.pdf': 'PDF_UNREADABLE',
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_certified-with-indirect-refs-in-dir.pdf': 'PDF_CERTIFIED_NO_CHANGES',
}

/** Per-field verdict of pdfsig on a file: "valid" or the status line. */
function statusByField(file: string, nss: string): Map<string, string> {
  return new Map(pdfsig(file, nss).map((s) => [s.field, s.signatureStatus]))
}

describe('every PDF of the shared corpus', function () {
  this.timeout(600_000)
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.pdf')).sort()

  it('finds the corpus', () => {
    expect(files.length).to.be.greaterThan(80)
  })

  for (const f of files) {
    it(`${f.replace(/^MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_/, 'pyHanko_')}: signed three times validly, or refused as listed`, async () => {
      const pki = await getTestPki()
      const nss = nssDbTrusting(pki.rootPem)
      const input = readFileSync(join(CORPUS, f))
      const dir = tempDir('kyso-corpus-')
      const signers = ['khai', 'hoan', 'seal'].map((w) => openPkcs12KeySource((pki.signers[w] as { p12: Buffer }).p12, pki.pin))
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
      for (const [field, status] of before) {
        expect(after.find((s) => s.field === field)?.signatureStatus, `earlier signature ${field}`).to.equal(status)
      }
      const qIn = qpdfCheck(inFile)
      const qOut = qpdfCheck(outFile)
      // qpdf exits 0 (clean), 3 (warnings) or 2 (errors): the output may not be worse than the input.
      const severity = (code: number): number => (code === 0 ? 0 : code === 3 ? 1 : 2)
      expect(severity(qOut.code), qOut.output).to.be.at.most(severity(qIn.code))
    })
  }
})
