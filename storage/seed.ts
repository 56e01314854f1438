import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateAgencySealPng, generateSignaturePng, inspectPng } from '../signing/appearance'
import { appendAudit } from './audit'
import type { BlobStore } from './blob-store'
import { importDemoHistory } from './demo-history'
import type { Db } from './db'
import { saveAgencySeal, saveSignatureImage } from './images'

/** The usual diameter of an agency's round seal (Decree 30/2020 leaves the size to the seal's rules). */
const DEMO_SEAL_MM = 36

const sizeOf = (png: Buffer): { width: number; height: number } => {
  const { width, height } = inspectPng(png).info
  return { width, height }
}

/**
 * Demo images, drawn in code at seed time (nothing binary is committed): a generated handwritten
 * signature for every head and leader (blue, transparent), and a round red seal with each
 * agency's name around the ring.
 */
function demoImages(
  demo: Demo,
  users: DemoUser[],
): { signatures: Map<string, Buffer>; seals: Map<string, Buffer> } {
  const signatures = new Map<string, Buffer>()
  for (const u of users) {
    const name = demo.names[u.username]
    if (name && u.roles.some((r) => r === 'head' || r === 'leader'))
      signatures.set(u.username, generateSignaturePng({ name }))
  }
  const seals = new Map(
    demo.agencies.map((a) => [a.code, generateAgencySealPng({ name: a.name, diameterPx: 400 })]),
  )
  return { signatures, seals }
}

interface DemoUser {
  username: string
  password: string
  pin: string
  roles: string[]
  agency: string
}
interface Demo {
  agencies: { code: string; name: string; parent: string | null }[]
  titles: Record<string, string>
  names: Record<string, string>
  procedures: { code: string; name: string }[]
  templates: {
    agency: string
    name: string
    steps: { action: string; assignees: string[]; rule?: string }[]
  }[]
  /** Standing signing authorities (issue 14): a chairman's TM., a chief of office's TL. */
  standingAuthorities: { holder: string; marker: string; principal?: string; principalTitle?: string }[]
}

/**
 * How the seed gets keys and password hashes (issue 15): from the service's internal CA, sealed
 * under each demo PIN and the key-wrapping key (or in the HSM for seals), made by the caller.
 */
export interface DemoKeys {
  makeKey(
    spec: { seal: boolean; profile: { name: string; title?: string; org: string } },
    pin: string,
  ): Promise<{
    certificate: Buffer
    serialHex: string
    p12: Buffer
    keyProtection: string
    hsmKeyId: string | null
  }>
  hashPassword(password: string): Promise<string>
}

const FIXTURES = join(__dirname, '../../fixtures')
const LOCK = 'demo-seed'
/** A seed lock older than this is taken as left by a crashed instance. */
const STALE_LOCK_MS = 10 * 60_000

export function demoUsers(): DemoUser[] {
  return JSON.parse(readFileSync(join(FIXTURES, 'demo-users.json'), 'utf8')) as DemoUser[]
}

/**
 * Seeds the demo data once: agencies, users and roles, an internal CA with a personal certificate
 * for every signer and a seal certificate per agency (held by the agency's clerk under the
 * clerk's PIN), route templates and the public-procedure catalogue. Two instances starting
 * together: the first takes the lock row, the second waits for it to finish.
 */
export async function seedDemo(
  db: Db,
  blobs: BlobStore,
  keys: DemoKeys,
  log: (line: string) => void = () => {},
): Promise<'seeded' | 'already'> {
  for (;;) {
    const seeded = await db('agencies').first('id')
    if (seeded) return 'already'
    const taken = await db('kyso_locks')
      .insert({ name: LOCK, taken_at: new Date().toISOString() })
      .then(
        () => true,
        () => false,
      )
    if (taken) {
      // Another instance may have finished seeding between our check and taking the lock.
      if (await db('agencies').first('id')) {
        await db('kyso_locks').where({ name: LOCK }).delete()
        return 'already'
      }
      break
    }
    const lock = (await db('kyso_locks').where({ name: LOCK }).first()) as { taken_at: string } | undefined
    if (lock && Date.now() - new Date(lock.taken_at).getTime() > STALE_LOCK_MS)
      await db('kyso_locks').where({ name: LOCK }).delete()
    await new Promise((r) => setTimeout(r, 250))
  }
  try {
    await seed(db, blobs, keys, log)
    return 'seeded'
  } finally {
    await db('kyso_locks').where({ name: LOCK }).delete()
  }
}

async function seed(db: Db, blobs: BlobStore, keys: DemoKeys, log: (line: string) => void): Promise<void> {
  const demo = JSON.parse(readFileSync(join(FIXTURES, 'demo.json'), 'utf8')) as Demo
  const users = demoUsers()
  const agencyName = new Map(demo.agencies.map((a) => [a.code, a.name]))
  // Keys and certificates first (CPU work), then every row in one transaction.
  log('issuing the demo certificates')
  const certs: {
    username: string
    kind: 'personal' | 'seal'
    agency: string
    issued: Awaited<ReturnType<DemoKeys['makeKey']>>
  }[] = []
  for (const u of users) {
    if (!u.roles.some((r) => ['staff', 'head', 'leader', 'clerk'].includes(r))) continue
    const org = agencyName.get(u.agency) as string
    const title = demo.titles[u.username]
    const profile = { name: demo.names[u.username] as string, ...(title && { title }), org }
    certs.push({
      username: u.username,
      kind: 'personal',
      agency: u.agency,
      issued: await keys.makeKey({ seal: false, profile }, u.pin),
    })
    if (u.roles.includes('clerk')) {
      certs.push({
        username: u.username,
        kind: 'seal',
        agency: u.agency,
        issued: await keys.makeKey({ seal: true, profile: { name: org, org } }, u.pin),
      })
    }
  }
  const images = demoImages(demo, users)
  const now = new Date().toISOString()
  // One hash per distinct password (the demo's are published anyway): at scrypt N=2^17 each costs ~0.5 s.
  const byPassword = new Map<string, string>()
  for (const u of users)
    if (!byPassword.has(u.password)) byPassword.set(u.password, await keys.hashPassword(u.password))
  const hashes = new Map(users.map((u) => [u.username, byPassword.get(u.password) as string]))
  await db.transaction(async (trx) => {
    const agencyId = new Map<string, number>()
    for (const a of demo.agencies) {
      const [row] = await trx('agencies')
        .insert({ code: a.code, name: a.name, parent_id: a.parent ? agencyId.get(a.parent) : null })
        .returning('id')
      agencyId.set(a.code, (row as { id: number }).id)
    }
    const userId = new Map<string, number>()
    for (const u of users) {
      const [row] = await trx('users')
        .insert({
          username: u.username,
          password_hash: hashes.get(u.username),
          full_name: demo.names[u.username],
          title: demo.titles[u.username] ?? null,
          agency_id: agencyId.get(u.agency),
          disabled: false,
          created_at: now,
        })
        .returning('id')
      const id = (row as { id: number }).id
      userId.set(u.username, id)
      for (const role of u.roles) await trx('user_roles').insert({ user_id: id, role })
    }
    for (const c of certs) {
      const x = c.issued
      const cert = new X509Certificate(x.certificate)
      await trx('certificates').insert({
        kind: c.kind,
        holder_user_id: userId.get(c.username),
        agency_id: agencyId.get(c.agency),
        serial_hex: x.serialHex,
        subject: cert.subject.replace(/\n/g, ', '),
        not_before: new Date(cert.validFrom).toISOString(),
        not_after: new Date(cert.validTo).toISOString(),
        certificate_der: x.certificate,
        p12: x.p12,
        key_protection: x.keyProtection,
        hsm_key_id: x.hsmKeyId,
      })
    }
    for (const [username, png] of images.signatures)
      await saveSignatureImage(trx, userId.get(username) as number, { png, ...sizeOf(png) })
    for (const [code, png] of images.seals) {
      await saveAgencySeal(trx, agencyId.get(code) as number, {
        png,
        ...sizeOf(png),
        diameterMm: DEMO_SEAL_MM,
        uploadedBy: null,
      })
    }
    for (const p of demo.procedures) await trx('procedures').insert(p)
    for (const t of demo.templates)
      await trx('route_templates').insert({
        agency_id: agencyId.get(t.agency),
        name: t.name,
        steps_json: JSON.stringify(t.steps),
      })
    const admin = userId.get(users.find((u) => u.roles.includes('admin'))?.username ?? '') as number
    for (const a of demo.standingAuthorities) {
      const holder = users.find((u) => u.username === a.holder) as DemoUser
      await trx('signing_authorities').insert({
        holder_id: userId.get(a.holder),
        agency_id: agencyId.get(holder.agency),
        marker: a.marker,
        principal_id: a.principal ? userId.get(a.principal) : null,
        principal_title: a.principalTitle ?? (a.principal ? demo.titles[a.principal] : undefined),
        valid_from: now,
        granted_by: admin,
        granted_at: now,
      })
    }
    await appendAudit(trx, {
      actorId: null,
      action: 'demo.seeded',
      detail: { agencies: demo.agencies.length, users: users.length },
    })
  })
  log(
    `imported ${await importDemoHistory(db, blobs)} history records for the coverage dashboard (marked [Dữ liệu mẫu])`,
  )
}
