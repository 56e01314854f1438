/**
 * The validator's path loads what it uses and nothing of the CA side (issue 16): the validation
 * worker, after validating a B-T signature against a CRL and answering an increment check, has
 * loaded no asn1js, no PKCS#12 code and nothing of the certificate and CRL builders.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { signPdf } from '../../signing/sign'
import { builtinTsa } from '../../signing/tsa'
import { makePdf } from '../helpers/sample-pdfs'
import { getTestPki } from '../helpers/test-pki'
import { tempDir } from '../helpers/tools'

const DIST = join(__dirname, '../..')

/**
 * Run in a fresh process: the worker's module (its main() finds no workerData and does nothing),
 * then a validation and an increment check with the modules the worker uses.
 */
const CHILD = `
const [dist, baseFile, pdfFile, rootFile, crlFile] = process.argv.slice(1)
require(dist + '/signing/verify/verify-worker.js')
const { verifyPdf } = require(dist + '/signing/verify/verify-pdf.js')
const { analyseIncrement } = require(dist + '/signing/verify/increment.js')
const { loadCrls } = require(dist + '/signing/pki/crl.js')
const fs = require('node:fs')
const pdf = fs.readFileSync(pdfFile)
const root = Buffer.from(fs.readFileSync(rootFile, 'latin1').replace(/-----[^-]+-----|\\s+/g, ''), 'base64')
const options = { trustAnchors: [root], crls: loadCrls(fs.readFileSync(crlFile)) }
const report = verifyPdf(pdf, options)
analyseIncrement(fs.readFileSync(baseFile), pdf, options)
process.stdout.write(JSON.stringify({ indication: report.indication, modules: Object.keys(require.cache) }))
`

describe('the validator’s module graph (issue 16)', function () {
  this.timeout(120_000)

  it('validates B-T with a CRL in the worker’s modules, loading no asn1js, nothing of the CA', async () => {
    const pki = await getTestPki()
    const keySource = openPkcs12KeySource(pki.signers.hoan.p12, pki.pin)
    const tsa = builtinTsa(openPkcs12KeySource(pki.signers.tsa.p12, pki.pin))
    const base = await makePdf()
    const { pdf } = await signPdf(base, { keySource, timestamp: tsa })
    const dir = tempDir('kyso-modules-')
    writeFileSync(join(dir, 'base.pdf'), base)
    writeFileSync(join(dir, 'signed.pdf'), pdf)
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        CHILD,
        DIST,
        join(dir, 'base.pdf'),
        join(dir, 'signed.pdf'),
        join(pki.dir, 'root.pem'),
        join(pki.dir, 'crl.pem'),
      ],
      {
        encoding: 'utf8',
      },
    )
    expect(r.status, r.stderr).to.equal(0)
    const { indication, modules } = JSON.parse(r.stdout) as { indication: string; modules: string[] }
    expect(indication).to.equal('PASSED')
    const loaded = modules.map((m) => m.replace(/\\/g, '/'))
    expect(loaded.filter((m) => m.includes('/node_modules/'))).to.deep.equal([])
    const caSide = ['keys/', 'pki/asn1', 'pki/certificate-builder', 'pki/crl-builder', 'pki/ca-']
    caSide.push('pki/init-ca', 'pki/issue-', 'pki/extensions', 'pki/names', 'pki/ocsp-responder')
    expect(loaded.filter((m) => caSide.some((part) => m.includes(`/signing/${part}`)))).to.deep.equal([])
    expect(loaded.some((m) => m.endsWith('/signing/cms/der-read.js'))).to.equal(true)
    expect(readFileSync(join(DIST, 'signing/verify/verify-worker.js'), 'utf8')).to.not.match(
      /require\("\.\.\/pki"\)/,
    )
  })

  it('loads asn1js at the first PKCS#12 written, not to read one nor with the pki barrel', () => {
    const child = `
      const dist = process.argv[1]
      const loaded = () => Object.keys(require.cache).some((m) => m.includes('node_modules/asn1js/'))
      const fs = require('node:fs')
      const { readPkcs12, writePkcs12 } = require(dist + '/signing/keys/pkcs12.js')
      require(dist + '/signing/pki/index.js')
      const contents = readPkcs12(fs.readFileSync(process.argv[2]), '123456')
      const before = loaded()
      writePkcs12({ ...contents, pin: '654321' })
      process.stdout.write(JSON.stringify({ before, after: loaded() }))
    `
    const r = spawnSync(process.execPath, ['-e', child, DIST, join(DIST, '../fixtures/asn1/kyso-rsa.p12')], {
      encoding: 'utf8',
    })
    expect(r.status, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout)).to.deep.equal({ before: false, after: true })
  })
})
