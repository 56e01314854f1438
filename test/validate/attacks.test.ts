import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { verifyPdf } from '../../signing/verify'

const DIR = join(__dirname, '../../../../shared/corpus/attacks')

interface Row {
  file: string
  attack_class: string
  expected_verdict: string
  kyso_verdict: string
  kyso_note: string
}

function manifest(): Row[] {
  const [head, ...lines] = readFileSync(join(DIR, 'MANIFEST.tsv'), 'utf8').trimEnd().split('\n')
  const cols = (head as string).split('\t')
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [cols[i], v])) as unknown as Row)
}

/**
 * Walks ../shared/corpus/attacks/MANIFEST.tsv: every file's verdict must match `kyso_verdict`
 * (the test certificates are untrusted or expired, so intact signatures are INDETERMINATE).
 */
describe('the attack corpus', () => {
  const rows = manifest()

  it('has its manifest', () => {
    expect(rows.length).to.be.greaterThan(40)
  })

  for (const row of rows) {
    const short = row.file.replace(/^.*?(validation_|test_data_data_pdf_|signed-once__|resources_)/, '')
    it(`${short} (${row.attack_class.slice(0, 50)}): ${row.kyso_verdict}`, () => {
      const pdf = readFileSync(join(DIR, row.file))
      const started = Date.now()
      let report
      try {
        report = verifyPdf(pdf)
      } catch (err) {
        // Only a 'terminates' case may end in an error, and it must be one of ours, quickly.
        expect(row.kyso_verdict, `threw ${(err as Error).message}`).to.equal('terminates')
        expect((err as { code?: string }).code).to.match(/^PDF_/)
        return
      }
      const elapsed = Date.now() - started
      const why = `${row.expected_verdict} | got ${report.signatures.map((s) => `${s.indication}/${s.subIndication}: ${s.problems.join('; ')}`).join(' || ')}`
      switch (row.kyso_verdict) {
        case 'valid':
          expect(report.signatures.length, why).to.be.greaterThan(0)
          expect(report.signatures.filter((s) => s.indication === 'FAILED'), why).to.deep.equal([])
          break
        case 'failed':
          expect(report.signatures.some((s) => s.indication === 'FAILED'), why).to.equal(true)
          break
        case 'none':
          expect(report.signatures, why).to.deep.equal([])
          break
        case 'terminates':
          expect(elapsed).to.be.lessThan(5000)
          break
        case 'one-signature':
          expect(report.signatures, why).to.have.length(1)
          break
        case 'reference':
          break
        default:
          throw new Error(`unknown kyso_verdict '${row.kyso_verdict}'`)
      }
    })
  }
})
