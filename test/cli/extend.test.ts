import { expect } from 'chai'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { fromPem, readCertificate, toPem } from '../../signing/pki'
import { serveLocal } from '../helpers/http-server'
import { makePdf } from '../helpers/sample-pdfs'
import { pdfsig, tempDir } from '../helpers/tools'

const BIN = join(__dirname, '../../../bin/kyso.js')
const ENV = { KYSO_PIN: '1234', KYSO_CA_PIN: 'ca-secret' }
const YEAR = 365 * 86_400_000

type Run = { code: number; stdout: string; stderr: string }

function kyso(args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...ENV },
    timeout: 60_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

/** The same, without blocking this process (a server of the test must answer the CLI meanwhile). */
function kysoAsync(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...ENV } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

describe('kyso extend, kyso sign --level B-LT|B-LTA and kyso verify --at (issue 18)', function () {
  this.timeout(180_000)
  let dir: string
  let ca: string
  let bt: string
  const threeYearsOn = new Date(Date.now() + 3 * YEAR).toISOString()
  const officials = ['Võ Văn Hoan', 'Nguyễn Thị Minh Khai', 'Trần Đức Lương']

  before(async () => {
    dir = tempDir('kyso-cli-ltv-')
    ca = join(dir, 'ca')
    expect(kyso(['ca', 'init', '--dir', ca, '--name', 'Sở Nội vụ']).code).to.equal(0)
    for (const [i, name] of officials.entries()) {
      const r = kyso(['ca', 'issue', '--dir', ca, '--name', name, '--out', join(dir, `p${i}.p12`)])
      expect(r.code, r.stderr).to.equal(0)
    }
    let file = join(dir, 'in.pdf')
    writeFileSync(file, await makePdf())
    for (const i of [0, 1, 2]) {
      const out = join(dir, `bt${i}.pdf`)
      const args = ['--p12', join(dir, `p${i}.p12`), '--level', 'B-T', '--tsa', 'builtin', '--ca-dir', ca]
      const r = kyso(['sign', file, '--out', out, ...args])
      expect(r.code, r.stderr).to.equal(0)
      file = out
    }
    bt = file
  })

  it('extends three B-T signatures to B-LTA; three years on they verify with the root alone, the B-T file does not', () => {
    const lta = join(dir, 'lta.pdf')
    const r = kyso(['extend', bt, '--out', lta, '--level', 'B-LTA', '--ca-dir', ca, '--tsa', 'builtin'])
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stdout).to.match(/extended to B-LTA \(2 revision\(s\), document timestamp Timestamp1\)/)
    const trust = ['--trust', join(ca, 'root.pem')]
    const verified = kyso(['verify', lta, ...trust, '--at', threeYearsOn, '--json'])
    expect(verified.code, verified.stdout).to.equal(0)
    const report = JSON.parse(verified.stdout) as {
      validationTime: string
      signatures: { level: string | null; kind: string }[]
    }
    expect(report.validationTime).to.equal(threeYearsOn)
    expect(report.signatures.map((s) => s.level)).to.deep.equal(['B-LTA', 'B-LTA', 'B-LTA', null])
    const text = kyso(['verify', lta, ...trust, '--at', threeYearsOn])
    expect(text.stdout).to.include('Định dạng: PAdES B-LTA')
    expect(text.stdout).to.include('Thời điểm kiểm tra:')
    expect(text.stdout).to.match(/Dữ liệu kiểm tra dài hạn \(DSS\): 6 chứng thư số, 2 CRL, 0 phản hồi OCSP/)
    expect(text.stdout).to.include('chưa bị thu hồi (CRL, dữ liệu lưu trong tệp (DSS))')
    expect(text.stdout).to.include('Kết luận chung: HỢP LỆ')
    expect(kyso(['verify', bt, ...trust, '--at', threeYearsOn, '--json']).code).to.equal(1)
    const sigs = pdfsig(lta)
    expect(sigs.slice(0, 3).map((s) => s.signatureStatus)).to.deep.equal(Array(3).fill('Signature is Valid.'))
  })

  it('signs at B-LTA in one command', async () => {
    const input = join(dir, 'one-in.pdf')
    writeFileSync(input, await makePdf())
    const out = join(dir, 'one-lta.pdf')
    const args = ['--p12', join(dir, 'p0.p12'), '--level', 'B-LTA', '--tsa', 'builtin', '--ca-dir', ca]
    const r = kyso(['sign', input, '--out', out, ...args])
    expect(r.code, r.stderr).to.equal(0)
    const v = kyso(['verify', out, '--trust', join(ca, 'root.pem'), '--at', threeYearsOn, '--json'])
    expect(v.code, v.stdout).to.equal(0)
    expect((JSON.parse(v.stdout) as { signatures: { level: string }[] }).signatures[0]?.level).to.equal(
      'B-LTA',
    )
  })

  it('fetches CRLs only from allow-listed prefixes, and refuses (LTV_DATA_MISSING) when data is missing', async () => {
    const crls = fromPem(readFileSync(join(ca, 'crl.pem'), 'latin1'), 'X509 CRL')
    const server = await serveLocal((_req, _body, res) => void res.writeHead(200).end(crls[0]))
    try {
      const p12 = join(dir, 'fetch.p12')
      const crlUrl = `${server.base}/ca/crl.crl`
      const issue = ['ca', 'issue', '--dir', ca, '--name', 'Lê Văn Tám', '--out', p12, '--crl-url', crlUrl]
      expect(kyso([...issue, '--ocsp-url', 'http://ocsp.invalid/ocsp']).code).to.equal(0)
      const cert = openPkcs12KeySource(readFileSync(p12), '1234').certificate
      expect(readCertificate(cert).ocspUrls).to.deep.equal(['http://ocsp.invalid/ocsp'])
      // Signed alone (B-B: no TSA, whose certificate names no distribution point).
      const input = join(dir, 'fetch-in.pdf')
      writeFileSync(input, await makePdf())
      const signed = join(dir, 'fetch-bb.pdf')
      expect(kyso(['sign', input, '--out', signed, '--p12', p12, '--ca-dir', ca]).code).to.equal(0)
      // The root's CRL (for the issuing CA) as a file; the issuing CA's fetched from the allowed server.
      const rootCrl = join(dir, 'root-crl.pem')
      writeFileSync(rootCrl, toPem('X509 CRL', crls[1] as Buffer))
      const out = join(dir, 'fetched.pdf')
      const refused = await kysoAsync(['extend', signed, '--out', out, '--level', 'B-LT', '--crl', rootCrl])
      expect([refused.code, refused.stderr]).to.satisfy(
        ([c, e]: [number, string]) => c === 2 && e.startsWith('kyso: LTV_DATA_MISSING:'),
      )
      expect(existsSync(out)).to.equal(false)
      const ok = await kysoAsync([
        'extend',
        signed,
        '--out',
        out,
        '--level',
        'B-LT',
        '--crl',
        rootCrl,
        '--fetch-crls-from',
        `${server.base}/ca/`,
      ])
      expect(ok.code, ok.stderr).to.equal(0)
      expect(server.requests).to.include('GET /ca/crl.crl')
    } finally {
      await server.close()
    }
  })

  it('answers usage errors with exit 2 and one line', async () => {
    const out = join(dir, 'never.pdf')
    const cases: [string[], RegExp][] = [
      [['extend', bt, '--out', out], /^kyso: USAGE: --level must be B-LT or B-LTA/],
      [
        ['extend', bt, '--out', out, '--level', 'B-LTA', '--ca-dir', ca],
        /^kyso: USAGE: --level B-LTA needs --tsa/,
      ],
      [
        ['sign', bt, '--out', out, '--p12', join(dir, 'p0.p12'), '--level', 'B-LT'],
        /^kyso: USAGE: --level B-LT needs --tsa/,
      ],
      [['verify', bt, '--at', 'sometime'], /^kyso: USAGE: --at must be an ISO 8601 time/],
    ]
    for (const [args, message] of cases) {
      const r = kyso(args)
      expect([r.code, r.stderr], args.join(' ')).to.satisfy(
        ([c, e]: [number, string]) => c === 2 && message.test(e),
      )
    }
    const unsigned = join(dir, 'unsigned.pdf')
    writeFileSync(unsigned, await makePdf())
    const r = kyso(['extend', unsigned, '--out', out, '--level', 'B-LT', '--ca-dir', ca])
    expect(r.stderr).to.match(/^kyso: PDF_NOT_SIGNED: /)
    expect(existsSync(out)).to.equal(false)
  })
})
