import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { renderReport } from '../../cli/verify-report'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { PdfDocument } from '../../signing/pdf/document'
import { IncrementalUpdate } from '../../signing/pdf/incremental'
import {
  PdfDict,
  type PdfRef,
  PdfStream,
  PdfString,
  decodeTextString,
  name,
  textString,
  type PdfValue,
} from '../../signing/pdf/objects'
import { loadCrls } from '../../signing/pki'
import { signPdf, timestampPdf, type SignPdfOptions } from '../../signing/sign'
import { createTimestampToken } from '../../signing/tsa'
import { verifyPdf, type SignatureReport } from '../../signing/verify'
import { getTestPki, type TestPki } from '../helpers/test-pki'

type Certification = 'none' | 1 | 2 | 3

/** Appends an unsigned revision made by `edit`, as another tool would. */
function later(pdf: Buffer, edit: (doc: PdfDocument, upd: IncrementalUpdate) => void): Buffer {
  const doc = new PdfDocument(pdf)
  const upd = new IncrementalUpdate(doc)
  edit(doc, upd)
  return upd.write()
}

function fieldRef(doc: PdfDocument, fieldName: string): PdfRef {
  const fields = doc.resolve(doc.dict(doc.catalog().get('AcroForm'))?.get('Fields')) as PdfRef[]
  return fields.find((f) => {
    const t = doc.dict(f)?.get('T')
    return t instanceof PdfString && decodeTextString(t) === fieldName
  }) as PdfRef
}

/** Form filling: a new value for the text field `hoten`. */
const fill = (pdf: Buffer): Buffer =>
  later(pdf, (doc, upd) => {
    const ref = fieldRef(doc, 'hoten')
    upd.set(ref, (doc.get(ref) as PdfDict).clone().set('V', textString('Nguyễn Văn A')))
  })

/** A comment on page 1 at `rect` (FreeText unless said), optionally hidden (§12.5.3 flag 2). */
const annotate = (pdf: Buffer, rect: number[], extra: Record<string, PdfValue> = {}): Buffer =>
  later(pdf, (doc, upd) => {
    const pageRef = doc.pageRef(0)
    const page = (doc.get(pageRef) as PdfDict).clone()
    const annot = upd.add(
      new PdfDict({
        Type: name('Annot'),
        Subtype: name('FreeText'),
        Rect: rect,
        Contents: textString('Ghi chú'),
        P: pageRef,
        ...extra,
      }),
    )
    const annots = doc.resolve(page.get('Annots'))
    upd.set(pageRef, page.set('Annots', [...(Array.isArray(annots) ? annots : []), annot]))
  })

/** Rewrites page 1's /Annots, keeping the entries `keep` accepts. */
const dropAnnotations = (pdf: Buffer, keep: (d: PdfDict | undefined) => boolean): Buffer =>
  later(pdf, (doc, upd) => {
    const pageRef = doc.pageRef(0)
    const page = (doc.get(pageRef) as PdfDict).clone()
    const annots = (doc.resolve(page.get('Annots')) as PdfValue[]).filter((a) => keep(doc.dict(a)))
    upd.set(pageRef, page.set('Annots', annots))
  })

/** Page 1's first content stream replaced: anything else. */
const rewriteContent = (pdf: Buffer): Buffer =>
  later(pdf, (doc, upd) => {
    const c = (doc.dict(doc.pageRef(0)) as PdfDict).get('Contents')
    upd.set(
      (Array.isArray(c) ? c[0] : c) as PdfRef,
      new PdfStream(new PdfDict(), Buffer.from('BT /F1 24 Tf 72 700 Td (DA HUY) Tj ET')),
    )
  })

/** A signature field whose value another tool signed (its CMS is not the point here). */
const foreignSignature = (pdf: Buffer): Buffer =>
  later(pdf, (doc, upd) => {
    const sig = upd.add(
      new PdfDict({
        Type: name('Sig'),
        Filter: name('Adobe.PPKLite'),
        SubFilter: name('ETSI.CAdES.detached'),
        ByteRange: [0, 1, 2, 3],
        Contents: new PdfString(Buffer.alloc(8), true),
      }),
    )
    const widget = upd.add(
      new PdfDict({
        Type: name('Annot'),
        Subtype: name('Widget'),
        FT: name('Sig'),
        T: textString('Khac'),
        V: sig,
        Rect: [0, 0, 0, 0],
        P: doc.pageRef(0),
      }),
    )
    const acroRef = doc.catalog().get('AcroForm') as PdfRef
    const acro = (doc.get(acroRef) as PdfDict).clone()
    upd.set(acroRef, acro.set('Fields', [...(doc.resolve(acro.get('Fields')) as PdfValue[]), widget]))
  })

/** A one-page form: "TO KHAI" at (72, 760), a text field, a check box, and a 100 pt image at (300, 500). */
async function formWithImage(): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([595.28, 841.89])
  page.drawText('TO KHAI', { x: 72, y: 760, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) })
  const png = new PNG({ width: 2, height: 2 })
  png.data.fill(0x80)
  page.drawImage(await doc.embedPng(PNG.sync.write(png)), { x: 300, y: 500, width: 100, height: 100 })
  const form = doc.getForm()
  form.createTextField('hoten').addToPage(page, { x: 72, y: 700, width: 300, height: 24 })
  form.createCheckBox('dongy').addToPage(page, { x: 72, y: 660, width: 16, height: 16 })
  return Buffer.from(await doc.save({ useObjectStreams: false }))
}

const OVER_TEXT = [70, 755, 200, 780]
const MARGIN = [20, 20, 60, 50]
const OVER_IMAGE = [320, 520, 360, 560]

describe('the modification policy (issue 17), level by level, with and without certification', function () {
  this.timeout(180_000)
  let pki: TestPki
  let form: Buffer
  const signed = new Map<string, Buffer>()
  const trust = () => ({
    trustAnchors: [pki.rootDer],
    crls: loadCrls(readFileSync(join(pki.dir, 'crl.pem'))),
  })
  const key = (who: string) => openPkcs12KeySource((pki.signers[who] as { p12: Buffer }).p12, pki.pin)
  const sign = async (pdf: Buffer, who: string, extra: Partial<SignPdfOptions> = {}) =>
    (await signPdf(pdf, { keySource: key(who), ...extra })).pdf
  const first = (pdf: Buffer): SignatureReport => verifyPdf(pdf, trust()).signatures[0] as SignatureReport
  const base = (c: Certification): Buffer => signed.get(String(c)) as Buffer

  before(async () => {
    pki = await getTestPki()
    form = await formWithImage()
    signed.set('none', await sign(form, 'khai'))
    for (const p of [1, 2, 3] as const) signed.set(String(p), await sign(form, 'seal', { certify: p }))
    signed.set('locked', await sign(form, 'khai', { lockFields: ['hoten'] }))
  })

  type Expect = 'PASSED' | 'PASSED+warning' | 'FAILED'
  const levels: {
    level: string
    make: (pdf: Buffer, c: Certification) => Promise<Buffer> | Buffer
    want: Record<string, Expect>
  }[] = [
    {
      level: 'none (nothing after the signature)',
      make: (pdf) => pdf,
      want: { none: 'PASSED', 1: 'PASSED', 2: 'PASSED', 3: 'PASSED' },
    },
    {
      level: 'signatures: a document timestamp',
      make: async (pdf) =>
        (
          await timestampPdf(pdf, {
            timestamp: (imprint) => createTimestampToken({ imprint, keySource: key('tsa') }),
          })
        ).pdf,
      want: { none: 'PASSED', 1: 'PASSED', 2: 'PASSED', 3: 'PASSED' },
    },
    {
      level: 'signatures: a further signature',
      make: (pdf, c) => (c === 1 ? foreignSignature(pdf) : sign(pdf, 'luong')),
      want: { none: 'PASSED', 1: 'FAILED', 2: 'PASSED', 3: 'PASSED' },
    },
    {
      level: 'form filling',
      make: fill,
      want: { none: 'PASSED+warning', 1: 'FAILED', 2: 'PASSED', 3: 'PASSED' },
    },
    {
      level: 'annotations: a comment in the margin',
      make: (pdf) => annotate(pdf, MARGIN),
      want: { none: 'PASSED+warning', 1: 'FAILED', 2: 'FAILED', 3: 'PASSED' },
    },
    {
      level: 'annotations: a comment over the signed text',
      make: (pdf) => annotate(pdf, OVER_TEXT),
      want: { none: 'FAILED', 1: 'FAILED', 2: 'FAILED', 3: 'PASSED+warning' },
    },
    {
      level: 'annotations: a comment over the signed image',
      make: (pdf) => annotate(pdf, OVER_IMAGE),
      want: { none: 'FAILED', 1: 'FAILED', 2: 'FAILED', 3: 'PASSED+warning' },
    },
    {
      level: 'anything else: the page content rewritten',
      make: rewriteContent,
      want: { none: 'FAILED', 1: 'FAILED', 2: 'FAILED', 3: 'FAILED' },
    },
  ]

  for (const l of levels) {
    for (const c of ['none', 1, 2, 3] as const) {
      const want = l.want[String(c)] as Expect
      it(`${l.level}, ${c === 'none' ? 'not certified' : `DocMDP P=${c}`}: ${want}`, async () => {
        const s = first(await l.make(base(c), c))
        const why = JSON.stringify({ problems: s.problems, changes: s.changes })
        expect(s.indication, why).to.equal(want === 'FAILED' ? 'FAILED' : 'PASSED')
        if (want === 'FAILED') expect(s.subIndication, why).to.equal('MODIFIED_AFTER_SIGNING')
        expect(s.warnings.length > 0, `warnings: ${JSON.stringify(s.warnings)}`).to.equal(
          want === 'PASSED+warning',
        )
      })
    }
  }

  it('fails form filling of a field the signature locks (FieldMDP), certified or not', async () => {
    const s = first(fill(signed.get('locked') as Buffer))
    expect([s.indication, s.subIndication]).to.deep.equal(['FAILED', 'MODIFIED_AFTER_SIGNING'])
    const certified = await sign(base(2), 'khai', { lockFields: ['hoten'] })
    const report = verifyPdf(fill(certified), trust())
    expect(report.signatures.map((x) => x.indication)).to.deep.equal(['PASSED', 'FAILED'])
  })

  it('names the comment, its object and its page in the warning, in English and Vietnamese', async () => {
    const s = first(annotate(base('none'), MARGIN))
    const [w] = s.warnings
    expect(w?.kind).to.equal('annotation')
    expect(w?.page).to.equal(1)
    expect(w?.object).to.be.a('number')
    expect(w?.what).to.equal('annotation /FreeText added on page 1')
    expect(w?.what_vi).to.equal(`Trang 1: chú thích /FreeText được thêm sau khi ký (đối tượng ${w?.object})`)
    expect(s.modificationLevel).to.equal('annotations')
    const report = verifyPdf(annotate(base('none'), MARGIN), trust())
    expect(renderReport(report, 'vi')).to.include(
      `Lưu ý (thay đổi được phép nhưng cần biết):\n    - Trang 1: chú thích /FreeText được thêm sau khi ký (đối tượng ${w?.object})`,
    )
    expect(renderReport(report, 'en')).to.include(
      `Warnings (allowed changes worth knowing):\n    - annotation /FreeText added on page 1 [object ${w?.object}]`,
    )
  })

  it('names the comment over the signed text, with its page, in the failure', async () => {
    const report = verifyPdf(annotate(base('none'), OVER_TEXT), trust())
    const s = report.signatures[0] as SignatureReport
    expect(s.problems).to.include('annotation /FreeText added on page 1, over the signed content')
    expect(renderReport(report, 'vi')).to.match(
      /Trang 1: chú thích \/FreeText được thêm sau khi ký \(đối tượng \d+\), che lên nội dung đã ký/,
    )
  })

  it('lets a hidden comment over the text pass with a warning: it shows nothing', () => {
    const s = first(annotate(base('none'), OVER_TEXT, { F: 2 }))
    expect(s.indication, JSON.stringify(s.problems)).to.equal('PASSED')
    expect(s.warnings).to.have.length(1)
  })

  it('judges a changed comment by where it now shows, and a removed one with a warning', async () => {
    const commented = await sign(annotate(form, MARGIN), 'khai')
    const moved = later(commented, (doc, upd) => {
      const annots = doc.resolve((doc.dict(doc.pageRef(0)) as PdfDict).get('Annots')) as PdfRef[]
      const ref = annots[annots.length - 1] as PdfRef
      upd.set(ref, (doc.get(ref) as PdfDict).clone().set('Rect', OVER_TEXT))
    })
    expect(first(moved).indication).to.equal('FAILED')
    const removed = first(
      dropAnnotations(
        commented,
        (d) =>
          d?.get('Subtype') instanceof Object && (d.get('Subtype') as { name: string }).name !== 'FreeText',
      ),
    )
    expect(removed.indication, JSON.stringify(removed.problems)).to.equal('PASSED')
    expect(removed.warnings.map((w) => w.what)).to.deep.equal(['annotation /FreeText removed on page 1'])
  })

  it('fails a signature when a form widget is removed from the page', () => {
    const s = first(
      dropAnnotations(base('none'), (d) => (d?.get('FT') as { name?: string } | undefined)?.name === 'Sig'),
    )
    expect([s.indication, s.subIndication]).to.deep.equal(['FAILED', 'MODIFIED_AFTER_SIGNING'])
    expect(s.problems.join(' ')).to.match(/form widget was removed on page 1/)
  })

  it('allows catalog extensions and a tagged structure added later', () => {
    const tagged = later(base('none'), (doc, upd) => {
      const root = upd.add(new PdfDict({ Type: name('StructTreeRoot'), K: [] }))
      const catalog = doc.catalog().clone()
      catalog.set('MarkInfo', new PdfDict({ Marked: true })).set('StructTreeRoot', root)
      catalog.set(
        'Extensions',
        new PdfDict({ ESIC: new PdfDict({ BaseVersion: name('1.7'), ExtensionLevel: 2 }) }),
      )
      upd.set(doc.catalogRef(), catalog)
    })
    const s = first(tagged)
    expect(s.indication, JSON.stringify(s.problems)).to.equal('PASSED')
    expect(s.modificationLevel).to.equal('signatures')
    expect(s.changes.map((c) => c.kind).sort()).to.deep.equal(['catalog', 'structure', 'structure'])
  })

  it('allows a pre-existing empty signature field to be signed under DocMDP P=2, with its /V, /AP and /F set', async () => {
    // An empty, hidden signature field prepared before the certification (§12.7.5.5).
    const withField = later(form, (doc, upd) => {
      const ap = upd.add(
        new PdfStream(
          new PdfDict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 150, 40] }),
          Buffer.alloc(0),
        ),
      )
      const widget = upd.add(
        new PdfDict({
          Type: name('Annot'),
          Subtype: name('Widget'),
          FT: name('Sig'),
          T: textString('Duyet'),
          F: 2,
          Rect: [300, 60, 450, 100],
          P: doc.pageRef(0),
          AP: new PdfDict({ N: ap }),
        }),
      )
      const acroRef = doc.catalog().get('AcroForm') as PdfRef
      const acro = (doc.get(acroRef) as PdfDict).clone()
      upd.set(acroRef, acro.set('Fields', [...(doc.resolve(acro.get('Fields')) as PdfValue[]), widget]))
      const pageRef = doc.pageRef(0)
      const page = (doc.get(pageRef) as PdfDict).clone()
      upd.set(pageRef, page.set('Annots', [...(doc.resolve(page.get('Annots')) as PdfValue[]), widget]))
    })
    const certified = await sign(withField, 'seal', { certify: 2 })
    const signedField = later(certified, (doc, upd) => {
      const ref = fieldRef(doc, 'Duyet')
      const sig = upd.add(
        new PdfDict({
          Type: name('Sig'),
          Filter: name('Adobe.PPKLite'),
          SubFilter: name('ETSI.CAdES.detached'),
          ByteRange: [0, 1, 2, 3],
          Contents: new PdfString(Buffer.alloc(8), true),
        }),
      )
      const ap = upd.add(
        new PdfStream(
          new PdfDict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 150, 40] }),
          Buffer.from('0 0 1 rg 0 0 150 40 re f'),
        ),
      )
      upd.set(
        ref,
        (doc.get(ref) as PdfDict)
          .clone()
          .set('V', sig)
          .set('F', 4)
          .set('AP', new PdfDict({ N: ap })),
      )
    })
    const s = verifyPdf(signedField, trust()).signatures.find((x) => x.field !== 'Duyet') as SignatureReport
    expect(s.indication, JSON.stringify(s.problems)).to.equal('PASSED')
    expect(s.changes.map((c) => [c.kind, c.level, c.allowed])).to.deep.include([
      'signature-field',
      'signatures',
      true,
    ])
  })

  it('still reports, and fails, a signature whose AcroForm a later revision removed', () => {
    const stripped = later(base('none'), (doc, upd) => {
      const catalog = doc.catalog().clone()
      catalog.delete('AcroForm')
      upd.set(doc.catalogRef(), catalog)
    })
    const report = verifyPdf(stripped, trust())
    expect(report.signatures).to.have.length(1)
    expect([report.signatures[0]?.indication, report.signatures[0]?.subIndication]).to.deep.equal([
      'FAILED',
      'MODIFIED_AFTER_SIGNING',
    ])
    expect(report.signatures[0]?.problems.join(' ')).to.match(/the AcroForm was removed/)
    expect(report.signatures[0]?.problems.join(' ')).to.match(/removed from the form after signing/)
  })
})
