/**
 * Signing a step with a key Kyso never holds, when Kyso draws the appearance (issue 11, points 3-5):
 * the file is prepared and hashed here, the key signs the signed attributes wherever it is (a USB
 * token through `kyso agent` or a vendor plugin, a remote-signing service), and the value comes
 * back to finish the file. What both halves share lives here; two-phase.ts and remote-signing.ts
 * are the two ways the value arrives.
 */
import { createHash, randomBytes, verify } from 'node:crypto'
import { toDerEcdsaSignature } from '../signing/cms'
import { SigningError } from '../signing/errors'
import { readCertificate } from '../signing/pki'
import {
  completePdfSignature,
  preparePdfSignature,
  type SignerIdentity,
  type VisibleAppearance,
} from '../signing/sign'
import { findCertificate, type CertificateRecord } from '../storage/certificate-records'
import { agencyNameOf } from '../storage/issuance-records'
import { insertSigningSession, moveSigningSession, type SigningSession } from '../storage/signing-sessions'
import type { Actor, Services } from './context'
import { commitStepSignature, type CommitInput, type StepSignedResult } from './commit-signature'
import { WorkflowError } from '../shared/errors'
import { checkBeforeSigning, type SignatureEvidence } from './evidence'
import { issuanceWriter, prepareIssuance } from './issuance'
import { certificateKindFor, reasonFor, takeTurn, type Turn } from './step-turn'
import { stepLook } from './step-appearance'

export interface PreparedAnswer {
  signingId: string
  /** Base64 DER: exactly the bytes the key signs (RFC 5652 §5.4). */
  signedAttributes: string
  /** Base64 SHA-256 of the signed attributes, for keys that sign a digest. */
  digest: string
  digestAlgorithm: 'SHA-256'
  expiresAt: string
  certificateId: number
  keyAlgorithm: 'RSA' | 'EC'
  /** Where the appearance goes (1-based page, PDF points). */
  placement: { page: number; rect: [number, number, number, number] }
}

/**
 * An external certificate the actor may sign this step with: theirs, approved, not revoked, of the
 * kind the step needs (the agency's certificate, held by its clerk, for a seal).
 */
export async function signingCertificate(
  s: Services,
  actor: Actor,
  turn: Turn,
  certificateId: unknown,
): Promise<CertificateRecord> {
  const cert = typeof certificateId === 'number' ? await findCertificate(s.db, certificateId) : undefined
  if (typeof certificateId !== 'number') throw new WorkflowError('BAD_REQUEST', 'certificateId: a number')
  if (!cert) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy chứng thư số')
  if (cert.holderUserId !== actor.id)
    throw new WorkflowError('WRONG_SIGNER', 'Chứng thư số này không phải của bạn')
  if (cert.source !== 'external') {
    throw new WorkflowError(
      'BAD_REQUEST',
      'certificateId: chứng thư số nội bộ ký bằng mã PIN (POST /api/steps/:id/sign)',
    )
  }
  if (cert.revokedAt) throw new SigningError('CERT_REVOKED', 'Chứng thư số này đã bị thu hồi')
  if (cert.status !== 'active')
    throw new WorkflowError('CERT_NOT_ACTIVE', 'Chứng thư số này chưa được quản trị phê duyệt')
  const kind = certificateKindFor(turn.step.action)
  if (cert.kind !== kind || (kind === 'seal' && cert.agencyId !== turn.doc.agency_id)) {
    throw new WorkflowError(
      'WRONG_SIGNER',
      kind === 'seal'
        ? 'Bước đóng dấu cần chứng thư số của cơ quan ban hành'
        : 'Bước này cần chứng thư số cá nhân',
    )
  }
  return cert
}

export function identityOf(cert: CertificateRecord): SignerIdentity {
  const type = readCertificate(cert.certificateDer).publicKey.asymmetricKeyType
  if (type !== 'rsa' && type !== 'ec') {
    throw new WorkflowError(
      'BAD_REQUEST',
      `Kyso chưa ký được bằng khóa ${type ?? 'này'} (cần RSA hoặc ECDSA)`,
    )
  }
  return { certificate: cert.certificateDer, chain: cert.chain, keyAlgorithm: type === 'rsa' ? 'RSA' : 'EC' }
}

/** The signer's appearance from their user record: certificates' names often lack diacritics. */
async function appearanceFor(
  s: Services,
  actor: Actor,
  turn: Turn,
): Promise<{ appearance: VisibleAppearance; signerName: string }> {
  if (turn.step.action === 'seal') {
    const agency = await agencyNameOf(s.db, turn.doc.agency_id)
    return { appearance: { kind: 'seal', organisation: agency.name }, signerName: agency.name }
  }
  return {
    appearance: {
      kind: 'personal',
      ...(actor.title && { title: actor.title }),
      ...(turn.who.marker && { marker: turn.who.marker }),
      ...(turn.who.principalTitle && { principalTitle: turn.who.principalTitle }),
    },
    signerName: actor.fullName,
  }
}

export interface PrepareRequest extends CommitInput {
  certificateId: unknown
}

/**
 * Prepares a step's signature for an external key: the turn, the certificate checked as before any
 * signature, the revision written and hashed, and a signing session that waits for the value.
 */
export async function prepareSession(
  s: Services,
  actor: Actor,
  stepId: number,
  req: PrepareRequest,
  keySource: (cert: CertificateRecord) => string,
  status: 'prepared' | 'awaiting_confirmation' = 'prepared',
): Promise<{ session: SigningSession; cert: CertificateRecord; answer: PreparedAnswer }> {
  const turn = await takeTurn(s, actor, stepId)
  const cert = await signingCertificate(s, actor, turn, req.certificateId)
  const signer = identityOf(cert)
  const source = keySource(cert)
  const evidence = await checkBeforeSigning(s, cert.certificateDer, cert.chain, source)
  // A seal's number is reserved and printed in the revision prepared here (issue 13).
  const issuance = turn.step.action === 'seal' ? await prepareIssuance(s, actor, turn, req) : undefined
  const writer = issuance && issuanceWriter(issuance)
  const before = await s.blobs.get(turn.base.sha256)
  const look = await appearanceFor(s, actor, turn)
  // The same place and look as a signature made with a key Kyso holds (issue 12).
  const where = await stepLook(s, actor, turn, look.appearance)
  const prepared = preparePdfSignature(before, {
    signer,
    appearance: where.appearance,
    ...(where.page !== undefined && { page: where.page }),
    ...(where.rect && { rect: where.rect }),
    signerName: look.signerName,
    reason: reasonFor(turn.step.action),
    timestamped: s.timestamp !== undefined,
    ...writer?.options,
  })
  const issued = issuance && writer && { ...writer.outcome(), entryId: issuance.entryId }
  const now = new Date()
  const session: SigningSession = {
    id: randomBytes(24).toString('base64url'),
    userId: actor.id,
    stepId: turn.step.id,
    versionId: turn.base.id,
    certificateId: cert.id,
    keySource: source,
    status,
    preparedPdf: prepared.pdf,
    signedAttributes: prepared.signedAttributes,
    layout: {
      ...prepared.placed,
      fieldName: prepared.fieldName,
      signingTime: prepared.signingTime.toISOString(),
      page: prepared.page,
      rect: prepared.rect,
      ...issuanceOf(req),
      ...(issuance &&
        issued && { outgoingNumber: issuance.number, outgoingDate: issuance.date, issuance: issued }),
    },
    remoteTransactionId: null,
    evidenceJson: JSON.stringify(evidence),
    detail: null,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + s.config.signingSessionTtlSeconds * 1000).toISOString(),
    finishedAt: null,
  }
  await insertSigningSession(s.db, session)
  const { rect } = prepared
  return {
    session,
    cert,
    answer: {
      signingId: session.id,
      signedAttributes: prepared.signedAttributes.toString('base64'),
      digest: createHash('sha256').update(prepared.signedAttributes).digest('base64'),
      digestAlgorithm: 'SHA-256',
      expiresAt: session.expiresAt,
      certificateId: cert.id,
      keyAlgorithm: signer.keyAlgorithm,
      placement: { page: prepared.page, rect: [rect.x, rect.y, rect.width, rect.height] },
    },
  }
}

function issuanceOf(req: CommitInput): CommitInput {
  return {
    ...(req.outgoingNumber && { outgoingNumber: req.outgoingNumber }),
    ...(req.outgoingDate && { outgoingDate: req.outgoingDate }),
    ...(req.comment && { comment: req.comment }),
  }
}

/** A session past its time is expired (recorded), so it can never complete late. */
export async function refuseIfExpired(s: Services, session: SigningSession): Promise<void> {
  if (new Date(session.expiresAt) > new Date()) return
  await moveSigningSession(
    s.db,
    session.id,
    ['prepared', 'awaiting_confirmation'],
    'expired',
    'thời hạn đã qua',
  )
  throw new WorkflowError('SIGNING_EXPIRED', 'Phiên ký đã hết hạn; hãy ký lại')
}

/**
 * Finishes a session with the value the key returned: checked against the certificate before
 * anything is stored (SIGNATURE_INVALID, nothing changed), then written into the prepared file
 * (with the B-T time-stamp) and recorded like any signature.
 */
export async function finishSession(
  s: Services,
  actor: Actor,
  session: SigningSession,
  value: Buffer,
  input: CommitInput = {},
): Promise<StepSignedResult> {
  const turn = await takeTurn(s, actor, session.stepId)
  if (turn.base.id !== session.versionId) {
    await moveSigningSession(
      s.db,
      session.id,
      ['prepared', 'awaiting_confirmation'],
      'failed',
      'văn bản đã có phiên bản mới',
    )
    throw new WorkflowError('VERSION_CONFLICT', 'Văn bản đã có phiên bản mới từ khi chuẩn bị ký; hãy ký lại')
  }
  const cert = session.certificateId === null ? undefined : await findCertificate(s.db, session.certificateId)
  const { preparedPdf, signedAttributes, layout } = session
  if (!cert || !preparedPdf || !signedAttributes || !layout)
    throw new WorkflowError('SIGNING_USED', 'Phiên ký này đã kết thúc')
  const signer = identityOf(cert)
  const publicKey = readCertificate(cert.certificateDer).publicKey
  // A token or a provider may answer ECDSA as r || s (PKCS#11, IEEE P1363): CMS wants DER.
  const curve = publicKey.asymmetricKeyDetails?.namedCurve
  const signatureValue = signer.keyAlgorithm === 'EC' ? (toDerEcdsaSignature(value, curve) ?? value) : value
  if (!verify('sha256', signedAttributes, publicKey, signatureValue)) {
    throw new WorkflowError(
      'SIGNATURE_INVALID',
      'Giá trị chữ ký không khớp với chứng thư số và dữ liệu đã chuẩn bị',
    )
  }
  const signed = await completePdfSignature(
    {
      pdf: preparedPdf,
      placed: {
        contentsStart: layout.contentsStart,
        contentsEnd: layout.contentsEnd,
        byteRange: layout.byteRange,
      },
      signedAttributes,
      fieldName: layout.fieldName,
      signingTime: new Date(layout.signingTime),
      page: layout.page,
      rect: layout.rect,
    },
    { signer, signatureValue, ...(s.timestamp && { timestamp: s.timestamp }) },
  )
  const evidence = JSON.parse(session.evidenceJson ?? '{}') as SignatureEvidence
  return commitStepSignature(
    s,
    actor,
    turn,
    { pdf: signed.pdf, fieldName: signed.fieldName, certificateId: cert.id, evidence, sessionId: session.id },
    { ...issuanceOf(input), ...issuanceOf(layout), ...(layout.issuance && { issuance: layout.issuance }) },
  )
}
