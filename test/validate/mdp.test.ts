import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { PdfDocument } from '../../signing/pdf/document'
import { IncrementalUpdate } from '../../signing/pdf/incremental'
import {
  PdfDict,
  type PdfRef,
  PdfString,
  decodeTextString,
  name,
  textString,
} from '../../signing/pdf/objects'
import { loadCrls } from '../../signing/pki'
import { signPdf, type SignPdfOptions } from '../../signing/sign'
import { verifyPdf } from '../../signing/verify'
import { getTestPki, type TestPki } from '../helpers/test-pki'
import { makeFormPdf } from '../helpers/sample-pdfs'

/** Sets the text field `hoten` to a value, in a new unsigned revision (what a form filler does). */
function fill(pdf: Buffer, value: string): Buffer {
  const doc = new PdfDocument(pdf)
  const upd = new IncrementalUpdate(doc)
  const fields = doc.resolve(doc.dict(doc.catalog().get('AcroForm'))?.get('Fields')) as PdfRef[]
  const field = fields.find((f) => {
    const t = doc.dict(f)?.get('T')
    return t instanceof PdfString && decodeTextString(t) === 'hoten'
  }) as PdfRef
  upd.set(field, (doc.get(field) as PdfDict).clone().set('V', textString(value)))
  return upd.write()
}

/** Adds a FreeText annotation on page 1, in a new unsigned revision. */
function annotate(pdf: Buffer): Buffer {
  const doc = new PdfDocument(pdf)
  const upd = new IncrementalUpdate(doc)
  const pageRef = doc.pageRef(0)
  const page = (doc.get(pageRef) as PdfDict).clone()
  const annot = upd.add(
    new PdfDict({
      Type: name('Annot'),
      Subtype: name('FreeText'),
      Rect: [72, 600, 300, 640],
      Contents: textString('Ghi chú'),
      P: pageRef,
    }),
  )
  const annots = doc.resolve(page.get('Annots'))
  upd.set(pageRef, page.set('Annots', [...(Array.isArray(annots) ? annots : []), annot]))
  return upd.write()
}

describe('DocMDP certification and FieldMDP locks', function () {
  this.timeout(60_000)
  let pki: TestPki
  const trust = () => ({
    trustAnchors: [pki.rootDer],
    crls: loadCrls(readFileSync(join(pki.dir, 'crl.pem'))),
  })
  const sign = async (pdf: Buffer, who: string, extra: Partial<SignPdfOptions> = {}): Promise<Buffer> =>
    (
      await signPdf(pdf, {
        keySource: openPkcs12KeySource((pki.signers[who] as { p12: Buffer }).p12, pki.pin),
        ...extra,
      })
    ).pdf

  before(async () => {
    pki = await getTestPki()
  })

  it('allows form filling after a P=2 certification, and the signature still PASSES', async () => {
    const r = verifyPdf(
      fill(await sign(await makeFormPdf(), 'seal', { certify: 2 }), 'Nguyễn Văn A'),
      trust(),
    )
    expect(r.signatures[0]?.indication, JSON.stringify(r.signatures[0]?.problems)).to.equal('PASSED')
    expect(r.signatures[0]?.changes.some((c) => c.kind === 'form-field' && c.allowed)).to.equal(true)
  })

  it('fails a P=2 certification when an annotation is added', async () => {
    const r = verifyPdf(annotate(await sign(await makeFormPdf(), 'seal', { certify: 2 })), trust())
    expect(r.signatures[0]?.indication).to.equal('FAILED')
    expect(r.signatures[0]?.subIndication).to.equal('MODIFIED_AFTER_SIGNING')
  })

  it('allows an annotation after a P=3 certification', async () => {
    const r = verifyPdf(annotate(await sign(await makeFormPdf(), 'seal', { certify: 3 })), trust())
    expect(r.signatures[0]?.indication, JSON.stringify(r.signatures[0]?.problems)).to.equal('PASSED')
  })

  it('fails a P=1 certification when anything follows it, even a signature', async () => {
    const certified = await sign(await makeFormPdf(), 'seal', { certify: 1 })
    // Signing a P=1 document is refused by Kyso itself; another tool's later revision is simulated here.
    const err = await sign(certified, 'khai').then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as { code?: string }).code).to.equal('PDF_CERTIFIED_NO_CHANGES')
    const r = verifyPdf(fill(certified, 'x'), trust())
    expect(r.signatures[0]?.indication).to.equal('FAILED')
    expect(r.signatures[0]?.changes.some((c) => c.kind === 'certification')).to.equal(true)
  })

  it('passes an approval signature when a form is filled without any certification, with a warning naming the field', async () => {
    // Issue 17: without DocMDP an approval signature protects the fields its FieldMDP locks; filling
    // another field is allowed (pyHanko's FORM_FILLING, a DSS warning) and listed for the reader.
    const r = verifyPdf(fill(await sign(await makeFormPdf(), 'khai'), 'Nguyễn Văn A'), trust())
    expect(r.signatures[0]?.indication, JSON.stringify(r.signatures[0]?.problems)).to.equal('PASSED')
    expect(r.signatures[0]?.modificationLevel).to.equal('form-filling')
    const [w] = r.signatures[0]?.warnings ?? []
    expect(w?.kind).to.equal('form-field')
    expect(w?.what).to.include("'hoten'")
    expect(w?.what_vi).to.include("trường biểu mẫu 'hoten'")
  })

  it('fails an approval signature that locks the field a later revision fills', async () => {
    const r = verifyPdf(
      fill(await sign(await makeFormPdf(), 'khai', { lockFields: ['hoten'] }), 'Nguyễn Văn A'),
      trust(),
    )
    expect(r.signatures[0]?.indication).to.equal('FAILED')
    expect(r.signatures[0]?.problems.join(' ')).to.match(/locked by the signature \(FieldMDP\)/)
  })

  it('enforces a FieldMDP lock even where the certification allows form filling', async () => {
    const certified = await sign(await makeFormPdf(), 'seal', { certify: 2 })
    const locked = await sign(certified, 'khai', { lockFields: ['hoten'] })
    const r = verifyPdf(fill(locked, 'Người khác'), trust())
    expect(r.signatures[0]?.indication, 'the certification allows it').to.equal('PASSED')
    expect(r.signatures[1]?.indication).to.equal('FAILED')
    expect(r.signatures[1]?.problems.join(' ')).to.match(/locked/)
    const other = await sign(certified, 'khai', { lockFields: ['dongy'] })
    expect(
      verifyPdf(fill(other, 'Người khác'), trust()).signatures[1]?.indication,
      'a lock on another field',
    ).to.equal('PASSED')
  })
})
