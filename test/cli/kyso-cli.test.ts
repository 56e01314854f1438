import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseSignedData } from '../../signing/cms'
import { makePdf } from '../helpers/sample-pdfs'
import { extractSignatures, flipSignedByte, tempDir } from '../helpers/tools'

const BIN = join(__dirname, '../../../bin/kyso.js')

function kyso(
  args: string[],
  env: Record<string, string> = {},
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', KYSO_PIN: '1234', KYSO_CA_PIN: 'ca-secret', ...env },
    timeout: 60_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

describe('the kyso CLI', function () {
  this.timeout(120_000)
  let dir: string
  let ca: string
  let input: string

  before(async () => {
    dir = tempDir('kyso-cli-')
    ca = join(dir, 'ca')
    input = join(dir, 'in.pdf')
    writeFileSync(input, await makePdf({ xref: 'stream' }))
    const init = kyso(['ca', 'init', '--dir', ca, '--name', 'Kyso CA - Sở Khoa học và Công nghệ'])
    expect(init.code, init.stderr).to.equal(0)
    for (const [file, extra] of [
      [
        'hoan.p12',
        [
          '--name',
          'Võ Văn Hoan',
          '--title',
          'Phó Chủ tịch',
          '--org',
          'Ủy ban nhân dân Thành phố Hồ Chí Minh',
        ],
      ],
      ['seal.p12', ['--name', 'Ủy ban nhân dân Thành phố Hồ Chí Minh', '--seal', '--key', 'p256']],
      ['gone.p12', ['--name', 'Lê Văn Tám', '--title', 'Chuyên viên']],
    ] as const) {
      const r = kyso(['ca', 'issue', '--dir', ca, ...extra, '--out', join(dir, file)])
      expect(r.code, r.stderr).to.equal(0)
    }
  })

  it('writes the trust anchor and the CRL on ca init', () => {
    expect(existsSync(join(ca, 'root.pem'))).to.equal(true)
    expect(existsSync(join(ca, 'crl.pem'))).to.equal(true)
  })

  it('signs, seals with a B-T timestamp, and verifies with --json', () => {
    const one = join(dir, 'one.pdf')
    const two = join(dir, 'two.pdf')
    let r = kyso([
      'sign',
      input,
      '--out',
      one,
      '--p12',
      join(dir, 'hoan.p12'),
      '--reason',
      'Ký ban hành',
      '--marker',
      'KT.',
      '--principal',
      'Chủ tịch',
      '--ca-dir',
      ca,
    ])
    expect(r.code, r.stderr).to.equal(0)
    r = kyso([
      'sign',
      one,
      '--out',
      two,
      '--p12',
      join(dir, 'seal.p12'),
      '--level',
      'B-T',
      '--tsa',
      'builtin',
      '--ca-dir',
      ca,
    ])
    expect(r.code, r.stderr).to.equal(0)
    r = kyso(['verify', two, '--trust', join(ca, 'root.pem'), '--crl', join(ca, 'crl.pem'), '--json'])
    expect(r.code, r.stdout + r.stderr).to.equal(0)
    const report = JSON.parse(r.stdout) as { indication: string; signatures: Record<string, unknown>[] }
    expect(report.indication).to.equal('PASSED')
    expect(report.signatures).to.have.length(2)
    for (const key of [
      'field',
      'signer',
      'signedAt',
      'subFilter',
      'level',
      'indication',
      'subIndication',
      'coversWholeDocument',
    ]) {
      expect(report.signatures[0]).to.have.property(key)
    }
    expect(report.signatures[0]?.signer).to.equal('Võ Văn Hoan')
    expect(report.signatures.map((s) => s.level)).to.deep.equal(['B-B', 'B-T'])
    expect(report.signatures.map((s) => s.subFilter)).to.deep.equal([
      'ETSI.CAdES.detached',
      'ETSI.CAdES.detached',
    ])
  })

  it('produces a timestamp token that openssl ts -verify accepts for the signature value', () => {
    const out = join(dir, 'bt.pdf')
    const r = kyso([
      'sign',
      input,
      '--out',
      out,
      '--p12',
      join(dir, 'hoan.p12'),
      '--tsa',
      'builtin',
      '--ca-dir',
      ca,
    ])
    expect(r.code, r.stderr).to.equal(0)
    const [sig] = extractSignatures(readFileSync(out))
    const parsed = parseSignedData((sig as { cms: Buffer }).cms)
    expect(parsed.timestampToken, 'a signature-time-stamp attribute').to.be.instanceOf(Buffer)
    writeFileSync(join(dir, 'sigvalue.bin'), parsed.signatureValue)
    writeFileSync(join(dir, 'token.der'), parsed.timestampToken as Buffer)
    writeFileSync(join(dir, 'chain.pem'), readFileSync(join(ca, 'issuing.pem')))
    const v = spawnSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-data',
        join(dir, 'sigvalue.bin'),
        '-in',
        join(dir, 'token.der'),
        '-token_in',
        '-CAfile',
        join(ca, 'root.pem'),
        '-untrusted',
        join(dir, 'chain.pem'),
      ],
      { encoding: 'utf8' },
    )
    expect(v.stdout + v.stderr).to.match(/Verification: OK/)
  })

  it('exits 1 when a signature is not PASSED', async () => {
    const out = join(dir, 'x.pdf')
    const tableInput = join(dir, 'table.pdf')
    writeFileSync(tableInput, await makePdf({ xref: 'table' }))
    expect(
      kyso(['sign', tableInput, '--out', out, '--p12', join(dir, 'hoan.p12'), '--ca-dir', ca]).code,
    ).to.equal(0)
    writeFileSync(out, flipSignedByte(readFileSync(out)))
    const r = kyso(['verify', out, '--trust', join(ca, 'root.pem'), '--json'])
    expect(r.code).to.equal(1)
    expect(JSON.parse(r.stdout).signatures[0].indication).to.equal('FAILED')
  })

  it('answers a wrong PIN with PIN_INCORRECT and exit 2, writing nothing', () => {
    const out = join(dir, 'never.pdf')
    const r = kyso(['sign', input, '--out', out, '--p12', join(dir, 'hoan.p12')], { KYSO_PIN: '9999' })
    expect(r.code).to.equal(2)
    expect(r.stderr).to.match(/PIN_INCORRECT/)
    expect(r.stderr).to.not.match(/\n\s+at /, 'no stack trace')
    expect(existsSync(out)).to.equal(false)
  })

  it('refuses to sign with a revoked certificate once ca revoke updated the CRL', () => {
    const serial = /serial ([0-9a-f]+)/i.exec(
      kyso([
        'ca',
        'issue',
        '--dir',
        ca,
        '--name',
        'Đặng Văn Ngữ',
        '--title',
        'Chuyên viên',
        '--out',
        join(dir, 'rev.p12'),
      ]).stdout,
    )?.[1]
    expect(serial).to.be.a('string')
    expect(kyso(['ca', 'revoke', '--dir', ca, '--serial', serial as string]).code).to.equal(0)
    const r = kyso([
      'sign',
      input,
      '--out',
      join(dir, 'rev.pdf'),
      '--p12',
      join(dir, 'rev.p12'),
      '--ca-dir',
      ca,
    ])
    expect(r.code).to.equal(2)
    expect(r.stderr).to.match(/CERT_REVOKED/)
  })

  it('warns on stderr that revocation was not checked without --ca-dir', () => {
    const r = kyso(['sign', input, '--out', join(dir, 'w.pdf'), '--p12', join(dir, 'hoan.p12')])
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stderr).to.match(/revocation was not checked/)
  })

  it('gives usage errors exit 2 with one line', () => {
    const r = kyso(['sign', input, '--p12', join(dir, 'hoan.p12')])
    expect(r.code).to.equal(2)
    expect(r.stderr.trim().split('\n')).to.have.length(1)
    expect(kyso(['verify', join(dir, 'missing.pdf')]).code).to.equal(2)
    expect(kyso(['frobnicate']).code).to.equal(2)
  })

  it('reports in Vietnamese by default and in English with --lang en', () => {
    const out = join(dir, 'report.pdf')
    expect(kyso(['sign', input, '--out', out, '--p12', join(dir, 'hoan.p12'), '--ca-dir', ca]).code).to.equal(
      0,
    )
    const vi = kyso(['verify', out, '--trust', join(ca, 'root.pem'), '--crl', join(ca, 'crl.pem')])
    expect(vi.code, vi.stderr).to.equal(0)
    expect(vi.stdout).to.include('Người ký: Võ Văn Hoan')
    expect(vi.stdout).to.include('HỢP LỆ')
    expect(vi.stdout).to.include('Kết luận chung: HỢP LỆ')
    expect(vi.stdout).to.match(/Thời điểm ký: \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}/)
    const en = kyso(['verify', out, '--trust', join(ca, 'root.pem'), '--lang', 'en'])
    expect(en.code, 'no CRL: cannot be PASSED').to.equal(1)
    expect(en.stdout).to.include('Signer: Võ Văn Hoan')
    expect(en.stdout).to.include('no revocation information')
    expect(en.stdout).to.include('Overall: CANNOT BE DETERMINED')
  })

  it('adds the facts to --json: checks, changes, timestamp, revocation source', () => {
    const out = join(dir, 'facts.pdf')
    expect(
      kyso(['sign', input, '--out', out, '--p12', join(dir, 'hoan.p12'), '--tsa', 'builtin', '--ca-dir', ca])
        .code,
    ).to.equal(0)
    const r = kyso(['verify', out, '--trust', join(ca, 'root.pem'), '--crl', join(ca, 'crl.pem'), '--json'])
    const s = JSON.parse(r.stdout).signatures[0]
    expect(s.checks.map((c: { check: string }) => c.check)).to.include.members([
      'structure',
      'coverage',
      'integrity',
      'trust',
      'validity',
      'timestamp',
      'revocation',
      'changes',
    ])
    expect(s.timestamp.valid).to.equal(true)
    expect(s.revocationSource).to.equal('crl')
    expect(s.changes).to.deep.equal([])
  })

  it('exits 1 with "signatures": [] for a file with no signature', () => {
    const r = kyso(['verify', input, '--json'])
    expect(r.code).to.equal(1)
    expect(JSON.parse(r.stdout).signatures).to.deep.equal([])
  })

  it('refuses an unreadable input with PDF_UNREADABLE and exit 2', () => {
    const junk = join(dir, 'junk.pdf')
    writeFileSync(junk, 'not a pdf at all')
    const r = kyso(['verify', junk])
    expect(r.code).to.equal(2)
    expect(r.stderr).to.match(/PDF_UNREADABLE/)
  })
})
