import type { Queryable } from './transaction'

export type CertificateKind = 'personal' | 'seal'
export type CertificateSource = 'internal' | 'external'
export type CertificateStatus = 'pending' | 'active' | 'rejected'

/** A certificate bound to a user: one the internal CA issued (key here), or one whose key is elsewhere. */
export interface CertificateRecord {
  id: number
  kind: CertificateKind
  source: CertificateSource
  status: CertificateStatus
  holderUserId: number
  agencyId: number
  serialHex: string
  subject: string
  issuer: string | null
  notBefore: string
  notAfter: string
  certificateDer: Buffer
  /** Intermediates offered with an external certificate (nearest first). */
  chain: Buffer[]
  /** The PKCS#12 of an internal certificate; empty for an external one. */
  p12: Buffer
  revokedAt: string | null
  submittedBy: number | null
  approvedBy: number | null
  approvedAt: string | null
  remote: { provider: string; credentialId: string; userRef: string } | null
}

interface Row {
  id: number
  kind: CertificateKind
  source: CertificateSource
  status: CertificateStatus
  holder_user_id: number
  agency_id: number
  serial_hex: string
  subject: string
  issuer: string | null
  not_before: string | Date
  not_after: string | Date
  certificate_der: Buffer | Uint8Array
  chain_json: string | null
  p12: Buffer | Uint8Array
  revoked_at: string | Date | null
  submitted_by: number | null
  approved_by: number | null
  approved_at: string | Date | null
  remote_provider: string | null
  remote_credential_id: string | null
  remote_user_ref: string | null
}

const iso = (v: string | Date): string => new Date(v).toISOString()
const isoOrNull = (v: string | Date | null): string | null => (v === null ? null : iso(v))

function record(r: Row): CertificateRecord {
  const chain = r.chain_json
    ? (JSON.parse(r.chain_json) as string[]).map((b) => Buffer.from(b, 'base64'))
    : []
  return {
    id: r.id,
    kind: r.kind,
    source: r.source,
    status: r.status,
    holderUserId: r.holder_user_id,
    agencyId: r.agency_id,
    serialHex: r.serial_hex,
    subject: r.subject,
    issuer: r.issuer,
    notBefore: iso(r.not_before),
    notAfter: iso(r.not_after),
    certificateDer: Buffer.from(r.certificate_der),
    chain,
    p12: Buffer.from(r.p12),
    revokedAt: isoOrNull(r.revoked_at),
    submittedBy: r.submitted_by,
    approvedBy: r.approved_by,
    approvedAt: isoOrNull(r.approved_at),
    remote:
      r.remote_provider && r.remote_credential_id
        ? {
            provider: r.remote_provider,
            credentialId: r.remote_credential_id,
            userRef: r.remote_user_ref ?? '',
          }
        : null,
  }
}

export async function findCertificate(db: Queryable, id: number): Promise<CertificateRecord | undefined> {
  const row = Number.isInteger(id)
    ? ((await db('certificates').where({ id }).first()) as Row | undefined)
    : undefined
  return row && record(row)
}

/** Certificates a user holds, newest first (all sources and states). */
export async function certificatesOf(db: Queryable, userId: number): Promise<CertificateRecord[]> {
  const rows = (await db('certificates')
    .where({ holder_user_id: userId })
    .orderBy('id', 'desc')
    .select()) as Row[]
  return rows.map(record)
}

/** The certificates with this SHA-256 fingerprint that are not rejected (a key is bound once). */
export async function certificatesByFingerprint(
  db: Queryable,
  fingerprint: string,
): Promise<CertificateRecord[]> {
  const rows = (await db('certificates')
    .where({ fingerprint })
    .whereNot({ status: 'rejected' })
    .select()) as Row[]
  return rows.map(record)
}

export interface NewExternalCertificate {
  kind: CertificateKind
  holderUserId: number
  agencyId: number
  serialHex: string
  subject: string
  issuer: string
  fingerprint: string
  notBefore: string
  notAfter: string
  certificateDer: Buffer
  chain: Buffer[]
  submittedBy: number
  remote?: { provider: string; credentialId: string; userRef: string }
}

export async function insertExternalCertificate(db: Queryable, c: NewExternalCertificate): Promise<number> {
  const [row] = await db('certificates')
    .insert({
      kind: c.kind,
      source: 'external',
      status: 'pending',
      holder_user_id: c.holderUserId,
      agency_id: c.agencyId,
      serial_hex: c.serialHex,
      subject: c.subject,
      issuer: c.issuer,
      fingerprint: c.fingerprint,
      not_before: c.notBefore,
      not_after: c.notAfter,
      certificate_der: c.certificateDer,
      chain_json: JSON.stringify(c.chain.map((d) => d.toString('base64'))),
      // The key is held elsewhere: nothing to keep (the column predates external keys).
      p12: Buffer.alloc(0),
      submitted_by: c.submittedBy,
      remote_provider: c.remote?.provider ?? null,
      remote_credential_id: c.remote?.credentialId ?? null,
      remote_user_ref: c.remote?.userRef ?? null,
    })
    .returning('id')
  return (row as { id: number }).id
}

/** pending -> active or rejected; false when the certificate was no longer pending. */
export async function decideCertificate(
  db: Queryable,
  id: number,
  decision: { status: 'active' | 'rejected'; by: number; at: string },
): Promise<boolean> {
  const changed = await db('certificates')
    .where({ id, status: 'pending' })
    .update({ status: decision.status, approved_by: decision.by, approved_at: decision.at })
  return changed > 0
}

/** The certificates a user holds that are not revoked (any source and state). */
export async function unrevokedCertificateIdsOf(db: Queryable, userId: number): Promise<number[]> {
  return (await db('certificates')
    .where({ holder_user_id: userId })
    .whereNull('revoked_at')
    .pluck('id')) as number[]
}

/** A certificate the internal CA issued for a key made here, sealed as `p12`. */
export interface NewInternalCertificate {
  kind: CertificateKind
  holderUserId: number
  agencyId: number
  serialHex: string
  subject: string
  notBefore: string
  notAfter: string
  certificateDer: Buffer
  p12: Buffer
  keyProtection: 'wrapped' | 'hsm'
  hsmKeyId: string | null
}

export async function insertInternalCertificate(db: Queryable, c: NewInternalCertificate): Promise<number> {
  const [row] = await db('certificates')
    .insert({
      kind: c.kind,
      holder_user_id: c.holderUserId,
      agency_id: c.agencyId,
      serial_hex: c.serialHex,
      subject: c.subject,
      not_before: c.notBefore,
      not_after: c.notAfter,
      certificate_der: c.certificateDer,
      p12: c.p12,
      key_protection: c.keyProtection,
      hsm_key_id: c.hsmKeyId,
    })
    .returning('id')
  return (row as { id: number }).id
}

/** Kyso stops using the certificate from `at` (the CA's own record is ca-records.ts). */
/** Marks the held certificates of a serial revoked (not those revoked already); how many there were. */
export async function revokeHeldSerial(db: Queryable, serialHex: string, at: string): Promise<number> {
  return db('certificates')
    .where({ serial_hex: serialHex })
    .whereNull('revoked_at')
    .update({ revoked_at: at })
}

export async function setCertificateRevoked(db: Queryable, id: number, at: string): Promise<void> {
  await db('certificates').where({ id }).update({ revoked_at: at })
}
