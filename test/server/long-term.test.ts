import { expect } from 'chai'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import {
  buildOcspRequest,
  loadCrls,
  ocspErrorResponse,
  parseOcspResponse,
  readCertificate,
  toPem,
  verifyCrlSignature,
} from '../../signing/pki'
import type { Running } from '../../server/start'
import type { InternalCa } from '../../workflows/internal-ca'
import { renewDueDocuments } from '../../workflows/renew-timestamps'
import { issueThrough, json, type Flow } from '../helpers/coverage-flow'
import { as } from '../helpers/service'
import { startIsolatedService } from '../helpers/service'
import { nssDbTrusting, nssOcspCheck, pdfsigOffline, qpdfCheck, runAsync, tempDir } from '../helpers/tools'

const YEAR = 365 * 86_400_000

interface Details {
  versions: { seq: number; sha256: string; origin: string; createdBy: number }[]
  signatures: { indication: string | null }[]
  history: { action: string; detail: Record<string, unknown> }[]
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** openssl as a child process that does not block this one (the service answers it from here). */
const openssl = async (cwd: string, args: string[]): Promise<string> =>
  (await runAsync('openssl', args, cwd)).output

describe('long-term signatures in the service (issue 18): B-LTA at issuance, renewal, the OCSP responder', function () {
  this.timeout(240_000)
  let svc: Running
  let flow: Flow
  let docId: number
  /** The service's CA, in the database since issue 15. */
  let ca: InternalCa
  /** The service's own address: its certificates name its OCSP responder, which pdfsig then asks. */
  let PUBLIC: string
  const details = async (): Promise<Details> =>
    json<Details>(await (await as('chuyenvien', undefined, svc.url)).get(`/api/documents/${docId}`))

  before(async () => {
    const port = await freePort()
    PUBLIC = `http://127.0.0.1:${port}`
    svc = await startIsolatedService({
      PORT: String(port),
      KYSO_ISSUE_LEVEL: 'B-LTA',
      KYSO_PUBLIC_URL: PUBLIC,
      KYSO_RETIMESTAMP_INTERVAL_SECONDS: '1',
    })
    flow = { base: svc.url, db: svc.services.db }
    ca = svc.services.ca as InternalCa
    const drafter = await as('chuyenvien', undefined, svc.url)
    const steps: [string, 'approve' | 'sign' | 'seal'][] = [
      ['truongphong1', 'approve'],
      ['giamdoc', 'sign'],
      ['vanthu', 'seal'],
    ]
    docId = await issueThrough(flow, drafter, steps)
  })

  after(async () => svc?.close())

  it('makes an issued document B-LTA: the versions list shows the extension, verdicts from the extended file', async () => {
    const d = await details()
    expect(d.versions.map((v) => v.origin)).to.deep.equal([
      'upload',
      'signature',
      'signature',
      'signature',
      'extension',
    ])
    expect(d.signatures.map((s) => s.indication)).to.deep.equal(['PASSED', 'PASSED', 'PASSED'])
    const event = d.history.find((h) => h.action === 'document.extended')
    expect(event?.detail).to.include({
      trigger: 'issuance',
      level: 'B-LTA',
      version: 5,
      timestampField: 'Timestamp1',
    })
    const row = await svc.services.db('documents').where({ id: docId }).first()
    expect(row.ltv_level).to.equal('B-LTA')
    expect(
      JSON.parse(row.foreign_signatures_json as string),
      'its own time-stamp is not foreign',
    ).to.deep.equal([])
    // Renewal planned KYSO_RETIMESTAMP_MARGIN_DAYS (180) before the built-in TSA's certificate (5 years) expires.
    const renewIn = Date.parse(row.ltv_renew_at as string) - Date.now()
    expect(renewIn).to.be.within(4 * YEAR, 5 * YEAR)
    const kiemtra = await as('kiemtra', undefined, svc.url)
    type Report = {
      indication: string
      dss: { ocspResponses: number; crls: number } | null
      signatures: { level: string | null }[]
    }
    const report = await json<Report>(await kiemtra.get(`/api/documents/${docId}/verification`))
    expect(report.indication).to.equal('PASSED')
    expect(report.signatures.map((s) => s.level)).to.deep.equal(['B-LTA', 'B-LTA', 'B-LTA', null])
    expect(report.dss?.crls).to.equal(2)
    expect(report.dss?.ocspResponses, 'the CA answered OCSP in process for each leaf').to.be.greaterThan(0)
    const later = new Date(Date.now() + 3 * YEAR).toISOString()
    const atLater = await json<Report & { validationTime: string }>(
      await kiemtra.get(`/api/documents/${docId}/verification?at=${later}`),
    )
    expect([atLater.indication, atLater.validationTime]).to.deep.equal(['PASSED', later])
    expect((await kiemtra.get(`/api/documents/${docId}/verification?at=soon`)).status).to.equal(400)
    const file = join(tempDir('kyso-ltv-service-'), 'issued.pdf')
    writeFileSync(file, Buffer.from(await (await kiemtra.get(`/api/documents/${docId}/file`)).arrayBuffer()))
    // pdfsig without its online OCSP check: poppler 22.12 reads NSS's last error even after a
    // verification succeeded, so a later signature whose certificate names a responder shows
    // "Unknown issue" (newer poppler checks the result). NSS's vfychain asks our responder instead.
    const nss = nssDbTrusting(toPem('CERTIFICATE', ca.root))
    const sigs = pdfsigOffline(file, nss)
    expect(sigs.slice(0, 3).map((s) => [s.signatureStatus, s.certificateStatus])).to.deep.equal(
      Array(3).fill(['Signature is Valid.', 'Certificate is Trusted.']),
    )
    const dir = tempDir('kyso-vfychain-')
    writeFileSync(join(dir, 'issuing.der'), ca.issuing)
    const signers = await svc.services
      .db('signatures as g')
      .join('certificates as c', 'c.id', 'g.certificate_id')
      .where('g.document_id', docId)
      .pluck('c.certificate_der')
    for (const [i, der] of (signers as Buffer[]).entries()) {
      writeFileSync(join(dir, `${i}.der`), der)
      expect(await nssOcspCheck(nss, join(dir, `${i}.der`), join(dir, 'issuing.der'))).to.include(
        'Chain is good!',
      )
    }
    expect(qpdfCheck(file).code).to.equal(0)
  })

  it('answers openssl ocsp for the certificates its CA issued, good then revoked; GET /ocsp/{request}; the CRLs', async () => {
    const dir = tempDir('kyso-ocsp-service-')
    const row = await svc.services
      .db('certificates as c')
      .join('users as u', 'u.id', 'c.holder_user_id')
      .where('u.username', 'truongphong2')
      .first('c.id', 'c.certificate_der')
    writeFileSync(join(dir, 'cert.pem'), toPem('CERTIFICATE', row.certificate_der as Buffer))
    writeFileSync(join(dir, 'issuing.pem'), toPem('CERTIFICATE', ca.issuing))
    writeFileSync(join(dir, 'root.pem'), toPem('CERTIFICATE', ca.root))
    const ask = [
      'ocsp',
      '-issuer',
      'issuing.pem',
      '-cert',
      'cert.pem',
      '-url',
      `${svc.url}/ocsp`,
      '-CAfile',
      'root.pem',
    ]
    expect(await openssl(dir, ask)).to.match(/Response verify OK[\s\S]*cert\.pem: good/)
    const admin = await as('quantri', undefined, svc.url)
    await json(await admin.post(`/api/admin/certificates/${row.id}/revoke`, { reason: 'keyCompromise' }))
    expect(await openssl(dir, ask)).to.match(/cert\.pem: revoked[\s\S]*Reason: keyCompromise/)
    // GET, the request base64 and URL-encoded in the path (RFC 6960 Appendix A.1).
    const other = await svc.services
      .db('certificates as c')
      .join('users as u', 'u.id', 'c.holder_user_id')
      .where('u.username', 'giamdoc')
      .first('c.certificate_der')
    const cert = other.certificate_der as Buffer
    const issuer = ca.issuing
    const request = encodeURIComponent(buildOcspRequest(cert, issuer).toString('base64'))
    const got = await fetch(`${svc.url}/ocsp/${request}`)
    expect(got.headers.get('content-type')).to.equal('application/ocsp-response')
    const answer = parseOcspResponse(Buffer.from(await got.arrayBuffer()), { cert, issuer, now: new Date() })
    expect(answer.status).to.equal('good')
    const garbage = await fetch(`${svc.url}/ocsp`, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: 'not a request',
    })
    expect(Buffer.from(await garbage.arrayBuffer()).equals(ocspErrorResponse('malformedRequest'))).to.equal(
      true,
    )
    // The CRLs: PEM as the CA in the database holds them, and the issuing CA's alone in DER.
    const pem = await (await fetch(`${svc.url}/api/ca/crl.pem`)).text()
    expect(pem).to.equal(await ca.crlPem())
    const der = Buffer.from(await (await fetch(`${svc.url}/api/ca/crl.crl`)).arrayBuffer())
    const [crl] = loadCrls(der)
    expect(verifyCrlSignature(crl!, issuer)).to.equal(true)
    expect([...crl!.entries.keys()]).to.include(readCertificate(row.certificate_der as Buffer).serialHex)
  })

  it('writes its CRL and OCSP addresses under KYSO_PUBLIC_URL into the certificates its CA issues', async () => {
    const seeded = await svc.services.db('certificates').first('certificate_der')
    const admin = await as('quantri', undefined, svc.url)
    await json(await admin.post('/api/admin/certificates', { username: 'phogiamdoc' }), 201)
    const person = await as('phogiamdoc', undefined, svc.url)
    const pending = await json<{ pending: { id: number }[] }>(await person.get('/api/me/certificates'))
    const made = await json<{ id: number }>(
      await person.post(`/api/me/enrolments/${pending.pending[0]?.id}/activate`, { pin: '5678' }),
      201,
    )
    const issued = await svc.services.db('certificates').where({ id: made.id }).first('certificate_der')
    for (const der of [seeded.certificate_der as Buffer, issued.certificate_der as Buffer]) {
      expect(readCertificate(der).ocspUrls).to.deep.equal([`${PUBLIC}/ocsp`])
    }
    const x509 = tempDir('kyso-x509-')
    writeFileSync(join(x509, 'c.der'), issued.certificate_der as Buffer)
    expect(await openssl(x509, ['x509', '-inform', 'DER', '-noout', '-text', '-in', 'c.der'])).to.include(
      `URI:${PUBLIC}/api/ca/crl.crl`,
    )
  })

  it('renews a due document once, whichever instance asks, as a new version; earlier versions stay', async () => {
    const before = await details()
    await svc.services
      .db('documents')
      .where({ id: docId })
      .update({ ltv_renew_at: new Date(Date.now() - 1000).toISOString() })
    const rounds = await Promise.all([renewDueDocuments(svc.services), renewDueDocuments(svc.services)])
    await new Promise((r) => setTimeout(r, 1500)) // and a round of the instance's own timer
    const after = await details()
    expect(after.versions).to.have.length(before.versions.length + 1)
    expect(after.versions.slice(0, -1)).to.deep.equal(before.versions)
    expect(after.versions.at(-1)?.origin).to.equal('extension')
    expect(rounds.reduce((n, r) => n + r.extended, 0)).to.be.at.most(1)
    const renewal = after.history.filter((h) => h.action === 'document.extended').at(-1)
    expect(renewal?.detail).to.include({ trigger: 'renewal', timestampField: 'Timestamp2' })
    const kiemtra = await as('kiemtra', undefined, svc.url)
    type Report = { indication: string; signatures: { kind: string; indication: string }[] }
    const report = await json<Report>(await kiemtra.get(`/api/documents/${docId}/verification`))
    expect(report.signatures.map((s) => `${s.kind} ${s.indication}`)).to.deep.equal([
      ...Array(3).fill('signature PASSED'),
      'document-timestamp PASSED',
      'document-timestamp PASSED',
    ])
  })

  it('is re-timestamped by the timer when due, and a failed attempt changes nothing but the retry', async () => {
    const count = async (): Promise<number> => (await details()).versions.length
    const start = await count()
    await svc.services
      .db('documents')
      .where({ id: docId })
      .update({ ltv_renew_at: new Date(Date.now() - 1000).toISOString() })
    for (let i = 0; i < 100 && (await count()) === start; i++) await new Promise((r) => setTimeout(r, 100))
    expect(await count(), 'the timer extended it').to.equal(start + 1)
    const stamp = svc.services.documentTimestamp
    svc.services.documentTimestamp = async () => {
      throw new Error('the time-stamping authority is down')
    }
    try {
      const due = new Date(Date.now() - 1000).toISOString()
      await svc.services.db('documents').where({ id: docId }).update({ ltv_renew_at: due, ltv_error: null })
      await renewDueDocuments(svc.services) // or the timer's round: either fails
      let row = await svc.services.db('documents').where({ id: docId }).first()
      for (let i = 0; i < 50 && row.ltv_error === null; i++) {
        await new Promise((r) => setTimeout(r, 100))
        row = await svc.services.db('documents').where({ id: docId }).first()
      }
      expect(row.ltv_error).to.include('the time-stamping authority is down')
      expect(await count()).to.equal(start + 1)
      expect(Date.parse(row.ltv_renew_at as string), 'retried at a later round').to.be.greaterThan(Date.now())
      expect(row.ltv_lease_until).to.equal(null)
    } finally {
      svc.services.documentTimestamp = stamp
    }
  })
})
