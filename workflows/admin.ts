import { X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { fromPem, REVOCATION_REASONS } from '../signing/pki'
import {
  certificateListings,
  completeEnrolment,
  heldCertificateListings,
  insertEnrolment,
  openEnrolment,
  pendingEnrolmentListings,
  pendingEnrolmentsOf,
  type EnrolmentListing,
  type HeldCertificateListing,
} from '../storage/admin-records'
import {
  agencyById,
  agencyIdByCode,
  insertAgency,
  listAgencyListings,
  type AgencyListing,
  type AgencyRef,
} from '../storage/agency-records'
import { appendAudit } from '../storage/audit'
import {
  findCertificate,
  insertInternalCertificate,
  setCertificateRevoked,
  type CertificateRecord,
} from '../storage/certificate-records'
import { deleteSignatureImage } from '../storage/images'
import { isUniqueViolation } from '../storage/sql'
import { inTransaction } from '../storage/transaction'
import { insertTrustAnchor, listTrustAnchorRecords } from '../storage/trust-anchor-records'
import {
  activeUserByUsername,
  addUserRoles,
  hasRole,
  insertUser,
  listUserListings,
  replaceUserRoles,
  updateUserRecord,
  userRecord,
  userRoles,
  usernameTaken,
  type UserListing,
} from '../storage/user-records'
import type { Actor, Role, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { makeStoredKey } from './held-keys'
import { hashPassword } from './passwords'
import { checkPinPolicy } from './pin-tries'

const ROLES: Role[] = ['staff', 'head', 'leader', 'clerk', 'compliance', 'admin']

/** A new agency as `POST /api/admin/agencies` answers it. */
export type CreatedAgency = Omit<AgencyListing, 'approvalMode'>

/** A user as the administration lists it (and `PATCH /api/admin/users/:id` answers), with their roles. */
export interface UserView extends UserListing {
  roles: Role[]
}

/** An authorised certificate, waiting for its holder to set the PIN. */
export interface RequestedCertificate extends Omit<EnrolmentListing, 'fullName'> {
  status: 'awaiting-pin'
}

/** One of the holder's certificates; a key Kyso holds tells its tries left and whether it is locked. */
export interface HeldCertificateView extends Omit<HeldCertificateListing, 'pinFailures' | 'pinLockedAt'> {
  triesLeft?: number
  keyLocked?: boolean
}

/** `GET /api/me/certificates`' enrolments: what waits for the user's PIN, what they hold, the PIN rules. */
export interface MyEnrolments {
  pending: Omit<EnrolmentListing, 'username' | 'fullName'>[]
  certificates: HeldCertificateView[]
  pinPolicy: { minLength: number; maxTries: number }
}

/** The certificate made when its holder set the PIN. */
export type IssuedCertificate = Pick<CertificateRecord, 'id' | 'serialHex' | 'kind' | 'subject' | 'notAfter'>

export interface RevokedCertificate {
  id: number
  revokedAt: string
  /** One of REVOCATION_REASONS' names (RFC 5280 §5.3.1). */
  reason: string
}

/** A trust anchor: the internal CA's root, or one an administrator added. */
export interface TrustAnchorView {
  /** SHA-256 of the DER, lowercase hex without colons. */
  fingerprint: string
  subject: string
  issuer: string
  notBefore: string
  notAfter: string
  source: 'internal-ca' | 'added'
}

/** Two admins creating the same code or username at once: the loser gets CONFLICT, not a 500. */
function alreadyThere(message: string): (err: unknown) => never {
  return (err) => {
    if (isUniqueViolation(err)) throw new WorkflowError('CONFLICT', message)
    throw err
  }
}

/** Administration is the admin role's alone; everyone else gets FORBIDDEN with nothing changed. */
function requireAdmin(actor: Actor): void {
  if (!actor.roles.has('admin'))
    throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị hệ thống được thực hiện thao tác này')
}

function text(v: unknown, field: string, max: number, required = true): string | undefined {
  if ((v === undefined || v === null || v === '') && !required) return undefined
  if (typeof v !== 'string' || !v.trim() || v.length > max)
    throw new WorkflowError('BAD_REQUEST', `${field}: bắt buộc, tối đa ${max} ký tự`)
  return v.trim()
}

async function agencyIdOf(s: Services, code: unknown, field = 'agencyCode'): Promise<number> {
  const id = typeof code === 'string' ? await agencyIdByCode(s.db, code) : undefined
  if (id === undefined) throw new WorkflowError('BAD_REQUEST', `${field}: không có cơ quan này`)
  return id
}

export async function listAgencies(s: Services, actor: Actor): Promise<AgencyListing[]> {
  requireAdmin(actor)
  return listAgencyListings(s.db)
}

export async function createAgency(
  s: Services,
  actor: Actor,
  b: Record<string, unknown>,
): Promise<CreatedAgency> {
  requireAdmin(actor)
  const code = text(b.code, 'code', 64) as string
  if (!/^[A-Z0-9][A-Z0-9-]*$/.test(code))
    throw new WorkflowError('BAD_REQUEST', 'code: chữ in hoa, số và dấu gạch ngang')
  const name = text(b.name, 'name', 300) as string
  const parentId = b.parentCode ? await agencyIdOf(s, b.parentCode, 'parentCode') : null
  if ((await agencyIdByCode(s.db, code)) !== undefined)
    throw new WorkflowError('CONFLICT', `Mã cơ quan ${code} đã có`)
  const id = await inTransaction(s.db, async (trx) => {
    const aid = await insertAgency(trx, { code, name, parentId })
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'agency.created',
      detail: { code, name },
      requestId: actor.requestId ?? null,
    })
    return aid
  }).catch(alreadyThere(`Mã cơ quan ${code} đã có`))
  return { id, code, name, parentCode: (b.parentCode as string | undefined) ?? null }
}

export async function listUsers(s: Services, actor: Actor): Promise<UserView[]> {
  requireAdmin(actor)
  const users = await listUserListings(s.db)
  const roles = await userRoles(s.db)
  return users.map((u) => ({ ...u, roles: roles.filter((r) => r.userId === u.id).map((r) => r.role) }))
}

function rolesOf(v: unknown): Role[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((r) => ROLES.includes(r as Role)))
    throw new WorkflowError('BAD_REQUEST', `roles: một hoặc nhiều trong ${ROLES.join(', ')}`)
  return [...new Set(v as Role[])]
}

export async function createUser(
  s: Services,
  actor: Actor,
  b: Record<string, unknown>,
): Promise<Omit<UserView, 'agency'>> {
  requireAdmin(actor)
  const username = text(b.username, 'username', 100) as string
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(username))
    throw new WorkflowError('BAD_REQUEST', 'username: chữ thường không dấu, số, dấu chấm, gạch')
  const fullName = text(b.fullName, 'fullName', 200) as string
  const title = text(b.title, 'title', 200, false)
  const password = b.password
  if (typeof password !== 'string' || password.length < 8 || password.length > 200)
    throw new WorkflowError('BAD_REQUEST', 'password: ít nhất 8 ký tự')
  const roles = rolesOf(b.roles)
  const agencyId = await agencyIdOf(s, b.agencyCode)
  if (await usernameTaken(s.db, username))
    throw new WorkflowError('CONFLICT', `Tên đăng nhập ${username} đã có`)
  const hash = await hashPassword(password, s.config.passwordHashN)
  const id = await inTransaction(s.db, async (trx) => {
    const uid = await insertUser(trx, {
      username,
      passwordHash: hash,
      fullName,
      title: title ?? null,
      agencyId,
      createdAt: new Date().toISOString(),
    })
    await addUserRoles(trx, uid, roles)
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'user.created',
      detail: { userId: uid, roles, agencyCode: b.agencyCode },
      personal: { username, fullName, ...(title && { title }) },
      subjectUserId: uid,
      requestId: actor.requestId ?? null,
    })
    return uid
  }).catch(alreadyThere(`Tên đăng nhập ${username} đã có`))
  // agencyIdOf refused anything but an existing agency's code.
  const agencyCode = b.agencyCode as string
  return { id, username, fullName, title: title ?? null, agencyCode, roles, disabled: false }
}

/** Changes roles, title or the disabled flag; a disabled user's sessions stop working at once. */
export async function updateUser(
  s: Services,
  actor: Actor,
  id: number,
  b: Record<string, unknown>,
): Promise<UserView> {
  requireAdmin(actor)
  const user = await userRecord(s.db, id)
  if (!user) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy người dùng')
  const roles = b.roles === undefined ? undefined : rolesOf(b.roles)
  if (b.disabled !== undefined && typeof b.disabled !== 'boolean')
    throw new WorkflowError('BAD_REQUEST', 'disabled: true or false')
  if (user.id === actor.id && (b.disabled === true || (roles && !roles.includes('admin'))))
    throw new WorkflowError('CONFLICT', 'Không thể tự khóa hoặc tự bỏ quyền quản trị của mình')
  const title = b.title === undefined ? undefined : text(b.title, 'title', 200, false)
  await inTransaction(s.db, async (trx) => {
    await updateUserRecord(trx, id, {
      ...(b.disabled !== undefined && { disabled: b.disabled as boolean }),
      ...(b.title !== undefined && { title: title ?? null }),
    })
    // A disabled account signs nothing more: its handwritten-signature image, personal data and
    // a forgery aid, goes with it (Law 91/2025: kept only while the work needs it).
    if (b.disabled === true) await deleteSignatureImage(trx, id)
    if (roles) await replaceUserRoles(trx, id, roles)
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'user.updated',
      requestId: actor.requestId ?? null,
      detail: {
        userId: id,
        ...(roles && { roles }),
        ...(b.disabled !== undefined && { disabled: b.disabled as boolean }),
      },
      personal: { username: user.username, ...(b.title !== undefined && { title }) },
      subjectUserId: id,
    })
  })
  return (await listUsers(s, actor)).find((u) => u.id === id) as UserView
}

export async function listCertificates(s: Services, actor: Actor): Promise<Record<string, unknown>[]> {
  requireAdmin(actor)
  const certs = await certificateListings(s.db)
  const pending = await pendingEnrolmentListings(s.db)
  // status: awaiting-pin (authorised, no key yet), pending (external, awaiting approval), rejected, revoked, expired, valid.
  const statusOf = (c: Record<string, unknown>): string =>
    c.revokedAt
      ? 'revoked'
      : c.bindingStatus === 'pending' || c.bindingStatus === 'rejected'
        ? (c.bindingStatus as string)
        : new Date(c.notAfter as string) < new Date()
          ? 'expired'
          : 'valid'
  // A key Kyso holds is locked once wrong PINs reached the limit (issue 15); external keys have no count here.
  const keyState = (c: Record<string, unknown>) =>
    c.source === 'internal'
      ? {
          pinFailures: Number(c.pinFailures),
          keyLocked: Boolean(c.pinLockedAt),
          keyProtection: c.keyProtection,
        }
      : { pinFailures: null, keyLocked: false, keyProtection: null }
  return [
    ...pending.map((p) => ({ ...p, status: 'awaiting-pin' })),
    ...certs.map(({ bindingStatus: _b, pinFailures: _f, keyProtection: _k, pinLockedAt: _l, ...c }) => ({
      ...c,
      status: statusOf({ ...c, bindingStatus: _b }),
      ...keyState({ ...c, pinFailures: _f, keyProtection: _k, pinLockedAt: _l }),
    })),
  ]
}

/**
 * The admin authorises a certificate for a user; the key is made only when the user sets their
 * PIN (activateEnrolment), so the admin never knows the PIN and the key is never unprotected.
 */
export async function requestCertificate(
  s: Services,
  actor: Actor,
  b: Record<string, unknown>,
): Promise<RequestedCertificate> {
  requireAdmin(actor)
  const kind = b.kind ?? 'personal'
  if (kind !== 'personal' && kind !== 'seal') throw new WorkflowError('BAD_REQUEST', 'kind: personal or seal')
  const user = typeof b.username === 'string' ? await activeUserByUsername(s.db, b.username) : undefined
  if (!user) throw new WorkflowError('BAD_REQUEST', 'username: không có người dùng đang hoạt động này')
  if (kind === 'seal' && !(await hasRole(s.db, user.id, 'clerk')))
    throw new WorkflowError('BAD_REQUEST', 'Chỉ văn thư giữ chứng thư số của cơ quan (con dấu)')
  const now = new Date().toISOString()
  const id = await inTransaction(s.db, async (trx) => {
    const eid = await insertEnrolment(trx, {
      userId: user.id,
      agencyId: user.agencyId,
      kind,
      requestedBy: actor.id,
      createdAt: now,
    })
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'certificate.requested',
      detail: { userId: user.id, kind },
      personal: { username: b.username },
      subjectUserId: user.id,
      requestId: actor.requestId ?? null,
    })
    return eid
  })
  return { id, username: b.username as string, kind, status: 'awaiting-pin', createdAt: now }
}

export async function myEnrolments(s: Services, actor: Actor): Promise<MyEnrolments> {
  const pending = await pendingEnrolmentsOf(s.db, actor.id)
  const certificates = await heldCertificateListings(s.db, actor.id)
  // Tries left before the key locks (issue 15): the holder sees them; external keys have none here.
  const max = s.config.pinPolicy.maxTries
  const withTries = certificates.map(({ pinFailures, pinLockedAt, ...c }) => ({
    ...c,
    ...(c.source === 'internal'
      ? {
          triesLeft: pinLockedAt ? 0 : Math.max(0, max - Number(pinFailures)),
          keyLocked: Boolean(pinLockedAt),
        }
      : {}),
  }))
  return {
    pending,
    certificates: withTries,
    pinPolicy: { minLength: s.config.pinPolicy.minLength, maxTries: max },
  }
}

/**
 * The user sets the PIN of an authorised certificate: the key is made and sealed under it and
 * under the key-wrapping key (an agency seal's key is made in the HSM when there is one).
 */
export async function activateEnrolment(
  s: Services,
  actor: Actor,
  id: number,
  b: Record<string, unknown>,
): Promise<IssuedCertificate> {
  const pin = checkPinPolicy(s, b.pin)
  const e = await openEnrolment(s.db, id, actor.id)
  if (!e) throw new WorkflowError('NOT_FOUND', 'Không có yêu cầu cấp chứng thư số này')
  const agency = (await agencyById(s.db, e.agencyId)) as AgencyRef
  const issued = await makeStoredKey(
    s,
    e.kind === 'seal'
      ? { seal: true, profile: { name: agency.name, org: agency.name } }
      : {
          seal: false,
          profile: { name: actor.fullName, ...(actor.title && { title: actor.title }), org: agency.name },
        },
    pin,
  )
  const cert = new X509Certificate(issued.certificate)
  const now = new Date().toISOString()
  const certId = await inTransaction(s.db, async (trx) => {
    const cid = await insertInternalCertificate(trx, {
      kind: e.kind,
      holderUserId: actor.id,
      agencyId: e.agencyId,
      serialHex: issued.serialHex,
      subject: cert.subject.replace(/\n/g, ', '),
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: new Date(cert.validTo).toISOString(),
      certificateDer: issued.certificate,
      p12: issued.p12,
      keyProtection: issued.keyProtection,
      hsmKeyId: issued.hsmKeyId,
    })
    if (!(await completeEnrolment(trx, e.id, cid, now)))
      throw new WorkflowError('CONFLICT', 'Yêu cầu này vừa được kích hoạt')
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'certificate.issued',
      detail: { serialHex: issued.serialHex, kind: e.kind },
      requestId: actor.requestId ?? null,
    })
    return cid
  })
  return {
    id: certId,
    serialHex: issued.serialHex,
    kind: e.kind,
    subject: cert.subject.replace(/\n/g, ', '),
    notAfter: new Date(cert.validTo).toISOString(),
  }
}

/** Revokes at the CA (the CRL is re-published at once) and stops the certificate's use for signing. */
export async function revokeUserCertificate(
  s: Services,
  actor: Actor,
  id: number,
  b: Record<string, unknown>,
): Promise<RevokedCertificate> {
  requireAdmin(actor)
  const reason = b.reason ?? 'unspecified'
  if (typeof reason !== 'string' || !Object.hasOwn(REVOCATION_REASONS, reason))
    throw new WorkflowError('BAD_REQUEST', `reason: ${Object.keys(REVOCATION_REASONS).join(', ')}`)
  const cert = await findCertificate(s.db, id)
  if (!cert) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy chứng thư số')
  if (cert.revokedAt) throw new WorkflowError('CONFLICT', 'Chứng thư số này đã bị thu hồi')
  const ca = s.ca
  if (cert.source === 'internal' && !ca)
    throw new WorkflowError('CONFLICT', 'Máy chủ không có CA nội bộ để cấp hoặc thu hồi chứng thư số')
  const now = new Date().toISOString()
  await inTransaction(s.db, async (trx) => {
    // An external certificate's CA is not ours: Kyso stops using it; its CA revokes it for the world.
    // Ours: the CA's record and CRL change in the same transaction as the certificate's row, under
    // the CA lock, whichever instance does it (issue 15).
    if (cert.source === 'internal' && ca) await ca.revoke(trx, cert.serialHex, reason)
    await setCertificateRevoked(trx, id, now)
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'certificate.revoked',
      detail: { serialHex: cert.serialHex, reason, source: cert.source },
      requestId: actor.requestId ?? null,
    })
  })
  // A key opened before the revocation must not sign again from the cache.
  s.keys.forget(id)
  return { id, revokedAt: now, reason }
}

/** Extra trust anchors an administrator added (the national roots); before issue 15 a file in the data folder. */
export function extraAnchorsFile(dataDir: string): string {
  return join(dataDir, 'trust-anchors.pem')
}

function describeAnchor(der: Buffer, source: TrustAnchorView['source']): TrustAnchorView {
  const c = new X509Certificate(der)
  return {
    fingerprint: c.fingerprint256.replace(/:/g, '').toLowerCase(),
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    source,
  }
}

export async function listTrustAnchors(s: Services, actor: Actor): Promise<TrustAnchorView[]> {
  requireAdmin(actor)
  const added = new Set((await listTrustAnchorRecords(s.db)).map((a) => a.der.toString('base64')))
  return (await s.trustAnchors()).map((der) =>
    describeAnchor(der, added.has(der.toString('base64')) ? 'added' : 'internal-ca'),
  )
}

/** Adds a CA certificate (PEM) as a trust anchor; it must be a CA certificate that signs itself. */
export async function addTrustAnchor(
  s: Services,
  actor: Actor,
  b: Record<string, unknown>,
): Promise<TrustAnchorView> {
  requireAdmin(actor)
  if (typeof b.pem !== 'string' || b.pem.length > 100_000)
    throw new WorkflowError('BAD_REQUEST', 'pem: a PEM certificate')
  const ders = fromPem(b.pem, 'CERTIFICATE')
  if (ders.length !== 1) throw new WorkflowError('BAD_REQUEST', 'pem: exactly one CERTIFICATE block')
  let c: X509Certificate
  try {
    c = new X509Certificate(ders[0] as Buffer)
  } catch {
    throw new WorkflowError('BAD_REQUEST', 'pem: not a readable X.509 certificate')
  }
  if (!c.ca || !c.verify(c.publicKey))
    throw new WorkflowError('BAD_REQUEST', 'pem: a self-signed CA certificate is required')
  const der = ders[0] as Buffer
  if ((await s.trustAnchors()).some((d) => d.equals(der)))
    throw new WorkflowError('CONFLICT', 'Chứng thư này đã là điểm tin cậy')
  const fingerprint = c.fingerprint256.replace(/:/g, '').toLowerCase()
  if (
    !(await insertTrustAnchor(s.db, {
      fingerprint,
      der,
      subject: c.subject.replace(/\n/g, ', '),
      addedBy: actor.id,
    }))
  ) {
    throw new WorkflowError('CONFLICT', 'Chứng thư này đã là điểm tin cậy')
  }
  await appendAudit(s.db, {
    actorId: actor.id,
    action: 'trust-anchor.added',
    detail: { subject: c.subject.replace(/\n/g, ', '), fingerprint: c.fingerprint256 },
    requestId: actor.requestId ?? null,
  })
  return describeAnchor(der, 'added')
}
