/**
 * Issue 11: a chain signed with keys Kyso never holds. A head approves through a remote-signing
 * provider (a separate CSC API v2 process) with a delayed confirmation; the leader signs with a
 * SoftHSM2 token through `kyso agent` (prepare -> agent -> complete); the clerk returns a file
 * signed by a separate tool (`kyso sign` with a PKCS#12, playing the vendor plugin). Every key is
 * under a test national root, which is all a recipient's validator trusts.
 */
import { expect } from 'chai'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { unzipSync } from 'fflate'
import { createPublicKey } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateTokenKeyPair, storeTokenCertificate } from '../../signing/keys/pkcs11-provision'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import type { PdfDocument } from '../../signing/pdf/document'
import type { IncrementalUpdate } from '../../signing/pdf/incremental'
import { PdfDict, PdfStream } from '../../signing/pdf/objects'
import { loadCrls, toPem } from '../../signing/pki'
import { signPdf } from '../../signing/sign'
import { verifyPdf } from '../../signing/verify'
import type { Running } from '../../server/start'
import { startCscPeer, type CscPeer } from '../helpers/csc-peer'
import { createNationalPki, type NationalPki } from '../helpers/national-pki'
import { as, pinOf, startIsolatedService, type Client } from '../helpers/service'
import { getSoftHsmToken, type SoftHsmToken } from '../helpers/softhsm'
import { nssDbTrusting, opensslCmsVerify, pdfsig, qpdfCheck, tempDir } from '../helpers/tools'
import { makePdf } from '../helpers/sample-pdfs'

const BIN = join(__dirname, '../../../bin/kyso.js')
const LEADER_KEY_ID = '4c31'

interface Agent {
  url: string
  child: ChildProcessWithoutNullStreams
  stop: () => void
}

/** An incremental change the page's content stream gets in the same revision as the signature. */
function overwritePageContent(upd: IncrementalUpdate, doc: PdfDocument): void {
  const page = doc.dict(doc.pageRef(0)) as PdfDict
  const content = new PdfStream(new PdfDict({}), Buffer.from('BT /F1 24 Tf 72 700 Td (PAID) Tj ET'))
  upd.set(doc.pageRef(0), page.clone().set('Contents', upd.add(content)))
}

/** A byte of the signature's own revision changed (inside the signed range, after the base). */
function tamperedInRevision(pdf: Buffer, baseLength: number): Buffer {
  const out = Buffer.from(pdf)
  const at = out.indexOf('/Reason', baseLength, 'latin1')
  const pos = at > 0 ? at : out.indexOf('/Type', baseLength, 'latin1')
  out[pos + 1] = out[pos + 1] === 0x54 ? 0x55 : 0x54
  return out
}

function startAgent(token: SoftHsmToken, origin: string): Promise<Agent> {
  const child = spawn(
    process.execPath,
    [BIN, 'agent', '--pkcs11-module', token.module, '--port', '127.0.0.1:0', '--origin', origin],
    {
      env: { ...process.env, ...token.env },
    },
  )
  process.once('exit', () => child.kill('SIGKILL'))
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const line = out.split('\n')[0]
      if (out.includes('\n') && line)
        resolve({ url: (JSON.parse(line) as { url: string }).url, child, stop: () => child.kill('SIGTERM') })
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
  let head: Client
  let leader: Client
  let clerk: Client
  let headCert = 0
  let headRefusingCert = 0
  let leaderCert = 0
  let leaderIssued: { certificate: Buffer; pem: string; serialHex: string }
  let seal: { p12File: string; pem: string }
  let other: { p12File: string; pem: string }
  const work = tempDir('kyso-external-')

  before(async () => {
    nat = await createNationalPki()
    token = await getSoftHsmToken()
    // The head's key at the provider (CN without diacritics, as some CAs issue them), and one that refuses.
    const headRsa = await nat.issue({ name: 'Tran Van Hung', title: 'Trưởng phòng', keyType: 'rsa2048' })
    const headEc = await nat.issue({ name: 'Trần Văn Hùng', title: 'Trưởng phòng', keyType: 'p256' })
    csc = await startCscPeer({
      clientId: 'kyso-test',
      clientSecret: 'kyso-test-secret',
      users: [
        {
          userId: '079088001234',
          credentials: [
            {
              credentialId: 'hung-rsa',
              p12File: headRsa.p12File,
              pin: nat.pin,
              behaviour: { confirmAfterMs: 800 },
            },
            {
              credentialId: 'hung-refuses',
              p12File: headEc.p12File,
              pin: nat.pin,
              behaviour: { refuse: true, afterMs: 200 },
            },
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
    head = await as('truongphong1', undefined, svc.url)
    leader = await as('giamdoc', undefined, svc.url)
    clerk = await as('vanthu', undefined, svc.url)
    const clerkMe = await json<{ agencyName: string }>(await clerk.get('/api/me'))
    // The head's credentials, read from the provider, bound by the admin.
    const creds = await json<{ credentialId: string }[]>(
      await head.get('/api/me/remote-credentials?provider=csc-test&userRef=079088001234'),
    )
    expect(creds.map((c) => c.credentialId)).to.have.members(['hung-rsa', 'hung-refuses'])
    headCert = await submitAndApprove(head, {
      remote: { provider: 'csc-test', credentialId: 'hung-rsa', userRef: '079088001234' },
    })
    headRefusingCert = await submitAndApprove(head, {
      remote: { provider: 'csc-test', credentialId: 'hung-refuses', userRef: '079088001234' },
    })
    // The leader's key, made inside the token; its certificate issued by the national CA.
    const spki = await generateTokenKeyPair({
      module: token.module,
      pin: token.pin,
      label: 'Võ Minh Thành',
      id: LEADER_KEY_ID,
      keyType: 'p256',
    })
    leaderIssued = await nat.certifyKey(
      { name: 'Võ Minh Thành', title: 'Giám đốc' },
      createPublicKey({ key: spki, format: 'der', type: 'spki' }),
    )
    storeTokenCertificate({
      module: token.module,
      pin: token.pin,
      certificate: leaderIssued.certificate,
      label: 'Võ Minh Thành',
      id: LEADER_KEY_ID,
    })
    leaderCert = await submitAndApprove(leader, { certificate: leaderIssued.pem, chain: [nat.issuingPem] })
    // The agency's seal certificate, held by the clerk in a vendor tool's PKCS#12.
    seal = await nat.issue({ name: clerkMe.agencyName, org: clerkMe.agencyName, seal: true, keyType: 'p256' })
    await submitAndApprove(clerk, { certificate: seal.pem, chain: [nat.issuingPem], kind: 'seal' })
    // Another head's own certificate, approved for her: a file she signs is not the clerk's.
    other = await nat.issue({ name: 'Lê Thị Mai', title: 'Trưởng phòng' })
    await submitAndApprove(await as('truongphong2', undefined, svc.url), {
      certificate: other.pem,
      chain: [nat.issuingPem],
    })
  })

  after(async () => {
    agent?.stop()
    await csc?.stop()
    await svc?.close()
  })

  /** A document of the demo agency submitted along head -> leader -> clerk. */
  async function submitted(
    steps: { action: string; assignees: string[]; rule?: string }[] = [
      { action: 'approve', assignees: ['truongphong1'] },
      { action: 'sign', assignees: ['giamdoc'] },
      { action: 'seal', assignees: ['vanthu'] },
    ],
  ): Promise<{ id: number; stepIds: number[] }> {
    const drafter = await as('chuyenvien', undefined, svc.url)
    const up = await drafter.upload(await makePdf({ title: 'Cong van' }), {
      title: 'Công văn ký bằng khóa ngoài',
      kind: 'internal',
    })
    expect(up.status).to.equal(201)
    const doc = await json<{ id: number }>(up)
    const sub = await drafter.post(`/api/documents/${doc.id}/submit`, { steps })
    expect(sub.status).to.equal(200)
    const body = await json<{ workflows: { steps: { id: number }[] }[] }>(sub)
    return {
      id: doc.id,
      stepIds: (body.workflows.at(-1) as { steps: { id: number }[] }).steps.map((s) => s.id),
    }
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
    const doc = await submitted()
    const [approveStep, signStep, sealStep] = doc.stepIds as [number, number, number]

    // 1. Remote: the step waits for the phone, then completes when the provider answers.
    const started = await head.post(`/api/steps/${approveStep}/remote`, { certificateId: headCert })
    const remote = await json<{ signingId: string; status: string }>(started)
    expect(started.status, JSON.stringify(remote)).to.equal(202)
    expect(remote.status).to.equal('awaiting_confirmation')
    const waiting = await json<{ workflows: { steps: { id: number; awaiting: { status: string }[] }[] }[] }>(
      await head.get(`/api/documents/${doc.id}`),
    )
    expect(waiting.workflows[0]?.steps.find((s) => s.id === approveStep)?.awaiting[0]?.status).to.equal(
      'awaiting_confirmation',
    )
    let state = remote.status
    for (let i = 0; i < 60 && state === 'awaiting_confirmation'; i++) {
      await new Promise((r) => setTimeout(r, 250))
      state = (await json<{ status: string }>(await head.get(`/api/signings/${remote.signingId}`))).status
    }
    expect(state).to.equal('completed')

    // 2. Two-phase through the agent: Kyso prepares, the token signs after its PIN is typed at the agent.
    const prepared = await json<{
      signingId: string
      signedAttributes: string
      digest: string
      placement: { page: number; rect: number[] }
    }>(await leader.post(`/api/steps/${signStep}/prepare`, { certificateId: leaderCert, via: 'agent' }))
    expect(prepared.signingId).to.be.a('string')
    // The appearance goes where the round's plan put it, as with a PIN (issue 12).
    const planned = await json<{ placements: { stepId: number; page: number; rect: number[] }[] }>(
      await leader.get(`/api/documents/${doc.id}`),
    )
    const place = planned.placements.find((p) => p.stepId === signStep)
    expect(prepared.placement).to.deep.equal({ page: place?.page, rect: place?.rect })
    const list = await json<{ certificates: { id: string }[] }>(
      await fetch(`${agent.url}/v1/certificates`, { headers: { origin: svc.url } }),
    )
    expect(list.certificates.map((c) => c.id)).to.include(LEADER_KEY_ID)
    const done = await leader.post(`/api/steps/${signStep}/complete`, {
      signingId: prepared.signingId,
      signature: await signAtAgent(prepared.signedAttributes),
    })
    expect(done.status, await done.clone().text()).to.equal(200)
    expect((await json<{ keySource: string }>(done)).keySource).to.equal('agent')

    // 3. The clerk's own tool signs the exact version served, and the file comes back.
    const toSign = await clerk.get(`/api/steps/${sealStep}/to-sign`)
    expect(toSign.status).to.equal(200)
    const etag = toSign.headers.get('etag') as string
    const input = join(work, 'to-sign.pdf')
    const output = join(work, 'signed-by-tool.pdf')
    writeFileSync(input, Buffer.from(await toSign.arrayBuffer()))
    await runKyso(['sign', input, '--out', output, '--p12', seal.p12File, '--appearance', 'seal'], {
      KYSO_PIN: nat.pin,
    })
    const returned = await uploadSigned(clerk, sealStep, readFileSync(output), etag, {
      outgoingNumber: '15/SKHCN-VP',
      outgoingDate: '2026-12-05',
    })
    expect(returned.status, await returned.clone().text()).to.equal(200)
    expect(await json<{ status: string; keySource: string }>(returned)).to.include({
      status: 'issued',
      keySource: 'signed-file',
    })

    // The issued file: three signatures, each valid and trusted by a validator that trusts only the national root.
    const issued = Buffer.from(await (await clerk.get(`/api/documents/${doc.id}/file`)).arrayBuffer())
    const file = join(work, 'issued.pdf')
    writeFileSync(file, issued)
    const sigs = pdfsig(file, nssDbTrusting(nat.rootPem))
    expect(sigs).to.have.length(3)
    for (const s of sigs)
      expect(s, JSON.stringify(s)).to.include({
        signatureValid: true,
        certificateStatus: 'Certificate is Trusted.',
      })
    expect(qpdfCheck(file).code).to.equal(0)
    const report = verifyPdf(issued, {
      trustAnchors: [nat.rootDer],
      crls: nat.crlPems().flatMap((p) => loadCrls(p)),
    })
    expect(report.signatures.map((s) => [s.indication, s.subIndication])).to.deep.equal([
      ['PASSED', null],
      ['PASSED', null],
      ['PASSED', null],
    ])
    // The service's own verdicts, and the evidence kept per signature with its key source.
    const details = await json<{ signatures: { keySource: string; indication: string | null }[] }>(
      await admin.get(`/api/documents/${doc.id}`),
    )
    expect(details.signatures.map((s) => s.keySource)).to.deep.equal([
      'remote:csc-test',
      'agent',
      'signed-file',
    ])
    const audit = (await svc.services
      .db('audit_events')
      .where({ document_id: doc.id })
      .whereIn('action', ['step.approve', 'step.sign', 'step.seal'])
      .orderBy('id')
      .pluck('detail_json')) as string[]
    const sources = audit.map(
      (d) => JSON.parse(d) as { keySource: string; certificateSerial: string; certificateIssuer: string },
    )
    expect(sources.map((d) => d.keySource)).to.deep.equal(['remote:csc-test', 'agent', 'signed-file'])
    for (const d of sources) expect(d.certificateIssuer).to.include('Ban Cơ yếu')
    expect(sources[1]?.certificateSerial).to.equal(leaderIssued.serialHex)
  })

  /** What a refusal must leave as it was: versions, signatures, the chain's steps and assignments. */
  async function snapshot(docId: number): Promise<string> {
    const d = await json<{
      versions: { sha256: string }[]
      signatures: unknown[]
      status: string
      workflows: { steps: { status: string; assignees: { status: string }[] }[] }[]
    }>(await admin.get(`/api/documents/${docId}`))
    return JSON.stringify([
      d.status,
      d.versions.map((v) => v.sha256),
      d.signatures,
      d.workflows.map((w) => w.steps.map((st) => [st.status, st.assignees.map((a) => a.status)])),
    ])
  }

  async function refused(res: Response, status: number, code: string): Promise<void> {
    const body = await res.text()
    expect(res.status, body).to.equal(status)
    expect((JSON.parse(body) as { error: { code: string } }).error.code).to.equal(code)
  }

  it('refuses a returned file that is not an increment of the version served, one signed by someone else, one that also changes the page, with nothing changed', async () => {
    const doc = await submitted([{ action: 'seal', assignees: ['vanthu'] }])
    const step = doc.stepIds[0] as number
    const served = await clerk.get(`/api/steps/${step}/to-sign`)
    const etag = served.headers.get('etag') as string
    const base = Buffer.from(await served.arrayBuffer())
    const before = await snapshot(doc.id)
    const fields = { outgoingNumber: '16/SKHCN-VP', outgoingDate: '2026-12-05' }
    const sealKey = openPkcs12KeySource(readFileSync(seal.p12File), nat.pin)

    // Not an increment: a signed file that does not start with the version served.
    const elsewhere = await signPdf(await makePdf({ title: 'Another draft' }), { keySource: sealKey })
    await refused(await uploadSigned(clerk, step, elsewhere.pdf, etag, fields), 422, 'NOT_AN_INCREMENT')
    // Two revisions (an unsigned change, then a signature) are not one signature revision.
    const twice = await signPdf((await signPdf(base, { keySource: sealKey })).pdf, { keySource: sealKey })
    await refused(await uploadSigned(clerk, step, twice.pdf, etag, fields), 422, 'NOT_AN_INCREMENT')
    // Signed by someone else: another head's own approved certificate.
    const byOther = await signPdf(base, {
      keySource: openPkcs12KeySource(readFileSync(other.p12File), nat.pin),
    })
    await refused(await uploadSigned(clerk, step, byOther.pdf, etag, fields), 422, 'WRONG_SIGNER')
    // One signature revision that also rewrites the page's content.
    const changed = await signPdf(base, { keySource: sealKey, alsoWrite: overwritePageContent })
    await refused(await uploadSigned(clerk, step, changed.pdf, etag, fields), 422, 'DISALLOWED_CHANGES')
    // A signature whose bytes were altered after signing.
    const good = await signPdf(base, { keySource: sealKey })
    await refused(
      await uploadSigned(clerk, step, tamperedInRevision(good.pdf, base.length), etag, fields),
      422,
      'SIGNATURE_INVALID',
    )
    // No If-Match, or the ETag of another version.
    await refused(await uploadSigned(clerk, step, good.pdf, undefined, fields), 428, 'PRECONDITION_REQUIRED')
    await refused(await uploadSigned(clerk, step, good.pdf, '"0000"', fields), 409, 'VERSION_CONFLICT')
    expect(await snapshot(doc.id)).to.equal(before)
    // The same good file is then accepted.
    const ok = await uploadSigned(clerk, step, good.pdf, etag, fields)
    expect(ok.status, await ok.clone().text()).to.equal(200)
  })

  it('refuses a bad signature value, a replayed and an expired signingId, and a version conflict, with nothing changed', async () => {
    const doc = await submitted([{ action: 'sign', assignees: ['giamdoc', 'phogiamdoc'], rule: 'all' }])
    const step = doc.stepIds[0] as number
    const before = await snapshot(doc.id)
    // A value that is not a signature over the prepared bytes.
    const p1 = await json<{ signingId: string; signedAttributes: string }>(
      await leader.post(`/api/steps/${step}/prepare`, { certificateId: leaderCert }),
    )
    await refused(
      await leader.post(`/api/steps/${step}/complete`, {
        signingId: p1.signingId,
        signature: Buffer.alloc(64, 7).toString('base64'),
      }),
      422,
      'SIGNATURE_INVALID',
    )
    // Expired: the session's time has passed.
    await svc.services
      .db('signing_sessions')
      .where({ id: p1.signingId })
      .update({ expires_at: new Date(Date.now() - 1000).toISOString() })
    await refused(
      await leader.post(`/api/steps/${step}/complete`, {
        signingId: p1.signingId,
        signature: await signAtAgent(p1.signedAttributes),
      }),
      410,
      'SIGNING_EXPIRED',
    )
    // Another person's signingId is not found for me.
    await refused(
      await admin.post(`/api/steps/${step}/complete`, { signingId: p1.signingId, signature: 'AAAA' }),
      404,
      'NOT_FOUND',
    )
    expect(await snapshot(doc.id)).to.equal(before)
    // A fresh one completes once; the same again is a replay.
    const p2 = await json<{ signingId: string; signedAttributes: string }>(
      await leader.post(`/api/steps/${step}/prepare`, { certificateId: leaderCert }),
    )
    const value = await signAtAgent(p2.signedAttributes)
    const first = await leader.post(`/api/steps/${step}/complete`, {
      signingId: p2.signingId,
      signature: value,
    })
    expect(first.status, await first.clone().text()).to.equal(200)
    const after = await snapshot(doc.id)
    await refused(
      await leader.post(`/api/steps/${step}/complete`, { signingId: p2.signingId, signature: value }),
      409,
      'SIGNING_USED',
    )
    expect(await snapshot(doc.id)).to.equal(after)

    // Version conflict: prepared, then the other signer of the step adds a version first.
    const doc2 = await submitted([{ action: 'sign', assignees: ['giamdoc', 'phogiamdoc'], rule: 'all' }])
    const step2 = doc2.stepIds[0] as number
    const p3 = await json<{ signingId: string; signedAttributes: string }>(
      await leader.post(`/api/steps/${step2}/prepare`, { certificateId: leaderCert }),
    )
    const deputy = await as('phogiamdoc', undefined, svc.url)
    expect((await deputy.post(`/api/steps/${step2}/sign`, { pin: pinOf('phogiamdoc') })).status).to.equal(200)
    const afterDeputy = await snapshot(doc2.id)
    await refused(
      await leader.post(`/api/steps/${step2}/complete`, {
        signingId: p3.signingId,
        signature: await signAtAgent(p3.signedAttributes),
      }),
      409,
      'VERSION_CONFLICT',
    )
    expect(await snapshot(doc2.id)).to.equal(afterDeputy)
  })

  it("refuses a pending, a revoked and another person's certificate, a name that is not the holder's and an untrusted issuer", async () => {
    const doc = await submitted([{ action: 'sign', assignees: ['giamdoc'] }])
    const step = doc.stepIds[0] as number
    const before = await snapshot(doc.id)
    // Pending: submitted, not approved.
    const pendingIssued = await nat.issue({ name: 'Võ Minh Thành', title: 'Giám đốc' })
    const pending = await json<{ id: number; status: string }>(
      await leader.post('/api/me/certificates/external', {
        certificate: pendingIssued.pem,
        chain: [nat.issuingPem],
      }),
    )
    expect(pending.status).to.equal('pending')
    await refused(
      await leader.post(`/api/steps/${step}/prepare`, { certificateId: pending.id }),
      422,
      'CERT_NOT_ACTIVE',
    )
    // Another person's certificate.
    await refused(
      await leader.post(`/api/steps/${step}/prepare`, { certificateId: headCert }),
      422,
      'WRONG_SIGNER',
    )
    // Revoked: approved, then revoked by the admin.
    // A reason is read only once the certificate is found pending, and from an administrator.
    expect((await leader.post(`/api/admin/certificates/${pending.id}/reject`, {})).status).to.equal(403)
    const noReason = await admin.post(`/api/admin/certificates/${pending.id}/reject`, { reason: ' ' })
    expect([
      noReason.status,
      ((await noReason.json()) as { error: { message: string } }).error.message,
    ]).to.deep.equal([400, 'reason: lý do là bắt buộc'])
    expect((await admin.post(`/api/admin/certificates/${pending.id}/approve`)).status).to.equal(200)
    expect(
      (await admin.post(`/api/admin/certificates/${pending.id}/revoke`, { reason: 'keyCompromise' })).status,
    ).to.equal(200)
    await refused(
      await leader.post(`/api/steps/${step}/prepare`, { certificateId: pending.id }),
      403,
      'CERT_REVOKED',
    )
    expect(await snapshot(doc.id)).to.equal(before)
    // Submission checks: someone else's name, a CA nobody trusts.
    const notMine = await nat.issue({ name: 'Nguyễn Văn Bình', title: 'Giám đốc' })
    await refused(
      await leader.post('/api/me/certificates/external', {
        certificate: notMine.pem,
        chain: [nat.issuingPem],
      }),
      422,
      'CERT_SUBJECT_MISMATCH',
    )
    const stranger = await createNationalPki()
    const untrusted = await stranger.issue({ name: 'Võ Minh Thành', title: 'Giám đốc' })
    await refused(
      await leader.post('/api/me/certificates/external', {
        certificate: untrusted.pem,
        chain: [stranger.issuingPem],
      }),
      403,
      'CERT_UNTRUSTED',
    )
    // The admin may bind a certificate whose name differs (namesakes, CNs without marks).
    const byAdmin = await admin.post('/api/admin/certificates/external', {
      username: 'giamdoc',
      certificate: notMine.pem,
      chain: [nat.issuingPem],
    })
    expect(byAdmin.status, await byAdmin.clone().text()).to.equal(201)
  })

  it('ends a remote signature the signer refuses on the phone, audited, with the step still open', async () => {
    const doc = await submitted([{ action: 'approve', assignees: ['truongphong1'] }])
    const step = doc.stepIds[0] as number
    const before = await snapshot(doc.id)
    const started = await json<{ signingId: string }>(
      await head.post(`/api/steps/${step}/remote`, { certificateId: headRefusingCert }),
    )
    let state = 'awaiting_confirmation'
    for (let i = 0; i < 60 && state === 'awaiting_confirmation'; i++) {
      await new Promise((r) => setTimeout(r, 250))
      state = (await json<{ status: string }>(await head.get(`/api/signings/${started.signingId}`))).status
    }
    expect(state).to.equal('refused')
    expect(await snapshot(doc.id)).to.equal(before)
    const events = (await svc.services
      .db('audit_events')
      .where({ action: 'step.remote-refused' })
      .pluck('detail_json')) as string[]
    expect(events.map((e) => (JSON.parse(e) as { signingId: string }).signingId)).to.include(
      started.signingId,
    )
  })

  it('keeps approvals as detached CAdES evidence when the agency says so: the issued file carries only signatures a validator trusting the national root trusts', async () => {
    const { agencyCode } = await json<{ agencyCode: string }>(await clerk.get('/api/me'))
    const setMode = (approvalMode: string): Promise<Response> =>
      fetch(`${svc.url}/api/admin/agencies/${agencyCode}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ approvalMode }),
      })
    expect((await setMode('detached')).status).to.equal(200)
    try {
      const doc = await submitted([
        { action: 'approve', assignees: ['truongphong2'] },
        { action: 'sign', assignees: ['giamdoc'] },
        { action: 'seal', assignees: ['vanthu'] },
      ])
      const [approveStep, signStep, sealStep] = doc.stepIds as [number, number, number]
      // The head approves with the key Kyso holds for her: evidence beside the file, no new version.
      const approved = await (await as('truongphong2', undefined, svc.url)).post(
        `/api/steps/${approveStep}/sign`,
        { pin: pinOf('truongphong2') },
      )
      expect(approved.status, await approved.clone().text()).to.equal(200)
      expect(await json(approved)).to.include({ form: 'detached', version: 1, keySource: 'internal' })
      const prepared = await json<{ signingId: string; signedAttributes: string }>(
        await leader.post(`/api/steps/${signStep}/prepare`, { certificateId: leaderCert, via: 'agent' }),
      )
      expect(
        (
          await leader.post(`/api/steps/${signStep}/complete`, {
            signingId: prepared.signingId,
            signature: await signAtAgent(prepared.signedAttributes),
          })
        ).status,
      ).to.equal(200)
      const served = await clerk.get(`/api/steps/${sealStep}/to-sign`)
      const etag = served.headers.get('etag') as string
      const sealed = await signPdf(Buffer.from(await served.arrayBuffer()), {
        keySource: openPkcs12KeySource(readFileSync(seal.p12File), nat.pin),
        appearance: { kind: 'seal' },
      })
      const issuedRes = await uploadSigned(clerk, sealStep, sealed.pdf, etag, {
        outgoingNumber: '17/SKHCN-VP',
        outgoingDate: '2026-12-05',
      })
      expect(issuedRes.status, await issuedRes.clone().text()).to.equal(200)

      // What leaves the agency: two signatures, both trusted by a validator that knows only the national root.
      const file = join(work, 'issued-detached.pdf')
      writeFileSync(file, Buffer.from(await (await clerk.get(`/api/documents/${doc.id}/file`)).arrayBuffer()))
      const sigs = pdfsig(file, nssDbTrusting(nat.rootPem))
      expect(sigs).to.have.length(2)
      for (const sg of sigs)
        expect(sg, JSON.stringify(sg)).to.include({
          signatureValid: true,
          certificateStatus: 'Certificate is Trusted.',
        })
      const outside = verifyPdf(readFileSync(file), {
        trustAnchors: [nat.rootDer],
        crls: nat.crlPems().flatMap((p) => loadCrls(p)),
      })
      expect(outside.signatures.map((x) => x.indication)).to.deep.equal(['PASSED', 'PASSED'])
      // Inside Kyso, the approval is in the chain and in the validation report, PASSED.
      const verification = await json<{ detached: { indication: string; signedContentLength: number }[] }>(
        await admin.get(`/api/documents/${doc.id}/verification`),
      )
      expect(verification.detached.map((d) => d.indication)).to.deep.equal(['PASSED'])
      let forms: { form: string; indication: string | null }[] = []
      for (let i = 0; i < 40; i++) {
        forms = (
          await json<{ signatures: { form: string; indication: string | null }[] }>(
            await admin.get(`/api/documents/${doc.id}`),
          )
        ).signatures
        if (forms.every((f) => f.indication)) break
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(forms.map((f) => [f.form, f.indication])).to.deep.equal([
        ['detached', 'PASSED'],
        ['in-file', 'PASSED'],
        ['in-file', 'PASSED'],
      ])
      // The evidence package: the detached signature verifies with openssl over the version it approved.
      const zip = unzipSync(
        new Uint8Array(await (await admin.get(`/api/documents/${doc.id}/evidence`)).arrayBuffer()),
      )
      const p7s = Object.keys(zip).find((n) => n.startsWith('detached/')) as string
      const rootFile = join(work, 'internal-root.pem')
      writeFileSync(rootFile, toPem('CERTIFICATE', (await svc.services.trustAnchors())[0] as Buffer))
      const cms = opensslCmsVerify(
        Buffer.from(zip[p7s] as Uint8Array),
        Buffer.from(zip['versions/v1.pdf'] as Uint8Array),
        rootFile,
      )
      expect(cms.ok, cms.output).to.equal(true)
      expect(Object.keys(zip)).to.include.members(['manifest.json', 'versions/v2.pdf', 'versions/v3.pdf'])
      expect(
        Object.keys(zip).filter((n) => n.startsWith('evidence/') && n.endsWith('.crl')).length,
      ).to.be.greaterThan(0)
    } finally {
      await setMode('in-file')
    }
  })

  /** The token signs at the agent once its PIN is typed there (written to the agent's stdin). */
  async function signAtAgent(signedAttributes: string): Promise<string> {
    const signing = fetch(`${agent.url}/v1/sign`, {
      method: 'POST',
      headers: { origin: svc.url, 'content-type': 'application/json' },
      body: JSON.stringify({
        certificateId: LEADER_KEY_ID,
        data: signedAttributes,
        digestAlgorithm: 'SHA-256',
      }),
    })
    agent.child.stdin.write(`${token.pin}\n`)
    const res = await signing
    expect(res.status).to.equal(200)
    return (await json<{ signature: string }>(res)).signature
  }

  async function runKyso(args: string[], env: Record<string, string>): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } })
      let err = ''
      child.stderr.on('data', (c: Buffer) => (err += c.toString()))
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`kyso ${args[0]} exited ${code}: ${err}`)),
      )
    })
  }

  function uploadSigned(
    user: Client,
    stepId: number,
    pdf: Buffer,
    etag: string | undefined,
    fields: Record<string, string> = {},
  ): Promise<Response> {
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
