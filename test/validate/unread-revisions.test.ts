import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { PdfDocument } from '../../signing/pdf/document'
import { IncrementalUpdate } from '../../signing/pdf/incremental'
import { PdfDict, type PdfRef, PdfStream } from '../../signing/pdf/objects'
import { loadCrls } from '../../signing/pki'
import { signPdf } from '../../signing/sign'
import { findStartxref } from '../../signing/pdf/xref'
import { verifyPdf, type SignatureReport } from '../../signing/verify'
import { getTestPki, type TestPki } from '../helpers/test-pki'
import { makePdf } from '../helpers/sample-pdfs'

/** Appends `body` (objects) with a classic xref section for them and a trailer, as a raw revision. */
function rawRevision(
  pdf: Buffer,
  objects: { num: number; text: string }[],
  trailer: (xrefAt: number) => string,
): Buffer {
  let out = Buffer.concat([pdf, Buffer.from('\n')])
  const offsets: [number, number][] = []
  for (const o of objects) {
    offsets.push([o.num, out.length])
    out = Buffer.concat([out, Buffer.from(`${o.num} 0 obj\n${o.text}\nendobj\n`, 'latin1')])
  }
  const xrefAt = out.length
  const rows = offsets.map(([n, off]) => `${n} 1\n${String(off).padStart(10, '0')} 00000 n \n`).join('')
  return Buffer.concat([
    out,
    Buffer.from(
      `xref\n0 1\n0000000000 65535 f \n${rows}trailer\n${trailer(xrefAt)}\nstartxref\n${xrefAt}\n%%EOF\n`,
      'latin1',
    ),
  ])
}

describe('revisions Kyso cannot read are findings, never skipped (issue 17)', function () {
  this.timeout(60_000)
  let pki: TestPki
  let signed: Buffer
  const trust = () => ({
    trustAnchors: [pki.rootDer],
    crls: loadCrls(readFileSync(join(pki.dir, 'crl.pem'))),
  })
  const first = (pdf: Buffer): SignatureReport => verifyPdf(pdf, trust()).signatures[0] as SignatureReport

  before(async () => {
    pki = await getTestPki()
    const keySource = openPkcs12KeySource((pki.signers.khai as { p12: Buffer }).p12, pki.pin)
    signed = (await signPdf(await makePdf({ xref: 'table' }), { keySource })).pdf
    expect(first(signed).indication).to.equal('PASSED')
  })

  const contentRef = (doc: PdfDocument): PdfRef => {
    const c = (doc.dict(doc.pageRef(0)) as PdfDict).get('Contents')
    return (Array.isArray(c) ? c[0] : c) as PdfRef
  }

  it('fails the signature when a later revision has a cross-reference section that cannot be read', () => {
    const doc = new PdfDocument(signed)
    const root = doc.catalogRef().num
    const forged = Buffer.concat([
      signed,
      Buffer.from(
        `\n${contentRef(doc).num} 0 obj\n<< /Length 30 >>\nstream\nBT /F1 24 Tf (DA HUY) Tj ET  \nendstream\nendobj\n`,
      ),
      Buffer.from(
        `xref\nthis is not a cross-reference table\ntrailer\n<< /Root ${root} 0 R /Size 999 >>\nstartxref\n${signed.length + 90}\n%%EOF\n`,
      ),
    ])
    const s = first(forged)
    expect([s.indication, s.subIndication], JSON.stringify(s.problems)).to.deep.equal([
      'FAILED',
      'INVALID_REVISION',
    ])
    expect(s.problems.join(' ')).to.match(/revision 3: no readable cross-reference section/)
    // Read by scanning, the shadow content it writes is compared too.
    expect(s.problems.join(' ')).to.match(/content of page 1 changed/)
  })

  it('fails the signature when a later revision is left off the chain of /Prev links (its objects are never read)', () => {
    const doc = new PdfDocument(signed)
    const shadow = new IncrementalUpdate(doc)
    shadow.set(
      contentRef(doc),
      new PdfStream(new PdfDict(), Buffer.from('BT /F1 24 Tf 72 700 Td (DA HUY) Tj ET')),
    )
    const withShadow = shadow.write()
    // A further revision whose /Prev points past the shadow revision, at the signed one's xref.
    const root = doc.catalogRef().num
    const info = doc.trailer.get('Info') as PdfRef
    const forged = rawRevision(
      withShadow,
      [{ num: info.num, text: '<< /Producer (Kyso test) >>' }],
      () =>
        `<< /Root ${root} 0 R /Info ${info.num} 0 R /Size ${doc.nextObjectNumber} /Prev ${findStartxref(signed)} >>`,
    )
    const s = first(forged)
    expect([s.indication, s.subIndication], JSON.stringify(s.problems)).to.deep.equal([
      'FAILED',
      'INVALID_REVISION',
    ])
    expect(s.problems.join(' ')).to.match(/not on the document's chain of cross-reference sections/)
  })

  it('fails the signature when a later revision writes an object that cannot be parsed', () => {
    const doc = new PdfDocument(signed)
    const info = doc.trailer.get('Info') as PdfRef
    const forged = rawRevision(
      signed,
      [{ num: info.num, text: '<< /Producer (unterminated' }],
      () =>
        `<< /Root ${doc.catalogRef().num} 0 R /Info ${info.num} 0 R /Size ${doc.nextObjectNumber} /Prev ${findStartxref(signed)} >>`,
    )
    const s = first(forged)
    expect([s.indication, s.subIndication], JSON.stringify(s.problems)).to.deep.equal([
      'FAILED',
      'INVALID_REVISION',
    ])
    expect(s.changes.some((c) => c.kind === 'unreadable' && c.object === info.num)).to.equal(true)
  })
})
