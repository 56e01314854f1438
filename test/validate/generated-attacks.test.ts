import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { PdfDocument } from '../../signing/pdf/document'
import { IncrementalUpdate } from '../../signing/pdf/incremental'
import { PdfDict, type PdfRef, PdfStream, PdfString, name, textString } from '../../signing/pdf/objects'
import { initCa, issueCertificate, loadCrls } from '../../signing/pki'
import { appearanceFromCertificate, signPdf } from '../../signing/sign'
import { builtinTsa, createTimestampToken } from '../../signing/tsa'
import { verifyPdf, type VerifyReport } from '../../signing/verify'
import { getTestPki, type TestPki } from '../helpers/test-pki'
import { makePdf } from '../helpers/sample-pdfs'
import { tempDir } from '../helpers/tools'

const DAY = 86_400_000

function trust(pki: TestPki) {
  return { trustAnchors: [pki.rootDer], crls: loadCrls(readFileSync(join(pki.dir, 'crl.pem'))) }
}

async function signedBy(
  who: string,
  input?: Buffer,
  extra: Partial<Parameters<typeof signPdf>[1]> = {},
): Promise<Buffer> {
  const pki = await getTestPki()
  const s = pki.signers[who] as { p12: Buffer; certificate: Buffer }
  const keySource = openPkcs12KeySource(s.p12, pki.pin)
  return (
    await signPdf(input ?? (await makePdf({ pages: 2 })), {
      keySource,
      appearance: appearanceFromCertificate(s.certificate),
      reason: 'Đã duyệt',
      ...extra,
    })
  ).pdf
}

/** Appends an unsigned revision made by `edit`, as an attacker's tool would. */
function laterRevision(pdf: Buffer, edit: (doc: PdfDocument, upd: IncrementalUpdate) => void): Buffer {
  const doc = new PdfDocument(pdf)
  const upd = new IncrementalUpdate(doc)
  edit(doc, upd)
  return upd.write()
}

function expectVerdict(report: VerifyReport, index: number, indication: string, sub: string | RegExp): void {
  const s = report.signatures[index]
  const why = JSON.stringify(s?.problems)
  expect(s?.indication, why).to.equal(indication)
  if (typeof sub === 'string') expect(s?.subIndication, why).to.equal(sub)
  else expect(s?.subIndication ?? '', why).to.match(sub)
}

describe('generated attacks on documents Kyso signed', function () {
  this.timeout(120_000)
  let pki: TestPki
  let signed: Buffer

  before(async () => {
    pki = await getTestPki()
    signed = await signedBy('khai')
    expect(verifyPdf(signed, trust(pki)).indication).to.equal('PASSED')
  })

  it('fails a signature when a later revision replaces a page content stream', () => {
    const forged = laterRevision(signed, (doc, upd) => {
      const page = doc.dict(doc.pageRef(0)) as PdfDict
      const c = page.get('Contents')
      const contents = (Array.isArray(c) ? c[0] : c) as PdfRef
      upd.set(
        contents,
        new PdfStream(new PdfDict(), Buffer.from('BT /F1 24 Tf 72 700 Td (PAY 1,000,000 VND) Tj ET')),
      )
    })
    const r = verifyPdf(forged, trust(pki))
    expectVerdict(r, 0, 'FAILED', 'MODIFIED_AFTER_SIGNING')
    expect(r.signatures[0]?.changes.some((c) => c.page === 1 && !c.allowed)).to.equal(true)
  })

  it('fails a signature when a page is added', () => {
    const forged = laterRevision(signed, (doc, upd) => {
      const pagesRef = doc.catalog().get('Pages') as PdfRef
      const pages = (doc.get(pagesRef) as PdfDict).clone()
      const newPage = upd.add(
        new PdfDict({ Type: name('Page'), Parent: pagesRef, MediaBox: [0, 0, 595, 842] }),
      )
      pages.set('Kids', [...(pages.get('Kids') as PdfRef[]), newPage]).set('Count', 3)
      upd.set(pagesRef, pages)
    })
    expectVerdict(verifyPdf(forged, trust(pki)), 0, 'FAILED', 'MODIFIED_AFTER_SIGNING')
  })

  it('fails a signature when a page is removed', () => {
    const forged = laterRevision(signed, (doc, upd) => {
      const pagesRef = doc.catalog().get('Pages') as PdfRef
      const pages = (doc.get(pagesRef) as PdfDict).clone()
      pages.set('Kids', (pages.get('Kids') as PdfRef[]).slice(1)).set('Count', 1)
      upd.set(pagesRef, pages)
    })
    const r = verifyPdf(forged, trust(pki))
    expectVerdict(r, 0, 'FAILED', 'MODIFIED_AFTER_SIGNING')
    expect(r.signatures[0]?.problems.join(' ')).to.match(/pages changed/)
  })

  for (const subtype of ['FreeText', 'Stamp']) {
    it(`fails a signature when a ${subtype} annotation is added over the text`, () => {
      const forged = laterRevision(signed, (doc, upd) => {
        const pageRef = doc.pageRef(0)
        const page = (doc.get(pageRef) as PdfDict).clone()
        const annot = upd.add(
          new PdfDict({
            Type: name('Annot'),
            Subtype: name(subtype),
            Rect: [72, 700, 400, 760],
            Contents: textString('ĐÃ HỦY'),
            P: pageRef,
          }),
        )
        const annots = doc.resolve(page.get('Annots'))
        page.set('Annots', [...(Array.isArray(annots) ? annots : []), annot])
        upd.set(pageRef, page)
      })
      const r = verifyPdf(forged, trust(pki))
      expectVerdict(r, 0, 'FAILED', 'MODIFIED_AFTER_SIGNING')
      expect(r.signatures[0]?.problems.join(' ')).to.include(`/${subtype}`)
    })
  }

  for (const key of ['Reason', 'M'] as const) {
    it(`fails a signature when a later revision changes its /${key}`, () => {
      const forged = laterRevision(signed, (doc, upd) => {
        const acro = doc.dict(doc.catalog().get('AcroForm')) as PdfDict
        const field = doc.dict((doc.resolve(acro.get('Fields')) as PdfRef[])[0]) as PdfDict
        const sigRef = field.get('V') as PdfRef
        const sig = (doc.get(sigRef) as PdfDict).clone()
        sig.set(
          key,
          key === 'Reason' ? textString('Từ chối') : new PdfString(Buffer.from("D:20200101000000+07'00'")),
        )
        upd.set(sigRef, sig)
      })
      const r = verifyPdf(forged, trust(pki))
      expectVerdict(r, 0, 'FAILED', 'MODIFIED_AFTER_SIGNING')
      expect(r.signatures[0]?.problems.join(' ')).to.include(`/${key}`)
    })
  }

  it('fails a signature when the appearance XObject of the signature is swapped', () => {
    const forged = laterRevision(signed, (doc, upd) => {
      const acro = doc.dict(doc.catalog().get('AcroForm')) as PdfDict
      const widget = doc.dict((doc.resolve(acro.get('Fields')) as PdfRef[])[0]) as PdfDict
      const ap = doc.dict(widget.get('AP'))?.get('N') as PdfRef
      upd.set(
        ap,
        new PdfStream(
          new PdfDict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 200, 150] }),
          Buffer.from('0 0 1 rg 0 0 200 150 re f'),
        ),
      )
    })
    expectVerdict(verifyPdf(forged, trust(pki)), 0, 'FAILED', 'MODIFIED_AFTER_SIGNING')
  })

  it('fails a signature whose ByteRange is widened to cover appended attacker bytes', () => {
    const text = signed.toString('latin1')
    const m = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\s*\]/.exec(text) as RegExpExecArray
    const extra = '\n% attacker bytes\n'
    const widened = `/ByteRange [${m[1]} ${m[2]} ${m[3]} ${Number(m[4]) + extra.length}]`.padEnd(
      m[0].length,
      ' ',
    )
    const forged = Buffer.concat([Buffer.from(text.replace(m[0], widened), 'latin1'), Buffer.from(extra)])
    expectVerdict(verifyPdf(forged, trust(pki)), 0, 'FAILED', /FORMAT_FAILURE|HASH_FAILURE/)
  })

  it('fails a signature whose /Contents is zeroed', () => {
    const text = signed.toString('latin1')
    const forged = Buffer.from(
      text.replace(
        /\/Contents <([0-9A-Fa-f]+)>/,
        (_, hex: string) => `/Contents <${'0'.repeat(hex.length)}>`,
      ),
      'latin1',
    )
    expectVerdict(verifyPdf(forged, trust(pki)), 0, 'FAILED', 'FORMAT_FAILURE')
  })

  it('fails the signature when garbage follows the last %%EOF', () => {
    const forged = Buffer.concat([signed, Buffer.from('\n1 0 obj\n<< /Type /Catalog >>\nendobj\n')])
    expectVerdict(verifyPdf(forged, trust(pki)), 0, 'FAILED', 'UNSIGNED_TRAILING_DATA')
  })

  it('fails a signature made after its certificate was revoked', async () => {
    const r = verifyPdf(await signedBy('revoked'), trust(pki))
    expectVerdict(r, 0, 'FAILED', 'REVOKED')
  })

  it('cannot pass a signature claimed before the revocation without a timestamp, and passes it with one', async () => {
    const tenDaysAgo = new Date(Date.now() - 10 * DAY)
    const claimed = await signedBy('revoked', undefined, { signingTime: tenDaysAgo })
    expectVerdict(verifyPdf(claimed, trust(pki)), 0, 'INDETERMINATE', 'REVOKED_NO_POE')
    const tsa = openPkcs12KeySource((pki.signers.tsa as { p12: Buffer }).p12, pki.pin)
    const stamped = await signedBy('revoked', undefined, {
      signingTime: tenDaysAgo,
      timestamp: (sig) =>
        createTimestampToken({
          imprint: createHash('sha256').update(sig).digest(),
          keySource: tsa,
          genTime: tenDaysAgo,
          includeCertificates: true,
        }),
    })
    const r = verifyPdf(stamped, trust(pki))
    expect(r.signatures[0]?.indication, JSON.stringify(r.signatures[0]?.problems)).to.equal('PASSED')
    expect(r.signatures[0]?.signedAtProven).to.equal(true)
  })

  it('gives INDETERMINATE for an expired signer without a proving timestamp', async () => {
    const r = verifyPdf(
      await signedBy('expired', undefined, { signingTime: new Date(Date.now() - 100 * DAY) }),
      trust(pki),
    )
    expectVerdict(r, 0, 'INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE')
  })

  it('gives INDETERMINATE for a signer from another CA', async () => {
    const dir = join(tempDir(), 'other-ca')
    await initCa(dir, { pin: '1234', name: 'CA lạ' })
    const other = await issueCertificate(dir, {
      name: 'Người Lạ',
      title: 'Chuyên viên',
      caPin: '1234',
      pin: '1234',
    })
    const { pdf } = await signPdf(await makePdf(), { keySource: openPkcs12KeySource(other.p12, '1234') })
    expectVerdict(verifyPdf(pdf, trust(pki)), 0, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND')
  })

  it('fails a signature whose timestamp is over the wrong imprint', async () => {
    const tsa = openPkcs12KeySource((pki.signers.tsa as { p12: Buffer }).p12, pki.pin)
    const stamp = builtinTsa(tsa)
    const pdf = await signedBy('hoan', undefined, {
      timestamp: () => stamp(Buffer.from('not the signature value')),
    })
    expectVerdict(verifyPdf(pdf, trust(pki)), 0, 'FAILED', 'SIG_CRYPTO_FAILURE')
  })

  it('gives INDETERMINATE, never PASSED, without revocation information', () => {
    const r = verifyPdf(signed, { trustAnchors: [pki.rootDer] })
    expectVerdict(r, 0, 'INDETERMINATE', 'TRY_LATER')
  })

  it('keeps every signature of a legitimate four-signer chain PASSED, with the changes it allowed listed', async () => {
    let pdf = await makePdf({ pages: 2 })
    for (const who of ['khai', 'luong', 'hoan', 'seal']) pdf = await signedBy(who, pdf)
    const r = verifyPdf(pdf, trust(pki))
    expect(
      r.signatures.map((s) => s.indication),
      JSON.stringify(r.signatures.map((s) => s.problems)),
    ).to.deep.equal(['PASSED', 'PASSED', 'PASSED', 'PASSED'])
    expect(r.signatures[0]?.changes.filter((c) => c.allowed).length).to.be.greaterThan(0)
    expect(r.signatures[3]?.changes).to.deep.equal([])
  })
})
