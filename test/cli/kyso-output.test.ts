/**
 * Where `kyso sign` writes (issue 16): its result line on stdout and its notes on stderr, and never
 * over its input, however the output path names it.
 */
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { expect } from 'chai'
import { makePdf } from '../helpers/sample-pdfs'
import { getTestPki } from '../helpers/test-pki'
import { tempDir } from '../helpers/tools'

const BIN = join(__dirname, '../../../bin/kyso.js')

describe('kyso sign: results on stdout, notes on stderr, never over its input (issue 16)', function () {
  this.timeout(300_000)
  let dir: string
  let input: string
  let p12: string
  let pin: string
  let original: Buffer

  const kyso = (args: string[], cwd = dir) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', KYSO_PIN: pin },
      timeout: 60_000,
    })
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
  }

  before(async () => {
    const pki = await getTestPki()
    pin = pki.pin
    dir = tempDir('kyso-cli-output-')
    input = join(dir, 'in.pdf')
    p12 = join(dir, 'hoan.p12')
    original = await makePdf()
    writeFileSync(input, original)
    writeFileSync(p12, pki.signers.hoan.p12)
  })

  it('prints the signed field on stdout and the unchecked revocation on stderr', () => {
    const r = kyso(['sign', input, '--out', join(dir, 'out.pdf'), '--p12', p12])
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stdout).to.match(/^signed Signature1 \(B-B\) -> .*out\.pdf\n$/)
    expect(r.stderr).to.match(/^kyso: warning: revocation was not checked/)
    expect(r.stderr).to.not.match(/signed Signature1/)
  })

  it('refuses --out naming the input by its path, a relative path, a symbolic or a hard link', () => {
    mkdirSync(join(dir, 'sub'), { recursive: true })
    symlinkSync(input, join(dir, 'link.pdf'))
    linkSync(input, join(dir, 'hard.pdf'))
    const cases: Array<{ out: string; input?: string; cwd?: string }> = [
      { out: input },
      { out: 'in.pdf' },
      { out: './sub/../in.pdf' },
      { out: join(dir, 'link.pdf') },
      { out: join(dir, 'hard.pdf') },
      { out: input, input: 'link.pdf' },
      { out: relative(join(dir, 'sub'), input), input: input, cwd: join(dir, 'sub') },
    ]
    const before = readdirSync(dir).sort()
    for (const c of cases) {
      const r = kyso(['sign', c.input ?? input, '--out', c.out, '--p12', p12], c.cwd)
      expect(r.code, `${c.out}: ${r.stderr}`).to.equal(2)
      expect(r.stdout).to.equal('')
      expect(r.stderr, c.out).to.match(/^kyso: OUTPUT_IS_INPUT: [^\n]+\n$/)
      expect(readFileSync(input).equals(original), `${c.out}: the input is unchanged`).to.equal(true)
    }
    expect(readdirSync(dir).sort(), 'nothing written').to.deep.equal(before)
    expect(existsSync(`${input}.kyso-tmp`)).to.equal(false)
  })

  it('still writes beside the input, and over an older output', () => {
    const out = join(dir, 'again.pdf')
    expect(kyso(['sign', input, '--out', out, '--p12', p12]).code).to.equal(0)
    const r = kyso(['sign', input, '--out', out, '--p12', p12])
    expect(r.code, r.stderr).to.equal(0)
    expect(readFileSync(input).equals(original)).to.equal(true)
  })
})
