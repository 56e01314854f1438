import { expect } from 'chai'
import { deflateSync } from 'node:zlib'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { verifyPdf, verifyPdfIsolated, ValidationError, type VerifyReport } from '../../signing/verify'
import { makePdf } from '../helpers/sample-pdfs'

/** A minimal PDF from object bodies, with a classic xref table, so tests can shape the hostile part. */
function pdfFrom(objects: string[], trailerExtra = ''): Buffer {
  let out = '%PDF-1.7\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = out.length
  out +=
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n\r\n`).join('')
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/** Either a report or one of our error codes, within the time limit. */
async function clearResult(pdf: Buffer): Promise<{ ms: number; report?: VerifyReport; code?: string }> {
  const t = Date.now()
  try {
    const report = await verifyPdfIsolated({ pdf }, { timeoutMs: 5000 })
    return { ms: Date.now() - t, report }
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError)
    return { ms: Date.now() - t, code: (err as ValidationError).code }
  }
}

describe('hostile input', function () {
  this.timeout(60_000)

  it('ends a /Prev chain that loops back on itself with a clear result', async () => {
    const base = await makePdf({ xref: 'table' })
    const at = base.length
    const root = /\/Root (\d+ \d+ R)/.exec(base.toString('latin1'))?.[1]
    const tail = `xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 20 /Root ${root} /Prev ${at} >>\nstartxref\n${at}\n%%EOF\n`
    const r = await clearResult(Buffer.concat([base, Buffer.from(tail)]))
    expect(r.ms).to.be.lessThan(5000)
    // The loop is detected, the objects are found by scanning, and the file is reported unsigned.
    expect(r.code).to.equal(undefined)
    expect(r.report?.signatures).to.deep.equal([])
  })

  it('refuses an xref stream that inflates past the limit, quickly, and stays alive', async () => {
    const bomb = deflateSync(Buffer.alloc(100 * 1024 * 1024), { level: 9 })
    const head =
      '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'
    const xrefAt = head.length
    const pdf = Buffer.concat([
      Buffer.from(
        `${head}3 0 obj\n<< /Type /XRef /Size 4 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length ${bomb.length} >>\nstream\n`,
        'latin1',
      ),
      bomb,
      Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'),
    ])
    const r = await clearResult(pdf)
    expect(r.ms).to.be.lessThan(5000)
    // The bomb is refused; the rebuilt xref finds the catalog; there is nothing signed.
    expect(r.code).to.equal(undefined)
    expect(r.report?.signatures).to.deep.equal([])
  })

  it('refuses a 50,000-deep nested array without exhausting the stack', async () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000)
    const pdf = pdfFrom([
      '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields 3 0 R >> >>',
      '<< /Type /Pages /Kids [] /Count 0 >>',
      deep,
    ])
    const r = await clearResult(pdf)
    expect(r.ms).to.be.lessThan(5000)
    expect(r.code).to.equal('PDF_UNREADABLE')
    // And in-process, the same file is a clear error, not a RangeError from a blown stack.
    expect(() => verifyPdf(pdf))
      .to.throw()
      .with.property('code', 'PDF_UNREADABLE')
  })

  it('ends the DSS reference-loop samples within 5 s', async () => {
    for (const f of ['pades_infinite_loop.pdf', 'pades_opposite_infinite_loop.pdf']) {
      const pdf = readFileSync(
        join(
          __dirname,
          '../../../../shared/corpus/attacks/esig_dss__dss-pades_src_test_resources_validation_' + f,
        ),
      )
      expect((await clearResult(pdf)).ms).to.be.lessThan(5000)
    }
  })

  it('kills a validation that runs past its time limit and answers VALIDATION_TIMEOUT', async () => {
    const pdf = await makePdf({ pages: 50 })
    const err = await verifyPdfIsolated({ pdf }, { timeoutMs: 1 }).then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as ValidationError).code).to.equal('VALIDATION_TIMEOUT')
    // The caller is alive and the next validation works.
    const again = await verifyPdfIsolated({ pdf }, { timeoutMs: 10_000 })
    expect(again.signatures).to.deep.equal([])
  })
})
