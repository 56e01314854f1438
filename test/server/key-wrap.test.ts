import { expect } from 'chai'
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../../config'
import { unwrap } from '../../signing/keys/key-wrap'
import { initCa, issueCertificate, issueTsaCertificate, revokeCertificate } from '../../signing/pki'
import type { Running } from '../../server/start'
import { openDb } from '../../storage/db'
import { demoUsers } from '../../storage/seed'
import { certificateKeyContext } from '../../workflows/key-ring'
import { onPostgres } from '../helpers/database'
import { restartableService, type Restartable } from '../helpers/restartable'
import { makePdf } from '../helpers/sample-pdfs'
import { as, type Client } from '../helpers/service'
import { tempDir } from '../helpers/tools'

const KYSO = join(__dirname, '../../../bin/kyso.js')
const PIN_OF = new Map(demoUsers().map((u) => [u.username, u.pin]))

function kyso(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KYSO, ...args], { env: { PATH: process.env.PATH ?? '', ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => void (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => void (stderr += c))
    child.once('exit', (status) => resolve({ status, stdout, stderr }))
  })
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })
}

/** `openssl pkcs12` with the holder's PIN: true when it opens (verifies the MAC and reads). */
function opensslOpens(bytes: Buffer, pin: string, dir: string): boolean {
  const file = join(dir, `try-${Math.random().toString(36).slice(2)}.p12`)
  writeFileSync(file, bytes)
  return (
    spawnSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${pin}`, '-nodes', '-noout']).status === 0
  )
}

async function signOneStep(svc: Running, signer: string, pin: string): Promise<number> {
  const drafter = await as('chuyenvien', undefined, svc.url)
  const doc = (await (await drafter.upload(await makePdf({ title: 'KHOA BOC' }))).json()) as { id: number }
  const body = (await (
    await drafter.post(`/api/documents/${doc.id}/submit`, {
      steps: [{ action: 'approve', assignees: [signer] }],
    })
  ).json()) as { workflows: { steps: { id: number }[] }[] }
  const res = await (await as(signer, undefined, svc.url)).post(
    `/api/steps/${(body.workflows[0]?.steps[0] as { id: number }).id}/sign`,
    { pin },
  )
  return res.status
}

/** Issue 15, point 2: keys wrapped twice, under the holder's PIN and the key-wrapping key. */
describe('keys the service stores open with nothing from the data folder alone', function () {
  this.timeout(300_000)
  let r: Restartable
  let svc: Running | undefined
  const work = tempDir('kyso-keywrap-')

  before(async () => {
    r = await restartableService()
  })

  after(async () => {
    await svc?.close()
    await r.dispose()
    rmSync(work, { recursive: true, force: true })
  })

  it("opens not one stored key from a copy of the whole data folder with its holder's PIN (openssl pkcs12), nor a CA key", async () => {
    svc = await r.start()
    expect(await signOneStep(svc, 'truongphong1', '1234')).to.equal(200)
    const ring = svc.services.keyRing
    await svc.close()
    svc = undefined
    const copy = join(work, 'copy')
    cpSync(r.dataDir, copy, { recursive: true })
    // Nothing in the folder is a key file, and the key-wrapping key is not in it.
    const kwk = readFileSync(r.env.KYSO_KEY_WRAP_FILE as string)
    for (const f of filesUnder(copy)) {
      expect(f).to.not.match(/\.(p12|pfx|kwk|key)$|ca-pin$/)
      expect(readFileSync(f).includes(kwk.subarray(0, 44))).to.equal(false)
    }
    // The database as a copy holds it (SQLite: the copied file; PostgreSQL: the database itself).
    const db = onPostgres()
      ? await openDb(copy, { databaseUrl: r.env.KYSO_DATABASE_URL as string, migrate: false })
      : await openDb(copy, { migrate: false })
    try {
      const rows = (await db('certificates as c')
        .join('users as u', 'u.id', 'c.holder_user_id')
        .where({ 'c.source': 'internal' })
        .select('u.username', 'c.p12', 'c.serial_hex', 'c.key_protection')) as {
        username: string
        p12: Uint8Array
        serial_hex: string
        key_protection: string
      }[]
      expect(rows.length).to.be.greaterThan(15)
      expect(new Set(rows.map((x) => x.key_protection))).to.deep.equal(new Set(['wrapped']))
      for (const row of rows) {
        const pin = PIN_OF.get(row.username) as string
        expect(
          opensslOpens(Buffer.from(row.p12), pin, work),
          `${row.username}'s key opened with the PIN alone`,
        ).to.equal(false)
      }
      // The control: with the key-wrapping key, the very same row opens with the PIN.
      const first = rows[0] as (typeof rows)[number]
      const inner = await unwrap(ring, Buffer.from(first.p12), certificateKeyContext(first.serial_hex))
      expect(opensslOpens(inner, PIN_OF.get(first.username) as string, work)).to.equal(true)
      const caKeys = (await db('ca_keys').select('name', 'wrapped_key')) as {
        name: string
        wrapped_key: Uint8Array
      }[]
      expect(caKeys.map((k) => k.name).sort()).to.deep.equal(['issuing', 'root', 'service', 'tsa'])
      for (const k of caKeys) {
        const file = join(work, `${k.name}.der`)
        writeFileSync(file, Buffer.from(k.wrapped_key))
        expect(
          spawnSync('openssl', ['pkey', '-inform', 'DER', '-in', file, '-noout']).status,
          k.name,
        ).to.not.equal(0)
        expect(opensslOpens(Buffer.from(k.wrapped_key), '', work)).to.equal(false)
      }
    } finally {
      await db.destroy()
    }
  })

  it('will not start without the key-wrapping key the database needs, nor with another one, nor with one inside the data folder', async () => {
    const file = r.env.KYSO_KEY_WRAP_FILE as string
    const moved = `${file}.away`
    cpSync(file, moved)
    rmSync(file)
    try {
      const missing = await r.start().then(
        () => 'started',
        (err: Error) => err.message,
      )
      expect(missing).to.match(/No key-wrapping key at .*wrapped under key [0-9a-f]{16}/)
      writeFileSync(file, `${Buffer.alloc(32, 7).toString('base64')}\n`)
      expect(
        await r.start().then(
          () => 'started',
          (err: Error) => err.message,
        ),
      ).to.match(/is not the database's/)
    } finally {
      cpSync(moved, file)
    }
    expect(() => loadConfig({ ...r.env, KYSO_KEY_WRAP_FILE: join(r.dataDir, 'kwk') }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/outside KYSO_DATA_DIR/)
  })

  it('rotates the key-wrapping key: kyso keys generate, both keys for a while, rewrap, then the new key alone', async () => {
    const env = { ...r.env }
    const newFile = join(work, 'kwk-2027.kwk')
    const generated = await kyso(['keys', 'generate', newFile], env)
    expect(generated.status, generated.stderr).to.equal(0)
    expect(statSync(newFile).mode & 0o777).to.equal(0o600)
    const newId = (JSON.parse(generated.stdout) as { keyId: string }).keyId
    const both = {
      ...env,
      KYSO_KEY_WRAP_FILE: newFile,
      KYSO_KEY_WRAP_PREVIOUS_FILES: env.KYSO_KEY_WRAP_FILE as string,
    }
    svc = await r.start(both)
    expect(await signOneStep(svc, 'truongphong2', '1234')).to.equal(200)
    const status = await kyso(['keys', 'status'], both)
    expect(status.status, 'keys under the old key are left').to.equal(1)
    const rewrap = await kyso(['keys', 'rewrap'], both)
    expect(rewrap.status, rewrap.stderr).to.equal(0)
    const result = JSON.parse(rewrap.stdout) as {
      rewrapped: { certificates: number; caKeys: number; secrets: number }
      byKeyId: Record<string, number>
    }
    expect(result.rewrapped.certificates).to.be.greaterThan(15)
    expect(result.rewrapped.caKeys).to.equal(4)
    expect(Object.keys(result.byKeyId)).to.deep.equal([newId])
    expect((await kyso(['keys', 'status'], both)).status).to.equal(0)
    await svc.close()
    // The old key can go: the new one alone opens everything, and the CA still issues and revokes.
    svc = await r.start({ KYSO_KEY_WRAP_FILE: newFile })
    expect(await signOneStep(svc, 'truongphong1', '1234')).to.equal(200)
    const admin: Client = await as('quantri', undefined, svc.url)
    const req = (await (
      await admin.post('/api/admin/certificates', { username: 'phogiamdoc', kind: 'personal' })
    ).json()) as { id: number }
    expect(
      (
        await (
          await as('phogiamdoc', undefined, svc.url)
        ).post(`/api/me/enrolments/${req.id}/activate`, { pin: '97531' })
      ).status,
    ).to.equal(201)
    await svc.close()
    svc = undefined
    expect(
      await r.start().then(
        (s) => s.close().then(() => 'started'),
        (err: Error) => err.message,
      ),
    ).to.match(/is not the database's/)
  })
})

/** Point 5: a DATA_DIR/ca made before issue 15 moves into the database once; older stored keys are sealed. */
describe('a data folder of an older version', function () {
  this.timeout(300_000)

  it('moves its CA into the database (its key files deleted) and seals the keys stored under a PIN alone', async () => {
    const r = await restartableService()
    let svc: Running | undefined
    try {
      const ca = join(r.dataDir, 'ca')
      await initCa(ca, { pin: 'old-ca-pin', name: 'Kyso CA - cũ' })
      writeFileSync(join(ca, 'ca-pin'), 'old-ca-pin\n', { mode: 0o600 })
      writeFileSync(
        join(ca, 'tsa.p12'),
        (await issueTsaCertificate(ca, { caPin: 'old-ca-pin', pin: 'old-ca-pin' })).p12,
      )
      const legacy = await issueCertificate(ca, {
        name: 'Trần Văn Hùng',
        org: 'Sở Thông tin và Truyền thông',
        caPin: 'old-ca-pin',
        pin: '2468',
      })
      const gone = await issueCertificate(ca, { name: 'Lê Văn Tám', caPin: 'old-ca-pin', pin: '2468' })
      await revokeCertificate(ca, gone.serialHex, { caPin: 'old-ca-pin', reason: 'keyCompromise' })
      const oldRoot = readFileSync(join(ca, 'root.pem'), 'utf8')
      svc = await r.start()
      for (const f of ['root.p12', 'issuing.p12', 'tsa.p12', 'ca-pin'])
        expect(existsSync(join(ca, f)), f).to.equal(false)
      expect(existsSync(join(ca, 'IMPORTED.txt'))).to.equal(true)
      expect(await (await fetch(`${svc.url}/api/ca/root.pem`)).text()).to.equal(oldRoot)
      const crlFile = join(r.dataDir, 'served.crl.pem')
      writeFileSync(crlFile, await (await fetch(`${svc.url}/api/ca/crl.pem`)).text())
      const crl = spawnSync('openssl', ['crl', '-in', crlFile, '-noout', '-text'], {
        encoding: 'utf8',
      }).stdout.replace(/\s/g, '')
      expect(crl).to.contain(gone.serialHex.replace(/^0+/, ''))
      // A certificate row as a version before issue 15 stored it: the PKCS#12 under the PIN alone.
      const db = svc.services.db
      const user = (await db('users').where({ username: 'truongphong1' }).first('id', 'agency_id')) as {
        id: number
        agency_id: number
      }
      const now = new Date()
      await db('certificates').insert({
        kind: 'personal',
        holder_user_id: user.id,
        agency_id: user.agency_id,
        serial_hex: legacy.serialHex,
        subject: 'CN=Trần Văn Hùng',
        not_before: now.toISOString(),
        not_after: new Date(now.getTime() + 86_400_000 * 300).toISOString(),
        certificate_der: legacy.certificate,
        p12: legacy.p12,
        key_protection: 'pin',
      })
      await svc.close()
      svc = await r.start()
      const row = (await svc.services
        .db('certificates')
        .where({ serial_hex: legacy.serialHex })
        .first('key_protection', 'p12')) as { key_protection: string; p12: Uint8Array }
      expect(row.key_protection).to.equal('wrapped')
      expect(Buffer.from(row.p12).equals(legacy.p12)).to.equal(false)
      expect(r.lines.some((l) => /sealed 1 stored keys made before issue 15/.test(String(l.msg)))).to.equal(
        true,
      )
      // The newest personal certificate is that one: it signs with its own PIN, under the imported CA.
      expect(await signOneStep(svc, 'truongphong1', '2468')).to.equal(200)
    } finally {
      await svc?.close()
      await r.dispose()
    }
  })
})
