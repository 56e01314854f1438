import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderReport } from '../../cli/verify-report'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { initCa, issueTsaCertificate, loadCrls } from '../../signing/pki'
import { appearanceFromCertificate, signPdf, timestampPdf } from '../../signing/sign'
import { createTimestampToken } from '../../signing/tsa'
import { verifyPdf, type SignatureReport, type VerifyReport } from '../../signing/verify'
import { getTestPki, type TestPki } from '../helpers/test-pki'
import { makePdf, makeFormPdf } from '../helpers/sample-pdfs'
import { extractSignatures, tempDir } from '../helpers/tools'

const DAY = 86_400_000

function byKind(r: VerifyReport, kind: SignatureReport['kind']): SignatureReport {
  const s = r.signatures.find((x) => x.kind === kind)
  expect(s, kind).to.not.equal(undefined)
  return s as SignatureReport
}

describe('document timestamps (issue 17): verified, and proof of existence for the signatures before them', function () {
  this.timeout(120_000)
  let pki: TestPki
  const trust = () => ({
    trustAnchors: [pki.rootDer],
    crls: loadCrls(readFileSync(join(pki.dir, 'crl.pem'))),
  })
  const tsa = () => openPkcs12KeySource((pki.signers.tsa as { p12: Buffer }).p12, pki.pin)
  const stamp = (pdf: Buffer, genTime?: Date) =>
    timestampPdf(pdf, {
      timestamp: (imprint) =>
        createTimestampToken({ imprint, keySource: tsa(), ...(genTime && { genTime }) }),
    })
  const signedBy = async (who: string, signingTime?: Date, input?: Buffer): Promise<Buffer> => {
    const s = pki.signers[who] as { p12: Buffer; certificate: Buffer }
    const keySource = openPkcs12KeySource(s.p12, pki.pin)
    return (
      await signPdf(input ?? (await makePdf()), {
        keySource,
        appearance: appearanceFromCertificate(s.certificate),
        ...(signingTime && { signingTime }),
      })
    ).pdf
  }

  before(async () => {
    pki = await getTestPki()
  })

  it('verifies a document timestamp made by timestampPdf, as openssl ts -verify does, and proves the signature before it', async () => {
    const { pdf, fieldName } = await stamp(await signedBy('khai'))
    const report = verifyPdf(pdf, trust())
    const ts = byKind(report, 'document-timestamp')
    expect(ts.indication, JSON.stringify(ts.problems)).to.equal('PASSED')
    expect(ts.field).to.equal(fieldName)
    expect(ts.subFilter).to.equal('ETSI.RFC3161')
    expect(ts.signer).to.equal('Kyso Time Stamping Authority')
    expect(ts.coversWholeDocument).to.equal(true)
    const sig = byKind(report, 'signature')
    expect(sig.indication).to.equal('PASSED')
    expect(sig.proofOfExistence?.source).to.equal('document-timestamp')
    expect(sig.proofOfExistence?.time).to.equal(ts.signedAt)
    // Independently: the token's imprint is the SHA-256 of the ByteRange bytes.
    const dir = tempDir('kyso-docts-')
    const token = extractSignatures(pdf).find(
      (s) => (s.byteRange[2] as number) + (s.byteRange[3] as number) === pdf.length,
    )
    writeFileSync(join(dir, 'token.der'), token?.cms as Buffer)
    writeFileSync(join(dir, 'root.pem'), pki.rootPem)
    writeFileSync(join(dir, 'chain.pem'), pki.issuingPem)
    const digest = createHash('sha256')
      .update(token?.signedData as Buffer)
      .digest('hex')
    const r = spawnSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-digest',
        digest,
        '-in',
        join(dir, 'token.der'),
        '-token_in',
        '-CAfile',
        join(dir, 'root.pem'),
        '-untrusted',
        join(dir, 'chain.pem'),
      ],
      { encoding: 'utf8' },
    )
    expect(r.stdout + r.stderr).to.match(/Verification: OK/)
  })

  it('fails a document timestamp when a byte it covers changes (HASH_FAILURE), and one over another digest', async () => {
    const { pdf } = await stamp(await signedBy('khai'))
    const changed = Buffer.from(pdf)
    changed[10] = (changed[10] as number) ^ 0x01
    const ts = byKind(verifyPdf(changed, trust()), 'document-timestamp')
    expect([ts.indication, ts.subIndication]).to.deep.equal(['FAILED', 'HASH_FAILURE'])
    const { pdf: wrong } = await timestampPdf(await signedBy('khai'), {
      timestamp: () =>
        createTimestampToken({
          imprint: createHash('sha256').update('something else').digest(),
          keySource: tsa(),
        }),
    })
    const w = byKind(verifyPdf(wrong, trust()), 'document-timestamp')
    expect([w.indication, w.subIndication]).to.deep.equal(['FAILED', 'HASH_FAILURE'])
  })

  it('passes an expired signer whose signature a document timestamp proves from within its validity', async () => {
    const signed = await signedBy('expired', new Date(Date.now() - 100 * DAY))
    const without = byKind(verifyPdf(signed, trust()), 'signature')
    expect([without.indication, without.subIndication]).to.deep.equal([
      'INDETERMINATE',
      'OUT_OF_BOUNDS_NO_POE',
    ])
    const { pdf } = await stamp(signed, new Date(Date.now() - 50 * DAY))
    const sig = byKind(verifyPdf(pdf, trust()), 'signature')
    expect(sig.indication, JSON.stringify(sig.problems)).to.equal('PASSED')
    expect(sig.checks.find((c) => c.check === 'validity')?.detail).to.match(/certificates valid at/)
  })

  it('passes a certificate revoked after a document timestamp proved the signature, not one revoked before', async () => {
    const signed = await signedBy('revoked', new Date(Date.now() - 10 * DAY))
    const before = await stamp(signed, new Date(Date.now() - 5 * DAY))
    const ok = byKind(verifyPdf(before.pdf, trust()), 'signature')
    expect(ok.indication, JSON.stringify(ok.problems)).to.equal('PASSED')
    expect(ok.problems).to.deep.equal([])
    expect(
      ok.checks.some(
        (c) => c.check === 'revocation' && /after the time the signature is proven to exist/.test(c.detail),
      ),
    ).to.equal(true)
    const late = byKind(verifyPdf((await stamp(signed)).pdf, trust()), 'signature')
    expect([late.indication, late.subIndication]).to.deep.equal(['INDETERMINATE', 'REVOKED_NO_POE'])
  })

  it('proves nothing with a timestamp from an untrusted TSA', async () => {
    const dir = join(tempDir(), 'other-ca')
    await initCa(dir, { pin: '1234', name: 'CA lạ', now: new Date(Date.now() - 400 * DAY) })
    const other = await issueTsaCertificate(dir, {
      caPin: '1234',
      pin: '1234',
      now: new Date(Date.now() - 200 * DAY),
    })
    const keySource = openPkcs12KeySource(other.p12, '1234')
    const signed = await signedBy('expired', new Date(Date.now() - 100 * DAY))
    const { pdf } = await timestampPdf(signed, {
      timestamp: (imprint) =>
        createTimestampToken({ imprint, keySource, genTime: new Date(Date.now() - 50 * DAY) }),
    })
    const report = verifyPdf(pdf, trust())
    expect(byKind(report, 'document-timestamp').subIndication).to.equal('NO_CERTIFICATE_CHAIN_FOUND')
    const sig = byKind(report, 'signature')
    expect(sig.proofOfExistence).to.equal(null)
    expect(sig.subIndication).to.equal('OUT_OF_BOUNDS_NO_POE')
  })

  it('allows a document timestamp after a DocMDP P=1 certification', async () => {
    const s = pki.signers.seal as { p12: Buffer }
    const certified = (
      await signPdf(await makeFormPdf(), { keySource: openPkcs12KeySource(s.p12, pki.pin), certify: 1 })
    ).pdf
    const { pdf } = await stamp(certified)
    const report = verifyPdf(pdf, trust())
    expect(
      report.signatures.map((x) => x.indication),
      JSON.stringify(report.signatures.map((x) => x.problems)),
    ).to.deep.equal(['PASSED', 'PASSED'])
    expect(
      byKind(report, 'signature').changes.some((c) => c.kind === 'document-timestamp' && c.allowed),
    ).to.equal(true)
  })

  it('is named in the report, in Vietnamese and English', async () => {
    const { pdf } = await stamp(await signedBy('khai'))
    const report = verifyPdf(pdf, trust())
    const vi = renderReport(report, 'vi')
    expect(vi).to.include('Dấu thời gian 2 (trường Timestamp1): HỢP LỆ')
    expect(vi).to.include('Bằng chứng tồn tại: chữ ký đã tồn tại trước')
    const en = renderReport(report, 'en')
    expect(en).to.include('Kind: document timestamp (PAdES B-LTA)')
    expect(en).to.include('(document timestamp Timestamp1)')
  })
})
