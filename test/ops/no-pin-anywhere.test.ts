import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb } from '../../storage/db'
import { spawnService } from '../helpers/child-service'
import { testEnv } from '../helpers/database'
import { makePdf } from '../helpers/sample-pdfs'
import { as, type Client } from '../helpers/service'

const KYSO = join(__dirname, '../../../bin/kyso.js')

/** A request that carried a secret, exactly as sent: the forms a PIN could be derived from. */
interface Sent {
  url: string
  body: string
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })
}

/**
 * Every value a test can derive from a secret: the PIN itself (when it is distinctive enough to
 * search for in binary data), and SHA-256 — as hex, base64 and raw bytes — of the PIN, of each
 * request body that carried it, of `METHOD URL body`, and of `METHOD URL` with the body as
 * Express re-serialises it (the fingerprint idempotency records kept before issue 15).
 */
function needles(secrets: string[], sent: Sent[]): { label: string; bytes: Buffer }[] {
  const out: { label: string; bytes: Buffer }[] = []
  const hashed = (label: string, text: string): void => {
    const d = createHash('sha256').update(text).digest()
    out.push(
      { label: `${label} (hex)`, bytes: Buffer.from(d.toString('hex')) },
      { label: `${label} (base64)`, bytes: Buffer.from(d.toString('base64')) },
      { label: `${label} (raw)`, bytes: d },
    )
  }
  for (const pin of secrets) {
    if (pin.length >= 8) out.push({ label: `plain ${pin}`, bytes: Buffer.from(pin) })
    hashed(`sha256(${pin})`, pin)
  }
  for (const s of sent) {
    hashed(`sha256(body ${s.body})`, s.body)
    hashed(`sha256(POST ${s.url} ${s.body})`, `POST ${s.url} ${s.body}`)
    hashed(`sha256(POST ${s.url} reserialised)`, `POST ${s.url} ${JSON.stringify(JSON.parse(s.body))}`)
  }
  return out
}

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

/** Issue 15, point 3: no PIN-derived value anywhere a run writes. */
describe('a full run leaves no PIN in its logs, its database or its backup', function () {
  this.timeout(300_000)

  it('finds no PIN, plain or hashed, in any log line, any table row, any file of the data folder or of the backup', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kyso-nopin-'))
    const backup = join(mkdtempSync(join(tmpdir(), 'kyso-nopin-backup-')), 'out')
    const { env, cleanup } = await testEnv({ KYSO_DATA_DIR: dataDir })
    const svc = await spawnService(env)
    const sent: Sent[] = []
    const post = async (
      client: Client,
      url: string,
      body: Record<string, unknown>,
      key?: string,
    ): Promise<Response> => {
      const text = JSON.stringify(body)
      sent.push({ url, body: text })
      return client.post(url, JSON.parse(text), key ? { 'idempotency-key': key } : {})
    }
    const distinctive = { first: 'Qz7pinKx93', second: 'Wm4pinTr58', wrong: 'Zq9pinLp21' }
    try {
      const drafter = await as('chuyenvien', undefined, svc.url)
      const step = async (signer: string): Promise<number> => {
        const doc = (await (await drafter.upload(await makePdf({ title: 'KHONG LO PIN' }))).json()) as {
          id: number
        }
        const body = (await (
          await drafter.post(`/api/documents/${doc.id}/submit`, {
            steps: [{ action: 'approve', assignees: [signer] }],
          })
        ).json()) as { workflows: { steps: { id: number }[] }[] }
        return (body.workflows[0]?.steps[0] as { id: number }).id
      }
      // Demo PINs, right and wrong, with Idempotency-Keys (so fingerprints are stored).
      const head = await as('truongphong1', undefined, svc.url)
      const first = await step('truongphong1')
      expect((await post(head, `/api/steps/${first}/sign`, { pin: '9731' }, 'k-wrong')).status).to.equal(403)
      expect((await post(head, `/api/steps/${first}/sign`, { pin: '1234' }, 'k-right')).status).to.equal(200)
      const leader = await as('giamdoc', undefined, svc.url)
      expect(
        (
          await post(
            leader,
            `/api/steps/${await step('giamdoc')}/sign`,
            { pin: '2468', comment: 'ok' },
            'k-leader',
          )
        ).status,
      ).to.equal(200)
      // A PIN of the holder's own choosing, then changed, then a wrong one.
      const admin = await as('quantri', undefined, svc.url)
      const req = (await (
        await admin.post('/api/admin/certificates', { username: 'phogiamdoc', kind: 'personal' })
      ).json()) as { id: number }
      const holder = await as('phogiamdoc', undefined, svc.url)
      const activated = await post(
        holder,
        `/api/me/enrolments/${req.id}/activate`,
        { pin: distinctive.first },
        'k-activate',
      )
      expect(activated.status).to.equal(201)
      const cert = (await activated.json()) as { id: number }
      expect(
        (
          await post(
            holder,
            `/api/me/certificates/${cert.id}/pin`,
            { oldPin: distinctive.first, newPin: distinctive.second },
            'k-change',
          )
        ).status,
      ).to.equal(200)
      expect(
        (
          await post(
            holder,
            `/api/steps/${await step('phogiamdoc')}/sign`,
            { pin: distinctive.wrong },
            'k-wrong-2',
          )
        ).status,
      ).to.equal(403)
      expect(
        (await post(holder, `/api/steps/${await step('phogiamdoc')}/sign`, { pin: distinctive.second }))
          .status,
      ).to.equal(200)
      svc.child.kill('SIGTERM')
      expect(await svc.exited).to.equal(0)
      const made = await kyso(['backup', backup], env)
      expect(made.status, made.stderr).to.equal(0)

      const secrets = ['1234', '2468', '9731', ...Object.values(distinctive), 'Kyso@2024']
      const all = needles(secrets, sent)
      const found: string[] = []
      const search = (where: string, hay: Buffer): void => {
        for (const n of all) if (hay.includes(n.bytes)) found.push(`${n.label} in ${where}`)
      }
      search('the log', Buffer.from(svc.lines.map((l) => JSON.stringify(l)).join('\n')))
      for (const f of [...filesUnder(dataDir), ...filesUnder(backup)]) search(f, readFileSync(f))
      const db = await openDb(dataDir, {
        ...(env.KYSO_DATABASE_URL && { databaseUrl: env.KYSO_DATABASE_URL }),
        migrate: false,
      })
      try {
        const tables = [
          'users',
          'certificates',
          'certificate_enrolments',
          'idempotency_keys',
          'audit_events',
          'sessions',
          'signatures',
          'signing_sessions',
          'login_failures',
          'service_secrets',
          'ca_keys',
          'ca_certificates',
          'ca_crl',
          'versions',
          'documents',
          'steps',
          'step_assignees',
        ]
        for (const t of tables) {
          const rows = (await db(t).select()) as Record<string, unknown>[]
          const text = JSON.stringify(rows, (_k, v: unknown) =>
            v instanceof Uint8Array || (v as { type?: string })?.type === 'Buffer'
              ? Buffer.from(v as Uint8Array).toString('hex')
              : v,
          )
          search(`table ${t}`, Buffer.from(text))
          for (const row of rows)
            for (const v of Object.values(row))
              if (v instanceof Uint8Array) search(`table ${t} (bytes)`, Buffer.from(v))
        }
        // The fingerprints were stored, keyed: the test looked where the PIN used to fall out.
        expect(
          Number(((await db('idempotency_keys').count('* as n').first()) as { n: number }).n),
        ).to.be.at.least(6)
      } finally {
        await db.destroy()
      }
      expect(found).to.deep.equal([])
    } finally {
      svc.child.kill('SIGKILL')
      await cleanup()
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(join(backup, '..'), { recursive: true, force: true })
    }
  })
})
