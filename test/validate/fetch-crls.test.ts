import { expect } from 'chai'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { initCa, isAllowedUrl, issueCertificate } from '../../signing/pki'
import { signPdf } from '../../signing/sign'
import { verifyPdfFetchingCrls } from '../../signing/verify'
import { makePdf } from '../helpers/sample-pdfs'
import { tempDir } from '../helpers/tools'

describe('CRLs fetched from allow-listed URLs only', function () {
  this.timeout(60_000)
  let server: Server
  let base: string
  const requested: string[] = []
  let ca: string

  before(async () => {
    ca = join(tempDir(), 'ca')
    await initCa(ca, { pin: '1234', name: 'CA có CRL công bố' })
    server = createServer((req, res) => {
      requested.push(req.url ?? '')
      if (req.url === '/ca/crl.pem') res.end(readFileSync(join(ca, 'crl.pem')))
      else res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  after(() => server.close())

  async function signedWithCrlUrl(url: string): Promise<{ pdf: Buffer; root: Buffer }> {
    const issued = await issueCertificate(ca, {
      name: 'Lê Thị Hồng Gấm',
      title: 'Chuyên viên',
      caPin: '1234',
      pin: '1234',
      crlUrl: url,
    })
    const { pdf } = await signPdf(await makePdf(), { keySource: openPkcs12KeySource(issued.p12, '1234') })
    const rootPem = readFileSync(join(ca, 'root.pem'), 'latin1')
    return { pdf, root: Buffer.from(rootPem.replace(/-----[^-]+-----|\s/g, ''), 'base64') }
  }

  it('fetches an allow-listed CRL and can then PASS', async () => {
    const { pdf, root } = await signedWithCrlUrl(`${base}/ca/crl.pem`)
    const r = await verifyPdfFetchingCrls(pdf, { trustAnchors: [root], crlFetch: { allow: [`${base}/ca/`] } })
    expect(r.crlFetches).to.deep.equal([{ url: `${base}/ca/crl.pem`, status: 'fetched' }])
    // The published crl.pem holds the issuing CA's CRL and the root's (covering the issuing CA).
    expect(r.signatures[0]?.indication, JSON.stringify(r.signatures[0]?.problems)).to.equal('PASSED')
    expect(r.signatures[0]?.revocationSource).to.equal('crl')
  })

  it('never requests a URL that is not on the list, and stays INDETERMINATE', async () => {
    const before = requested.length
    const { pdf, root } = await signedWithCrlUrl(`${base}/evil/steal?x=1`)
    const r = await verifyPdfFetchingCrls(pdf, { trustAnchors: [root], crlFetch: { allow: [`${base}/ca/`] } })
    expect(r.crlFetches).to.deep.equal([{ url: `${base}/evil/steal?x=1`, status: 'not-allowed' }])
    expect(requested.slice(before)).to.deep.equal([])
    expect(r.signatures[0]?.indication).to.equal('INDETERMINATE')
    expect(r.signatures[0]?.subIndication).to.equal('TRY_LATER')
  })

  it('reports a failed fetch without failing the validation', async () => {
    const { pdf, root } = await signedWithCrlUrl(`${base}/ca/missing.pem`)
    const r = await verifyPdfFetchingCrls(pdf, { trustAnchors: [root], crlFetch: { allow: [`${base}/ca/`] } })
    expect(r.crlFetches[0]?.status).to.equal('failed')
    expect(r.signatures[0]?.indication).to.equal('INDETERMINATE')
  })

  it('compares parsed URLs: look-alike hosts, user-info and other schemes are not allowed', () => {
    const allow = ['http://crl.ca.gov.vn', 'https://ocsp.ca.gov.vn/ocsp/']
    expect(isAllowedUrl('http://crl.ca.gov.vn/issuing.crl', allow)).to.equal(true)
    expect(isAllowedUrl('https://ocsp.ca.gov.vn/ocsp/', allow)).to.equal(true)
    expect(isAllowedUrl('http://crl.ca.gov.vn@evil.example/x.crl', allow)).to.equal(false)
    expect(isAllowedUrl('http://crl.ca.gov.vn.evil.example/x.crl', allow)).to.equal(false)
    expect(isAllowedUrl('http://user:pw@crl.ca.gov.vn/x.crl', allow)).to.equal(false)
    expect(isAllowedUrl('https://ocsp.ca.gov.vn/other', allow)).to.equal(false)
    expect(isAllowedUrl('ldap://crl.ca.gov.vn/cn=CA', [...allow, 'ldap://crl.ca.gov.vn/'])).to.equal(false)
    expect(isAllowedUrl('not a url', allow)).to.equal(false)
  })
})
