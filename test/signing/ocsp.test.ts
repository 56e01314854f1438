import { spawnSync } from 'node:child_process'
import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { derWrite as w, readDer } from '../../signing/cms'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import type { KeySource } from '../../signing/keys/key-source'
import {
  buildOcspRequest,
  fetchOcsp,
  fromPem,
  handleOcspRequest,
  parseOcspResponse,
  readCertificate,
  readIndex,
  toPem,
  type SerialStatus,
  type OcspResponderConfig,
} from '../../signing/pki'
import { issueWithOpenssl, makeOpensslRoot, rejectionCode, type OpensslSigner } from '../helpers/openssl-pki'
import { serveLocal, startOpensslResponder, type OpensslResponder } from '../helpers/http-server'
import { getTestPki, type TestPki } from '../helpers/test-pki'
import { tempDir } from '../helpers/tools'

const DAY = 24 * 60 * 60 * 1000
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
const RSA = ['-newkey', 'rsa:2048']
const RESPONDER_EXT = 'keyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n'
const NO_EKU_EXT = 'keyUsage=critical,digitalSignature\n'
const MALFORMED = /Responder Error: malformedrequest \(1\)/i

/** Runs openssl in `dir`; exit status and both streams (ocsp prints its verdicts on stderr). */
function run(dir: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 })
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` }
}

/** `YYMMDDHHMMSSZ`, the date form of openssl's index.txt. */
function indexDate(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'
}

/** The same BasicOCSPResponse with its signature value replaced by one made with `key`. */
function resign(response: Buffer, key: KeyObject): Buffer {
  const bytes = readDer(response, 'OCSPResponse').children[1]!.children[0]!
  const basic = readDer(bytes.children[1]!.content, 'BasicOCSPResponse')
  const [tbs, algorithm, , ...certs] = basic.children
  const signature = w.tlv(0x03, Buffer.from([0]), sign('sha256', tbs!.raw, key))
  const forged = w.sequence(tbs!.raw, algorithm!.raw, signature, ...certs.map((c) => c.raw))
  const responseBytes = w.sequence(bytes.children[0]!.raw, w.octetString(forged))
  return w.sequence(Buffer.from([0x0a, 0x01, 0x00]), w.contextConstructed(0, responseBytes))
}

const codeOf = (action: () => unknown) => rejectionCode(Promise.resolve().then(action))

describe('OCSP (RFC 6960)', function () {
  this.timeout(60_000)
  /** An openssl-made PKI, independent of our CA code, and openssl's responder over it. */
  let dir: string
  let root: Buffer
  let good: OpensslSigner
  let revoked: OpensslSigner
  let delegated: OpensslSigner
  const revokedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 3 * DAY)
  let responder: OpensslResponder
  /** Our CA (the shared test PKI) answering through handleOcspRequest. */
  let pki: TestPki
  let ours: OcspResponderConfig

  before(async () => {
    dir = tempDir('kyso-ocsp-test-')
    makeOpensslRoot(dir)
    root = fromPem(readFileSync(join(dir, 'root.pem'), 'latin1'), 'CERTIFICATE')[0]!
    good = issueWithOpenssl(dir, 'good', EC, '/CN=Nguyễn Văn An/O=Sở Tư pháp/C=VN')
    revoked = issueWithOpenssl(dir, 'revoked', RSA, '/CN=Trần Thị Bình/O=Sở Tư pháp/C=VN')
    delegated = issueWithOpenssl(dir, 'ocsp', EC, '/CN=Kyso OCSP – thử nghiệm/C=VN', RESPONDER_EXT)
    issueWithOpenssl(dir, 'noeku', RSA, '/CN=Không được ủy quyền OCSP/C=VN', NO_EKU_EXT)
    // index.txt: status, expiry, revocation date[,reason], serial, file name, subject.
    const line = (s: OpensslSigner, revocation = '') => {
      const facts = readCertificate(s.certificate)
      const status = revocation ? 'R' : 'V'
      const fields = [status, indexDate(facts.notAfter), revocation, facts.serialHex, 'unknown', '/CN=x']
      return `${fields.join('\t')}\n`
    }
    writeFileSync(join(dir, 'index.txt'), line(good) + line(revoked, `${indexDate(revokedAt)},keyCompromise`))
    const signer = ['-rsigner', 'root.pem', '-rkey', 'root.key']
    const index = ['-index', 'index.txt', '-CA', 'root.pem']
    responder = await startOpensslResponder(dir, [...index, ...signer, '-ndays', '1'])

    pki = await getTestPki()
    const caIndex = await readIndex(pki.dir)
    ours = {
      issuerCertificate: pki.issuingDer,
      keySource: openPkcs12KeySource(readFileSync(join(pki.dir, 'issuing.p12')), pki.caPin),
      statusOf: (serialHex): SerialStatus => {
        const entry = caIndex.certificates.find((c) => c.serialHex === serialHex && c.issuedBy === 'issuing')
        if (!entry) return { status: 'unknown' }
        if (!entry.revokedAt) return { status: 'good' }
        const reason = entry.reason ? { reason: entry.reason } : {}
        return { status: 'revoked', revokedAt: new Date(entry.revokedAt), ...reason }
      },
    }
  })

  after(() => {
    responder?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** `openssl ocsp` as a responder in file mode: our request in, its response out. */
  function opensslAnswer(request: Buffer, signer: string[]): Buffer {
    writeFileSync(join(dir, 'req.der'), request)
    rmSync(join(dir, 'resp.der'), { force: true })
    const files = ['-reqin', 'req.der', '-respout', 'resp.der']
    const r = run(dir, ['ocsp', '-index', 'index.txt', '-CA', 'root.pem', ...files, ...signer])
    if (!r.ok) throw new Error(r.output)
    return readFileSync(join(dir, 'resp.der'))
  }

  /** Checks a response of the openssl PKI. */
  const check = (response: Buffer, cert: Buffer, extra: { nonce?: Buffer; now?: Date } = {}) =>
    parseOcspResponse(response, { cert, issuer: root, now: new Date(), ...extra })

  describe('our client, answered by openssl ocsp', () => {
    it('reads good and revoked answers from openssl over HTTP, signed by the CA, nonce echoed', async () => {
      const policy = { allow: [responder.url], now: new Date() }
      const answer = await fetchOcsp(responder.url, good.certificate, root, policy)
      expect(answer.status).to.equal('good')
      expect(answer.responder.equals(root)).to.equal(true)
      expect(answer.nextUpdate!.getTime() - answer.thisUpdate.getTime()).to.equal(DAY)
      expect(readDer(answer.raw, 'OCSPResponse').raw.equals(answer.raw)).to.equal(true)

      const bad = await fetchOcsp(responder.url, revoked.certificate, root, policy)
      expect(bad).to.include({ status: 'revoked', reason: 'keyCompromise' })
      expect(bad.revokedAt?.toISOString()).to.equal(revokedAt.toISOString())
    })

    it('accepts a delegated responder with id-kp-OCSPSigning (ECDSA, byKey), SHA-256 CertID', () => {
      const nonce = randomBytes(32)
      const request = buildOcspRequest(revoked.certificate, root, { nonce, hashAlgorithm: 'sha256' })
      const signer = ['-rsigner', 'ocsp.pem', '-rkey', 'ocsp.key', '-resp_key_id', '-ndays', '1']
      const answer = check(opensslAnswer(request, signer), revoked.certificate, { nonce })
      expect(answer.status).to.equal('revoked')
      expect(answer.responder.equals(delegated.certificate)).to.equal(true)
    })

    it('accepts an SHA-1 signature, and an answer without nextUpdate while it is recent', () => {
      const nonce = randomBytes(16)
      const signer = ['-rsigner', 'root.pem', '-rkey', 'root.key', '-rmd', 'sha1']
      const response = opensslAnswer(buildOcspRequest(good.certificate, root, { nonce }), signer)
      const text = run(dir, ['ocsp', '-respin', 'resp.der', '-noverify', '-resp_text']).output
      expect(text).to.contain('Signature Algorithm: sha1WithRSAEncryption')
      const answer = check(response, good.certificate, { nonce })
      expect(answer.status).to.equal('good')
      expect(answer.nextUpdate).to.equal(undefined)
      const later = new Date(Date.now() + 2 * DAY)
      expect(() => check(response, good.certificate, { now: later })).to.throw(/thisUpdate is too old/)
    })

    it('refuses a delegated responder without id-kp-OCSPSigning, as openssl does', async () => {
      const nonce = randomBytes(16)
      const request = buildOcspRequest(good.certificate, root, { nonce })
      const response = opensslAnswer(request, ['-rsigner', 'noeku.pem', '-rkey', 'noeku.key', '-ndays', '1'])
      expect(await codeOf(() => check(response, good.certificate, { nonce }))).to.equal('OCSP_FAILED')
      expect(() => check(response, good.certificate, { nonce })).to.throw(/lacks id-kp-OCSPSigning/)
      const verdict = run(dir, ['ocsp', '-reqin', 'req.der', '-respin', 'resp.der', '-CAfile', 'root.pem'])
      expect(verdict.ok).to.equal(false)
      expect(verdict.output).to.match(/missing ocspsigning usage/i)
    })

    it('refuses a responder certificate with id-kp-OCSPSigning that another CA issued', async () => {
      const other = tempDir('kyso-ocsp-other-')
      try {
        makeOpensslRoot(other)
        const stranger = issueWithOpenssl(other, 'ocsp', EC, '/CN=OCSP của CA khác/C=VN', RESPONDER_EXT)
        const statusOf = (): SerialStatus => ({ status: 'good' })
        const config = { issuerCertificate: root, keySource: stranger.keySource, statusOf }
        const response = await handleOcspRequest(buildOcspRequest(good.certificate, root), config)
        expect(() => check(response, good.certificate)).to.throw(/not issued by the CA/)
      } finally {
        rmSync(other, { recursive: true, force: true })
      }
    })
  })

  describe('our responder, checked by openssl ocsp', () => {
    interface RoundTrip {
      /** `-reqin -respin -resp_text`: signature, chain and nonce checks, and the response printed. */
      text: string
      /** `-respin -issuer -cert`: the status line openssl finds for the certificate's CertID. */
      status: string
      response: Buffer
    }

    /** openssl makes the request (with its nonce), we answer, openssl checks the answer. */
    async function roundTrip(who: 'hoan' | 'revoked', config = ours): Promise<RoundTrip> {
      writeFileSync(join(dir, 'issuing.pem'), pki.issuingPem)
      writeFileSync(join(dir, 'our-root.pem'), pki.rootPem)
      writeFileSync(join(dir, `${who}.pem`), toPem('CERTIFICATE', pki.signers[who].certificate))
      const ids = ['-issuer', 'issuing.pem', '-cert', `${who}.pem`]
      const made = run(dir, ['ocsp', ...ids, '-reqout', 'our-req.der'])
      expect(made.ok, made.output).to.equal(true)
      const response = await handleOcspRequest(readFileSync(join(dir, 'our-req.der')), config)
      writeFileSync(join(dir, 'our-resp.der'), response)
      const verify = ['-CAfile', 'our-root.pem', '-verify_other', 'issuing.pem']
      const text = run(dir, [
        'ocsp',
        '-reqin',
        'our-req.der',
        '-respin',
        'our-resp.der',
        ...verify,
        '-resp_text',
      ])
      const status = run(dir, ['ocsp', '-respin', 'our-resp.der', ...ids, '-no_nonce', ...verify])
      return { text: text.output, status: status.output, response }
    }

    const ourCheck = (response: Buffer, who: 'hoan' | 'revoked') =>
      parseOcspResponse(response, {
        cert: pki.signers[who].certificate,
        issuer: pki.issuingDer,
        now: new Date(),
      })

    it('answers good for a current certificate, signed by the issuing CA, nonce echoed', async () => {
      const { text, status, response } = await roundTrip('hoan')
      expect(text).to.contain('Response verify OK')
      expect(text).not.to.contain('WARNING')
      expect(text).to.contain('OCSP Nonce')
      expect(text).to.match(/Responder Id: [0-9A-F]{40}\n/)
      expect(status).to.match(/hoan\.pem: good\n/)
      const answer = ourCheck(response, 'hoan')
      expect(answer.status).to.equal('good')
      expect(answer.responder.equals(pki.issuingDer)).to.equal(true)
      expect(answer.nextUpdate!.getTime() - answer.thisUpdate.getTime()).to.equal(DAY)
    })

    it('answers revoked with the date and reason from the CA index', async () => {
      const { text, status, response } = await roundTrip('revoked')
      expect(text).to.contain('Response verify OK')
      expect(status).to.match(/revoked\.pem: revoked\n/)
      expect(status).to.match(/Reason: keyCompromise\n/)
      const { certificates } = await readIndex(pki.dir)
      const entry = certificates.find((c) => c.serialHex === pki.signers.revoked.serialHex)
      const answer = ourCheck(response, 'revoked')
      expect(answer).to.include({ status: 'revoked', reason: 'keyCompromise' })
      expect(answer.revokedAt?.toISOString()).to.equal(entry?.revokedAt)
    })

    it('answers unknown when the records say so, with the configured validity', async () => {
      const statusOf = (): SerialStatus => ({ status: 'unknown' })
      const config = { ...ours, statusOf, validitySeconds: 3600 }
      const { status, response } = await roundTrip('hoan', config)
      expect(status).to.match(/hoan\.pem: unknown\n/)
      const answer = ourCheck(response, 'hoan')
      expect(answer.nextUpdate!.getTime() - answer.thisUpdate.getTime()).to.equal(3600_000)
    })

    it('answers unauthorized for another CA’s certificate, malformedRequest for a non-request', async () => {
      const statusText = async (request: Buffer) => {
        writeFileSync(join(dir, 'status.der'), await handleOcspRequest(request, ours))
        return run(dir, ['ocsp', '-respin', 'status.der', '-resp_text', '-noverify']).output
      }
      const foreign = buildOcspRequest(good.certificate, root)
      expect(await statusText(foreign)).to.match(/Responder Error: unauthorized \(6\)/)
      expect(await statusText(Buffer.from('not DER'))).to.match(MALFORMED)
      const request = buildOcspRequest(pki.signers.hoan.certificate, pki.issuingDer)
      expect(await statusText(Buffer.concat([request, Buffer.from([0])]))).to.match(MALFORMED)
    })

    it('refuses a nonce longer than 32 octets (RFC 8954 §2.1) with malformedRequest', async () => {
      const hoan = pki.signers.hoan.certificate
      const tooLong = Buffer.alloc(33, 7)
      expect(() => buildOcspRequest(hoan, pki.issuingDer, { nonce: tooLong })).to.throw(/1 to 32 octets/)
      // Our builder refuses such a nonce, so the request is written here: tbsRequest { requestList, [2] }.
      const tbsRequest = readDer(buildOcspRequest(hoan, pki.issuingDer), 'OCSPRequest').children[0]!
      const requestList = tbsRequest.children[0]!.raw
      const nonce = w.sequence(w.oid('1.3.6.1.5.5.7.48.1.2'), w.octetString(w.octetString(tooLong)))
      const request = w.sequence(w.sequence(requestList, w.contextConstructed(2, w.sequence(nonce))))
      writeFileSync(join(dir, 'long.der'), await handleOcspRequest(request, ours))
      expect(run(dir, ['ocsp', '-respin', 'long.der', '-resp_text', '-noverify']).output).to.match(MALFORMED)
    })

    it('signs with no key that misfits its certificate, and calls nothing revoked without a date', async () => {
      const otherKey = createPrivateKey(readFileSync(join(dir, 'root.key')))
      const wrongKey: KeySource = { ...ours.keySource, sign: async (data) => sign('sha256', data, otherKey) }
      const request = buildOcspRequest(pki.signers.hoan.certificate, pki.issuingDer)
      const misfit = { ...ours, keySource: wrongKey }
      expect(await rejectionCode(handleOcspRequest(request, misfit))).to.equal('KEY_MISMATCH')
      const noDate = { ...ours, statusOf: (): SerialStatus => ({ status: 'revoked' }) }
      expect(await rejectionCode(handleOcspRequest(request, noDate))).to.equal('BAD_OPTION')
    })
  })

  describe('responses that must not be believed', () => {
    const hoan = () => pki.signers.hoan.certificate
    /** The code parseOcspResponse throws for a response of our CA, or undefined when it believes it. */
    const refusal = (response: Buffer, cert: Buffer, extra: { nonce?: Buffer; now?: Date } = {}) =>
      codeOf(() => parseOcspResponse(response, { cert, issuer: pki.issuingDer, now: new Date(), ...extra }))
    const problem = (response: Buffer, cert: Buffer) => {
      try {
        parseOcspResponse(response, { cert, issuer: pki.issuingDer, now: new Date() })
        return 'none'
      } catch (err) {
        return (err as Error).message
      }
    }

    it('refuses a response signed by the wrong key, by another CA, or changed after signing', async () => {
      const request = buildOcspRequest(hoan(), pki.issuingDer)
      const response = await handleOcspRequest(request, ours)
      expect(await refusal(response, hoan())).to.equal(undefined)
      const forged = resign(response, createPrivateKey(readFileSync(join(dir, 'root.key'))))
      expect(await refusal(forged, hoan())).to.equal('OCSP_FAILED')
      expect(problem(forged, hoan())).to.match(/signature does not verify/)
      const policy = { allow: [responder.url], now: new Date() }
      const foreign = await fetchOcsp(responder.url, good.certificate, root, policy)
      expect(await refusal(foreign.raw, hoan())).to.equal('OCSP_FAILED')
      expect(problem(foreign.raw, hoan())).to.match(/not authorised: its certificate was not issued by/)
      // good [0] -> unknown [2]: the CertStatus right after the echoed CertID.
      const certId = readDer(request, 'OCSPRequest').children[0]!.children[0]!.children[0]!.children[0]!.raw
      const tampered = Buffer.from(response)
      const at = tampered.indexOf(certId) + certId.length
      expect(tampered[at]).to.equal(0x80)
      tampered[at] = 0x82
      expect(problem(tampered, hoan())).to.match(/signature does not verify/)
    })

    it('refuses a response about another certificate', async () => {
      const response = await handleOcspRequest(buildOcspRequest(hoan(), pki.issuingDer), ours)
      expect(await refusal(response, pki.signers.luong.certificate)).to.equal('OCSP_FAILED')
      expect(problem(response, pki.signers.luong.certificate)).to.match(/no SingleResponse is for the/)
    })

    it('refuses a stale response and one from the future; allows minutes of clock skew', async () => {
      const request = buildOcspRequest(hoan(), pki.issuingDer)
      const at = (offsetMs: number) => {
        return handleOcspRequest(request, { ...ours, now: new Date(Date.now() + offsetMs) })
      }
      const stale = await at(-3 * DAY)
      expect(await refusal(stale, hoan())).to.equal('OCSP_FAILED')
      expect(problem(stale, hoan())).to.match(/nextUpdate has passed/)
      expect(problem(await at(60 * 60 * 1000), hoan())).to.match(/thisUpdate is in the future/)
      expect(await refusal(await at(2 * 60 * 1000), hoan())).to.equal(undefined)
    })

    it('refuses a response that does not echo the nonce sent, or echoes another', async () => {
      const nonce = randomBytes(32)
      const answerTo = (sent?: Buffer) => {
        return handleOcspRequest(buildOcspRequest(hoan(), pki.issuingDer, { nonce: sent }), ours)
      }
      expect(await refusal(await answerTo(), hoan(), { nonce })).to.equal('OCSP_FAILED')
      expect(await refusal(await answerTo(randomBytes(32)), hoan(), { nonce })).to.equal('OCSP_FAILED')
      expect(await refusal(await answerTo(nonce), hoan(), { nonce })).to.equal(undefined)
    })

    it('tells bytes that are no OCSP response (OCSP_UNREADABLE) from a refusal (OCSP_FAILED)', async () => {
      expect(await refusal(Buffer.from('<html>'), hoan())).to.equal('OCSP_UNREADABLE')
      expect(await refusal(pki.issuingDer, hoan())).to.equal('OCSP_UNREADABLE')
      const malformed = await handleOcspRequest(Buffer.from([0x30, 0x00]), ours)
      expect(await refusal(malformed, hoan())).to.equal('OCSP_FAILED')
      expect(problem(malformed, hoan())).to.match(/answered malformedRequest/)
      const wrongIssuer = () => parseOcspResponse(malformed, { cert: hoan(), issuer: root, now: new Date() })
      expect(await codeOf(wrongIssuer)).to.equal('BAD_OPTION')
    })
  })

  describe('fetching from allow-listed URLs only', () => {
    it('never sends a request to a URL that is not on the list', async () => {
      const server = await serveLocal(async (_req, body, res) => {
        res.setHeader('content-type', 'application/ocsp-response')
        res.end(await handleOcspRequest(body, ours))
      })
      try {
        const policy = { allow: [`${server.base}/ocsp/`], now: new Date() }
        const ask = (path: string) => {
          return fetchOcsp(`${server.base}${path}`, pki.signers.hoan.certificate, pki.issuingDer, policy)
        }
        expect(await rejectionCode(ask('/evil/ocsp'))).to.equal('URL_NOT_ALLOWED')
        expect(server.requests).to.deep.equal([])
        expect((await ask('/ocsp/issuing')).status).to.equal('good')
        expect(server.requests).to.deep.equal(['POST /ocsp/issuing'])
      } finally {
        await server.close()
      }
    })

    it('refuses a redirect, a responder that does not answer in time and oversized answers', async () => {
      const server = await serveLocal((req, _body, res) => {
        if (req.url === '/ocsp/redirect') res.writeHead(302, { location: '/ocsp/elsewhere' }).end()
        else if (req.url === '/ocsp/big') res.end(Buffer.alloc(5000))
        else if (req.url === '/ocsp/chunked') {
          // No content-length: the limit must hold while the body streams in.
          for (let i = 0; i < 3; i++) res.write(Buffer.alloc(2000))
          res.end()
        }
        // /ocsp/slow never answers
      })
      try {
        const policy = { allow: [`${server.base}/ocsp/`], now: new Date(), timeoutMs: 300, maxBytes: 4096 }
        const ask = (path: string) => {
          return fetchOcsp(`${server.base}${path}`, pki.signers.hoan.certificate, pki.issuingDer, policy)
        }
        expect(await rejectionCode(ask('/ocsp/redirect'))).to.equal('OCSP_FAILED')
        expect(await rejectionCode(ask('/ocsp/slow'))).to.equal('OCSP_FAILED')
        expect(await rejectionCode(ask('/ocsp/big'))).to.equal('OCSP_FAILED')
        expect(await rejectionCode(ask('/ocsp/chunked'))).to.equal('OCSP_FAILED')
        const paths = ['/ocsp/redirect', '/ocsp/slow', '/ocsp/big', '/ocsp/chunked']
        expect(server.requests).to.deep.equal(paths.map((path) => `POST ${path}`))
      } finally {
        await server.close()
      }
    })
  })
})
