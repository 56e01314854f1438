import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import {
  checkCertificateStatus,
  CRL_VALIDITY_DAYS,
  fromPem,
  handleOcspRequest,
  initCa,
  issueCertificate,
  loadCrls,
  parseOcspResponse,
  readIndex,
  revokeCertificate,
  type SerialStatus,
  type CertificateStatusOptions,
  type ParsedCrl,
} from '../../signing/pki'
import { serveLocal, type LocalServer } from '../helpers/http-server'
import { rejectionCode } from '../helpers/openssl-pki'
import { getTestPki, type TestPki } from '../helpers/test-pki'
import { tempDir } from '../helpers/tools'

const DAY = 24 * 60 * 60 * 1000
const CA_PIN = 'ca-pin-1357'

describe('checkCertificateStatus: the check before signing with an external certificate', function () {
  this.timeout(60_000)
  let pki: TestPki
  let held: ParsedCrl[]
  let options: CertificateStatusOptions

  before(async () => {
    pki = await getTestPki()
    held = loadCrls(readFileSync(join(pki.dir, 'crl.pem')))
    options = { pool: [pki.issuingDer], trustAnchors: [pki.rootDer], crls: held, now: new Date() }
  })

  describe('with CRLs at hand', () => {
    it('accepts a current certificate, the two CRLs it rests on kept as evidence, fetching nothing', async () => {
      const report = await checkCertificateStatus(pki.signers.hoan.certificate, options)
      expect(report).to.include({ ok: true, code: null, message: '' })
      expect(report.path.map((c) => c.toString('base64'))).to.deep.equal(
        [pki.signers.hoan.certificate, pki.issuingDer, pki.rootDer].map((c) => c.toString('base64')),
      )
      expect(report.revocation.map((r) => [r.subject.split(',')[0], r.source, r.status])).to.deep.equal([
        ['CN=Võ Văn Hoan', 'crl', 'good'],
        [`CN=Kyso Issuing CA - Sở Khoa học và Công nghệ (thử nghiệm)`, 'crl', 'good'],
      ])
      expect(report.revocation[0]?.data?.equals(held[0]!.der)).to.equal(true)
      expect(report.revocation[1]?.data?.equals(held[1]!.der)).to.equal(true)
      expect(report.fetches).to.deep.equal([])
    })

    it('refuses a revoked certificate with CERT_REVOKED, its date and reason, naming it', async () => {
      const report = await checkCertificateStatus(pki.signers.revoked.certificate, options)
      expect(report).to.include({ ok: false, code: 'CERT_REVOKED' })
      expect(report.message).to.contain('Đặng Thị Thu Hà').and.to.contain('keyCompromise')
      const { certificates } = await readIndex(pki.dir)
      const entry = certificates.find((c) => c.serialHex === pki.signers.revoked.serialHex)
      expect(report.revocation[0]).to.include({ status: 'revoked', reason: 'keyCompromise', source: 'crl' })
      expect(report.revocation[0]?.revokedAt?.toISOString()).to.equal(entry?.revokedAt)
      expect(report.message).to.contain(entry!.revokedAt!)
    })

    it('refuses an expired, a not yet valid and a non-signing certificate before revocation', async () => {
      const expired = await checkCertificateStatus(pki.signers.expired.certificate, options)
      expect(expired).to.include({ ok: false, code: 'CERT_EXPIRED' })
      expect(expired.message).to.contain('Phạm Quốc Bảo')
      expect(expired.revocation).to.deep.equal([])
      const yesterday = { ...options, now: new Date(Date.now() - DAY) }
      const early = await checkCertificateStatus(pki.signers.hoan.certificate, yesterday)
      expect(early.code).to.equal('CERT_NOT_YET_VALID')
      const tsa = await checkCertificateStatus(pki.signers.tsa.certificate, options)
      expect(tsa.code).to.equal('CERT_KEY_USAGE')
    })

    it('refuses a current certificate under an expired CA certificate, naming the CA', async () => {
      const notAfter = new Date(Date.now() + 30 * 365 * DAY)
      const { caPin, pin } = pki
      const longLived = { name: 'Vũ Minh Quân', caPin, pin, notAfter, keyType: 'p256' as const }
      const { certificate } = await issueCertificate(pki.dir, longLived)
      // The test CA was made two years back with a ten-year issuing CA; the root lasts twenty.
      const inNineYears = { ...options, now: new Date(Date.now() + 9 * 365 * DAY) }
      const report = await checkCertificateStatus(certificate, inNineYears)
      expect(report).to.include({ ok: false, code: 'CERT_EXPIRED' })
      expect(report.message).to.contain('Chứng thư số CA "CN=Kyso Issuing CA')
    })

    it('refuses a certificate that chains to no configured anchor with CERT_UNTRUSTED', async () => {
      const other = join(tempDir(), 'ca')
      await initCa(other, { pin: CA_PIN, keyType: 'p256' })
      const otherRoot = fromPem(readFileSync(join(other, 'root.pem'), 'latin1'), 'CERTIFICATE')[0]!
      const hoan = pki.signers.hoan.certificate
      const report = await checkCertificateStatus(hoan, { ...options, trustAnchors: [otherRoot] })
      expect(report).to.include({ ok: false, code: 'CERT_UNTRUSTED' })
      expect(report.message).to.contain('Võ Văn Hoan')
      expect(report.path).to.deep.equal([])
      const withoutIssuing = await checkCertificateStatus(hoan, { ...options, pool: [] })
      expect(withoutIssuing.code).to.equal('CERT_UNTRUSTED')
    })

    it('answers CERT_REVOCATION_UNKNOWN without a CRL, with a stale one or another CA’s', async () => {
      const none = await checkCertificateStatus(pki.signers.hoan.certificate, { ...options, crls: [] })
      expect(none).to.include({ ok: false, code: 'CERT_REVOCATION_UNKNOWN' })
      expect(none.message).to.contain('Võ Văn Hoan')
      const nothing = [null, 'unknown', undefined]
      expect(none.revocation.map((r) => [r.source, r.status, r.data])).to.deep.equal([nothing, nothing])
      // The issuing CA's CRL lapses after CRL_VALIDITY_DAYS.issuing; the root's lasts longer.
      const later = new Date(Date.now() + (CRL_VALIDITY_DAYS.issuing + 5) * DAY)
      const stale = await checkCertificateStatus(pki.signers.hoan.certificate, { ...options, now: later })
      expect(stale.code).to.equal('CERT_REVOCATION_UNKNOWN')
      expect(stale.revocation.map((r) => r.status)).to.deep.equal(['unknown', 'good'])
      const otherCa = join(tempDir(), 'ca')
      await initCa(otherCa, { pin: CA_PIN, keyType: 'p256' })
      const foreign = loadCrls(readFileSync(join(otherCa, 'crl.pem')))
      expect(
        (await checkCertificateStatus(pki.signers.hoan.certificate, { ...options, crls: foreign })).code,
      ).to.equal('CERT_REVOCATION_UNKNOWN')
    })

    it('throws only for input it cannot check: an unreadable certificate, no trust anchor', async () => {
      const garbage = checkCertificateStatus(Buffer.from('not a certificate'), options)
      expect(await rejectionCode(garbage)).to.equal('CERT_UNREADABLE')
      const noAnchor = checkCertificateStatus(pki.signers.hoan.certificate, { ...options, trustAnchors: [] })
      expect(await rejectionCode(noAnchor)).to.equal('BAD_OPTION')
    })
  })

  describe('fetching OCSP and CRLs from allow-listed URLs', () => {
    /** A CA of our own (P-256: ECDSA responses) whose OCSP responder and CRLs a local server publishes. */
    let ca: string
    let server: LocalServer
    let issuingDer: Buffer
    let rootDer: Buffer
    let rootCrl: ParsedCrl[]

    before(async () => {
      ca = join(tempDir(), 'ca')
      await initCa(ca, { pin: CA_PIN, keyType: 'p256', name: 'Cục Chứng thực số (thử nghiệm)' })
      issuingDer = fromPem(readFileSync(join(ca, 'issuing.pem'), 'latin1'), 'CERTIFICATE')[0]!
      rootDer = fromPem(readFileSync(join(ca, 'root.pem'), 'latin1'), 'CERTIFICATE')[0]!
      const keySource = openPkcs12KeySource(readFileSync(join(ca, 'issuing.p12')), CA_PIN)
      // The index is read on every request, so a revocation shows at once (as issue 18's responder will).
      const statusOf = async (serialHex: string): Promise<SerialStatus> => {
        const entry = (await readIndex(ca)).certificates.find((c) => c.serialHex === serialHex)
        if (!entry) return { status: 'unknown' }
        if (!entry.revokedAt) return { status: 'good' }
        const reason = entry.reason ? { reason: entry.reason } : {}
        return { status: 'revoked', revokedAt: new Date(entry.revokedAt), ...reason }
      }
      server = await serveLocal(async (req, body, res) => {
        if (req.url === '/ocsp' && req.method === 'POST') {
          res.setHeader('content-type', 'application/ocsp-response')
          res.end(await handleOcspRequest(body, { issuerCertificate: issuingDer, keySource, statusOf }))
        } else if (req.url === '/crl/issuing.crl') {
          res.end(loadCrls(readFileSync(join(ca, 'crl.pem')))[0]!.der)
        } else res.writeHead(req.url === '/ocsp-down' ? 503 : 404).end()
      })
      rootCrl = loadCrls(readFileSync(join(ca, 'crl.pem'))).slice(1)
    })

    after(() => server?.close())

    const issue = (name: string, urls: { ocspUrl?: string; crlUrl?: string }) =>
      issueCertificate(ca, { name, caPin: CA_PIN, pin: '1234', keyType: 'p256', ...urls })
    const statusOpts = (allow: string[]): CertificateStatusOptions => ({
      pool: [issuingDer],
      trustAnchors: [rootDer],
      crls: rootCrl,
      fetch: { allow },
      now: new Date(),
    })

    it('accepts a certificate its issuer’s OCSP responder calls good, keeping the answer', async () => {
      const { certificate } = await issue('Nguyễn Thị Lan', { ocspUrl: `${server.base}/ocsp` })
      const before = server.requests.length
      const report = await checkCertificateStatus(certificate, statusOpts([`${server.base}/`]))
      expect(report.ok, report.message).to.equal(true)
      expect(report.fetches).to.deep.equal([{ url: `${server.base}/ocsp`, kind: 'ocsp', status: 'fetched' }])
      expect(server.requests.slice(before)).to.deep.equal(['POST /ocsp'])
      const [leaf, issuing] = report.revocation
      expect(leaf).to.include({ source: 'ocsp', url: `${server.base}/ocsp`, status: 'good' })
      // The evidence is the responder's signed answer: it verifies again on its own.
      const kept = parseOcspResponse(leaf!.data!, { cert: certificate, issuer: issuingDer, now: new Date() })
      expect(kept.status).to.equal('good')
      expect(issuing).to.include({ source: 'crl', status: 'good' })
      expect(issuing?.data?.equals(rootCrl[0]!.der)).to.equal(true)
    })

    it('refuses a certificate the responder reports revoked, with the date and reason', async () => {
      const { certificate, serialHex } = await issue('Lý Văn Minh', { ocspUrl: `${server.base}/ocsp` })
      await revokeCertificate(ca, serialHex, { caPin: CA_PIN, reason: 'affiliationChanged' })
      const report = await checkCertificateStatus(certificate, statusOpts([`${server.base}/`]))
      expect(report).to.include({ ok: false, code: 'CERT_REVOKED' })
      expect(report.message).to.contain('Lý Văn Minh').and.to.contain('affiliationChanged')
      const [leaf] = report.revocation
      expect(leaf).to.include({ source: 'ocsp', status: 'revoked', reason: 'affiliationChanged' })
      const kept = parseOcspResponse(leaf!.data!, { cert: certificate, issuer: issuingDer, now: new Date() })
      expect(kept.status).to.equal('revoked')
    })

    it('falls back to the CRL of the distribution point when OCSP fails', async () => {
      const urls = { ocspUrl: `${server.base}/ocsp-down`, crlUrl: `${server.base}/crl/issuing.crl` }
      const { certificate } = await issue('Hoàng Văn Thụ', urls)
      const report = await checkCertificateStatus(certificate, statusOpts([`${server.base}/`]))
      expect(report.ok, report.message).to.equal(true)
      const ocspDown = `Không truy vấn được OCSP ${urls.ocspUrl} (HTTP 503)`
      expect(report.fetches).to.deep.equal([
        { url: urls.ocspUrl, kind: 'ocsp', status: 'failed', detail: ocspDown },
        { url: urls.crlUrl, kind: 'crl', status: 'fetched' },
      ])
      expect(report.revocation[0]).to.include({ source: 'crl', url: urls.crlUrl, status: 'good' })
      const [issuingCrl] = loadCrls(readFileSync(join(ca, 'crl.pem')))
      expect(report.revocation[0]?.data?.equals(issuingCrl!.der)).to.equal(true)
    })

    it('never asks a URL off the list: CERT_REVOCATION_UNKNOWN, and the server saw no request', async () => {
      const urls = { ocspUrl: `${server.base}/ocsp`, crlUrl: `${server.base}/crl/issuing.crl` }
      const { certificate } = await issue('Đỗ Thị Hạnh', urls)
      const before = server.requests.length
      const report = await checkCertificateStatus(certificate, statusOpts(['http://ocsp.ca.gov.vn/']))
      expect(report).to.include({ ok: false, code: 'CERT_REVOCATION_UNKNOWN' })
      expect(report.message).to.contain('Đỗ Thị Hạnh')
      expect(report.fetches).to.deep.equal([
        { url: `${server.base}/ocsp`, kind: 'ocsp', status: 'not-allowed' },
        { url: `${server.base}/crl/issuing.crl`, kind: 'crl', status: 'not-allowed' },
      ])
      expect(server.requests.slice(before)).to.deep.equal([])
      expect(report.revocation[0]).to.include({ source: null, status: 'unknown' })
    })
  })
})
