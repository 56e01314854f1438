import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { verifyPdf, type SignatureReport, type VerifyReport } from '../../signing/verify'

const DIR = join(__dirname, '../../../../shared/corpus/interop')

interface Row {
  file: string
  expected_class: 'passed-crypto' | 'detected' | 'unsigned' | 'other'
  expected_detail: string
  expectation_source: string
}

function manifest(): Row[] {
  const [head, ...lines] = readFileSync(join(DIR, 'MANIFEST.tsv'), 'utf8').trimEnd().split('\n')
  const cols = (head as string).split('\t')
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [cols[i], v])) as unknown as Row)
}

/**
 * Files where Kyso deliberately gives another verdict than the origin project's test asserts, each
 * explained in README ("Interoperability"). At most three (issue 17); none today.
 */
export const EXCEPTIONS: Readonly<Record<string, string>> = {}

/** Checks whose failure no trust anchor or revocation data could cure. */
const INTRINSIC = new Set([
  'structure',
  'coverage',
  'integrity',
  'signing-certificate',
  'changes',
  'algorithms',
])

function intrinsicallyFailed(s: SignatureReport): boolean {
  return s.indication === 'FAILED' || s.checks.some((c) => !c.passed && INTRINSIC.has(c.check))
}

function summary(r: VerifyReport): string {
  return r.signatures
    .map((s) => `${s.field} ${s.kind}: ${s.indication}/${s.subIndication} ${s.problems.join('; ')}`)
    .join(' || ')
}

/**
 * Walks ../shared/corpus/interop/MANIFEST.tsv: signed PDFs from EU DSS, pyHanko and iText with the
 * outcome their own tests assert. Trust is not judged (their certificates are not ours), so
 * "passed-crypto" means no signature FAILED and every one intact.
 */
describe('interoperability: the interop corpus gets the verdict its origin project asserts', () => {
  const rows = manifest()

  it('has its manifest', () => {
    expect(rows.length).to.equal(49)
    expect(Object.keys(EXCEPTIONS).length).to.be.at.most(3)
  })

  for (const row of rows) {
    if (EXCEPTIONS[row.file]) continue
    it(`${row.file.replace(/^[^_]+(_[^_]+)?__/, '').slice(0, 70)}: ${row.expected_class} (${row.expected_detail.slice(0, 60)})`, () => {
      const report = verifyPdf(readFileSync(join(DIR, row.file)))
      const why = `${row.expectation_source.slice(0, 120)} | got ${summary(report)}`
      const sigs = report.signatures
      switch (row.expected_class) {
        case 'passed-crypto':
          expect(sigs.length, why).to.be.greaterThan(0)
          expect(
            sigs.filter((s) => s.indication === 'FAILED').map((s) => s.field),
            why,
          ).to.deep.equal([])
          for (const s of sigs) {
            const integrity = s.checks.filter((c) => c.check === 'integrity')
            expect(
              integrity.length > 0 && integrity.every((c) => c.passed),
              `${s.field} intact | ${why}`,
            ).to.equal(true)
          }
          break
        case 'detected':
          expect(
            sigs.some((s) => s.indication === 'FAILED'),
            why,
          ).to.equal(true)
          break
        case 'unsigned':
          expect(sigs, why).to.deep.equal([])
          break
        default:
          judgeOther(row, report, why)
      }
    })
  }
})

/** The "other" rows, by what their expected_detail asserts. */
function judgeOther(row: Row, report: VerifyReport, why: string): void {
  const d = row.expected_detail
  const sigs = report.signatures
  if (/must not be PASSED/.test(d)) {
    // Not PASSED for a reason no trust anchor would cure.
    expect(sigs.some(intrinsicallyFailed), why).to.equal(true)
  } else if (/coversWholeDocument must be false/.test(d)) {
    const s = sigs.find((x) => x.fields.includes('Signature1'))
    expect(s?.coversWholeDocument, why).to.equal(false)
  } else if (/no signature may be FAILED for a modification reason/.test(d)) {
    expect(sigs.length, why).to.be.greaterThan(0)
    const modified = sigs.filter(
      (s) => s.subIndication === 'MODIFIED_AFTER_SIGNING' || s.subIndication === 'INVALID_REVISION',
    )
    expect(
      modified.map((s) => s.field),
      why,
    ).to.deep.equal([])
    expect(
      sigs.flatMap((s) => s.changes.filter((c) => !c.allowed)),
      why,
    ).to.deep.equal([])
  } else if (/first signature \(Sig1\)/.test(d)) {
    const s = sigs.find((x) => x.field === 'Sig1')
    expect(s, why).to.not.equal(undefined)
    expect(s?.indication, why).to.not.equal('FAILED')
  } else {
    throw new Error(`no rule for the expectation '${d}'`)
  }
}
