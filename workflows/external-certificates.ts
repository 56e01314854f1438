/**
 * Certificates of keys the signer holds elsewhere (issue 11, point 1): public-duty certificates
 * from the Government Cipher Committee's CA on USB tokens, public CAs' remote-signing credentials.
 * The user submits one; an administrator approves it, which binds its issuer and serial to that
 * user. It is checked at submission, at approval, and again right before every signature.
 */
import { createHash, X509Certificate } from 'node:crypto'
import { SigningError } from '../signing/errors'
import { fromPem, loadCrls, readCertificate, verifyCrlSignature } from '../signing/pki'
import { buildChain } from '../signing/verify'
import { appendAudit } from '../storage/audit'
import {
  certificatesByFingerprint,
  certificatesOf,
  decideCertificate,
  findCertificate,
  insertExternalCertificate,
  type CertificateKind,
  type CertificateRecord,
} from '../storage/certificate-records'
import { activeUserByUsername, holdsRole, offeredChainCertificates } from '../storage/external-records'
import { agencyNameOf } from '../storage/issuance-records'
import {
  insertRevocationList,
  listRevocationLists,
  type RevocationListRecord,
} from '../storage/revocation-lists'
import { searchKey } from '../storage/search-key'
import { inTransaction } from '../storage/transaction'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { certificateStatus, fingerprintOf } from './evidence'

/** A CRL as `POST /api/admin/crls` answers it: whose, for when, and its digest (never its bytes). */
export type AddedRevocationList = Pick<
  RevocationListRecord,
  'id' | 'issuer' | 'thisUpdate' | 'nextUpdate' | 'sha256'
>

export interface ExternalCertificateView {
  id: number
  kind: CertificateKind
  source: 'internal' | 'external'
  status: 'pending' | 'active' | 'rejected' | 'revoked'
  subject: string
  issuer: string | null
  serialHex: string
  notBefore: string
  notAfter: string
  username?: string
  remote: { provider: string; credentialId: string } | null
}

export function viewOf(c: CertificateRecord, username?: string): ExternalCertificateView {
  return {
    id: c.id,
    kind: c.kind,
    source: c.source,
    status: c.revokedAt ? 'revoked' : c.status,
    subject: c.subject,
    issuer: c.issuer,
    serialHex: c.serialHex,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    ...(username !== undefined && { username }),
    remote: c.remote && { provider: c.remote.provider, credentialId: c.remote.credentialId },
  }
}

function oneCertificate(v: unknown, field: string): Buffer {
  if (typeof v !== 'string' || v.length > 100_000)
    throw new WorkflowError('BAD_REQUEST', `${field}: a PEM certificate`)
  const ders = fromPem(v, 'CERTIFICATE')
  if (ders.length !== 1) throw new WorkflowError('BAD_REQUEST', `${field}: exactly one CERTIFICATE block`)
  const der = ders[0] as Buffer
  try {
    new X509Certificate(der)
    readCertificate(der)
  } catch {
    throw new WorkflowError('BAD_REQUEST', `${field}: not a readable X.509 certificate`)
  }
  return der
}

function chainOf(v: unknown): Buffer[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.length > 10)
    throw new WorkflowError('BAD_REQUEST', 'chain: up to 10 PEM certificates')
  return v.map((p, i) => oneCertificate(p, `chain[${i}]`))
}

/** Folded names agree when one is the other, or the other's words in a row ("Nguyen Van A" in "CN=Nguyen Van A 0123"). */
export function namesAgree(certificateName: string, expected: string): boolean {
  const a = ` ${searchKey(certificateName)} `
  const b = ` ${searchKey(expected)} `
  return b.trim().length > 0 && a.includes(b)
}

interface RemoteRef {
  provider: string
  credentialId: string
  userRef: string
}

function remoteOf(v: unknown): RemoteRef | undefined {
  if (v === undefined || v === null) return undefined
  const r = v as Record<string, unknown>
  const ok = (x: unknown, max: number): x is string =>
    typeof x === 'string' && x.length > 0 && x.length <= max
  if (typeof v !== 'object' || !ok(r.provider, 60) || !ok(r.credentialId, 200) || !ok(r.userRef, 200)) {
    throw new WorkflowError('BAD_REQUEST', 'remote: {provider, credentialId, userRef}')
  }
  return { provider: r.provider, credentialId: r.credentialId, userRef: r.userRef }
}

/** The certificate and chain of a submission: given as PEM, or read from the remote provider. */
async function certificateOfSubmission(
  s: Services,
  b: Record<string, unknown>,
  remote: RemoteRef | undefined,
): Promise<{ der: Buffer; chain: Buffer[] }> {
  if (b.certificate !== undefined || !remote)
    return { der: oneCertificate(b.certificate, 'certificate'), chain: chainOf(b.chain) }
  const connector = s.remoteSigning?.get(remote.provider)
  if (!connector)
    throw new WorkflowError(
      'REMOTE_NOT_CONFIGURED',
      `Máy chủ chưa kết nối dịch vụ ký số từ xa '${remote.provider}'`,
    )
  const cred = await connector.credential(remote.userRef, remote.credentialId)
  return { der: cred.certificate, chain: [...cred.chain] }
}

export interface SubmitOptions {
  /** An administrator submitting for a user (`username` in the body): no name check. */
  byAdmin?: boolean
}

/**
 * `POST /api/me/certificates/external` (and the admin's variant): checks the certificate as before a
 * signature, and that its subject names the holder (the agency, for a seal) once case and marks
 * are folded away — unless an administrator submits it. Answers the pending certificate.
 */
export async function submitExternalCertificate(
  s: Services,
  actor: Actor,
  b: Record<string, unknown>,
  opts: SubmitOptions = {},
): Promise<ExternalCertificateView> {
  const kind = b.kind ?? 'personal'
  if (kind !== 'personal' && kind !== 'seal') throw new WorkflowError('BAD_REQUEST', 'kind: personal or seal')
  const holder = opts.byAdmin
    ? await holderByUsername(s, b.username)
    : { id: actor.id, agencyId: actor.agencyId, fullName: actor.fullName }
  if (kind === 'seal' && !(await holdsRole(s.db, holder.id, 'clerk'))) {
    throw new WorkflowError('BAD_REQUEST', 'kind: chỉ văn thư giữ chứng thư số của cơ quan (con dấu)')
  }
  const remote = remoteOf(b.remote)
  const { der, chain } = await certificateOfSubmission(s, b, remote)
  const facts = readCertificate(der)
  const fingerprint = fingerprintOf(der)
  if ((await certificatesByFingerprint(s.db, fingerprint)).length > 0) {
    throw new WorkflowError('CONFLICT', 'Chứng thư số này đã được đăng ký')
  }
  const agency = await agencyNameOf(s.db, holder.agencyId)
  if (!opts.byAdmin) {
    const names = [facts.commonName, kind === 'seal' ? facts.organization : undefined].filter(
      (n): n is string => !!n,
    )
    const expected = kind === 'seal' ? agency.name : holder.fullName
    if (!names.some((n) => namesAgree(n, expected))) {
      throw new WorkflowError(
        'CERT_SUBJECT_MISMATCH',
        `Tên trên chứng thư số (${facts.commonName ?? facts.subject}) không khớp với ${expected}`,
      )
    }
  }
  const status = await certificateStatus(s, der, chain)
  if (!status.ok) throw new SigningError(status.code ?? 'CERT_UNTRUSTED', status.message)
  const id = await inTransaction(s.db, async (trx) => {
    const cid = await insertExternalCertificate(trx, {
      kind,
      holderUserId: holder.id,
      agencyId: holder.agencyId,
      serialHex: facts.serialHex,
      subject: facts.subject,
      issuer: facts.issuer,
      fingerprint,
      notBefore: facts.notBefore.toISOString(),
      notAfter: facts.notAfter.toISOString(),
      certificateDer: der,
      chain,
      submittedBy: actor.id,
      ...(remote && { remote }),
    })
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'certificate.external-submitted',
      requestId: actor.requestId ?? null,
      detail: {
        certificateId: cid,
        holderId: holder.id,
        kind,
        issuer: facts.issuer,
        serialHex: facts.serialHex,
        ...(remote && { provider: remote.provider }),
      },
    })
    return cid
  })
  return viewOf((await findCertificate(s.db, id)) as CertificateRecord)
}

async function holderByUsername(
  s: Services,
  username: unknown,
): Promise<{ id: number; agencyId: number; fullName: string }> {
  const u = typeof username === 'string' ? await activeUserByUsername(s.db, username) : undefined
  if (!u) throw new WorkflowError('BAD_REQUEST', 'username: không có người dùng đang hoạt động này')
  return u
}

function requireAdmin(actor: Actor): void {
  if (!actor.roles.has('admin'))
    throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị hệ thống được thực hiện thao tác này')
}

/**
 * `POST /api/admin/certificates/:id/approve` (or `/reject` with a reason): binds the certificate
 * (issuer and serial) to its holder; checked once more before it becomes active. The body's reason
 * is read only once the certificate is found pending.
 */
export async function decideExternalCertificate(
  s: Services,
  actor: Actor,
  id: number,
  decision: 'approve' | 'reject',
  body: { reason?: unknown } = {},
): Promise<ExternalCertificateView> {
  requireAdmin(actor)
  const cert = await findCertificate(s.db, id)
  if (cert?.source !== 'external')
    throw new WorkflowError('NOT_FOUND', 'Không tìm thấy chứng thư số đăng ký từ bên ngoài')
  if (cert.status !== 'pending') throw new WorkflowError('CONFLICT', 'Chứng thư số này đã được xử lý')
  const reason = decision === 'reject' ? body.reason : undefined
  if (decision === 'reject' && (typeof reason !== 'string' || !reason.trim()))
    throw new WorkflowError('BAD_REQUEST', 'reason: lý do là bắt buộc')
  if (decision === 'approve') {
    const status = await certificateStatus(s, cert.certificateDer, cert.chain)
    if (!status.ok) throw new SigningError(status.code ?? 'CERT_UNTRUSTED', status.message)
  }
  const now = new Date().toISOString()
  await inTransaction(s.db, async (trx) => {
    const moved = await decideCertificate(trx, id, {
      status: decision === 'approve' ? 'active' : 'rejected',
      by: actor.id,
      at: now,
    })
    if (!moved) throw new WorkflowError('CONFLICT', 'Chứng thư số này vừa được xử lý')
    await appendAudit(trx, {
      actorId: actor.id,
      action: decision === 'approve' ? 'certificate.external-approved' : 'certificate.external-rejected',
      requestId: actor.requestId ?? null,
      detail: {
        certificateId: id,
        holderId: cert.holderUserId,
        issuer: cert.issuer,
        serialHex: cert.serialHex,
        ...(typeof reason === 'string' && { reason }),
      },
    })
  })
  return viewOf((await findCertificate(s.db, id)) as CertificateRecord)
}

/**
 * The actor's certificates of every source, for the sign dialog and their profile; each with its
 * DER (base64), which the dialog compares with the certificates `kyso agent` finds on the token.
 */
export async function myCertificates(
  s: Services,
  actor: Actor,
): Promise<(ExternalCertificateView & { certificate: string })[]> {
  return (await certificatesOf(s.db, actor.id)).map((c) => ({
    ...viewOf(c),
    certificate: c.certificateDer.toString('base64'),
  }))
}

/**
 * `POST /api/admin/crls {pem, issuer?}`: the current CRL of a CA reachable only on a dedicated
 * network. Kept only if its signature verifies against a CA certificate Kyso trusts: an anchor, or
 * an intermediate (given as `issuer`, or offered with an external certificate) chaining to one.
 */
export async function addRevocationList(
  s: Services,
  actor: Actor,
  b: Record<string, unknown>,
): Promise<AddedRevocationList> {
  requireAdmin(actor)
  if (typeof b.pem !== 'string' || b.pem.length > 20_000_000)
    throw new WorkflowError('BAD_REQUEST', 'pem: a PEM (or DER base64) CRL')
  let crls: ReturnType<typeof loadCrls>
  try {
    crls = loadCrls(Buffer.from(b.pem, 'latin1'))
  } catch {
    throw new WorkflowError('BAD_REQUEST', 'pem: not a readable X.509 CRL')
  }
  if (crls.length !== 1) throw new WorkflowError('BAD_REQUEST', 'pem: exactly one X509 CRL block')
  const crl = crls[0] as (typeof crls)[number]
  const anchors = await s.trustAnchors()
  const offered = b.issuer === undefined ? [] : [oneCertificate(b.issuer, 'issuer')]
  // The CRL's issuer: an anchor, or a CA certificate (offered here or with an external
  // certificate) that chains to one.
  const candidates = [...anchors, ...offered, ...(await knownIntermediates(s))]
  const issuer = candidates.find(
    (der) => verifyCrlSignature(crl, der) && chainsToAnchor(der, candidates, anchors),
  )
  if (!issuer)
    throw new WorkflowError(
      'BAD_REQUEST',
      'pem: the CRL is not signed by a CA Kyso trusts (add its root, or give its issuer)',
    )
  const sha256 = createHash('sha256').update(crl.der).digest('hex')
  if ((await listRevocationLists(s.db)).some((r) => r.sha256 === sha256))
    throw new WorkflowError('CONFLICT', 'CRL này đã được tải lên')
  const issuerName = readCertificate(issuer).subject
  const now = new Date().toISOString()
  const id = await inTransaction(s.db, async (trx) => {
    const rid = await insertRevocationList(trx, {
      sha256,
      issuer: issuerName,
      thisUpdate: crl.thisUpdate.toISOString(),
      nextUpdate: crl.nextUpdate?.toISOString() ?? null,
      der: crl.der,
      addedBy: actor.id,
      addedAt: now,
    })
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'crl.uploaded',
      requestId: actor.requestId ?? null,
      detail: { issuer: issuerName, sha256, entries: crl.entries.size },
    })
    return rid
  })
  return {
    id,
    issuer: issuerName,
    thisUpdate: crl.thisUpdate.toISOString(),
    nextUpdate: crl.nextUpdate?.toISOString() ?? null,
    sha256,
  }
}

function chainsToAnchor(ca: Buffer, pool: Buffer[], anchors: Buffer[]): boolean {
  if (anchors.some((a) => a.equals(ca))) return true
  return readCertificate(ca).isCa && buildChain(ca, pool, anchors, new Date()).trusted
}

/** Intermediate CA certificates offered with the external certificates Kyso knows. */
async function knownIntermediates(s: Services): Promise<Buffer[]> {
  const all = await offeredChainCertificates(s.db)
  return all.filter((der) => readCertificate(der).isCa)
}
