import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { buildPadesSignature, derWrite as w, parseSignedData, verifyCmsSignature } from '../../signing/cms'
import type { KeySource } from '../../signing/keys/key-source'
import {
  builtinTsa,
  createTimestampToken,
  handleTimestampRequest,
  httpTsa,
  KYSO_TSA_POLICY,
  parseTimeStampResp,
  PKI_STATUS,
  verifyTimestampToken,
} from '../../signing/tsa'
import { opensslCmsVerify, tempDir } from '../helpers/tools'
import {
  issueWithOpenssl,
  makeOpensslRoot,
  openssl,
  rejectionCode,
  sha256,
  TSA_EXT,
} from '../helpers/openssl-pki'

/** Runs openssl and returns its exit status and all output (ts -verify prints to both streams). */
function opensslRun(dir: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  return { ok: r.status === 0, output: (r.stdout ?? '') + (r.stderr ?? '') }
}

/** A local HTTP server on 127.0.0.1, port 0; returns its URL and a close function. */
async function serve(handler: RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function readBody(req: Parameters<RequestListener>[0]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject)
  })
}

describe('signing/tsa', () => {
  let dir: string
  let tsa: KeySource
  let signer: KeySource
  const data = randomBytes(256)

  before(() => {
    dir = tempDir('kyso-tsa-test-')
    makeOpensslRoot(dir)
    tsa = issueWithOpenssl(
      dir,
      'tsa',
      ['-newkey', 'rsa:2048'],
      '/CN=Kyso TSA – thử nghiệm/C=VN',
      TSA_EXT,
    ).keySource
    signer = issueWithOpenssl(
      dir,
      'signer',
      ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      '/CN=Lê Văn Cường/C=VN',
      'keyUsage=critical,digitalSignature,nonRepudiation\n',
    ).keySource
    writeFileSync(join(dir, 'data.bin'), data)
  })

  after(() => rmSync(dir, { recursive: true, force: true }))

  describe('createTimestampToken', () => {
    it('issues a token that openssl ts -verify accepts for the data', async () => {
      writeFileSync(
        join(dir, 'token.der'),
        await createTimestampToken({ imprint: sha256(data), keySource: tsa }),
      )
      const r = opensslRun(dir, [
        'ts',
        '-verify',
        '-data',
        'data.bin',
        '-in',
        'token.der',
        '-token_in',
        '-CAfile',
        'root.pem',
        '-untrusted',
        'tsa.pem',
      ])
      expect(r.output).to.match(/Verification: OK/)
    })

    it('is refused by openssl ts -verify for other data', async () => {
      writeFileSync(
        join(dir, 'token.der'),
        await createTimestampToken({ imprint: sha256(data), keySource: tsa }),
      )
      writeFileSync(join(dir, 'other.bin'), randomBytes(10))
      const r = opensslRun(dir, [
        'ts',
        '-verify',
        '-data',
        'other.bin',
        '-in',
        'token.der',
        '-token_in',
        '-CAfile',
        'root.pem',
        '-untrusted',
        'tsa.pem',
      ])
      expect(r.output).not.to.match(/Verification: OK/)
    })

    it('writes the given policy, serial, time with milliseconds, nonce and accuracy into TSTInfo', async () => {
      const genTime = new Date('2026-03-04T05:06:07.890Z')
      const token = await createTimestampToken({
        imprint: sha256(data),
        keySource: tsa,
        policy: '1.3.6.1.4.1.99999.7',
        serial: 4242n,
        genTime,
        nonce: 77n,
        accuracySeconds: 2,
      })
      writeFileSync(join(dir, 'token.der'), token)
      const text = openssl(dir, ['ts', '-reply', '-in', 'token.der', '-token_in', '-text'])
      expect(text).to.match(/Policy OID: 1\.3\.6\.1\.4\.1\.99999\.7/)
      expect(text).to.match(/Serial number: 0x1092/)
      expect(text).to.match(/Time stamp: Mar {2}4 05:06:07\.89 2026 GMT/)
      expect(text).to.match(/Nonce: 0x4D/)
      expect(text).to.match(/Accuracy: 0x02 seconds/)
      expect(verifyTimestampToken(token, data)).to.include({
        valid: true,
        policy: '1.3.6.1.4.1.99999.7',
        serialNumber: 4242n,
      })
    })

    it('uses the Kyso policy by default and has version 3 SignedData with id-ct-TSTInfo', async () => {
      const token = await createTimestampToken({ imprint: sha256(data), keySource: tsa })
      const parsed = parseSignedData(token)
      expect([parsed.version, parsed.contentType]).to.deep.equal([3, '1.2.840.113549.1.9.16.1.4'])
      expect(verifyTimestampToken(token, data).policy).to.equal(KYSO_TSA_POLICY)
    })

    it('refuses an imprint that is not a SHA-256 hash', async () => {
      const imprint = createHash('sha1').update(data).digest()
      expect(await rejectionCode(createTimestampToken({ imprint, keySource: tsa }))).to.equal('BAD_OPTION')
    })

    it('refuses a policy that is not an OID', async () => {
      const opts = { imprint: sha256(data), keySource: tsa, policy: 'kyso' }
      expect(await rejectionCode(createTimestampToken(opts))).to.equal('BAD_OPTION')
    })
  })

  describe('handleTimestampRequest', () => {
    const query = (name: string, args: string[]): Buffer => {
      openssl(dir, ['ts', '-query', '-data', 'data.bin', ...args, '-out', `${name}.tsq`])
      return readFileSync(join(dir, `${name}.tsq`))
    }
    const status = (reply: Buffer) => parseTimeStampResp(reply)

    it('grants a request from openssl ts -query, and openssl ts -verify -queryfile accepts the reply', async () => {
      writeFileSync(
        join(dir, 'resp.der'),
        await handleTimestampRequest(query('req', ['-sha256', '-cert']), { keySource: tsa }),
      )
      const text = openssl(dir, ['ts', '-reply', '-in', 'resp.der', '-text'])
      expect(text).to.match(/Status: Granted/)
      expect(text).to.match(/Hash Algorithm: sha256/)
      const r = opensslRun(dir, [
        'ts',
        '-verify',
        '-queryfile',
        'req.tsq',
        '-in',
        'resp.der',
        '-CAfile',
        'root.pem',
        '-untrusted',
        'tsa.pem',
      ])
      expect(r.output).to.match(/Verification: OK/)
    })

    it('answers SHA-512 requests with the same imprint', async () => {
      writeFileSync(
        join(dir, 'resp512.der'),
        await handleTimestampRequest(query('req512', ['-sha512', '-cert']), { keySource: tsa }),
      )
      const r = opensslRun(dir, [
        'ts',
        '-verify',
        '-queryfile',
        'req512.tsq',
        '-in',
        'resp512.der',
        '-CAfile',
        'root.pem',
        '-untrusted',
        'tsa.pem',
      ])
      expect(r.output).to.match(/Verification: OK/)
    })

    it('includes the TSA certificate only when the request asks for it (certReq)', async () => {
      const without = status(await handleTimestampRequest(query('nocert', ['-sha256']), { keySource: tsa }))
      expect(parseSignedData(without.token!).certificates).to.have.length(0)
      const withCert = status(
        await handleTimestampRequest(query('cert', ['-sha256', '-cert']), { keySource: tsa }),
      )
      expect(parseSignedData(withCert.token!).certificates.some((c) => c.equals(tsa.certificate))).to.equal(
        true,
      )
    })

    it('rejects a malformed request with badDataFormat', async () => {
      for (const bad of [
        Buffer.from('not a request'),
        Buffer.alloc(0),
        Buffer.concat([query('ok', ['-sha256']), Buffer.from([0])]),
      ]) {
        const reply = status(await handleTimestampRequest(bad, { keySource: tsa }))
        expect([reply.status, reply.failInfo, reply.token]).to.deep.equal([
          PKI_STATUS.rejection,
          ['badDataFormat'],
          undefined,
        ])
      }
      writeFileSync(join(dir, 'bad.der'), await handleTimestampRequest(Buffer.from('x'), { keySource: tsa }))
      expect(openssl(dir, ['ts', '-reply', '-in', 'bad.der', '-text'])).to.match(/Status: Rejected/)
    })

    it('answers every corrupted request with a TimeStampResp, granted or rejected', async () => {
      const request = query('fuzz', ['-sha256', '-cert'])
      let seed = 11
      const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
      const statuses = new Set<number>()
      for (let i = 0; i < 300; i++) {
        const corrupted = Buffer.from(request)
        corrupted[next() % corrupted.length] = next() % 256
        statuses.add(status(await handleTimestampRequest(corrupted, { keySource: tsa })).status)
      }
      expect([...statuses].sort()).to.deep.equal([PKI_STATUS.granted, PKI_STATUS.rejection])
    })

    it('rejects a SHA-1 imprint with badAlg', async () => {
      const reply = status(await handleTimestampRequest(query('sha1', ['-sha1']), { keySource: tsa }))
      expect([reply.status, reply.failInfo]).to.deep.equal([PKI_STATUS.rejection, ['badAlg']])
    })

    it('rejects a policy it does not offer with unacceptedPolicy', async () => {
      const reply = status(
        await handleTimestampRequest(query('policy', ['-sha256', '-tspolicy', '1.2.3.4']), {
          keySource: tsa,
        }),
      )
      expect([reply.status, reply.failInfo]).to.deep.equal([PKI_STATUS.rejection, ['unacceptedPolicy']])
      const ours = status(
        await handleTimestampRequest(query('ourpolicy', ['-sha256', '-tspolicy', KYSO_TSA_POLICY]), {
          keySource: tsa,
        }),
      )
      expect(ours.status).to.equal(PKI_STATUS.granted)
    })
  })

  describe('verifyTimestampToken', () => {
    it('reports a valid token over the right data', async () => {
      const token = await createTimestampToken({ imprint: sha256(data), keySource: tsa })
      const check = verifyTimestampToken(token, data)
      expect(check).to.include({ valid: true, imprintMatches: true, hasTimestampingEku: true })
      expect(check.tsaCertificate?.equals(tsa.certificate)).to.equal(true)
      expect(check.genTime).to.be.instanceOf(Date)
      expect(check.problems).to.deep.equal([])
    })

    it('reports imprintMatches false for other data', async () => {
      const token = await createTimestampToken({ imprint: sha256(data), keySource: tsa })
      expect(verifyTimestampToken(token, randomBytes(256))).to.include({
        valid: false,
        imprintMatches: false,
      })
    })

    it('reports an invalid token when one byte of its signature is flipped', async () => {
      const token = await createTimestampToken({ imprint: sha256(data), keySource: tsa })
      const signatureValue = parseSignedData(token).signatureValue
      token[token.indexOf(signatureValue) + 5]! ^= 0x01
      expect(verifyTimestampToken(token, data)).to.include({ valid: false, imprintMatches: true })
    })

    it('reports a token from a certificate without the timeStamping EKU', async () => {
      const token = await createTimestampToken({ imprint: sha256(data), keySource: signer })
      expect(verifyTimestampToken(token, data)).to.include({
        valid: false,
        imprintMatches: true,
        hasTimestampingEku: false,
      })
    })

    it('reports bytes that are not a token, without throwing', async () => {
      const signature = await buildPadesSignature({ digest: sha256(data), keySource: signer })
      for (const bad of [randomBytes(100), signature]) {
        const check = verifyTimestampToken(bad, data)
        expect(check.valid).to.equal(false)
        expect(check.problems[0]).to.match(/not a time-stamp token/)
      }
    })
  })

  describe('PAdES B-T', () => {
    it('embeds a token over the signature value that openssl ts -verify accepts', async () => {
      const cms = await buildPadesSignature({
        digest: sha256(data),
        keySource: signer,
        timestamp: builtinTsa(tsa),
      })
      const check = verifyCmsSignature(cms, sha256(data))
      expect(check).to.include({ signatureValid: true, messageDigestMatches: true })
      expect(check.timestampToken).to.be.instanceOf(Buffer)
      writeFileSync(join(dir, 'sigvalue.bin'), check.signatureValue)
      writeFileSync(join(dir, 'bt-token.der'), check.timestampToken!)
      const r = opensslRun(dir, [
        'ts',
        '-verify',
        '-data',
        'sigvalue.bin',
        '-in',
        'bt-token.der',
        '-token_in',
        '-CAfile',
        'root.pem',
        '-untrusted',
        'tsa.pem',
      ])
      expect(r.output).to.match(/Verification: OK/)
      expect(verifyTimestampToken(check.timestampToken!, check.signatureValue).valid).to.equal(true)
      const cmsCheck = opensslCmsVerify(cms, data, join(dir, 'root.pem'))
      expect(cmsCheck.ok, cmsCheck.output).to.equal(true)
    })

    it('shows the token as id-aa-signatureTimeStampToken in openssl cms -print', async () => {
      writeFileSync(
        join(dir, 'bt.der'),
        await buildPadesSignature({ digest: sha256(data), keySource: signer, timestamp: builtinTsa(tsa) }),
      )
      const printed = openssl(dir, ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'bt.der'])
      expect(printed).to.match(
        /unsignedAttrs:\s+object: id-smime-aa-timeStampToken \(1\.2\.840\.113549\.1\.9\.16\.2\.14\)/,
      )
    })

    it('fails with TSA_FAILED when the time-stamp source returns something that is not a token', async () => {
      const timestamp = async (): Promise<Buffer> => Buffer.from('<html>oops</html>')
      expect(
        await rejectionCode(buildPadesSignature({ digest: sha256(data), keySource: signer, timestamp })),
      ).to.equal('TSA_FAILED')
    })
  })

  describe('httpTsa', () => {
    it('gets a token from an RFC 3161 server over HTTP, checking nonce and imprint', async () => {
      const seen: string[] = []
      const server = await serve(async (req, res) => {
        seen.push(String(req.headers['content-type']))
        const reply = await handleTimestampRequest(await readBody(req), { keySource: tsa })
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply)
      })
      try {
        const cms = await buildPadesSignature({
          digest: sha256(data),
          keySource: signer,
          timestamp: httpTsa(server.url),
        })
        const check = verifyCmsSignature(cms, sha256(data))
        expect(verifyTimestampToken(check.timestampToken!, check.signatureValue).valid).to.equal(true)
        expect(seen).to.deep.equal(['application/timestamp-query'])
      } finally {
        await server.close()
      }
    })

    const failures: Array<[string, RequestListener]> = [
      ['answers garbage', (_req, res) => res.writeHead(200).end('garbage')],
      ['answers HTTP 500', (_req, res) => res.writeHead(500).end()],
      [
        'rejects the request',
        (_req, res) =>
          void handleTimestampRequest(Buffer.from('x'), { keySource: tsa }).then((r) => res.end(r)),
      ],
    ]
    for (const [label, handler] of failures) {
      it(`fails with TSA_FAILED when the server ${label}`, async () => {
        const server = await serve(handler)
        try {
          expect(await rejectionCode(httpTsa(server.url)(randomBytes(64)))).to.equal('TSA_FAILED')
        } finally {
          await server.close()
        }
      })
    }

    it('fails with TSA_FAILED when the server replays an old token (nonce not echoed)', async () => {
      const signatureValue = randomBytes(64)
      const old = await createTimestampToken({ imprint: sha256(signatureValue), keySource: tsa, nonce: 1n })
      const granted = w.sequence(w.sequence(w.integer(PKI_STATUS.granted)), old)
      const server = await serve((_req, res) => res.end(granted))
      try {
        expect(await rejectionCode(httpTsa(server.url)(signatureValue))).to.equal('TSA_FAILED')
      } finally {
        await server.close()
      }
    })

    it('fails with TSA_FAILED when the server does not answer in time', async () => {
      const server = await serve(() => undefined)
      try {
        expect(await rejectionCode(httpTsa(server.url, { timeoutMs: 200 })(randomBytes(64)))).to.equal(
          'TSA_FAILED',
        )
      } finally {
        await server.close()
      }
    })

    it('fails with TSA_FAILED when nothing listens', async () => {
      const server = await serve(() => undefined)
      await server.close()
      expect(await rejectionCode(httpTsa(server.url)(randomBytes(64)))).to.equal('TSA_FAILED')
    })
  })
})
