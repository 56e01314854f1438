import { appendAudit } from '../storage/audit'
import { unrevokedCertificateIdsOf } from '../storage/certificate-records'
import {
  auditEventsAbout,
  eraseAccount,
  openDraftsOf,
  pendingAssignments,
  personHoldings,
  personRecord,
  redactAuditPersonal,
  type AuditAbout,
  type PersonHoldings,
  type PersonRecord,
} from '../storage/personal-data'
import { inTransaction } from '../storage/transaction'
import { revokeUserCertificate } from './admin'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'

function requireAdmin(actor: Actor): void {
  if (!actor.roles.has('admin'))
    throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị hệ thống trả lời yêu cầu về dữ liệu cá nhân')
}

/** Why Kyso holds each kind of record (the README's "Personal data" says the same, with how long). */
const PURPOSES: Record<string, string> = {
  user: 'Đăng nhập, phân quyền và ghi tên, chức danh người ký (Nghị định 30/2020: khối chữ ký).',
  certificates:
    'Chứng thư số của người ký: ký văn bản và kiểm tra chữ ký (Nghị định 68/2024, Thông tư 15/2025).',
  documents: 'Văn bản do người này soạn: hồ sơ công việc, lưu trữ theo thời hạn bảo quản.',
  signatures: 'Chữ ký đã thực hiện: chứng cứ của văn bản đã ký, giữ cùng văn bản.',
  delegations: 'Ủy quyền và thẩm quyền ký: căn cứ của các chữ ký KT./TL./TUQ./TM./Q.',
  sessions: 'Phiên đăng nhập: an toàn truy cập, hết hạn sau 8 giờ.',
  auditEvents: 'Nhật ký kiểm tra: ai làm gì, khi nào; chuỗi băm chống sửa đổi.',
}

/** The answer to an access request: why each kind of record is held, the person, their records. */
export interface PersonalDataExport extends PersonHoldings {
  generatedAt: string
  /** Why Kyso holds each kind of record, by the key it is listed under. */
  purposes: Record<string, string>
  user: PersonRecord
  auditEvents: AuditAbout[]
}

/** What an erasure did, and what it kept (the agency's records the law requires it to keep). */
export interface PersonalDataErasure {
  userId: number
  erasedAt: string
  redactedEvents: number
  legacyEventsKept: number
  certificatesRevoked: number
  kept: string[]
}

/** GET /api/admin/users/:id/personal-data: everything Kyso holds about one person (an access request). */
export async function exportPersonalData(
  s: Services,
  actor: Actor,
  userId: number,
): Promise<PersonalDataExport> {
  requireAdmin(actor)
  const person = await personRecord(s.db, userId)
  if (!person) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy người dùng')
  const holdings = await personHoldings(s.db, userId)
  const auditEvents = await auditEventsAbout(s.db, userId, person.username)
  await appendAudit(s.db, {
    actorId: actor.id,
    action: 'personal-data.exported',
    requestId: actor.requestId ?? null,
    detail: { userId },
    subjectUserId: userId,
  })
  return { generatedAt: new Date().toISOString(), purposes: PURPOSES, user: person, ...holdings, auditEvents }
}

/** The events whose personal part is this person's: theirs by subject, or naming their username. */
function erasable(events: AuditAbout[], userId: number, username: string): number[] {
  return events
    .filter((e) => e.format === 2 && e.personal !== null && e.redactedAt === null)
    .filter(
      (e) => e.subjectUserId === userId || JSON.stringify(e.personal).includes(JSON.stringify(username)),
    )
    .map((e) => e.id)
}

/**
 * POST /api/admin/users/:id/erase {reason}: an erasure request answered without breaking the
 * audit chain. The account's personal fields are replaced (name, title, username), it can no
 * longer sign in, its certificates are revoked and their keys wiped, its sessions, throttling
 * records and stored responses deleted, its delegations and standing authorities ended, and the
 * personal part of its audit events removed (their digests stay in the chain). Documents, their
 * signed versions and the signature records stay: they are the agency's records, which the law
 * requires it to keep (the signer's name is inside the signed PDF and its certificate).
 */
export async function erasePersonalData(
  s: Services,
  actor: Actor,
  userId: number,
  b: Record<string, unknown>,
): Promise<PersonalDataErasure> {
  requireAdmin(actor)
  const reason = b.reason
  if (typeof reason !== 'string' || !reason.trim() || reason.length > 2000)
    throw new WorkflowError('BAD_REQUEST', 'reason: lý do là bắt buộc')
  if (userId === actor.id) throw new WorkflowError('CONFLICT', 'Không thể tự xóa dữ liệu tài khoản của mình')
  const person = await personRecord(s.db, userId)
  if (!person) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy người dùng')
  if (person.erasedAt) throw new WorkflowError('CONFLICT', 'Dữ liệu cá nhân của người này đã được xóa')
  const [pending, drafts] = [await pendingAssignments(s.db, userId), await openDraftsOf(s.db, userId)]
  if (pending > 0 || drafts > 0) {
    throw new WorkflowError(
      'ERASURE_BLOCKED',
      `Còn ${pending} bước chờ người này xử lý và ${drafts} văn bản đang soạn/trình: ` +
        'hãy giao lại hoặc kết thúc trước khi xóa',
    )
  }
  const active = await unrevokedCertificateIdsOf(s.db, userId)
  for (const id of active) await revokeUserCertificate(s, actor, id, { reason: 'cessationOfOperation' })
  const events = await auditEventsAbout(s.db, userId, person.username)
  const redact = erasable(events, userId, person.username)
  // Written before personal data left the hash (format 1): kept, since changing them would break
  // the chain for every later event; the export lists them.
  const legacy = events.filter(
    (e) => e.format === 1 && JSON.stringify(e.detail).includes(JSON.stringify(person.username)),
  ).length
  const now = new Date().toISOString()
  await inTransaction(s.db, async (trx) => {
    await eraseAccount(trx, { userId, username: person.username, at: now, by: actor.id })
    await redactAuditPersonal(trx, redact, now)
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'personal-data.erased',
      requestId: actor.requestId ?? null,
      subjectUserId: userId,
      detail: {
        userId,
        reason: reason.trim(),
        redactedEventIds: redact,
        legacyEventsKept: legacy,
        certificatesRevoked: active.length,
      },
    })
  })
  for (const id of active) s.keys.forget(id)
  return {
    userId,
    erasedAt: now,
    redactedEvents: redact.length,
    legacyEventsKept: legacy,
    certificatesRevoked: active.length,
    kept: [
      'documents and their signed versions',
      'signature records and the certificates they were made with',
      'audit events (digests of their personal parts)',
    ],
  }
}
