import { expect } from 'chai'
import { constants, createHash, privateEncrypt, randomBytes, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { derWrite, HASH_OID } from '../../signing/cms'
import { openPkcs12KeySource, readPkcs12 } from '../../signing/keys/pkcs12'
import {
  classifyCscAnswer,
  cscConnector,
  remoteKeySource,
  type CscOutcome,
  type RemoteSigningConnector,
} from '../../signing/remote'
import { getCscTestPki } from '../helpers/csc-pki'
import { rejectionCode } from '../helpers/openssl-pki'

/** A local HTTP server on 127.0.0.1, port 0, standing in for a provider that misbehaves. */
async function serve(handler: RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const connectTo = (baseUrl: string, timeoutMs?: number) =>
  cscConnector({
    provider: 'odd',
    baseUrl,
    clientId: 'kyso',
    clientSecret: 's3cret',
    ...(timeoutMs && { timeoutMs }),
  })
/** The error code of listing a user's credentials at `baseUrl`. */
const listing = (baseUrl: string, timeoutMs?: number) =>
  rejectionCode(connectTo(baseUrl, timeoutMs).listCredentials('u'))

describe('the CSC connector guarding its exchanges with a provider', function () {
  this.timeout(30_000)

  it('takes https base URLs, and plain http only on the loopback interface', () => {
    const code = (baseUrl: string) => {
      try {
        connectTo(baseUrl)
        return 'ok'
      } catch (err) {
        return (err as { code?: string }).code
      }
    }
    const good = ['https://rssp.example.vn/', 'http://127.0.0.1:8080', 'http://localhost:1', 'http://[::1]:1']
    const bad = ['http://rssp.example.vn/', 'ftp://127.0.0.1/', 'not a url', 'https://u:p@rssp.example.vn/']
    expect(good.map(code)).to.deep.equal(good.map(() => 'ok'))
    expect(bad.map(code)).to.deep.equal(bad.map(() => 'BAD_OPTION'))
  })

  it('never follows a redirect (REMOTE_UNAVAILABLE): the place it points to is never asked', async () => {
    let asked = 0
    const target = await serve((_req, res) => {
      asked++
      res.end('{}')
    })
    const bouncer = await serve((_req, res) => res.writeHead(307, { location: target.url }).end())
    try {
      expect(await listing(bouncer.url)).to.equal('REMOTE_UNAVAILABLE')
      expect(asked).to.equal(0)
    } finally {
      await Promise.all([target.close(), bouncer.close()])
    }
  })

  for (const declared of [true, false]) {
    const how = declared ? 'declared in Content-Length' : 'streamed'
    it(`refuses an answer over 1 MB, ${how} (REMOTE_SIGNING_FAILED)`, async () => {
      const huge = Buffer.alloc(2 * 1024 * 1024, 0x20)
      const server = await serve((_req, res) => {
        const length = declared ? { 'content-length': huge.length } : {}
        res.writeHead(200, { 'content-type': 'application/json', ...length }).end(huge)
      })
      try {
        expect(await listing(server.url)).to.equal('REMOTE_SIGNING_FAILED')
      } finally {
        await server.close()
      }
    })
  }

  it('gives up after timeoutMs (REMOTE_UNAVAILABLE), and when nothing listens', async () => {
    const silent = await serve(() => undefined)
    try {
      const started = Date.now()
      expect(await listing(silent.url, 300)).to.equal('REMOTE_UNAVAILABLE')
      expect(Date.now() - started).to.be.below(3000)
    } finally {
      await silent.close()
    }
    expect(await listing(silent.url)).to.equal('REMOTE_UNAVAILABLE')
  })

  it('sends the client secret only in the form body of oauth2/token; retries once, new token', async () => {
    const seen: Array<{ path: string; type: string; auth: string; body: string }> = []
    let issued = 0
    const provider = await serve(async (req, res) => {
      const body = await bodyOf(req)
      const type = String(req.headers['content-type'])
      seen.push({ path: req.url ?? '', type, auth: req.headers.authorization ?? '', body })
      let answer: [number, unknown] = [200, { credentialIDs: [] }]
      if (req.url === '/oauth2/token') {
        answer = [200, { access_token: `token-${++issued}`, token_type: 'Bearer', expires_in: 3600 }]
      } else if (req.headers.authorization === 'Bearer token-1') {
        // The first token is "revoked" by the provider before its expiry.
        answer = [401, { error: 'invalid_token', error_description: 'revoked' }]
      }
      res.writeHead(answer[0], { 'content-type': 'application/json' }).end(JSON.stringify(answer[1]))
    })
    try {
      expect(await connectTo(provider.url).listCredentials('079085001234')).to.deep.equal([])
      expect(seen.map((s) => [s.path, s.auth])).to.deep.equal([
        ['/oauth2/token', ''],
        ['/csc/v2/credentials/list', 'Bearer token-1'],
        ['/oauth2/token', ''],
        ['/csc/v2/credentials/list', 'Bearer token-2'],
      ])
      const token = new URLSearchParams(seen[0]!.body)
      expect([seen[0]!.type, token.get('grant_type'), token.get('client_secret')]).to.deep.equal([
        'application/x-www-form-urlencoded',
        'client_credentials',
        's3cret',
      ])
      const elsewhere = seen.filter((s) => s.path !== '/oauth2/token')
      expect(elsewhere.some((s) => JSON.stringify(s).includes('s3cret'))).to.equal(false)
      const list = JSON.parse(elsewhere[0]!.body) as unknown
      expect(list).to.deep.include({ userID: '079085001234', certificates: 'chain' })
    } finally {
      await provider.close()
    }
  })

  it('masks the client secret when a provider repeats it in an error (REMOTE_AUTH_FAILED)', async () => {
    const echo = await serve(async (req, res) => {
      const secret = new URLSearchParams(await bodyOf(req)).get('client_secret')
      const description = `Invalid parameter client_secret ${secret}`
      const answer = { error: 'invalid_request', error_description: description }
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    })
    try {
      const err = await connectTo(echo.url)
        .listCredentials('u')
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect((err as { code?: string }).code).to.equal('REMOTE_AUTH_FAILED')
      expect(String((err as Error).message))
        .to.include('client_secret ***')
        .and.not.include('s3cret')
    } finally {
      await echo.close()
    }
  })
})

describe('the CSC connector with a provider that signs at once', () => {
  it('takes the value signHash answered despite operationMode "A"; any connector can poll it', async () => {
    const pki = await getCscTestPki()
    const { key, certificate, chain } = readPkcs12(readFileSync(pki.p12Files.anRsa), pki.pin)
    const seen: string[] = []
    const provider = await serve(async (req, res) => {
      const text = await bodyOf(req)
      seen.push(req.url ?? '')
      const answers: Record<string, () => unknown> = {
        '/oauth2/token': () => ({ access_token: 't', token_type: 'Bearer' }),
        '/csc/v2/credentials/list': () => ({
          credentialIDs: ['c'],
          credentialInfos: [
            {
              credentialID: 'c',
              // Only sha256WithRSAEncryption listed: the connector must ask for that one.
              key: { status: 'enabled', algo: ['1.2.840.113549.1.1.11'], len: 2048 },
              cert: { certificates: [certificate, ...chain].map((der) => der.toString('base64')) },
            },
          ],
        }),
        '/csc/v2/credentials/authorize': () => ({ SAD: 'sad' }),
        '/csc/v2/signatures/signHash': () => {
          const body = JSON.parse(text) as { hashes: string[]; signAlgo: string }
          seen.push(body.signAlgo)
          const sha256 = derWrite.algorithmIdentifier(HASH_OID.sha256, derWrite.NULL)
          const hash = Buffer.from(body.hashes[0]!, 'base64')
          const digestInfo = derWrite.sequence(sha256, derWrite.octetString(hash))
          const value = privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo)
          return { signatures: [value.toString('base64')] }
        },
      }
      const answer = answers[req.url ?? '']
      const json = JSON.stringify(answer?.() ?? {})
      res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' }).end(json)
    })
    try {
      const data = randomBytes(300)
      const digest = createHash('sha256').update(data).digest()
      const request = { userRef: 'u', credentialId: 'c', digest, description: 'x' }
      const started = await connectTo(provider.url).startSignature(request)
      const state = await connectTo(provider.url).pollSignature(started.transactionId)
      const signature = state.state === 'signed' ? state.signature : Buffer.alloc(0)
      expect(verify('sha256', data, key, signature)).to.equal(true)
      expect(seen).to.deep.equal([
        '/oauth2/token',
        '/csc/v2/credentials/list',
        '/csc/v2/credentials/authorize',
        '/csc/v2/signatures/signHash',
        '1.2.840.113549.1.1.11',
      ])
    } finally {
      await provider.close()
    }
  })
})

describe('the CSC error table', () => {
  const invalid = (description: string) => ({ error: 'invalid_request', error_description: description })
  const cases: Array<[string, number, unknown, CscOutcome]> = [
    ['signatures/signPolling', 202, { error: 'accepted_request' }, 'pending'],
    ['signatures/signPolling', 400, invalid('Request not yet completed'), 'pending'],
    ['signatures/signPolling', 400, { error: 'authorization_pending' }, 'pending'],
    ['signatures/signPolling', 400, { error: 'access_denied', error_description: 'Từ chối' }, 'refused'],
    ['signatures/signPolling', 400, invalid('Invalid parameter requestID'), 'unknown-request'],
    ['signatures/signHash', 400, invalid('SAD expired'), 'expired'],
    ['signatures/signHash', 400, invalid('Signing certificate is expired'), 'failed'],
    ['credentials/info', 400, invalid('Invalid parameter credentialID'), 'not-found'],
    ['credentials/list', 400, invalid('Invalid parameter "userID"'), 'not-found'],
    ['oauth2/token', 400, invalid('Invalid parameter client_secret'), 'auth-failed'],
    ['oauth2/token', 401, { error: 'invalid_client' }, 'auth-failed'],
    ['oauth2/token', 503, undefined, 'unavailable'],
    ['credentials/list', 401, { error: 'invalid_token' }, 'token-rejected'],
    ['credentials/list', 500, undefined, 'unavailable'],
    ['credentials/list', 429, { error: 'slow down there' }, 'unavailable'],
    ['credentials/list', 418, undefined, 'failed'],
  ]
  for (const [method, status, body, outcome] of cases) {
    it(`reads ${method} HTTP ${status} ${JSON.stringify(body ?? null)} as ${outcome}`, () => {
      expect(classifyCscAnswer(method, { status, body }).outcome).to.equal(outcome)
    })
  }
})

describe('remoteKeySource checking what comes back', () => {
  it('fails with REMOTE_SIGNING_FAILED when the value does not verify with the certificate', async () => {
    const pki = await getCscTestPki()
    const local = openPkcs12KeySource(readFileSync(pki.p12Files.anRsa), pki.pin)
    // A provider (here a stand-in connector) that signs with some other key.
    const liar: RemoteSigningConnector = {
      provider: 'liar',
      listCredentials: async () => [],
      credential: async () => ({
        credentialId: 'c',
        certificate: local.certificate,
        chain: [],
        keyAlgorithm: 'RSA',
      }),
      startSignature: async () => ({ transactionId: 't', expiresAt: new Date(Date.now() + 60_000) }),
      pollSignature: async () => ({ state: 'signed', signature: randomBytes(256) }),
    }
    const credential = await liar.credential('u', 'c')
    const keySource = remoteKeySource(liar, credential, { userRef: 'u', description: 'x' })
    expect(await rejectionCode(keySource.sign(randomBytes(100)))).to.equal('REMOTE_SIGNING_FAILED')
  })
})
