import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { verifyPdf } from '../../signing/verify'
import { pdfsig } from '../helpers/tools'

const REAL = join(__dirname, '../../../../shared/corpus/real')
const ATTACKS = join(__dirname, '../../../../shared/corpus/attacks')

describe('integrity of the signed files of the real corpus, against pdfsig', function () {
  this.timeout(120_000)
  const files = readdirSync(REAL).filter((f) => f.endsWith('.pdf'))
  let compared = 0

  for (const f of files) {
    const sigs = pdfsig(join(REAL, f)).filter(
      (s) => s.signatureStatus === 'Signature is Valid.' || s.signatureStatus === 'Digest Mismatch.',
    )
    if (sigs.length === 0) continue
    it(`${f.slice(0, 90)}: ${sigs.length} signature(s)`, () => {
      const report = verifyPdf(readFileSync(join(REAL, f)))
      for (const [i, s] of sigs.entries()) {
        // Field names of encrypted files stay encrypted here (we do not decrypt strings): match by order.
        const ours = report.encrypted
          ? report.signatures[i]
          : report.signatures.find((r) => r.fields.includes(s.field))
        expect(ours, `field ${s.field} found`).to.not.equal(undefined)
        const intact =
          (ours?.checks ?? []).filter((c) => c.check === 'integrity').every((c) => c.passed) &&
          (ours?.checks ?? []).some((c) => c.check === 'integrity')
        expect(
          intact,
          `${s.field}: pdfsig says ${s.signatureStatus}; we say ${ours?.problems.join('; ')}`,
        ).to.equal(s.signatureStatus === 'Signature is Valid.')
        compared++
      }
    })
  }

  after(() => {
    expect(compared).to.be.greaterThan(10)
  })
})

describe('the signed revision a validator extracts', () => {
  it('is byte for byte the file DSS extracted for modified_after_signature.pdf', () => {
    const pdf = readFileSync(
      join(ATTACKS, 'esig_dss__dss-pades_src_test_resources_validation_modified_after_signature.pdf'),
    )
    const want = readFileSync(
      join(
        ATTACKS,
        'esig_dss__dss-pades_src_test_resources_validation_retrieved-modified_after_signature.pdf',
      ),
    )
    const [sig] = verifyPdf(pdf).signatures
    const revision = pdf.subarray(0, sig?.signedContentLength as number)
    expect(createHash('sha256').update(revision).digest('hex')).to.equal(
      createHash('sha256').update(want).digest('hex'),
    )
  })
})
