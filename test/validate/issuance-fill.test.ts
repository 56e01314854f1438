import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import type { IssuanceSlots } from '../../signing/layout'
import { PdfDocument } from '../../signing/pdf/document'
import { ISSUANCE_FIELDS, walkFields } from '../../signing/pdf/fields'
import { IncrementalUpdate } from '../../signing/pdf/incremental'
import { PdfDict, PdfRef, PdfStream, name, textString } from '../../signing/pdf/objects'
import { loadCrls } from '../../signing/pki'
import {
  prepareIssuanceFields,
  signPdf,
  writeIssuanceFill,
  type IssuancePlan,
  type SignPdfOptions,
} from '../../signing/sign'
import { verifyPdf } from '../../signing/verify'
import { makePdf } from '../helpers/sample-pdfs'
import { getTestPki, type TestPki } from '../helpers/test-pki'

/** Blanks as the layout would find them on a Decree 30 first page (display = user space here). */
const SLOTS: IssuanceSlots = {
  notes: [],
  number: {
    page: 1,
    box: { x: 120, y: 700, width: 24, height: 15.6 },
    rect: { x: 120, y: 700, width: 24, height: 15.6 },
    fontSize: 13,
    notation: '/QĐ-SKHCN',
  },
  date: {
    page: 1,
    box: { x: 400, y: 716, width: 70, height: 15.6 },
    rect: { x: 400, y: 716, width: 70, height: 15.6 },
    fontSize: 13,
    day: [400, 420],
    month: [450, 470],
    printedYear: 2026,
  },
}

/** A later revision of someone else's: the number field given another value, or only another look. */
function edit(pdf: Buffer, change: 'value' | 'appearance'): Buffer {
  const doc = new PdfDocument(pdf)
  let ref: PdfRef | undefined
  walkFields(doc, (f) => {
    if (f.name === ISSUANCE_FIELDS.number && f.value instanceof PdfRef) ref = f.value
  })
  if (!ref) throw new Error('no number field')
  const upd = new IncrementalUpdate(doc)
  const field = (doc.dict(ref) as PdfDict).clone()
  if (change === 'value') field.set('V', textString('99'))
  else {
    const ap = upd.add(
      new PdfStream(
        new PdfDict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 24, 15.6] }),
        Buffer.from('BT ET'),
      ),
    )
    field.set('AP', new PdfDict({ N: ap }))
  }
  upd.set(ref, field)
  return upd.write()
}

describe('issue 13: the number and date fields under the modification policy', function () {
  this.timeout(60_000)
  let pki: TestPki
  let issued: Buffer
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
    const prepared = prepareIssuanceFields(await makePdf(), SLOTS)
    if ('skipped' in prepared) throw new Error(prepared.skipped)
    const plan: IssuancePlan = prepared.plan
    const approved = await sign(prepared.pdf, 'hoan')
    issued = await sign(approved, 'seal', {
      lockFields: [ISSUANCE_FIELDS.number, ISSUANCE_FIELDS.date],
      alsoWrite: (upd, doc) =>
        void writeIssuanceFill(upd, doc, plan, {
          number: '15',
          date: { day: '06', month: '12', year: '2026' },
        }),
    })
  })

  it("takes the fill in the seal's revision as the expected issuance: allowed, named, no warning", () => {
    const r = verifyPdf(issued, trust())
    expect(r.signatures.map((s) => s.indication)).to.deep.equal(['PASSED', 'PASSED'])
    const fills = r.signatures[0]?.changes.filter((c) => c.kind === 'issuance') ?? []
    expect(fills.map((c) => [c.field, c.allowed, c.level, c.warning ?? false])).to.deep.equal([
      [ISSUANCE_FIELDS.number, true, 'form-filling', false],
      [ISSUANCE_FIELDS.date, true, 'form-filling', false],
    ])
    expect(r.signatures[0]?.warnings ?? []).to.deep.equal([])
  })

  it('fails the seal when the number is retyped afterwards, and leaves the earlier signature PASSED', () => {
    const r = verifyPdf(edit(issued, 'value'), trust())
    expect(r.signatures.map((s) => s.indication)).to.deep.equal(['PASSED', 'FAILED'])
    expect(r.signatures[1]?.subIndication).to.equal('MODIFIED_AFTER_SIGNING')
    expect(r.signatures[1]?.changes.find((c) => c.kind === 'issuance')?.what).to.match(
      /changed from '15' to '99'/,
    )
  })

  it('fails the seal when only what the number shows is replaced', () => {
    const r = verifyPdf(edit(issued, 'appearance'), trust())
    expect(r.signatures[1]?.indication).to.equal('FAILED')
  })

  it('prepares no field on a file that already carries a signature', async () => {
    const signed = await sign(await makePdf(), 'hoan')
    const r = prepareIssuanceFields(signed, SLOTS)
    expect('skipped' in r && r.skipped).to.match(/already carries a signature/)
  })
})
