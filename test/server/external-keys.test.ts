/**
 * Issue 11: a chain signed with keys Kyso never holds. A head approves through a remote-signing
 * provider (a separate CSC API v2 process) with a delayed confirmation; the leader signs with a
 * SoftHSM2 token through `kyso agent` (prepare -> agent -> complete); the clerk returns a file
 * signed by a separate tool (`kyso sign` with a PKCS#12, playing the vendor plugin). Every key is
 * under a test national root, which is all a recipient's validator trusts.
 */
import { expect } from 'chai'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createPublicKey } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateTokenKeyPair, storeTokenCertificate } from '../../signing/keys/pkcs11-provision'
import { loadCrls } from '../../signing/pki'
import { verifyPdf } from '../../signing/verify'
import type { Running } from '../../server/start'
import { startCscPeer, type CscPeer } from '../helpers/csc-peer'
import { createNationalPki, type NationalPki } from '../helpers/national-pki'
import { as, startIsolatedService, type Client } from '../helpers/service'
import { getSoftHsmToken, type SoftHsmToken } from '../helpers/softhsm'
import { nssDbTrusting, pdfsig, qpdfCheck, tempDir } from '../helpers/tools'
import { makePdf } from '../helpers/sample-pdfs'

const BIN = join(__dirname, '../../../bin/kyso.js')
const LEADER_KEY_ID = '4c31'

interface Agent {
  url: string
  child: ChildProcessWithoutNullStreams
  stop: () => void
}

function startAgent(token: SoftHsmToken, origin: string): Promise<Agent> {
  const child = spawn(process.execPath, [BIN, 'agent', '--pkcs11-module', token.module, '--port', '127.0.0.1:0', '--origin', origin], {
    env: { ...process.env, ...token.env },
  })
  process.once('exit', () => child.kill('SIGKILL'))
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const line = out.split('\n')[0]
      if (out.includes('\n') && line) resolve({ url: (JSON.parse(line) as { url: string }).url, child, stop: () => child.kill('SIGTERM') })
    })
    child.once('exit', (code) => reject(new Error(`kyso agent exited with ${code}`)))
  })
}

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T
}

describe('signing with keys Kyso never holds (issue 11)', function () {
  this.timeout(180_000)
  let svc: Running
  let nat: NationalPki
  let csc: CscPeer
  let token: SoftHsmToken
  let agent: Agent
  let admin: Client
  const work = tempDir('kyso-external-')

  before(async () => {
    nat = await createNationalPki()
    token = await getSoftHsmToken()
    // The head's key at the provider (CN without diacritics, as some CAs issue them), and one that refuses.
    const head = await nat.issue({ name: 'Tran Van Hung', title: 'Trưởng phòng', keyType: 'rsa2048' })
    const headEc = await nat.issue({ name: 'Trần Văn Hùng', title: 'Trưởng phòng', keyType: 'p256' })
    csc = await startCscPeer({
      clientId: 'kyso-test',
      clientSecret: 'kyso-test-secret',
      users: [
        {
          userId: '079088001234',
          credentials: [
            { credentialId: 'hung-rsa', p12File: head.p12File, pin: nat.pin, behaviour: { confirmAfterMs: 800 } },
            { credentialId: 'hung-refuses', p12File: headEc.p12File, pin: nat.pin, behaviour: { refuse: true, afterMs: 200 } },
          ],
        },
      ],
    })
    svc = await startIsolatedService({
      KYSO_CSC_URL: csc.url,
      KYSO_CSC_CLIENT_ID: 'kyso-test',
      KYSO_CSC_CLIENT_SECRET: 'kyso-test-secret',
      KYSO_CSC_PROVIDER: 'csc-test',
    })
    agent = await startAgent(token, svc.url)
    admin = await as('quantri', undefined, svc.url)
    // The national root is configured as a trust anchor, its current CRLs uploaded.
    expect((await admin.post('/api/admin/trust-anchors', { pem: nat.rootPem })).status).to.equal(201)
    for (const pem of nat.crlPems()) {
      const res = await admin.post('/api/admin/crls', { pem, issuer: nat.issuingPem })
      expect(res.status, await res.text()).to.equal(201)
    }
  })

  after(async () => {
    agent?.stop()
    await csc?.stop()
    await svc?.close()
  })

  /** A document of the demo agency submitted along head -> leader -> clerk. */
  async function submitted(steps = [
    { action: 'approve', assignees: ['truongphong1'] },
    { action: 'sign', assignees: ['giamdoc'] },
    { action: 'seal', assignees: ['vanthu'] },
  ]): Promise<{ id: number; stepIds: number[] }> {
    const drafter = await as('chuyenvien', undefined, svc.url)
    const up = await drafter.upload(await makePdf({ title: 'Cong van' }), { title: 'Công văn ký bằng khóa ngoài', kind: 'internal' })
    expect(up.status).to.equal(201)
    const doc = await json<{ id: number }>(up)
    const sub = await drafter.post(`/api/documents/${doc.id}/submit`, { steps })
    expect(sub.status).to.equal(200)
    const body = await json<{ workflows: { steps: { id: number }[] }[] }>(sub)
    return { id: doc.id, stepIds: (body.workflows.at(-1) as { steps: { id: number }[] }).steps.map((s) => s.id) }
  }

  async function submitAndApprove(user: Client, body: Record<string, unknown>): Promise<number> {
    const res = await user.post('/api/me/certificates/external', body)
    const cert = await json<{ id: number; status: string; error?: unknown }>(res)
    expect(res.status, JSON.stringify(cert)).to.equal(201)
    expect(cert.status).to.equal('pending')
    const ok = await admin.post(`/api/admin/certificates/${cert.id}/approve`)
    expect(ok.status, await ok.clone().text()).to.equal(200)
    expect((await json<{ status: string }>(ok)).status).to.equal('active')
    return cert.id
  }

  it('runs a chain through a remote provider, a token through kyso agent and a file signed by another tool; every signature valid and trusted under the national root', async () => {
    const head = await as('truongphong1', undefined, svc.url)
    const leader = await as('giamdoc', undefined, svc.url)
    const clerk = await as('vanthu', undefined, svc.url)
    const clerkMe = await json<{ agencyName: string }>(await clerk.get('/api/me'))

    // The head's credential, read from the provider, bound by the admin.
    const creds = await json<{ credentialId: string }[]>(await head.get('/api/me/remote-credentials?provider=csc-test&userRef=079088001234'))
    expect(creds.map((c) => c.credentialId)).to.include('hung-rsa')
    const headCert = await submitAndApprove(head, { remote: { provider: 'csc-test', credentialId: 'hung-rsa', userRef: '079088001234' } })
    // The leader's key, made inside the token; its certificate issued by the national CA.
    const spki = await generateTokenKeyPair({ module: token.module, pin: token.pin, label: 'Võ Minh Thành', id: LEADER_KEY_ID, keyType: 'p256' })
    const leaderIssued = await nat.certifyKey({ name: 'Võ Minh Thành', title: 'Giám đốc' }, createPublicKey({ key: spki, format: 'der', type: 'spki' }))
    storeTokenCertificate({ module: token.module, pin: token.pin, certificate: leaderIssued.certificate, label: 'Võ Minh Thành', id: LEADER_KEY_ID })
    const leaderCert = await submitAndApprove(leader, { certificate: leaderIssued.pem, chain: [nat.issuingPem] })
    // The agency's seal certificate, held by the clerk in a vendor tool's PKCS#12.
    const seal = await nat.issue({ name: clerkMe.agencyName, org: clerkMe.agencyName, seal: true, keyType: 'p256' })
    await submitAndApprove(clerk, { certificate: seal.pem, chain: [nat.issuingPem], kind: 'seal' })

    const doc = await submitted()
    const [approveStep, signStep, sealStep] = doc.stepIds as [number, number, number]

    // 1. Remote: the step waits for the phone, then completes when the provider answers.
    const started = await head.post(`/api/steps/${approveStep}/remote`, { certificateId: headCert })
    const remote = await json<{ signingId: string; status: string }>(started)
    expect(started.status, JSON.stringify(remote)).to.equal(202)
    expect(remote.status).to.equal('awaiting_confirmation')
    const waiting = await json<{ workflows: { steps: { id: number; awaiting: { status: string }[] }[] }[] }>(await head.get(`/api/documents/${doc.id}`))
    expect(waiting.workflows[0]?.steps.find((s) => s.id === approveStep)?.awaiting[0]?.status).to.equal('awaiting_confirmation')
    let state = remote.status
    for (let i = 0; i < 60 && state === 'awaiting_confirmation'; i++) {
      await new Promise((r) => setTimeout(r, 250))
      state = (await json<{ status: string }>(await head.get(`/api/signings/${remote.signingId}`))).status
    }
    expect(state).to.equal('completed')

    // 2. Two-phase through the agent: Kyso prepares, the token signs after its PIN is typed at the agent.
    const prepared = await json<{ signingId: string; signedAttributes: string; digest: string }>(
      await leader.post(`/api/steps/${signStep}/prepare`, { certificateId: leaderCert, via: 'agent' }),
    )
    expect(prepared.signingId).to.be.a('string')
    const list = await json<{ certificates: { id: string }[] }>(await fetch(`${agent.url}/v1/certificates`, { headers: { origin: svc.url } }))
    expect(list.certificates.map((c) => c.id)).to.include(LEADER_KEY_ID)
    const signing = fetch(`${agent.url}/v1/sign`, {
      method: 'POST',
      headers: { origin: svc.url, 'content-type': 'application/json' },
      body: JSON.stringify({ certificateId: LEADER_KEY_ID, data: prepared.signedAttributes, digestAlgorithm: 'SHA-256' }),
    })
    agent.child.stdin.write(`${token.pin}\n`)
    const byToken = await json<{ signature: string }>(await signing)
    const done = await leader.post(`/api/steps/${signStep}/complete`, { signingId: prepared.signingId, signature: byToken.signature })
    expect(done.status, await done.clone().text()).to.equal(200)
    expect((await json<{ keySource: string }>(done)).keySource).to.equal('agent')

    // 3. The clerk's own tool signs the exact version served, and the file comes back.
    const toSign = await clerk.get(`/api/steps/${sealStep}/to-sign`)
    expect(toSign.status).to.equal(200)
    const etag = toSign.headers.get('etag') as string
    const input = join(work, 'to-sign.pdf')
    const output = join(work, 'signed-by-tool.pdf')
    writeFileSync(input, Buffer.from(await toSign.arrayBuffer()))
    await runKyso(['sign', input, '--out', output, '--p12', seal.p12File, '--appearance', 'seal'], { KYSO_PIN: nat.pin })
    const returned = await uploadSigned(clerk, sealStep, readFileSync(output), etag, { outgoingNumber: '15/STTTT-VP', outgoingDate: '2026-12-05' })
    expect(returned.status, await returned.clone().text()).to.equal(200)
    expect((await json<{ status: string; keySource: string }>(returned))).to.include({ status: 'issued', keySource: 'signed-file' })

    // The issued file: three signatures, each valid and trusted by a validator that trusts only the national root.
    const issued = Buffer.from(await (await clerk.get(`/api/documents/${doc.id}/file`)).arrayBuffer())
    const file = join(work, 'issued.pdf')
    writeFileSync(file, issued)
    const sigs = pdfsig(file, nssDbTrusting(nat.rootPem))
    expect(sigs).to.have.length(3)
    for (const s of sigs) expect(s, JSON.stringify(s)).to.include({ signatureValid: true, certificateStatus: 'Certificate is Trusted.' })
    expect(qpdfCheck(file).code).to.equal(0)
    const report = verifyPdf(issued, { trustAnchors: [nat.rootDer], crls: nat.crlPems().flatMap((p) => loadCrls(p)) })
    expect(report.signatures.map((s) => [s.indication, s.subIndication])).to.deep.equal([['PASSED', null], ['PASSED', null], ['PASSED', null]])
    // The service's own verdicts, and the evidence kept per signature with its key source.
    const details = await json<{ signatures: { keySource: string; indication: string | null }[] }>(await admin.get(`/api/documents/${doc.id}`))
    expect(details.signatures.map((s) => s.keySource)).to.deep.equal(['remote:csc-test', 'agent', 'signed-file'])
    const audit = (await svc.services.db('audit_events').where({ document_id: doc.id }).whereIn('action', ['step.approve', 'step.sign', 'step.seal']).orderBy('id')
      .pluck('detail_json')) as string[]
    const sources = audit.map((d) => JSON.parse(d) as { keySource: string; certificateSerial: string; certificateIssuer: string })
    expect(sources.map((d) => d.keySource)).to.deep.equal(['remote:csc-test', 'agent', 'signed-file'])
    for (const d of sources) expect(d.certificateIssuer).to.include('Ban Cơ yếu')
    expect(sources[1]?.certificateSerial).to.equal(leaderIssued.serialHex)
  })

  async function runKyso(args: string[], env: Record<string, string>): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } })
      let err = ''
      child.stderr.on('data', (c: Buffer) => (err += c.toString()))
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kyso ${args[0]} exited ${code}: ${err}`))))
    })
  }

  function uploadSigned(user: Client, stepId: number, pdf: Buffer, etag: string | undefined, fields: Record<string, string> = {}): Promise<Response> {
    const form = new FormData()
    for (const [k, v] of Object.entries(fields)) form.set(k, v)
    form.set('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'signed.pdf')
    return fetch(`${svc.url}/api/steps/${stepId}/signed-file`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, ...(etag && { 'if-match': etag }) },
      body: form,
    })
  }
})
