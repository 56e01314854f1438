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
 * Rows whose `kyso_verdict` (written before issue 17) the modification policy of issue 17 changes,
 * with the reason; README "What may change after a signature" has the policy.
 */
export const OVERRIDES: Readonly<Record<string, { verdict: string; why: string }>> = {
  'esig_dss__dss-pades_src_test_resources_validation_pades-signed-annot-added.pdf': {
    verdict: 'valid',
    why:
      'two FreeText comments added after an approval signature on an uncertified document, neither over the ' +
      'signed text: PASSED with a warning naming them and page 1 (DSS accepts it with annotation changes)',
  },
  'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_form-update-override-appearance-stream.pdf':
    {
      verdict: 'valid',
      why:
        'the second signature signs an empty signature field and rewrites its appearance stream in place; ' +
        'nothing else uses that stream, so it is a signature-level change (pyHanko: FORM_FILLING, allowed)',
    },
}

/**
 * Walks ../shared/corpus/attacks/MANIFEST.tsv: every file's verdict must match `kyso_verdict`, or
 * its override above (the test certificates are untrusted or expired, so intact signatures are
 * INDETERMINATE).
 */
describe('the attack corpus', () => {
  const rows = manifest().map((r) =>
    OVERRIDES[r.file] ? { ...r, kyso_verdict: (OVERRIDES[r.file] as { verdict: string }).verdict } : r,
  )

  it('has its manifest', () => {
    expect(rows.length).to.be.greaterThan(40)
  })

  for (const row of rows) {
    const short = row.file.replace(/^.*?(validation_|test_data_data_pdf_|signed-once__|resources_)/, '')
    it(`${short} (${row.attack_class.slice(0, 50)}): ${row.kyso_verdict}`, () => {
      const pdf = readFileSync(join(DIR, row.file))
      const started = Date.now()
      let report: ReturnType<typeof verifyPdf>
      try {
        report = verifyPdf(pdf)
      } catch (err) {
        // Only a 'terminates' case may end in an error, and it must be one of ours, quickly.
        expect(row.kyso_verdict, `threw ${(err as Error).message}`).to.equal('terminates')
        expect((err as { code?: string }).code).to.match(/^PDF_/)
        return
      }
      const elapsed = Date.now() - started
      const why = `${OVERRIDES[row.file]?.why ?? row.expected_verdict} | got ${report.signatures.map((s) => `${s.indication}/${s.subIndication}: ${s.problems.join('; ')}`).join(' || ')}`
      switch (row.kyso_verdict) {
        case 'valid':
          expect(report.signatures.length, why).to.be.greaterThan(0)
          expect(
            report.signatures.filter((s) => s.indication === 'FAILED'),
            why,
          ).to.deep.equal([])
          break
        case 'failed':
          expect(
            report.signatures.some((s) => s.indication === 'FAILED'),
            why,
          ).to.equal(true)
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

describe('the overridden rows of the attack corpus', () => {
  it('lists the added comments of pades-signed-annot-added as warnings with their page, in both languages', () => {
    const pdf = readFileSync(
      join(DIR, 'esig_dss__dss-pades_src_test_resources_validation_pades-signed-annot-added.pdf'),
    )
    const [sig] = verifyPdf(pdf).signatures
    const added =
      sig?.warnings.filter((w) => w.kind === 'annotation' && /FreeText added on page 1/.test(w.what)) ?? []
    expect(added, JSON.stringify(sig?.warnings)).to.have.length(2)
    expect(
      added.every(
        (w) => w.page === 1 && w.object !== null && /Trang 1: chú thích \/FreeText được thêm/.test(w.what_vi),
      ),
    ).to.equal(true)
    expect(sig?.modificationLevel).to.equal('annotations')
  })

  it('judges the in-place appearance of form-update-override-appearance-stream at the signatures level', () => {
    const file =
      'MatthiasValvekens_pyHanko__internal_common-test-utils_src_pyhanko_testing_commons_test_data_data_pdf_form-update-override-appearance-stream.pdf'
    const [first] = verifyPdf(readFileSync(join(DIR, file))).signatures
    expect(first?.modificationLevel, JSON.stringify(first?.changes)).to.equal('signatures')
    expect(first?.warnings).to.deep.equal([])
  })
})
