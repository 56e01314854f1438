import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { extendPdf } from '../../signing/ltv'
import { writeDss } from '../../signing/ltv/write-dss'
import { PdfDocument } from '../../signing/pdf/document'
import { readDss } from '../../signing/pdf/dss'
import { IncrementalUpdate } from '../../signing/pdf/incremental'
import { fileCaStatusSource, initCa, loadCrls, ownOcspAnswer, revokeCertificate } from '../../signing/pki'
import { verifyPdf, type SignatureReport, type VerifyReport } from '../../signing/verify'
import {
  DAY,
  YEAR,
  makeLongTermPki,
  stampsBy,
  threeSignatures,
  type LongTermPki,
} from '../helpers/long-term-pki'
import { makePdf } from '../helpers/sample-pdfs'
import { extractSignatures, pdfsig, qpdfCheck, tempDir } from '../helpers/tools'

const summary = (r: VerifyReport): string[] =>
  r.signatures.map(
    (s) =>
      `${s.kind === 'document-timestamp' ? 'TS ' : ''}${s.level ?? '-'} ${s.indication}/${s.subIndication ?? ''}`,
  )

describe('signatures that last (issue 18): B-LT, B-LTA and validation at a given time from the file alone', function () {
  this.timeout(120_000)
  let pki: LongTermPki
  let bt: Buffer
  let lta: Buffer
  const threeYearsOn = (): Date => new Date(Date.now() + 3 * YEAR)
  const sources = () => ({ crls: pki.crls(), certificates: [pki.root, pki.issuing] })
  const offline = (now: Date) => ({ trustAnchors: [pki.root], now })

  before(async () => {
    pki = await makeLongTermPki()
    bt = await threeSignatures(pki, await makePdf())
    lta = (await extendPdf(bt, { level: 'B-LTA', ...sources(), timestamp: stampsBy(pki.tsa) })).pdf
  })

  it('passes a chain of three B-T signatures extended to B-LTA three years on (signers expired), root only, no CRL; not the same chain at B-T', () => {
    const at = threeYearsOn()
    const report = verifyPdf(lta, offline(at))
    expect(summary(report), JSON.stringify(report.signatures.map((s) => s.problems))).to.deep.equal([
      'B-LTA PASSED/',
      'B-LTA PASSED/',
      'B-LTA PASSED/',
      'TS - PASSED/',
    ])
    expect(report.validationTime).to.equal(at.toISOString())
    for (const s of report.signatures.filter((x) => x.kind === 'signature')) {
      expect(s.revocationEvidence).to.equal('document')
      expect(s.proofOfExistence?.source).to.equal('signature-timestamp')
      expect(s.checks.find((c) => c.check === 'validity')?.detail).to.match(/valid at /)
    }
    const plain = verifyPdf(bt, offline(at))
    expect(plain.indication).to.equal('INDETERMINATE')
    expect(plain.signatures.map((s) => `${s.level} ${s.subIndication}`)).to.deep.equal(
      Array(3).fill('B-T TRY_LATER'),
    )
  })

  it("writes every chain's certificates and the CRLs in a DSS with a VRI entry per signature, as incremental revisions pdfsig and qpdf accept", () => {
    expect(lta.subarray(0, bt.length).equals(bt), 'the B-T file is the prefix').to.equal(true)
    const dss = readDss(new PdfDocument(lta))
    // root, issuing CA, three officials, the TSA
    expect(dss.certs).to.have.length(6)
    expect(dss.crls).to.have.length(2)
    expect(dss.vri?.map.size).to.equal(3)
    expect(verifyPdf(lta, { trustAnchors: [pki.root] }).dss).to.deep.equal({
      certificates: 6,
      crls: 2,
      ocspResponses: 0,
      vri: 3,
    })
    const file = join(tempDir('kyso-ltv-'), 'lta.pdf')
    writeFileSync(file, lta)
    const sigs = pdfsig(file)
    expect(sigs).to.have.length(4)
    expect(sigs.slice(0, 3).map((s) => s.signatureStatus)).to.deep.equal(Array(3).fill('Signature is Valid.'))
    expect(qpdfCheck(file).code).to.equal(0)
  })

  it("keeps the earlier signatures PASSED today with the CA's CRL, the DSS and the time-stamp listed as allowed changes", () => {
    const report = verifyPdf(lta, { trustAnchors: [pki.root], crls: pki.crls() })
    expect(summary(report)).to.deep.equal(['B-LTA PASSED/', 'B-LTA PASSED/', 'B-LTA PASSED/', 'TS - PASSED/'])
    const first = report.signatures[0] as SignatureReport
    expect(first.revocationEvidence).to.equal('held')
    expect(first.changes.every((c) => c.allowed)).to.equal(true)
    expect(first.changes.map((c) => c.kind)).to.include.members(['catalog', 'document-timestamp'])
  })

  it('reports B-LT for a DSS without a document time-stamp, which also proves the signers three years on', async () => {
    const lt = (await extendPdf(bt, { level: 'B-LT', ...sources() })).pdf
    expect(summary(verifyPdf(lt, offline(threeYearsOn())))).to.deep.equal(Array(3).fill('B-LT PASSED/'))
  })

  it("keeps the internal CA's own OCSP answers in the DSS and judges by them", async () => {
    const ca = fileCaStatusSource(pki.dir, pki.caPin)
    const ocsp = (cert: Buffer, issuer: Buffer) => ownOcspAnswer(ca, cert, issuer)
    const withOcsp = (
      await extendPdf(bt, { level: 'B-LTA', ...sources(), ocsp, timestamp: stampsBy(pki.tsa) })
    ).pdf
    const report = verifyPdf(withOcsp, offline(threeYearsOn()))
    expect(report.dss?.ocspResponses, 'three officials and the TSA').to.equal(4)
    expect(summary(report)).to.deep.equal(['B-LTA PASSED/', 'B-LTA PASSED/', 'B-LTA PASSED/', 'TS - PASSED/'])
    expect((report.signatures[0] as SignatureReport).revocationSource).to.equal('ocsp')
  })

  it('takes no evidence from a CRL its issuer did not sign (another CA of the same name)', async () => {
    const other = join(tempDir('kyso-ltv-other-'), 'ca')
    await initCa(other, { name: 'Lưu trữ dài hạn (thử nghiệm)', pin: 'other-pin-1234' })
    const forged = loadCrls(readFileSync(join(other, 'crl.pem'))).map((c) => c.der)
    const doc = new PdfDocument(bt)
    const upd = new IncrementalUpdate(doc)
    writeDss(
      upd,
      doc,
      readDss(doc),
      { certs: [pki.issuing, pki.root], crls: forged, ocsps: [] },
      [],
      new Date(),
    )
    const report = verifyPdf(upd.write(), offline(threeYearsOn()))
    expect(report.dss?.crls).to.equal(2)
    expect(report.signatures.map((s) => `${s.level} ${s.indication}/${s.subIndication}`)).to.deep.equal(
      Array(3).fill('B-T INDETERMINATE/TRY_LATER'),
    )
  })

  it('shows a revocation after signing from the DSS: still PASSED three years on, the revocation named', async () => {
    const local = await makeLongTermPki()
    const signed = await threeSignatures(local, await makePdf())
    const victim = local.signers[1] as LongTermPki['signers'][number]
    await revokeCertificate(local.dir, victim.serialHex, {
      caPin: local.caPin,
      reason: 'keyCompromise',
      now: new Date(Date.now() + 60_000),
    })
    const extended = (
      await extendPdf(signed, {
        level: 'B-LTA',
        crls: local.crls(),
        certificates: [local.root],
        timestamp: stampsBy(local.tsa),
      })
    ).pdf
    const report = verifyPdf(extended, { trustAnchors: [local.root], now: new Date(Date.now() + 3 * YEAR) })
    const second = report.signatures[1] as SignatureReport
    expect([second.indication, second.revocation]).to.deep.equal(['PASSED', 'revoked'])
    expect(second.checks.map((c) => c.detail).join('\n')).to.match(
      /revoked on .* after the time the signature is proven to exist/,
    )
  })

  it('needs the archive time-stamp renewed before its TSA expires: renewed by a longer TSA it stays PASSED, else not', async () => {
    const signed = await threeSignatures(pki, await makePdf(), pki.shortTsa)
    const once = await extendPdf(signed, { level: 'B-LTA', ...sources(), timestamp: stampsBy(pki.shortTsa) })
    expect(once.archiveUntil!.getTime()).to.be.within(Date.now() + 2 * YEAR - 3 * DAY, Date.now() + 2 * YEAR)
    const at = threeYearsOn()
    const stale = verifyPdf(once.pdf, offline(at))
    expect(summary(stale).at(-1)).to.equal('TS - INDETERMINATE/OUT_OF_BOUNDS_NO_POE')
    expect(stale.indication).to.equal('INDETERMINATE')
    const renewed = await extendPdf(once.pdf, { level: 'B-LTA', ...sources(), timestamp: stampsBy(pki.tsa) })
    expect(renewed.archiveUntil!.getTime()).to.be.greaterThan(Date.now() + 4 * YEAR)
    const report = verifyPdf(renewed.pdf, offline(at))
    expect(summary(report), JSON.stringify(report.signatures.map((s) => s.problems))).to.deep.equal([
      'B-LTA PASSED/',
      'B-LTA PASSED/',
      'B-LTA PASSED/',
      'TS - PASSED/',
      'TS - PASSED/',
    ])
    const first = report.signatures[3] as SignatureReport
    expect(first.proofOfExistence?.source).to.equal('document-timestamp')
    expect(first.revocationEvidence).to.equal('document')
  })

  it('keeps the agreement of issue 17 on what extend writes: openssl ts -verify accepts its time-stamp, a changed DSS byte fails it', () => {
    const token = extractSignatures(lta).find(
      (x) => (x.byteRange[2] as number) + (x.byteRange[3] as number) === lta.length,
    )
    const dir = tempDir('kyso-ltv-ts-')
    writeFileSync(join(dir, 'token.der'), token?.cms as Buffer)
    writeFileSync(join(dir, 'root.pem'), pki.rootPem)
    writeFileSync(join(dir, 'chain.pem'), readFileSync(join(pki.dir, 'issuing.pem')))
    const digest = createHash('sha256')
      .update(token?.signedData as Buffer)
      .digest('hex')
    const args = [
      '-digest',
      digest,
      '-in',
      'token.der',
      '-token_in',
      '-CAfile',
      'root.pem',
      '-untrusted',
      'chain.pem',
    ]
    const r = spawnSync('openssl', ['ts', '-verify', ...args], { cwd: dir, encoding: 'utf8' })
    expect(r.stdout + r.stderr).to.match(/Verification: OK/)
    // One byte of a CRL stream in the DSS, which the document time-stamp covers.
    const dss = readDss(new PdfDocument(lta))
    const at = (dss.crls[0]?.offset as number) + 60
    const changed = Buffer.from(lta)
    changed[at] = (changed[at] as number) ^ 0x01
    const report = verifyPdf(changed, offline(threeYearsOn()))
    const stamp = report.signatures.find((x) => x.kind === 'document-timestamp') as SignatureReport
    expect([stamp.indication, stamp.subIndication]).to.deep.equal(['FAILED', 'HASH_FAILURE'])
    expect(report.indication).to.equal('FAILED')
  })

  it('refuses to extend without revocation data (LTV_DATA_MISSING), and lists what is missing when asked not to refuse', async () => {
    const refused = await extendPdf(bt, { level: 'B-LT', certificates: [pki.root] }).then(
      () => 'extended',
      (err: { code?: string }) => err.code,
    )
    expect(refused).to.equal('LTV_DATA_MISSING')
    const partial = await extendPdf(bt, { level: 'B-LT', certificates: [pki.root], strict: false })
    expect(partial.missing.map((m) => m.why)).to.include('no-revocation-data')
    const notSigned = await extendPdf(await makePdf(), { level: 'B-LT' }).then(
      () => 'extended',
      (err: { code?: string }) => err.code,
    )
    expect(notSigned).to.equal('PDF_NOT_SIGNED')
  })
})
