/**
 * Signed-file return (issue 11, point 2): the signer fetches the exact version to sign, signs it
 * in whatever tool they have (the VGCA plugin, a vendor's "sign this PDF" service, any desktop
 * signer), and posts the whole file back. Kyso keeps it only when it is that version plus one
 * signature revision, valid, made with the signer's own approved certificate.
 */
import { analyseIncrementIsolated, type IncrementReport } from '../signing/verify'
import { certificatesOf } from '../storage/certificate-records'
import { listRevocationLists } from '../storage/revocation-lists'
import type { Actor, Services } from './context'
import { commitStepSignature, type CommitInput, type StepSignedResult } from './commit-signature'
import { WorkflowError } from '../shared/errors'
import { evidenceOf, certificateStatus } from './evidence'
import { signedFileIssuance } from './issuance-version'
import { certificateKindFor, takeTurn, type Turn } from './step-turn'
import { SigningError } from '../signing/errors'

/** The version a step signs, with its ETag (the SHA-256 every later check compares with). */
export async function fileToSign(
  s: Services,
  actor: Actor,
  stepId: number,
): Promise<{ bytes: Buffer; sha256: string; name: string }> {
  const turn = await takeTurn(s, actor, stepId)
  return {
    bytes: await s.blobs.get(turn.base.sha256),
    sha256: turn.base.sha256,
    name: `van-ban-${turn.doc.id}-v${turn.base.seq}.pdf`,
  }
}

/** The entity tag of `If-Match`, without quotes or a weak marker; undefined when absent. */
export function entityTag(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  return header
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1')
}

export interface SignedFileInput extends CommitInput {
  file: Buffer
  /** The ETag of the version the signer was given (If-Match). */
  ifMatch: string | undefined
  /** A plugin's file ticket (file-tickets.ts), used up by this upload. */
  ticketSessionId?: string
}

/**
 * Accepts a signed file for a step. Steps:
 *  1. the turn, and the version the signer was given is still the latest (If-Match);
 *  2. in a worker with limits: the file must be that version plus exactly one revision holding
 *     exactly one new signature that covers the whole file, and nothing but what a signature adds;
 *  3. the signature is intact, by an approved external certificate of the signer, which passes
 *     the check before signing (trust, validity, revocation);
 *  4. record it (commit-signature.ts): the file becomes the next version.
 * Any refusal changes nothing.
 */
export async function acceptSignedFile(
  s: Services,
  actor: Actor,
  stepId: number,
  input: SignedFileInput,
): Promise<StepSignedResult> {
  // 1.
  const turn = await takeTurn(s, actor, stepId)
  if (input.ifMatch === undefined) {
    throw new WorkflowError(
      'PRECONDITION_REQUIRED',
      'If-Match: the ETag of the version fetched from /to-sign is required',
    )
  }
  if (input.ifMatch !== turn.base.sha256) {
    throw new WorkflowError(
      'VERSION_CONFLICT',
      'Văn bản đã có phiên bản mới từ khi tải về để ký; hãy tải lại',
    )
  }
  // 2.
  const base = await s.blobs.get(turn.base.sha256)
  const report = await analyseIncrementIsolated(
    {
      base,
      file: input.file,
      trustAnchors: await s.trustAnchors(),
      crls: [...(await s.crls()), ...(await listRevocationLists(s.db)).map((r) => r.der)],
    },
    { timeoutMs: s.config.validationTimeoutMs },
  )
  const sig = soleNewSignature(report)
  // 3.
  const signer = Buffer.from(sig.signerCertificate as string, 'base64')
  const cert = await ownCertificateFor(s, actor, turn, signer)
  const status = await certificateStatus(s, signer, [
    ...cert.chain,
    ...sig.certificates.map((c) => Buffer.from(c, 'base64')),
  ])
  if (!status.ok) throw new SigningError(status.code ?? 'CERT_UNTRUSTED', status.message)
  // A seal's number: the one its version was given (POST /issuance), or reserved now (issue 13).
  const issued = turn.step.action === 'seal' ? await signedFileIssuance(s, actor, turn, input) : undefined
  // 4.
  return commitStepSignature(
    s,
    actor,
    turn,
    {
      pdf: input.file,
      fieldName: sig.field,
      certificateId: cert.id,
      evidence: evidenceOf(signer, status, 'signed-file'),
      ...(input.ticketSessionId && { sessionId: input.ticketSessionId }),
    },
    {
      ...input,
      ...(issued && { outgoingNumber: issued.number, outgoingDate: issued.date, issuance: issued.outcome }),
    },
  )
}

function soleNewSignature(report: IncrementReport): IncrementReport['newSignatures'][number] {
  if (!report.extendsBase) {
    throw new WorkflowError(
      'NOT_AN_INCREMENT',
      'Tệp trả về không bắt đầu bằng đúng phiên bản đã tải về để ký',
    )
  }
  if (report.addedRevisions !== 1 || report.newSignatures.length !== 1) {
    throw new WorkflowError(
      'NOT_AN_INCREMENT',
      `Tệp trả về phải thêm đúng một bản sửa đổi chứa một chữ ký (có ${report.addedRevisions} bản sửa đổi, ` +
        `${report.newSignatures.length} chữ ký mới)`,
    )
  }
  const sig = report.newSignatures[0] as IncrementReport['newSignatures'][number]
  const broken = sig.checks.filter(
    (c) => !c.passed && ['structure', 'coverage', 'integrity', 'signing-certificate'].includes(c.check),
  )
  if (broken.length > 0 || !sig.coversWholeDocument || !sig.signerCertificate) {
    const why =
      broken.map((c) => c.detail).join('; ') || 'the signature does not cover the whole returned file'
    throw new WorkflowError('SIGNATURE_INVALID', `Chữ ký trong tệp trả về không hợp lệ: ${why}`)
  }
  const disallowed = report.changes.filter((c) => !c.allowed)
  if (disallowed.length > 0) {
    throw new WorkflowError(
      'DISALLOWED_CHANGES',
      `Tệp trả về thay đổi nhiều hơn một chữ ký được phép: ${disallowed.map((c) => c.what).join('; ')}`,
    )
  }
  return sig
}

/** The approved, unrevoked external certificate of the actor that made this signature. */
async function ownCertificateFor(
  s: Services,
  actor: Actor,
  turn: Turn,
  signer: Buffer,
): Promise<{ id: number; chain: Buffer[] }> {
  const mine = (await certificatesOf(s.db, actor.id)).filter((c) => c.certificateDer.equals(signer))
  const cert = mine.find((c) => c.source === 'external' && c.status === 'active' && !c.revokedAt) ?? mine[0]
  if (!cert) throw new WorkflowError('WRONG_SIGNER', 'Tệp được ký bằng chứng thư số không phải của bạn')
  if (cert.revokedAt) throw new SigningError('CERT_REVOKED', 'Chứng thư số đã ký tệp này đã bị thu hồi')
  if (cert.source !== 'external' || cert.status !== 'active') {
    throw new WorkflowError('CERT_NOT_ACTIVE', 'Chứng thư số đã ký tệp này chưa được quản trị phê duyệt')
  }
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
