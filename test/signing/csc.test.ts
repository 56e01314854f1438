import { expect } from 'chai'
import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { contentTypeAttribute, messageDigestAttribute, OID, signedAttributesSet } from '../../signing/cms'
import {
  cscConnector,
  remoteKeySource,
  type CscConnectorOptions,
  type RemoteSigningConnector,
  type RemoteSignState,
} from '../../signing/remote'
import { signPdf } from '../../signing/sign'
import { verifyPdf } from '../../signing/verify'
import { rejectionCode } from '../helpers/openssl-pki'
import { startCscPeer, type CscPeer } from '../helpers/csc-peer'
import { getCscTestPki, type CscTestPki } from '../helpers/csc-pki'
import type { CscBehaviour, CscServerConfig, CscServerCredential } from '../helpers/csc-server'
import { makePdf } from '../helpers/sample-pdfs'
import { nssDbTrusting, pdfsig, tempDir } from '../helpers/tools'

/** Holders as the provider knows them (citizen identity numbers, as Vietnamese providers use). */
const AN = '079085001234'
const BINH = '001190005678'
const CLIENT_ID = 'kyso-test'
const CLIENT_SECRET = `secret-${randomBytes(12).toString('hex')}`

/** An's credentials show each behaviour of the holder's phone; Bình's waits for the test. */
function providerConfig(pki: CscTestPki): CscServerConfig {
  const { pin, p12Files: f } = pki
  const credential = (credentialId: string, p12File: string, behaviour: CscBehaviour) =>
    ({ credentialId, p12File, pin, behaviour }) satisfies CscServerCredential
  return {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    users: [
      {
        userId: AN,
        credentials: [
          { ...credential('an-rsa', f.anRsa, { confirmAfterMs: 800 }), label: 'Ký số cá nhân RSA' },
          { ...credential('an-ec', f.anEc, { confirmAfterMs: 800 }), label: 'Ký số cá nhân ECDSA' },
          { ...credential('an-ec-raw', f.anEc, { confirmAfterMs: 100 }), rawEcdsa: true },
          credential('an-refuses', f.anRsa, { refuse: true, afterMs: 300 }),
          credential('an-silent', f.anRsa, { never: true }),
        ],
      },
      { userId: BINH, credentials: [credential('binh-ec', f.binhEc, { never: true })] },
    ],
  }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest()

/** DER CMS signed attributes over a random document: what a PAdES signature signs. */
function signedAttributes(): Buffer {
  const document = randomBytes(1000)
  return signedAttributesSet([contentTypeAttribute(OID.data), messageDigestAttribute(sha256(document))])
}

const signatureOf = (state: RemoteSignState) => (state.state === 'signed' ? state.signature : Buffer.alloc(0))

/** What the brief of a KeySource asks: crypto.verify('sha256', signedAttributes, key, value). */
function verifies(signedAttributes: Buffer, certificate: Buffer, signature: Buffer): boolean {
  return verify('sha256', signedAttributes, new X509Certificate(certificate).publicKey, signature)
}

/** Polls every 50 ms while pending; returns the final state and how long it took. */
async function settle(connector: RemoteSigningConnector, transactionId: string, limitMs = 15_000) {
  const start = Date.now()
  for (;;) {
    const state: RemoteSignState = await connector.pollSignature(transactionId)
    const elapsedMs = Date.now() - start
    if (state.state !== 'pending' || elapsedMs > limitMs) return { state, elapsedMs }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('remote signing through a CSC API v2 provider in its own process', function () {
  this.timeout(60_000)
  let pki: CscTestPki
  let peer: CscPeer
  let connector: RemoteSigningConnector
  const connect = (options: Partial<CscConnectorOptions> = {}) =>
    cscConnector({
      provider: 'test-rssp',
      baseUrl: peer.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      ...options,
    })
  /** Starts a signature of fresh signed attributes; returns them with the transaction. */
  async function start(userRef: string, credentialId: string, description = 'Văn bản', via = connector) {
    const attributes = signedAttributes()
    const digest = sha256(attributes)
    return { attributes, ...(await via.startSignature({ userRef, credentialId, digest, description })) }
  }

  before(async () => {
    pki = await getCscTestPki()
    peer = await startCscPeer(providerConfig(pki))
    connector = connect()
  })
  after(async () => peer?.stop())

  it("lists the holder's credentials with their certificate chains, keys and labels", async () => {
    const list = await connector.listCredentials(AN)
    const ids = ['an-rsa', 'an-ec', 'an-ec-raw', 'an-refuses', 'an-silent']
    expect(list.map((c) => c.credentialId)).to.deep.equal(ids)
    const [rsa, ec] = list
    expect([rsa?.keyAlgorithm, ec?.keyAlgorithm]).to.deep.equal(['RSA', 'EC'])
    expect([rsa?.label, ec?.label]).to.deep.equal(['Ký số cá nhân RSA', 'Ký số cá nhân ECDSA'])
    for (const c of [rsa!, ec!]) {
      const leaf = new X509Certificate(c.certificate)
      expect(leaf.subject).to.include('CN=Nguyễn Văn An')
      expect(c.chain).to.have.length(2)
      expect(leaf.checkIssued(new X509Certificate(c.chain[0]!))).to.equal(true)
      expect(c.chain[1]!.equals(pki.rootDer), 'the chain ends at the test national root').to.equal(true)
    }
  })

  it("finds one of the holder's credentials, and not someone else's (REMOTE_NOT_FOUND)", async () => {
    expect((await connector.credential(AN, 'an-ec')).keyAlgorithm).to.equal('EC')
    expect(await rejectionCode(connector.credential(AN, 'binh-ec'))).to.equal('REMOTE_NOT_FOUND')
    expect(await rejectionCode(connector.credential('000000000000', 'an-ec'))).to.equal('REMOTE_NOT_FOUND')
    expect(await rejectionCode(start(AN, 'binh-ec')), 'signing with it either').to.equal('REMOTE_NOT_FOUND')
  })

  for (const credentialId of ['an-rsa', 'an-ec']) {
    it(`signs with ${credentialId} once the holder confirms (800 ms): pending, then signed`, async () => {
      const credential = await connector.credential(AN, credentialId)
      const description = 'Công văn số 15/UBND-VP về lịch tiếp công dân'
      const started = await start(AN, credentialId, description)
      expect(started.expiresAt.getTime()).to.be.greaterThan(Date.now())
      expect(await connector.pollSignature(started.transactionId)).to.deep.equal({ state: 'pending' })
      const onPhone = await peer.pending(AN)
      expect(onPhone.map((r) => [r.credentialID, r.description])).to.deep.include([credentialId, description])

      const { state, elapsedMs } = await settle(connector, started.transactionId)
      expect(state.state).to.equal('signed')
      expect(elapsedMs).to.be.greaterThan(600)
      const signature = signatureOf(state)
      const valid = verifies(started.attributes, credential.certificate, signature)
      expect(valid, 'crypto.verify over the signed attributes').to.equal(true)
      if (credential.keyAlgorithm === 'EC') expect(signature[0], 'a DER Ecdsa-Sig-Value').to.equal(0x30)
    })
  }

  it('turns an r || s ECDSA answer into a DER Ecdsa-Sig-Value', async () => {
    const credential = await connector.credential(AN, 'an-ec-raw')
    const started = await start(AN, 'an-ec-raw')
    const signature = signatureOf((await settle(connector, started.transactionId)).state)
    expect(signature[0]).to.equal(0x30)
    expect(verifies(started.attributes, credential.certificate, signature)).to.equal(true)
  })

  it("reports refused, with the provider's reason, when the holder refuses on the phone", async () => {
    const { state } = await settle(connector, (await start(AN, 'an-refuses')).transactionId)
    expect(state).to.deep.equal({ state: 'refused', reason: 'Người dùng đã từ chối giao dịch ký số' })
  })

  it('reports expired when nobody answers within the validity period', async () => {
    const short = connect({ validityMs: 1200 })
    const started = await start(AN, 'an-silent', 'x', short)
    expect(started.expiresAt.getTime() - Date.now()).to.be.within(0, 1200)
    const { state, elapsedMs } = await settle(short, started.transactionId)
    expect(state).to.deep.equal({ state: 'expired' })
    expect(elapsedMs).to.be.greaterThan(1000)
  })

  it("lets a test press the holder's button (POST /test/confirm): one approved, one refused", async () => {
    const first = await start(BINH, 'binh-ec', 'Quyết định 1')
    const second = await start(BINH, 'binh-ec', 'Quyết định 2')
    const waiting = await peer.pending(BINH)
    const idOf = (description: string) => waiting.find((r) => r.description === description)!.responseID
    await peer.confirm(idOf('Quyết định 1'), true)
    await peer.confirm(idOf('Quyết định 2'), false)
    const credential = await connector.credential(BINH, 'binh-ec')
    const signed = await connector.pollSignature(first.transactionId)
    expect(verifies(first.attributes, credential.certificate, signatureOf(signed))).to.equal(true)
    expect((await connector.pollSignature(second.transactionId)).state).to.equal('refused')
  })

  it('lets another connector (a restarted process) poll a transaction this one started', async () => {
    const started = await start(AN, 'an-ec-raw')
    const { state } = await settle(connect(), started.transactionId)
    const credential = await connector.credential(AN, 'an-ec-raw')
    expect(verifies(started.attributes, credential.certificate, signatureOf(state))).to.equal(true)
  })

  it('asks for a service token once and reuses it', async () => {
    const fresh = connect()
    const before = await peer.tokensIssued()
    await Promise.all([fresh.listCredentials(AN), fresh.listCredentials(BINH)])
    await fresh.credential(AN, 'an-rsa')
    expect((await peer.tokensIssued()) - before).to.equal(1)
  })

  it('fails with REMOTE_AUTH_FAILED for a wrong client secret, without ever quoting a secret', async () => {
    const wrongSecret = `wrong-${randomBytes(8).toString('hex')}`
    const wrong = connect({ clientSecret: wrongSecret })
    const err = await wrong.listCredentials(AN).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    )
    expect(err?.code).to.equal('REMOTE_AUTH_FAILED')
    const visible = `${err?.message} ${inspect(err)} ${inspect(wrong)} ${inspect(connector)}`
    expect(visible).not.to.include(wrongSecret)
    expect(visible).not.to.include(CLIENT_SECRET)
  })

  it('refuses a digest that is not SHA-256 and a transaction id it did not make (BAD_OPTION)', async () => {
    const request = { userRef: AN, credentialId: 'an-rsa', digest: randomBytes(20), description: '' }
    const sha1Sized = connector.startSignature(request)
    expect(await rejectionCode(sha1Sized)).to.equal('BAD_OPTION')
    expect(await rejectionCode(connector.pollSignature('123'))).to.equal('BAD_OPTION')
  })

  describe('the test provider itself, spoken to in raw CSC', () => {
    /** POSTs a CSC method with the bearer token; returns the status and the JSON answer. */
    async function csc(method: string, body: unknown, token?: string) {
      const response = await fetch(`${peer.url}/csc/v2/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }
    async function serviceToken(): Promise<string> {
      const form = { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }
      const body = new URLSearchParams(form)
      const response = await fetch(`${peer.url}/oauth2/token`, { method: 'POST', body })
      return String(((await response.json()) as { access_token: unknown }).access_token)
    }
    const hashOf = () => sha256(randomBytes(32)).toString('base64')
    const hashAlgorithmOID = '2.16.840.1.101.3.4.2.1'
    const credentialID = 'an-silent'
    const signHash = (token: string, SAD: unknown, hash: string) =>
      csc(
        'signatures/signHash',
        {
          credentialID,
          SAD,
          hashes: [hash],
          hashAlgorithmOID,
          signAlgo: '1.2.840.113549.1.1.1',
          operationMode: 'A',
          validity_period: 60_000,
        },
        token,
      )
    async function sadFor(token: string, hash: string): Promise<unknown> {
      const authorize = { credentialID, numSignatures: 1, hashes: [hash], hashAlgorithmOID }
      return (await csc('credentials/authorize', authorize, token)).body.SAD
    }
    const failure = (answer: { status: number; body: Record<string, unknown> }) => [
      answer.status,
      answer.body.error,
      answer.body.error_description,
    ]

    it('refuses a SAD used twice, and a SAD for another hash', async () => {
      const token = await serviceToken()
      const hash = hashOf()
      const sad = await sadFor(token, hash)
      expect((await signHash(token, sad, hash)).body).to.have.property('responseID')
      const again = await signHash(token, sad, hash)
      expect(failure(again)).to.deep.equal([400, 'invalid_request', 'Invalid parameter SAD'])
      const other = await signHash(token, await sadFor(token, hash), hashOf())
      expect(failure(other)).to.deep.equal([400, 'invalid_request', 'Hash is not authorized by the SAD'])
    })

    it('refuses an unknown credential, and any method without a valid bearer token', async () => {
      const token = await serviceToken()
      const unknown = await csc('credentials/info', { credentialID: 'nobody' }, token)
      expect(failure(unknown)).to.deep.equal([400, 'invalid_request', 'Invalid parameter credentialID'])
      const anonymous = await csc('credentials/list', { userID: AN })
      expect(failure(anonymous)).to.deep.equal([401, 'invalid_token', 'The access token is not valid'])
      const forged = await csc('credentials/list', { userID: AN }, 'forged-token')
      expect(failure(forged)).to.deep.equal([401, 'invalid_token', 'The access token is not valid'])
    })
  })

  describe('signing a PDF with the remote key (remoteKeySource + signPdf)', () => {
    async function keySourceFor(credentialId: string, options: { timeoutMs?: number } = {}) {
      const credential = await connector.credential(AN, credentialId)
      const description = 'Tờ trình 7/TTr-VP'
      return remoteKeySource(connector, credential, {
        userRef: AN,
        description,
        pollIntervalMs: 100,
        ...options,
      })
    }

    for (const credentialId of ['an-rsa', 'an-ec']) {
      it(`signs a PDF with ${credentialId}: pdfsig says valid and trusted, verifyPdf PASSED`, async () => {
        const keySource = await keySourceFor(credentialId)
        const { pdf } = await signPdf(await makePdf(), { keySource, reason: 'Ký số từ xa' })
        const file = join(tempDir(), 'remote-signed.pdf')
        writeFileSync(file, pdf)
        const [sig] = pdfsig(file, nssDbTrusting(pki.rootPem))
        expect([sig?.signatureStatus, sig?.certificateStatus, sig?.totalDocumentSigned]).to.deep.equal([
          'Signature is Valid.',
          'Certificate is Trusted.',
          true,
        ])
        const report = verifyPdf(pdf, { trustAnchors: [pki.rootDer], crls: pki.crls })
        expect(report.indication).to.equal('PASSED')
        const [only] = report.signatures
        expect([only?.signer, only?.revocation]).to.deep.equal(['Nguyễn Văn An', 'good'])
      })
    }

    it('stops signPdf with REMOTE_REFUSED when the holder refuses', async () => {
      const keySource = await keySourceFor('an-refuses')
      expect(await rejectionCode(signPdf(await makePdf(), { keySource }))).to.equal('REMOTE_REFUSED')
    })

    it('stops signPdf with REMOTE_EXPIRED when it has waited timeoutMs', async () => {
      const keySource = await keySourceFor('an-silent', { timeoutMs: 500 })
      expect(await rejectionCode(signPdf(await makePdf(), { keySource }))).to.equal('REMOTE_EXPIRED')
    })
  })
})
