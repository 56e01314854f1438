import type { Knex } from 'knex'
import { appearanceFromCertificate, signPdf } from '../signing/sign'
import type { SigningMarker } from '../signing/appearance'
import { appendAudit } from '../storage/audit'
import { retryingTransaction } from '../storage/db'
import { readableDocument } from './access'
import type { Actor, Services } from './context'
import { latestVersion } from './documents'
import { WorkflowError } from './errors'
import { recordVerdicts, serviceCrls } from './verdicts'
import { unlockKey } from './unlocked-keys'
import { bumpDaily } from './coverage-counters'

export interface SignStepInput {
  pin: string
  comment?: string
  outgoingNumber?: string
  outgoingDate?: string
}

interface StepRow { id: number; workflow_id: number; seq: number; action: 'approve' | 'sign' | 'seal'; rule: 'all' | 'any'; status: string }

/** Who the actor acts for on this step: themself, or a principal who delegated to them. */
export async function principalFor(db: Knex, actor: Actor, step: { id: number; action: string }): Promise<{ principalId: number; marker?: SigningMarker; principalTitle?: string }> {
  const mine = (await db('step_assignees').where({ step_id: step.id, user_id: actor.id }).first()) as { status: string } | undefined
  if (mine?.status === 'pending') return { principalId: actor.id }
  if (mine) throw new WorkflowError('CONFLICT', 'Bạn đã xử lý bước này')
  const now = new Date().toISOString()
  const delegated = (await db('delegations as d').join('step_assignees as a', 'a.user_id', 'd.principal_id').join('users as u', 'u.id', 'd.principal_id')
    .where({ 'd.delegate_id': actor.id, 'a.step_id': step.id, 'a.status': 'pending' }).whereNull('d.revoked_at')
    .where('d.valid_from', '<=', now).where('d.valid_to', '>=', now).first('d.principal_id', 'd.marker', 'u.title')) as { principal_id: number; marker: SigningMarker; title: string | null } | undefined
  if (delegated && step.action !== 'seal') return { principalId: delegated.principal_id, marker: delegated.marker, ...(delegated.title && { principalTitle: delegated.title }) }
  throw new WorkflowError('NOT_ASSIGNEE', 'Bước này không được giao cho bạn')
}

/**
 * The current assignee approves, signs or seals with their PIN. Steps:
 *  1. check the step, the order and the actor's right to act (their own, or by delegation);
 *  2. outside any transaction: open the key with the PIN, sign the latest version (the new bytes
 *     must extend it exactly), store the blob;
 *  3. in one transaction: claim the assignment (conditional update: of concurrent requests one
 *     wins, the rest get CONFLICT), check nobody added a version meanwhile, record the version and
 *     the signature, advance the chain, write the audit event;
 *  4. when the chain completes, validate the final file and store each signature's verdict.
 */
export async function signStep(s: Services, actor: Actor, stepId: number, input: SignStepInput): Promise<Record<string, unknown>> {
  // 1.
  const step = (Number.isInteger(stepId) ? await s.db('steps').where({ id: stepId }).first() : undefined) as StepRow | undefined
  if (!step) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy bước xử lý')
  const wf = (await s.db('workflows').where({ id: step.workflow_id }).first()) as { document_id: number; status: string }
  const doc = await readableDocument(s.db, actor, wf.document_id)
  if (doc.drafter_id === actor.id) throw new WorkflowError('OWN_DRAFT', 'Không ký trên văn bản do chính mình soạn thảo')
  if (step.status !== 'active' || wf.status !== 'active') throw new WorkflowError('STEP_NOT_ACTIVE', 'Bước này chưa đến lượt hoặc đã kết thúc')
  const who = await principalFor(s.db, actor, step)
  if (step.action === 'seal' && (!input.outgoingNumber || !input.outgoingDate || Number.isNaN(Date.parse(input.outgoingDate)))) {
    throw new WorkflowError('BAD_REQUEST', 'outgoingNumber, outgoingDate: số, ký hiệu và ngày phát hành là bắt buộc khi đóng dấu')
  }
  const cert = (await s.db('certificates').where({ holder_user_id: actor.id, kind: step.action === 'seal' ? 'seal' : 'personal', ...(step.action === 'seal' && { agency_id: doc.agency_id }) }).whereNull('revoked_at').orderBy('id', 'desc').first()) as { id: number; p12: Buffer } | undefined
  if (!cert) throw new WorkflowError('NO_CERTIFICATE', step.action === 'seal' ? 'Không có chứng thư số của cơ quan cho văn thư này' : 'Bạn chưa có chứng thư số')
  // 2.
  const keySource = unlockKey(cert.id, Buffer.from(cert.p12), input.pin)
  const base = await latestVersion(s, doc.id)
  const before = await s.blobs.get(base.sha256)
  const appearance = appearanceFromCertificate(keySource.certificate, {
    kind: step.action === 'seal' ? 'seal' : 'personal',
    ...(who.marker && { marker: who.marker }),
    ...(who.principalTitle && { principalTitle: who.principalTitle }),
  })
  const crls = serviceCrls(s)
  const reason = step.action === 'approve' ? 'Đã duyệt' : step.action === 'seal' ? 'Phát hành' : 'Ký ban hành'
  const signed = await signPdf(before, { keySource, appearance, reason, ...(crls.length && { revocation: { crls } }), ...(s.timestamp && { timestamp: s.timestamp }) })
  if (!signed.pdf.subarray(0, before.length).equals(before)) throw new WorkflowError('VERSION_CONFLICT', 'the signed version does not extend the previous one')
  const blob = await s.blobs.put(signed.pdf)
  // 3.
  const now = new Date().toISOString()
  const outcome = await retryingTransaction(s.db, async (trx) => {
    // The document's row first: every change to a document's chain or versions takes it, so two
    // signers of one step (rule "all"), a reject and a sign, run one after the other on PostgreSQL
    // too, and each sees what the other committed.
    const t0 = process.hrtime.bigint()
    const locked = (await trx('documents').where({ id: doc.id }).forUpdate().first('status')) as { status: string }
    s.metrics?.waited('document', Number(process.hrtime.bigint() - t0) / 1e9)
    const current = (await trx('steps').where({ id: step.id }).first('status')) as { status: string }
    if (locked.status !== 'in_progress' || current.status !== 'active') throw new WorkflowError('STEP_NOT_ACTIVE', 'Bước này chưa đến lượt hoặc đã kết thúc')
    // Of concurrent requests for one assignment, the first to claim it wins; on PostgreSQL the
    // others re-read the row after its commit and update nothing.
    const claimed = await trx('step_assignees').where({ step_id: step.id, user_id: who.principalId, status: 'pending' }).update({ status: 'done', acted_by: actor.id, acted_at: now })
    if (!claimed) throw new WorkflowError('CONFLICT', 'Bước này vừa được xử lý')
    const latest = await latestVersion({ ...s, db: trx }, doc.id)
    if (latest.id !== base.id) throw new WorkflowError('VERSION_CONFLICT', 'Văn bản vừa có phiên bản mới; hãy thử lại')
    const [ver] = await trx('versions').insert({ document_id: doc.id, seq: base.seq + 1, sha256: blob.sha256, size: blob.size, created_by: actor.id, origin: 'signature', created_at: now }).returning('id')
    await trx('signatures').insert({
      document_id: doc.id, step_id: step.id, version_id: (ver as { id: number }).id, certificate_id: cert.id, user_id: actor.id,
      on_behalf_of: who.principalId === actor.id ? null : who.principalId, marker: who.marker ?? null, field_name: signed.fieldName, created_at: now,
    })
    const finished = await advance(trx, step, now)
    const docUpdate: Record<string, unknown> = { updated_at: now }
    if (step.action === 'seal') Object.assign(docUpdate, { outgoing_number: input.outgoingNumber, outgoing_date: input.outgoingDate })
    if (finished) Object.assign(docUpdate, { status: 'issued', finished_at: now })
    await trx('documents').where({ id: doc.id }).update(docUpdate)
    if (finished && doc.kind === 'internal') await bumpDaily(trx, doc.agency_id, now, 'issued', 1)
    await appendAudit(trx, {
      actorId: actor.id, action: `step.${step.action}`, documentId: doc.id, requestId: actor.requestId ?? null,
      detail: { stepId: step.id, version: base.seq + 1, sha256: blob.sha256, field: signed.fieldName, onBehalfOf: who.principalId === actor.id ? null : who.principalId, ...(input.comment && { comment: input.comment }), ...(step.action === 'seal' && { outgoingNumber: input.outgoingNumber, outgoingDate: input.outgoingDate }) },
    })
    return { finished, versionSeq: base.seq + 1 }
  })
  s.metrics?.signed(step.action)
  // 4. After the response: validation is not on the signer's path (its verdicts appear shortly).
  if (outcome.finished) {
    const task = new Promise((resolve) => setImmediate(resolve)).then(() => recordVerdicts(s, doc.id, signed.pdf))
      .catch((err: unknown) => s.log?.({ level: 'error', msg: 'recording verdicts failed', documentId: doc.id, error: String(err) }))
    s.track?.(task)
  }
  return { documentId: doc.id, stepId: step.id, version: outcome.versionSeq, field: signed.fieldName, status: outcome.finished ? 'issued' : 'in_progress' }
}

/** Completes the step by its rule and activates the next; true when the chain is complete. */
async function advance(trx: Knex.Transaction, step: StepRow, now: string): Promise<boolean> {
  const pending = (await trx('step_assignees').where({ step_id: step.id, status: 'pending' }).count('* as n').first()) as { n: number }
  if (step.rule === 'any') await trx('step_assignees').where({ step_id: step.id, status: 'pending' }).update({ status: 'skipped' })
  else if (Number(pending.n) > 0) return false
  await trx('steps').where({ id: step.id }).update({ status: 'done', completed_at: now })
  const next = (await trx('steps').where({ workflow_id: step.workflow_id, seq: step.seq + 1 }).first()) as { id: number } | undefined
  if (next) {
    await trx('steps').where({ id: next.id }).update({ status: 'active' })
    return false
  }
  await trx('workflows').where({ id: step.workflow_id }).update({ status: 'completed' })
  return true
}
