import type { CertificateKind } from './certificate-records'
import type { Queryable } from './transaction'

/**
 * What the administration lists about certificates, and the enrolments that authorise one
 * (issue 16: moved out of workflows/admin.ts). The key is made only when its holder activates the
 * enrolment with a PIN. Column values are as the database gives them (NULL stays null).
 */
export interface CertificateListing {
  id: number
  kind: CertificateKind
  serialHex: string
  subject: string
  issuer: string | null
  notBefore: string
  notAfter: string
  revokedAt: string | null
  source: string
  username: string
  fullName: string
  agencyCode: string
  /** pending | active | rejected (certificate-records.ts: CertificateStatus). */
  bindingStatus: string
  keyProtection: string | null
  pinFailures: number
  pinLockedAt: string | null
}

/** A certificate as its holder sees it among their own. */
export interface HeldCertificateListing {
  id: number
  kind: CertificateKind
  serialHex: string
  subject: string
  issuer: string | null
  notBefore: string
  notAfter: string
  revokedAt: string | null
  source: string
  status: string
  remoteProvider: string | null
  pinFailures: number
  pinLockedAt: string | null
}

/** An enrolment not yet activated nor cancelled, with its holder's name. */
export interface EnrolmentListing {
  id: number
  kind: CertificateKind
  createdAt: string
  username: string
  fullName: string
}

export interface OpenEnrolment {
  id: number
  kind: CertificateKind
  agencyId: number
}

export interface NewEnrolment {
  userId: number
  agencyId: number
  kind: CertificateKind
  requestedBy: number
  createdAt: string
}

/** Every certificate bound to a user, newest first. */
export async function certificateListings(db: Queryable): Promise<CertificateListing[]> {
  const rows = (await db('certificates as c')
    .join('users as u', 'u.id', 'c.holder_user_id')
    .join('agencies as a', 'a.id', 'c.agency_id')
    .orderBy('c.id', 'desc')
    .select(
      'c.id',
      'c.kind',
      'c.serial_hex',
      'c.subject',
      'c.issuer',
      'c.not_before',
      'c.not_after',
      'c.revoked_at',
      'c.source',
      'c.status',
      'u.username',
      'u.full_name',
      'a.code as agency_code',
      'c.key_protection',
      'c.pin_failures',
      'c.pin_locked_at',
    )) as Record<string, unknown>[]
  return rows.map((r) => ({
    id: r.id as number,
    kind: r.kind as CertificateKind,
    serialHex: r.serial_hex as string,
    subject: r.subject as string,
    issuer: r.issuer as string | null,
    notBefore: r.not_before as string,
    notAfter: r.not_after as string,
    revokedAt: r.revoked_at as string | null,
    source: r.source as string,
    username: r.username as string,
    fullName: r.full_name as string,
    agencyCode: r.agency_code as string,
    bindingStatus: r.status as string,
    keyProtection: r.key_protection as string | null,
    pinFailures: r.pin_failures as number,
    pinLockedAt: r.pin_locked_at as string | null,
  }))
}

/** A holder's certificates, newest first. */
export async function heldCertificateListings(
  db: Queryable,
  userId: number,
): Promise<HeldCertificateListing[]> {
  const rows = (await db('certificates')
    .where({ holder_user_id: userId })
    .orderBy('id', 'desc')
    .select(
      'id',
      'kind',
      'serial_hex',
      'subject',
      'issuer',
      'not_before',
      'not_after',
      'revoked_at',
      'source',
      'status',
      'remote_provider',
      'pin_failures',
      'pin_locked_at',
    )) as Record<string, unknown>[]
  return rows.map((r) => ({
    id: r.id as number,
    kind: r.kind as CertificateKind,
    serialHex: r.serial_hex as string,
    subject: r.subject as string,
    issuer: r.issuer as string | null,
    notBefore: r.not_before as string,
    notAfter: r.not_after as string,
    revokedAt: r.revoked_at as string | null,
    source: r.source as string,
    status: r.status as string,
    remoteProvider: r.remote_provider as string | null,
    pinFailures: r.pin_failures as number,
    pinLockedAt: r.pin_locked_at as string | null,
  }))
}

/** Enrolments waiting for their holder's PIN, newest first. */
export async function pendingEnrolmentListings(db: Queryable): Promise<EnrolmentListing[]> {
  const rows = (await db('certificate_enrolments as e')
    .join('users as u', 'u.id', 'e.user_id')
    .whereNull('e.completed_at')
    .whereNull('e.cancelled_at')
    .orderBy('e.id', 'desc')
    .select('e.id', 'e.kind', 'e.created_at', 'u.username', 'u.full_name')) as {
    id: number
    kind: CertificateKind
    created_at: string
    username: string
    full_name: string
  }[]
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    createdAt: r.created_at,
    username: r.username,
    fullName: r.full_name,
  }))
}

/** A user's own enrolments waiting for their PIN, oldest first. */
export async function pendingEnrolmentsOf(
  db: Queryable,
  userId: number,
): Promise<{ id: number; kind: CertificateKind; createdAt: string }[]> {
  const rows = (await db('certificate_enrolments')
    .where({ user_id: userId })
    .whereNull('completed_at')
    .whereNull('cancelled_at')
    .orderBy('id')
    .select('id', 'kind', 'created_at')) as { id: number; kind: CertificateKind; created_at: string }[]
  return rows.map((r) => ({ id: r.id, kind: r.kind, createdAt: r.created_at }))
}

/** The user's enrolment `id` while it is neither activated nor cancelled. */
export async function openEnrolment(
  db: Queryable,
  id: number,
  userId: number,
): Promise<OpenEnrolment | undefined> {
  const r = (await db('certificate_enrolments')
    .where({ id, user_id: userId })
    .whereNull('completed_at')
    .whereNull('cancelled_at')
    .first('id', 'kind', 'agency_id')) as { id: number; kind: CertificateKind; agency_id: number } | undefined
  return r && { id: r.id, kind: r.kind, agencyId: r.agency_id }
}

export async function insertEnrolment(db: Queryable, e: NewEnrolment): Promise<number> {
  const [row] = await db('certificate_enrolments')
    .insert({
      user_id: e.userId,
      agency_id: e.agencyId,
      kind: e.kind,
      requested_by: e.requestedBy,
      created_at: e.createdAt,
    })
    .returning('id')
  return (row as { id: number }).id
}

/** Marks the enrolment activated with its certificate; false when it already was. */
export async function completeEnrolment(
  db: Queryable,
  id: number,
  certificateId: number,
  at: string,
): Promise<boolean> {
  const changed = await db('certificate_enrolments')
    .where({ id })
    .whereNull('completed_at')
    .update({ completed_at: at, certificate_id: certificateId })
  return changed > 0
}
