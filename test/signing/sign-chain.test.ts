import { expect } from 'chai'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { appearanceFromCertificate, signPdf } from '../../signing/sign'
import { verifyPdf } from '../../signing/verify'
import { builtinTsa } from '../../signing/tsa'
import { loadCrls } from '../../signing/pki'
import { getTestPki } from '../helpers/test-pki'
import { makePdf } from '../helpers/sample-pdfs'
import {
  extractSignatures,
  flipSignedByte,
  nssDbTrusting,
  opensslCmsVerify,
  pdfsig,
  pdftotext,
  qpdfCheck,
  tempDir,
} from '../helpers/tools'

/** What a validator of this test PKI holds: the root as trust anchor and the CA's CRLs. */
function trustOf(pki: { rootDer: Buffer; dir: string }) {
  return { trustAnchors: [pki.rootDer], crls: loadCrls(readFileSync(join(pki.dir, 'crl.pem'))) }
}

/** The approval chain of the mission: three people sign, then the agency's seal. */
async function signChain(input: Buffer): Promise<Buffer[]> {
  const pki = await getTestPki()
  const steps = [
    { who: 'khai', reason: 'Đã duyệt' },
    { who: 'luong', reason: 'Đã duyệt' },
    { who: 'hoan', reason: 'Ký ban hành', marker: 'KT.' as const, principalTitle: 'Chủ tịch' },
    { who: 'seal', reason: 'Phát hành' },
  ]
  const versions = [input]
  for (const s of steps) {
    const signer = pki.signers[s.who]
    if (!signer) throw new Error(`no test signer ${s.who}`)
    const keySource = openPkcs12KeySource(signer.p12, pki.pin)
    const appearance = appearanceFromCertificate(signer.certificate, {
      ...(s.marker && { marker: s.marker }),
      ...(s.principalTitle && { principalTitle: s.principalTitle }),
    })
    const prev = versions[versions.length - 1] as Buffer
    const { pdf } = await signPdf(prev, { keySource, appearance, reason: s.reason })
    expect(
      pdf.subarray(0, prev.length).equals(prev),
      'each revision extends the previous bytes exactly',
    ).to.equal(true)
    versions.push(pdf)
  }
  return versions
}

for (const xref of ['stream', 'table'] as const) {
  describe(`a chain of four signatures on a PDF with an xref ${xref}`, function () {
    this.timeout(120_000)
    let final: Buffer
    let file: string
    let dir: string

    before(async () => {
      const versions = await signChain(await makePdf({ xref, pages: 2 }))
      final = versions[versions.length - 1] as Buffer
      dir = tempDir()
      file = join(dir, 'signed.pdf')
      writeFileSync(file, final)
    })

    it('is valid and trusted in pdfsig for all four signatures, total document signed only for the last', async () => {
      const pki = await getTestPki()
      const sigs = pdfsig(file, nssDbTrusting(pki.rootPem))
      expect(sigs).to.have.length(4)
      for (const s of sigs) {
        expect(s.signatureStatus).to.equal('Signature is Valid.')
        expect(s.certificateStatus).to.equal('Certificate is Trusted.')
      }
      expect(sigs.map((s) => s.totalDocumentSigned)).to.deep.equal([false, false, false, true])
      expect(new Set(sigs.map((s) => s.field)).size, 'field names are unique').to.equal(4)
    })

    it('passes qpdf --check', () => {
      const r = qpdfCheck(file)
      expect(r.code, r.output).to.equal(0)
    })

    it('has CMS signatures that openssl cms -verify accepts', async () => {
      const pki = await getTestPki()
      const rootFile = join(dir, 'root.pem')
      writeFileSync(rootFile, pki.rootPem)
      const sigs = extractSignatures(final)
      expect(sigs).to.have.length(4)
      for (const s of sigs) {
        const r = opensslCmsVerify(s.cms, s.signedData, rootFile)
        expect(r.ok, r.output).to.equal(true)
      }
    })

    it('shows the names, titles and agency exactly as given (pdftotext)', async () => {
      const pki = await getTestPki()
      const text = pdftotext(file, 2).replace(/\s+/g, ' ')
      for (const who of ['hoan', 'khai', 'luong']) {
        const s = pki.signers[who]
        expect(text).to.include(s?.name)
        expect(text).to.include(s?.title?.toLocaleUpperCase('vi'))
      }
      expect(text).to.include('KT. CHỦ TỊCH')
      expect(text).to.include('Ủy ban nhân dân Thành phố Hồ Chí Minh')
    })

    it('verifies with our verifier: four PASSED with the test root', async () => {
      const pki = await getTestPki()
      const report = verifyPdf(final, trustOf(pki))
      expect(report.indication).to.equal('PASSED')
      expect(report.signatures.map((s) => s.indication)).to.deep.equal([
        'PASSED',
        'PASSED',
        'PASSED',
        'PASSED',
      ])
      expect(report.signatures.map((s) => s.level)).to.deep.equal(['B-B', 'B-B', 'B-B', 'B-B'])
      expect(report.signatures.map((s) => s.coversWholeDocument)).to.deep.equal([false, false, false, true])
    })
  })
}

describe('tampering and refusals', function () {
  this.timeout(60_000)

  it('gives FAILED when one byte of a signed range is flipped', async () => {
    const pki = await getTestPki()
    const keySource = openPkcs12KeySource((pki.signers.khai as { p12: Buffer }).p12, pki.pin)
    const { pdf } = await signPdf(await makePdf({ xref: 'table' }), { keySource })
    const tampered = flipSignedByte(pdf)
    expect(verifyPdf(pdf, trustOf(pki)).indication).to.equal('PASSED')
    const report = verifyPdf(tampered, trustOf(pki))
    expect(report.indication).to.equal('FAILED')
    expect(report.signatures[0]?.subIndication).to.equal('HASH_FAILURE')
  })

  it('gives INDETERMINATE without a trust anchor, never PASSED', async () => {
    const pki = await getTestPki()
    const keySource = openPkcs12KeySource((pki.signers.khai as { p12: Buffer }).p12, pki.pin)
    const { pdf } = await signPdf(await makePdf(), { keySource })
    const report = verifyPdf(pdf)
    expect(report.indication).to.equal('INDETERMINATE')
    expect(report.signatures[0]?.subIndication).to.equal('NO_CERTIFICATE_CHAIN_FOUND')
  })

  it('refuses an expired signer before signing, with CERT_EXPIRED', async () => {
    const pki = await getTestPki()
    const keySource = openPkcs12KeySource((pki.signers.expired as { p12: Buffer }).p12, pki.pin)
    const err = await signPdf(await makePdf(), { keySource }).then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as { code?: string }).code).to.equal('CERT_EXPIRED')
  })

  it('refuses a revoked signer when the CRL is given, with CERT_REVOKED', async () => {
    const pki = await getTestPki()
    const keySource = openPkcs12KeySource((pki.signers.revoked as { p12: Buffer }).p12, pki.pin)
    const crls = loadCrls(readFileSync(join(pki.dir, 'crl.pem')))
    const err = await signPdf(await makePdf(), { keySource, revocation: { crls } }).then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as { code?: string }).code).to.equal('CERT_REVOKED')
  })

  it('refuses a TSA certificate as a document signer, with CERT_KEY_USAGE', async () => {
    const pki = await getTestPki()
    const keySource = openPkcs12KeySource((pki.signers.tsa as { p12: Buffer }).p12, pki.pin)
    const err = await signPdf(await makePdf(), { keySource }).then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as { code?: string }).code).to.equal('CERT_KEY_USAGE')
  })

  it('refuses an encrypted PDF with PDF_ENCRYPTED', async () => {
    const pki = await getTestPki()
    const keySource = openPkcs12KeySource((pki.signers.khai as { p12: Buffer }).p12, pki.pin)
    const enc = readFileSync(
      join(__dirname, '../../../../shared/corpus/real/qpdf_qpdf__qpdf_qtest_qpdf_V4-aes.pdf'),
    )
    const err = await signPdf(enc, { keySource }).then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as { code?: string }).code).to.equal('PDF_ENCRYPTED')
  })

  it('refuses a file that is not a PDF with PDF_UNREADABLE', async () => {
    const pki = await getTestPki()
    const keySource = openPkcs12KeySource((pki.signers.khai as { p12: Buffer }).p12, pki.pin)
    const err = await signPdf(Buffer.from('hello, not a pdf'), { keySource }).then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as { code?: string }).code).to.equal('PDF_UNREADABLE')
  })
})

describe('PAdES B-T', function () {
  this.timeout(60_000)
  it('carries a timestamp over the signature value and reports the proven time', async () => {
    const pki = await getTestPki()
    const keySource = openPkcs12KeySource((pki.signers.hoan as { p12: Buffer }).p12, pki.pin)
    const tsa = openPkcs12KeySource((pki.signers.tsa as { p12: Buffer }).p12, pki.pin)
    const { pdf } = await signPdf(await makePdf(), { keySource, timestamp: builtinTsa(tsa) })
    const report = verifyPdf(pdf, trustOf(pki))
    expect(report.signatures[0]?.level).to.equal('B-T')
    expect(report.signatures[0]?.signedAtProven).to.equal(true)
    expect(report.indication).to.equal('PASSED')
  })
})
