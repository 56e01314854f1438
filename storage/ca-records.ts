import type { Queryable, Tx } from './transaction'

/**
 * The internal CA's records (issue 15): its keys (wrapped under the key-wrapping key, or a
 * reference to a key in the HSM), every certificate it issued with its revocation, and its current
 * CRLs. Plain camelCase objects out; the CA's logic is workflows/internal-ca.ts.
 */
export type CaKeyName = 'root' | 'issuing' | 'tsa' | 'service'

export interface CaKeyRecord {
  name: CaKeyName
  certificateDer: Buffer
  keyProtection: 'wrapped' | 'hsm'
  wrappedKey: Buffer | null
  hsmKeyId: string | null
}

export interface CaCertificateRecord {
  serialHex: string
  subject: string
  kind: string
  issuedBy: 'root' | 'issuing'
  notBefore: string
  notAfter: string
  revokedAt: string | null
  reason: string | null
}

export interface CaCrlRecord {
  name: string
  crlNumber: number
  thisUpdate: string
  nextUpdate: string
  crlPem: string
}

const iso = (v: unknown): string => (typeof v === 'string' ? v : new Date(v as Date).toISOString())
const bytes = (v: unknown): Buffer | null =>
  v === null || v === undefined ? null : Buffer.from(v as Uint8Array)

export async function caKeys(db: Queryable): Promise<CaKeyRecord[]> {
  const rows = (await db('ca_keys').select(
    'name',
    'certificate_der',
    'key_protection',
    'wrapped_key',
    'hsm_key_id',
  )) as {
    name: CaKeyName
    certificate_der: Uint8Array
    key_protection: 'wrapped' | 'hsm'
    wrapped_key: Uint8Array | null
    hsm_key_id: string | null
  }[]
  return rows.map((r) => ({
    name: r.name,
    certificateDer: Buffer.from(r.certificate_der),
    keyProtection: r.key_protection,
    wrappedKey: bytes(r.wrapped_key),
    hsmKeyId: r.hsm_key_id,
  }))
}

export async function insertCaKey(db: Queryable, k: CaKeyRecord): Promise<void> {
  await db('ca_keys').insert({
    name: k.name,
    certificate_der: k.certificateDer,
    key_protection: k.keyProtection,
    wrapped_key: k.wrappedKey,
    hsm_key_id: k.hsmKeyId,
    created_at: new Date().toISOString(),
  })
}

export async function replaceCaKeyEnvelope(
  db: Queryable,
  name: CaKeyName,
  wrappedKey: Buffer,
): Promise<void> {
  await db('ca_keys').where({ name }).update({ wrapped_key: wrappedKey })
}

export async function insertCaCertificate(
  db: Queryable,
  c: Omit<CaCertificateRecord, 'revokedAt' | 'reason'> & { certificateDer: Buffer },
): Promise<void> {
  await db('ca_certificates').insert({
    serial_hex: c.serialHex,
    subject: c.subject,
    kind: c.kind,
    issued_by: c.issuedBy,
    not_before: c.notBefore,
    not_after: c.notAfter,
    certificate_der: c.certificateDer,
  })
}

function certificateOf(r: Record<string, unknown>): CaCertificateRecord {
  return {
    serialHex: r.serial_hex as string,
    subject: r.subject as string,
    kind: r.kind as string,
    issuedBy: r.issued_by as 'root' | 'issuing',
    notBefore: iso(r.not_before),
    notAfter: iso(r.not_after),
    revokedAt: r.revoked_at ? iso(r.revoked_at) : null,
    reason: (r.reason as string | null) ?? null,
  }
}

const CERTIFICATE_COLUMNS = [
  'serial_hex',
  'subject',
  'kind',
  'issued_by',
  'not_before',
  'not_after',
  'revoked_at',
  'reason',
]

export async function caCertificate(
  db: Queryable,
  serialHex: string,
): Promise<CaCertificateRecord | undefined> {
  const row = (await db('ca_certificates').where({ serial_hex: serialHex }).first(CERTIFICATE_COLUMNS)) as
    | Record<string, unknown>
    | undefined
  return row ? certificateOf(row) : undefined
}

export async function revokedCaCertificates(db: Queryable): Promise<CaCertificateRecord[]> {
  const rows = (await db('ca_certificates')
    .whereNotNull('revoked_at')
    .orderBy('serial_hex')
    .select(CERTIFICATE_COLUMNS)) as Record<string, unknown>[]
  return rows.map(certificateOf)
}

/** Marks a certificate revoked unless it already is (the first date and reason stand); true when it changed. */
export async function markCaCertificateRevoked(
  db: Queryable,
  serialHex: string,
  at: string,
  reason: string | null,
): Promise<boolean> {
  return (
    (await db('ca_certificates')
      .where({ serial_hex: serialHex })
      .whereNull('revoked_at')
      .update({ revoked_at: at, reason })) > 0
  )
}

export async function caCrl(db: Queryable): Promise<CaCrlRecord | undefined> {
  const r = (await db('ca_crl').where({ id: 1 }).first()) as Record<string, unknown> | undefined
  if (!r) return undefined
  return {
    name: r.name as string,
    crlNumber: Number(r.crl_number),
    thisUpdate: iso(r.this_update),
    nextUpdate: iso(r.next_update),
    crlPem: r.crl_pem as string,
  }
}

/**
 * Takes the next CRL number. Written first in the transaction that publishes a CRL, so on SQLite
 * too the write lock is taken before anything is read (two writers cannot both take one number).
 */
export async function nextCrlNumber(db: Tx): Promise<number> {
  await db('ca_crl').where({ id: 1 }).increment('crl_number', 1)
  return Number(
    ((await db('ca_crl').where({ id: 1 }).first('crl_number')) as { crl_number: number }).crl_number,
  )
}

export async function saveCaCrl(db: Queryable, c: CaCrlRecord): Promise<void> {
  const row = {
    name: c.name,
    crl_number: c.crlNumber,
    this_update: c.thisUpdate,
    next_update: c.nextUpdate,
    crl_pem: c.crlPem,
  }
  const changed = await db('ca_crl').where({ id: 1 }).update(row)
  if (!changed) await db('ca_crl').insert({ id: 1, ...row })
}

/** Whether the database holds a CA (any of its keys). */
export async function hasCaKeys(db: Queryable): Promise<boolean> {
  return Boolean(await db('ca_keys').first('name'))
}

/**
 * A lock row (kyso_locks) that lets one of several instances starting together make or move the
 * CA: true when this caller took it, false when another holds it.
 */
export async function takeSetupLock(db: Queryable, name: string, at: string): Promise<boolean> {
  return db('kyso_locks')
    .insert({ name, taken_at: at })
    .then(
      () => true,
      () => false,
    )
}

/** When the lock row was taken, or undefined when nobody holds it. */
export async function setupLockTakenAt(db: Queryable, name: string): Promise<string | undefined> {
  const row = (await db('kyso_locks').where({ name }).first('taken_at')) as { taken_at: string } | undefined
  return row?.taken_at
}

export async function releaseSetupLock(db: Queryable, name: string): Promise<void> {
  await db('kyso_locks').where({ name }).delete()
}
