import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/tools'

const BIN = join(__dirname, '../../../bin/kyso.js')

function kyso(args: string[], env: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

/** Issue 15, point 5: `kyso ca` without --dir works on the service's CA in its database. */
describe("kyso ca on the service's database", function () {
  this.timeout(120_000)
  const dir = tempDir('kyso-ca-db-')
  const env = {
    KYSO_DATA_DIR: join(dir, 'data'),
    KYSO_KEY_WRAP_FILE: join(dir, 'secrets', 'kwk'),
    KYSO_PIN: '24680',
  }

  after(() => rmSync(dir, { recursive: true, force: true }))

  it('makes the CA in the database (no CA folder, the wrapping key outside), issues, revokes into the CRL it serves', () => {
    const init = kyso(['ca', 'init', '--name', 'Sở Khoa học và Công nghệ'], env)
    expect(init.code, init.stderr).to.equal(0)
    expect(readdirSync(env.KYSO_DATA_DIR)).to.not.include('ca')
    expect(existsSync(env.KYSO_KEY_WRAP_FILE)).to.equal(true)
    expect(kyso(['ca', 'init'], env).stderr).to.match(/CA_EXISTS/)
    const root = join(dir, 'root.pem')
    writeFileSync(root, kyso(['ca', 'root'], env).stdout)
    expect(
      spawnSync('openssl', ['x509', '-in', root, '-noout', '-subject'], { encoding: 'utf8' }).stdout,
    ).to.match(/Kyso Root CA/)
    const out = join(dir, 'lan.p12')
    const issued = kyso(
      ['ca', 'issue', '--name', 'Nguyễn Thị Lan', '--title', 'Chuyên viên', '--out', out],
      env,
    )
    expect(issued.code, issued.stderr).to.equal(0)
    const serial = /serial ([0-9A-F]+)/.exec(issued.stdout)?.[1] as string
    // The holder's file opens with their PIN and chains to the root the service publishes.
    const cert = join(dir, 'lan.pem')
    const opened = spawnSync('openssl', [
      'pkcs12',
      '-in',
      out,
      '-passin',
      'pass:24680',
      '-clcerts',
      '-nokeys',
      '-out',
      cert,
    ])
    expect(opened.status).to.equal(0)
    const chain = join(dir, 'chain.pem')
    spawnSync('openssl', [
      'pkcs12',
      '-in',
      out,
      '-passin',
      'pass:24680',
      '-cacerts',
      '-nokeys',
      '-out',
      chain,
    ])
    expect(
      spawnSync('openssl', ['verify', '-CAfile', root, '-untrusted', chain, cert], { encoding: 'utf8' })
        .stdout,
    ).to.match(/OK/)
    expect(kyso(['ca', 'revoke', '--serial', serial, '--reason', 'keyCompromise'], env).code).to.equal(0)
    const crl = join(dir, 'crl.pem')
    writeFileSync(crl, kyso(['ca', 'crl'], env).stdout)
    const text = spawnSync('openssl', ['crl', '-in', crl, '-noout', '-text'], {
      encoding: 'utf8',
    }).stdout.replace(/\s/g, '')
    expect(text).to.contain(serial.replace(/^0+/, '')).and.contain('KeyCompromise')
    const status = kyso(['keys', 'status'], env)
    expect(status.code, status.stdout).to.equal(0)
    expect((JSON.parse(status.stdout) as { legacy: number }).legacy).to.equal(0)
  })

  it('keeps the file CA of --dir as before, for offline use', () => {
    const fileCa = join(dir, 'offline')
    expect(kyso(['ca', 'init', '--dir', fileCa], { ...env, KYSO_CA_PIN: 'ca-secret' }).code).to.equal(0)
    expect(existsSync(join(fileCa, 'root.p12'))).to.equal(true)
  })
})
