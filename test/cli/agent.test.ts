import { expect } from 'chai'
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import * as crypto from 'node:crypto'
import * as http from 'node:http'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { contentTypeAttribute, messageDigestAttribute, OID, signedAttributesSet } from '../../signing/cms'
import type { KeySource } from '../../signing/keys/key-source'
import { loadCrls } from '../../signing/pki'
import { signPdf } from '../../signing/sign'
import { verifyPdf } from '../../signing/verify'
import { makePdf } from '../helpers/sample-pdfs'
import { getSoftHsmToken, type SoftHsmToken } from '../helpers/softhsm'
import { getTestPki } from '../helpers/test-pki'
import { nssDbTrusting, pdfsig, tempDir } from '../helpers/tools'

const BIN = join(__dirname, '../../../bin/kyso.js')
const ORIGIN = 'https://kyso.sotttt.gov.vn'
const PROMPT = /Nhập mã PIN/

interface Agent {
  child: ChildProcessWithoutNullStreams
  url: string
  port: number
  stdout: string
  stderr: string
  exit: Promise<number | null>
}

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Record<string, unknown>
  text: string
}

function startAgent(token: SoftHsmToken, args: string[]): Promise<Agent> {
  const child = spawn(process.execPath, [BIN, 'agent', '--pkcs11-module', token.module, ...args], {
    env: { PATH: process.env.PATH ?? '', ...token.env },
  })
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const agent = { child, url: '', port: 0, stdout: '', stderr: '', exit }
    child.stderr.on('data', (chunk: Buffer) => (agent.stderr += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      agent.stdout += chunk.toString()
      const line = agent.stdout.split('\n')[0]
      if (agent.url || !agent.stdout.includes('\n') || !line) return
      const started = JSON.parse(line) as { agent: string; url: string }
      agent.url = started.url
      agent.port = Number(new URL(started.url).port)
      resolve(agent)
    })
    void exit.then((code) => reject(new Error(`the agent exited with ${code}: ${agent.stderr}`)))
  })
}

/** An HTTP call with the headers a browser would send (Origin, Host) under the test's control. */
function call(
  agent: Agent,
  path: string,
  opts: { method?: string; origin?: string | null; host?: string; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
  const headers: http.OutgoingHttpHeaders = { host: opts.host ?? `127.0.0.1:${agent.port}` }
  if (opts.origin !== null) headers.origin = opts.origin ?? ORIGIN
  if (payload !== undefined) headers['content-type'] = 'application/json'
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: agent.port,
        path,
        method: opts.method ?? (payload ? 'POST' : 'GET'),
        headers,
      },
      (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => {
          const body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text })
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

const promptsIn = (agent: Agent): number => agent.stderr.split('\n').filter((l) => PROMPT.test(l)).length

/** Waits until the agent has shown `count` PIN prompts in all. */
async function promptShown(agent: Agent, count: number): Promise<string> {
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    if (promptsIn(agent) >= count)
      return (
        agent.stderr
          .split('\n')
          .filter((l) => PROMPT.test(l))
          .at(count - 1) ?? ''
      )
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`no PIN prompt #${count}: ${agent.stderr}`)
}

/** DER signed attributes as a PAdES signer makes them (RFC 5652 §5.3). */
function signedAttributes(content: string): Buffer {
  const digest = crypto.createHash('sha256').update(content).digest()
  return signedAttributesSet([contentTypeAttribute(OID.data), messageDigestAttribute(digest)])
}

const signBody = (certificateId: string, data: Buffer) => ({
  certificateId,
  data: data.toString('base64'),
  digestAlgorithm: 'SHA-256',
})

/** Sends a sign request, types `pin` at the agent once its prompt shows, and returns the answer. */
async function signThroughAgent(agent: Agent, body: unknown, pin: string): Promise<Answer> {
  const before = promptsIn(agent)
  const answer = call(agent, '/v1/sign', { body })
  await promptShown(agent, before + 1)
  agent.child.stdin.write(`${pin}\n`)
  return answer
}

describe('kyso agent (a USB token for the web interface, over SoftHSM2)', function () {
  this.timeout(120_000)
  let token: SoftHsmToken
  let agent: Agent

  before(async () => {
    token = await getSoftHsmToken()
    agent = await startAgent(token, ['--port', '127.0.0.1:0', '--origin', ORIGIN, '--pin-timeout', '3'])
  })

  after(() => {
    if (agent.child.exitCode === null) agent.child.kill('SIGKILL')
  })

  it('prints exactly one JSON line on stdout, and describes itself and the token on /v1/info', async () => {
    expect(agent.stdout.trim().split('\n')).to.have.length(1)
    expect(JSON.parse(agent.stdout)).to.deep.equal({
      agent: 'kyso-agent',
      url: `http://127.0.0.1:${agent.port}`,
    })
    const info = await call(agent, '/v1/info')
    expect(info.status).to.equal(200)
    const version = (
      JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string }
    ).version
    expect(info.body).to.deep.include({ agent: 'kyso-agent', version })
    expect(info.body.tokens).to.have.length(1)
    expect((info.body.tokens as Record<string, unknown>[])[0]).to.include({
      slot: 0,
      label: token.label,
      manufacturer: 'SoftHSM project',
    })
    expect(info.headers['access-control-allow-origin']).to.equal(ORIGIN)
  })

  it('lists the certificates that have a key on the token, not the CA certificates', async () => {
    const answer = await call(agent, '/v1/certificates')
    expect(answer.status).to.equal(200)
    const list = answer.body.certificates as Array<Record<string, string>>
    expect(list.map((c) => c.id).sort()).to.deep.equal([token.rsa.id, token.ec.id].sort())
    const rsa = list.find((c) => c.id === token.rsa.id)!
    expect(Buffer.from(rsa.certificate!, 'base64').equals(token.rsa.certificate)).to.equal(true)
    expect(rsa.subject).to.include(`CN=${token.rsa.name}`)
    expect(rsa.issuer).to.include('CN=')
    expect(rsa.serialHex).to.equal(new crypto.X509Certificate(token.rsa.certificate).serialNumber)
    expect(new Date(rsa.notAfter!).getTime()).to.be.greaterThan(Date.now())
    expect(list.map((c) => c.keyAlgorithm).sort()).to.deep.equal(['EC', 'RSA'])
  })

  for (const which of ['rsa', 'ec'] as const) {
    const title = `signs with the ${which.toUpperCase()} key once the PIN is typed at the agent's prompt`
    it(title, async () => {
      const signer = token[which]
      const data = signedAttributes(`document ${which}`)
      const before = promptsIn(agent)
      const pending = call(agent, '/v1/sign', { body: signBody(signer.id, data) })
      const prompt = await promptShown(agent, before + 1)
      expect(prompt).to.include(ORIGIN)
      expect(prompt).to.include(signer.name)
      agent.child.stdin.write(`${token.pin}\n`)
      const answer = await pending
      expect(answer.status, answer.text).to.equal(200)
      expect(answer.body.signatureAlgorithm).to.equal(
        which === 'rsa' ? 'sha256WithRSAEncryption' : 'ecdsa-with-SHA256',
      )
      const certificate = Buffer.from(answer.body.certificate as string, 'base64')
      expect(certificate.equals(signer.certificate)).to.equal(true)
      const signature = Buffer.from(answer.body.signature as string, 'base64')
      const publicKey = new crypto.X509Certificate(certificate).publicKey
      expect(crypto.verify('sha256', data, publicKey, signature)).to.equal(true)
      expect(crypto.verify('sha256', signedAttributes('other'), publicKey, signature)).to.equal(false)
    })
  }

  it('signs a PDF through the agent (the browser path) that pdfsig and verifyPdf accept', async () => {
    const pki = await getTestPki()
    const listed = (await call(agent, '/v1/certificates')).body.certificates as Array<Record<string, string>>
    const entry = listed.find((c) => c.id === token.ec.id)!
    const keySource: KeySource = {
      certificate: Buffer.from(entry.certificate!, 'base64'),
      chain: [pki.issuingDer, pki.rootDer],
      keyAlgorithm: entry.keyAlgorithm === 'RSA' ? 'RSA' : 'EC',
      sign: async (data) => {
        const answer = await signThroughAgent(agent, signBody(entry.id!, data), token.pin)
        if (answer.status !== 200) throw new Error(answer.text)
        return Buffer.from(answer.body.signature as string, 'base64')
      },
    }
    const { pdf } = await signPdf(await makePdf({ xref: 'table' }), {
      keySource,
      reason: 'Ký qua kyso agent',
    })
    const report = verifyPdf(pdf, {
      trustAnchors: [pki.rootDer],
      crls: loadCrls(readFileSync(join(pki.dir, 'crl.pem'))),
    })
    expect(report.indication).to.equal('PASSED')
    const file = join(tempDir('kyso-agent-'), 'signed.pdf')
    writeFileSync(file, pdf)
    expect(pdfsig(file, nssDbTrusting(pki.rootPem))[0]?.signatureStatus).to.equal('Signature is Valid.')
  })

  it('answers a wrong PIN with 401 PIN_INCORRECT, and the PIN typed appears nowhere', async () => {
    const wrongPin = '97531864'
    const answer = await signThroughAgent(agent, signBody(token.rsa.id, signedAttributes('x')), wrongPin)
    expect(answer.status).to.equal(401)
    expect((answer.body.error as Record<string, string>).code).to.equal('PIN_INCORRECT')
    for (const text of [answer.text, agent.stdout, agent.stderr]) expect(text).to.not.include(wrongPin)
  })

  it('asks for one PIN at a time: a second request waits until the first is answered', async () => {
    const before = promptsIn(agent)
    const first = call(agent, '/v1/sign', { body: signBody(token.rsa.id, signedAttributes('first')) })
    const second = call(agent, '/v1/sign', { body: signBody(token.ec.id, signedAttributes('second')) })
    await promptShown(agent, before + 1)
    await new Promise((r) => setTimeout(r, 300))
    expect(promptsIn(agent), 'no second prompt while the first waits').to.equal(before + 1)
    agent.child.stdin.write(`${token.pin}\n`)
    expect((await first).status).to.equal(200)
    await promptShown(agent, before + 2)
    agent.child.stdin.write(`${token.pin}\n`)
    expect((await second).status).to.equal(200)
  })

  it('gives 408 PIN_NOT_ENTERED when no PIN is typed in time, and goes on serving', async () => {
    const answer = await call(agent, '/v1/sign', { body: signBody(token.ec.id, signedAttributes('late')) })
    expect(answer.status).to.equal(408)
    expect((answer.body.error as Record<string, string>).code).to.equal('PIN_NOT_ENTERED')
    const again = await signThroughAgent(agent, signBody(token.ec.id, signedAttributes('in time')), token.pin)
    expect(again.status).to.equal(200)
  })

  it('refuses a PIN in the request body with 400, without asking for one', async () => {
    const before = promptsIn(agent)
    for (const field of ['pin', 'userPin', 'PIN', 'password']) {
      const body = { ...signBody(token.rsa.id, signedAttributes('pin')), [field]: token.pin }
      const answer = await call(agent, '/v1/sign', { body })
      expect(answer.status, field).to.equal(400)
      expect((answer.body.error as Record<string, string>).code).to.equal('BAD_REQUEST')
    }
    expect(promptsIn(agent)).to.equal(before)
  })

  it('refuses data other than signed attributes, unknown keys, oversized or non-JSON bodies', async () => {
    const before = promptsIn(agent)
    const tbs = Buffer.from('3003020101', 'hex') // a SEQUENCE, as a certificate's TBS would be
    const cases: Array<[Promise<Answer>, number, string]> = [
      [call(agent, '/v1/sign', { body: signBody(token.rsa.id, tbs) }), 400, 'BAD_REQUEST'],
      [
        call(agent, '/v1/sign', {
          body: { ...signBody(token.rsa.id, signedAttributes('a')), data: 'no base64!' },
        }),
        400,
        'BAD_REQUEST',
      ],
      [
        call(agent, '/v1/sign', {
          body: { ...signBody(token.rsa.id, signedAttributes('a')), digestAlgorithm: 'SHA-1' },
        }),
        400,
        'BAD_REQUEST',
      ],
      [call(agent, '/v1/sign', { body: signBody('ffff', signedAttributes('a')) }), 404, 'KEY_NOT_FOUND'],
      [
        call(agent, '/v1/sign', { body: signBody(token.caIds.issuing, signedAttributes('a')) }),
        404,
        'KEY_NOT_FOUND',
      ],
      [call(agent, '/v1/sign', { raw: JSON.stringify({ pad: 'x'.repeat(70_000) }) }), 413, 'BODY_TOO_LARGE'],
      [call(agent, '/v1/sign', { raw: '{not json' }), 400, 'BAD_REQUEST'],
      [call(agent, '/v1/info', { method: 'POST', raw: '{}' }), 405, 'METHOD_NOT_ALLOWED'],
      [call(agent, '/v2/anything'), 404, 'NOT_FOUND'],
    ]
    for (const [pending, status, code] of cases) {
      const answer = await pending
      expect([answer.status, (answer.body.error as Record<string, string>).code]).to.deep.equal([
        status,
        code,
      ])
    }
    expect(promptsIn(agent), 'no PIN was asked for any of these').to.equal(before)
  })

  it('refuses other origins, no origin and a foreign Host with 403 and no CORS headers', async () => {
    const refused = [
      await call(agent, '/v1/certificates', { origin: 'https://evil.example' }),
      await call(agent, '/v1/certificates', { origin: `${ORIGIN}.evil.example` }),
      await call(agent, '/v1/certificates', { origin: 'http://kyso.sotttt.gov.vn' }),
      await call(agent, '/v1/certificates', { origin: null }),
      await call(agent, '/v1/certificates', { host: `kyso-agent.evil.example:${agent.port}` }),
      await call(agent, '/v1/sign', {
        host: `evil.example:${agent.port}`,
        body: signBody(token.rsa.id, signedAttributes('r')),
      }),
      await call(agent, '/v1/sign', { method: 'OPTIONS', origin: 'https://evil.example' }),
    ]
    for (const answer of refused) {
      expect(answer.status).to.equal(403)
      expect(answer.headers).to.not.have.property('access-control-allow-origin')
      expect(answer.text).to.not.include('BEGIN CERTIFICATE')
      expect(answer.body).to.not.have.property('certificates')
    }
    expect((await call(agent, '/v1/certificates', { host: `localhost:${agent.port}` })).status).to.equal(200)
  })

  it('answers the CORS preflight of an allowed origin, with Private Network Access', async () => {
    const answer = await call(agent, '/v1/sign', { method: 'OPTIONS' })
    expect(answer.status).to.equal(204)
    expect(answer.headers['access-control-allow-origin']).to.equal(ORIGIN)
    expect(answer.headers['access-control-allow-private-network']).to.equal('true')
    expect(answer.headers['access-control-allow-headers']).to.equal('content-type')
    expect(answer.headers['access-control-allow-methods']).to.include('POST')
  })

  it('refuses to listen anywhere but loopback, and to start without --origin or with a bad module', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [BIN, 'agent', ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...token.env },
        timeout: 30_000,
      })
    const module = ['--pkcs11-module', token.module]
    for (const port of ['0.0.0.0:0', '[::]:0', '192.168.1.10:8765', 'kyso.example:8765']) {
      const r = run([...module, '--port', port, '--origin', ORIGIN])
      expect([r.status, r.stdout], port).to.deep.equal([2, ''])
      expect(r.stderr).to.match(/loopback/)
    }
    expect(run([...module, '--port', '127.0.0.1:0']).status).to.equal(2)
    const origin = run([...module, '--port', '127.0.0.1:0', '--origin', `${ORIGIN}/path`])
    expect(origin.status).to.equal(2)
    const bad = run([
      '--pkcs11-module',
      '/nonexistent/libpkcs11.so',
      '--port',
      '127.0.0.1:0',
      '--origin',
      ORIGIN,
    ])
    expect(bad.status).to.equal(2)
    expect(bad.stderr).to.match(/TOKEN_MODULE_FAILED/)
  })

  it('stops cleanly on SIGTERM', async () => {
    agent.child.kill('SIGTERM')
    expect(await agent.exit).to.equal(0)
    expect(agent.stderr).to.match(/SIGTERM, stopping/)
  })
})

describe('kyso agent on a terminal', function () {
  this.timeout(60_000)

  it('asks for the PIN without echoing it; Ctrl-C at the prompt refuses that request only', async () => {
    const token = await getSoftHsmToken()
    // script(1) gives the agent a pseudo-terminal: stdin is a TTY, as for an official at a desk.
    const agentArgs = ['agent', '--pkcs11-module', token.module, '--port', '127.0.0.1:0', '--origin', ORIGIN]
    const command = `exec "${process.execPath}" "${BIN}" ${agentArgs.join(' ')}`
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', ...token.env },
    })
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    let screen = ''
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()))
    try {
      for (
        const started = Date.now();
        !/"url":"http:[^"]+"/.test(screen) && Date.now() - started < 10_000;
      ) {
        await new Promise((r) => setTimeout(r, 20))
      }
      const agent = { port: Number(/127\.0\.0\.1:(\d+)/.exec(screen)?.[1]) } as Agent
      const ask = async (keys: string): Promise<Answer> => {
        const shown = screen.split(PROMPT).length
        const answer = call(agent, '/v1/sign', { body: signBody(token.rsa.id, signedAttributes(keys)) })
        for (
          const started = Date.now();
          screen.split(PROMPT).length === shown && Date.now() - started < 10_000;
        ) {
          await new Promise((r) => setTimeout(r, 20))
        }
        child.stdin.write(keys)
        return answer
      }
      expect((await ask(`${token.pin}\r`)).status).to.equal(200)
      // The agent's log line reaches the terminal on its own schedule, after the HTTP answer.
      for (const started = Date.now(); !/signed for/.test(screen) && Date.now() - started < 10_000; ) {
        await new Promise((r) => setTimeout(r, 20))
      }
      const afterPrompt = screen.slice(screen.search(PROMPT))
      expect(afterPrompt).to.match(/signed for/)
      expect(afterPrompt, 'the PIN is not echoed').to.not.include(token.pin)
      const cancelled = await ask('\u0003')
      expect([cancelled.status, (cancelled.body.error as Record<string, string>).code]).to.deep.equal([
        408,
        'PIN_NOT_ENTERED',
      ])
      child.stdin.write('\u0003') // Ctrl-C outside a prompt: SIGINT, the agent stops
      expect(await exit).to.equal(0)
      expect(screen).to.match(/SIGINT, stopping/)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
