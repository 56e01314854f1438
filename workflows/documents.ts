import { PdfDocument } from '../signing/pdf/document'
import { assertChangesPermitted } from '../signing/sign/form'
import { appendAudit } from '../storage/audit'
import { searchKey } from '../storage/search-key'
import { readableDocument } from '../shared/access'
import type { Actor, DocumentRow, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { documentHistory } from './directory'
import { latestVersion as latestVersionRow, principalIfAny } from './step-turn'
import { placementsOfWorkflow } from '../storage/placements'
import { findSignatureFields } from '../signing/verify'
import { checkExistingSignatures, type UploadCheck } from './upload-check'
import { documentFacts, type FactsInput } from './document-facts'
import { issuanceDetails } from './document-facts'

/**
 * Checks an uploaded file before anything is stored: a PDF (else NOT_A_PDF), readable and not
 * encrypted (else the signing engine's PDF_UNREADABLE / PDF_ENCRYPTED), with at least a page: a
 * file Kyso could not sign later is refused now, not at the leader's desk. Answers how many
 * signatures the file already carries (checked next: upload-check.ts).
 */
export function checkUpload(bytes: Buffer): { signatureFields: number } {
  if (bytes.subarray(0, 1024).indexOf('%PDF-') < 0)
    throw new WorkflowError('NOT_A_PDF', 'Tệp tải lên không phải PDF')
  const doc = new PdfDocument(bytes)
  doc.pageRef(doc.pageCount() - 1)
  assertChangesPermitted(doc)
  return { signatureFields: findSignatureFields(doc).length }
}

/** The upload's own signatures, validated, as the version keeps them (null: none). */
async function uploadCheckJson(s: Services, bytes: Buffer, signatureFields: number): Promise<string | null> {
  const check = await checkExistingSignatures(s, bytes, signatureFields)
  return check ? JSON.stringify(check) : null
}

export interface UploadInput extends Omit<FactsInput, 'title'> {
  title: string
  kind: 'internal' | 'procedure'
  procedureCode?: string
  file: Buffer
}

/** A drafter uploads a PDF: a draft document with its first version. */
export async function uploadDocument(s: Services, actor: Actor, input: UploadInput): Promise<DocumentRow> {
  const facts = documentFacts(input)
  const { signatureFields } = checkUpload(input.file)
  if (input.kind === 'procedure') {
    const known = input.procedureCode
      ? await s.db('procedures').where({ code: input.procedureCode }).first()
      : undefined
    if (!known)
      throw new WorkflowError('BAD_REQUEST', 'procedureCode: không có trong danh mục thủ tục hành chính')
  }
  const uploadCheck = await uploadCheckJson(s, input.file, signatureFields)
  const blob = await s.blobs.put(input.file)
  const now = new Date().toISOString()
  const id = await s.db.transaction(async (trx) => {
    const [row] = await trx('documents')
      .insert({
        agency_id: actor.agencyId,
        drafter_id: actor.id,
        title: input.title,
        title_search: searchKey(input.title),
        kind: input.kind,
        procedure_code: input.kind === 'procedure' ? input.procedureCode : null,
        status: 'draft',
        created_at: now,
        updated_at: now,
        doc_type: facts.docType,
        unit_code: facts.unitCode,
        normative: facts.normative,
        urgency: facts.urgency,
        recipients_json: facts.recipients.length ? JSON.stringify(facts.recipients) : null,
      })
      .returning('id')
    const docId = (row as { id: number }).id
    await trx('versions').insert({
      document_id: docId,
      seq: 1,
      sha256: blob.sha256,
      size: blob.size,
      created_by: actor.id,
      origin: 'upload',
      created_at: now,
      upload_check_json: uploadCheck,
    })
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'document.uploaded',
      documentId: docId,
      detail: { sha256: blob.sha256, size: blob.size },
      requestId: actor.requestId ?? null,
    })
    return docId
  })
  return readableDocument(s.db, actor, id)
}

/** After a return for revision, the drafter uploads the revised file: a new version, back to draft. */
export async function reviseDocument(
  s: Services,
  actor: Actor,
  documentId: number,
  file: Buffer,
): Promise<DocumentRow> {
  const doc = await readableDocument(s.db, actor, documentId)
  if (doc.drafter_id !== actor.id)
    throw new WorkflowError('FORBIDDEN', 'Chỉ người soạn thảo được tải lên bản sửa')
  if (doc.status !== 'returned' && doc.status !== 'draft')
    throw new WorkflowError('CONFLICT', `Văn bản đang ở trạng thái ${doc.status}, không thể tải bản mới`)
  const { signatureFields } = checkUpload(file)
  const uploadCheck = await uploadCheckJson(s, file, signatureFields)
  const blob = await s.blobs.put(file)
  const now = new Date().toISOString()
  await s.db.transaction(async (trx) => {
    // The conditional update locks the document's row first: the last version is read after it,
    // so two revisions at once cannot both take the same next number (PostgreSQL, READ COMMITTED).
    const changed = await trx('documents')
      .where({ id: doc.id, status: doc.status })
      .update({ status: 'draft', updated_at: now })
    if (!changed) throw new WorkflowError('CONFLICT', 'Văn bản vừa được thay đổi')
    const last = (await trx('versions').where({ document_id: doc.id }).max('seq as seq').first()) as {
      seq: number
    }
    await trx('versions').insert({
      document_id: doc.id,
      seq: last.seq + 1,
      sha256: blob.sha256,
      size: blob.size,
      created_by: actor.id,
      origin: 'upload',
      created_at: now,
      upload_check_json: uploadCheck,
    })
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'document.revised',
      documentId: doc.id,
      detail: { sha256: blob.sha256 },
      requestId: actor.requestId ?? null,
    })
  })
  return readableDocument(s.db, actor, documentId)
}

export async function latestVersion(
  s: Services,
  documentId: number,
): Promise<{ id: number; seq: number; sha256: string; size: number }> {
  return latestVersionRow(s.db, documentId)
}

/**
 * The file name a version downloads as: an issued document's latest version is named after its
 * number ("15/QĐ-SKHCN" -> "15-QD-SKHCN.pdf", ASCII for every browser's download bar); any other
 * version keeps "van-ban-<id>-v<n>.pdf".
 */
export function downloadName(
  doc: { id: number; status: string; outgoing_number: string | null },
  seq: number,
  latestSeq: number,
): string {
  if (doc.status === 'issued' && doc.outgoing_number && seq === latestSeq) {
    const ascii = doc.outgoing_number
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
    const safe = ascii
      .replace(/[\\/]+/g, '-')
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '')
    if (safe) return `${safe}.pdf`
  }
  return `van-ban-${doc.id}-v${seq}.pdf`
}

/** One version of a readable document by its seq (?version=N), or NOT_FOUND. */
export async function versionOf(
  s: Services,
  documentId: number,
  seq: unknown,
): Promise<{ id: number; seq: number; sha256: string; size: number }> {
  const n = Number(seq)
  const row =
    Number.isInteger(n) && n > 0
      ? await s.db('versions').where({ document_id: documentId, seq: n }).first()
      : undefined
  if (!row) throw new WorkflowError('NOT_FOUND', 'Không có phiên bản này')
  return row as { id: number; seq: number; sha256: string; size: number }
}

/** Everything the document page shows: the document, its versions, the chain and signatures. */
export async function documentDetails(
  s: Services,
  actor: Actor,
  documentId: number,
): Promise<Record<string, unknown>> {
  const doc = await readableDocument(s.db, actor, documentId)
  const versions = (await s
    .db('versions')
    .where({ document_id: doc.id })
    .orderBy('seq')
    .select(
      'id',
      'seq',
      'sha256',
      'size',
      'origin',
      'created_at as createdAt',
      'created_by as createdBy',
      'upload_check_json',
    )) as (Record<string, unknown> & { upload_check_json?: string | null })[]
  const lastUpload = versions.filter((v) => v.origin === 'upload').at(-1)
  const checked = lastUpload?.upload_check_json
  const uploadCheck = checked ? (JSON.parse(checked) as UploadCheck) : null
  for (const v of versions) delete v.upload_check_json
  const workflows = await s.db('workflows').where({ document_id: doc.id }).orderBy('round').select()
  const steps = await s
    .db('steps')
    .whereIn(
      'workflow_id',
      workflows.map((w: { id: number }) => w.id),
    )
    .orderBy(['workflow_id', 'seq'])
    .select()
  const assignees = await s
    .db('step_assignees as a')
    .join('users as u', 'u.id', 'a.user_id')
    .leftJoin('users as by', 'by.id', 'a.acted_by')
    .whereIn(
      'a.step_id',
      steps.map((x: { id: number }) => x.id),
    )
    .select(
      'a.step_id',
      'a.user_id',
      'u.username',
      'u.full_name',
      'u.title',
      'a.status',
      'a.acted_by',
      'a.acted_at',
      'by.full_name as acted_by_name',
    )
  const signatures = await s
    .db('signatures as g')
    .join('users as u', 'u.id', 'g.user_id')
    .where('g.document_id', doc.id)
    .orderBy('g.id')
    .select(
      'g.id',
      'g.step_id',
      'g.version_id',
      'g.field_name',
      'g.marker',
      'g.on_behalf_of',
      'g.indication',
      'g.sub_indication',
      'g.created_at',
      'g.key_source',
      'g.form',
      'u.username',
      'u.full_name',
    )
  // Remote signatures waiting for the signer's confirmation on their phone (issue 11).
  const waiting = (await s
    .db('signing_sessions as ss')
    .join('users as u', 'u.id', 'ss.user_id')
    .whereIn(
      'ss.step_id',
      steps.map((x: { id: number }) => x.id),
    )
    .where('ss.status', 'awaiting_confirmation')
    .select(
      'ss.id',
      'ss.step_id',
      'ss.user_id',
      'ss.key_source',
      'ss.expires_at',
      'u.username',
      'u.full_name',
    )) as {
    id: string
    step_id: number
    user_id: number
    key_source: string
    expires_at: string
    username: string
    full_name: string
  }[]
  const agency = (await s.db('agencies').where({ id: doc.agency_id }).first('code', 'name')) as {
    code: string
    name: string
  }
  const drafter = (await s.db('users').where({ id: doc.drafter_id }).first('full_name', 'title')) as {
    full_name: string
    title: string | null
  }
  const current = workflows[workflows.length - 1] as { id: number } | undefined
  // Where each signature of the current round goes (issue 12); invisible approvals are not listed.
  const placements = current
    ? (await placementsOfWorkflow(s.db, current.id))
        .filter((p) => p.visible)
        .map((p) => ({
          stepId: p.stepId,
          page: p.page,
          rect: [p.rect.x, p.rect.y, p.rect.width, p.rect.height],
          how: p.how,
          look: p.look,
          ...(p.userId !== null && {
            username: (assignees as { user_id: number; username: string }[]).find(
              (a) => a.user_id === p.userId,
            )?.username,
          }),
          ...(p.anchor && { anchor: p.anchor }),
          ...(p.note && { note: p.note }),
        }))
    : []
  return {
    id: doc.id,
    title: doc.title,
    kind: doc.kind,
    procedureCode: doc.procedure_code,
    status: doc.status,
    agencyCode: agency.code,
    agencyName: agency.name,
    drafterName: drafter.full_name,
    drafterTitle: drafter.title,
    myActions: await actionsFor(
      s,
      actor,
      doc,
      steps as { id: number; action: string; status: string; workflow_id: number }[],
      workflows as { id: number; status: string }[],
    ),
    history: await documentHistory(s.db, doc.id),
    // Issue 14: the signatures the last uploaded file already carried, validated at upload.
    uploadCheck,
    outgoingNumber: doc.outgoing_number,
    outgoingDate: doc.outgoing_date,
    agencyId: doc.agency_id,
    drafterId: doc.drafter_id,
    // Issue 13: type and numbering facts, what the seal printed, the Decree 30 metadata, copies.
    ...(await issuanceDetails(s, doc.id, agency)),
    createdAt: doc.created_at,
    updatedAt: doc.updated_at,
    finishedAt: doc.finished_at,
    versions,
    placements,
    workflows: workflows.map((w: { id: number; round: number; status: string }) => ({
      id: w.id,
      round: w.round,
      status: w.status,
      steps: steps
        .filter((st: { workflow_id: number }) => st.workflow_id === w.id)
        .map(
          (st: {
            id: number
            seq: number
            action: string
            rule: string
            status: string
            deadline: string | null
            completed_at: string | null
          }) => ({
            id: st.id,
            seq: st.seq,
            action: st.action,
            rule: st.rule,
            status: st.status,
            deadline: st.deadline,
            completedAt: st.completed_at,
            awaiting: waiting
              .filter((w) => w.step_id === st.id)
              .map((w) => ({
                status: 'awaiting_confirmation',
                keySource: w.key_source,
                expiresAt: new Date(w.expires_at).toISOString(),
                username: w.username,
                fullName: w.full_name,
                ...(w.user_id === actor.id && { signingId: w.id }),
              })),
            assignees: assignees
              .filter((a: { step_id: number }) => a.step_id === st.id)
              .map(
                (a: {
                  username: string
                  full_name: string
                  title: string | null
                  status: string
                  acted_by: number | null
                  acted_at: string | null
                  acted_by_name: string | null
                }) => ({
                  username: a.username,
                  fullName: a.full_name,
                  title: a.title,
                  status: a.status,
                  actedBy: a.acted_by,
                  actedByName: a.acted_by_name,
                  actedAt: a.acted_at,
                }),
              ),
          }),
        ),
    })),
    signatures: signatures.map((g: Record<string, unknown>) => ({
      id: g.id,
      stepId: g.step_id,
      versionId: g.version_id,
      field: g.field_name,
      marker: g.marker,
      onBehalfOf: g.on_behalf_of,
      indication: g.indication,
      subIndication: g.sub_indication,
      createdAt: g.created_at,
      username: g.username,
      fullName: g.full_name,
      keySource: g.key_source ?? 'internal',
      form: g.form ?? 'in-file',
    })),
  }
}

/**
 * What the actor may do on the document now: act on an active step (their own or a principal's by
 * delegation; never on their own draft), or as the drafter revise, submit and cancel.
 */
async function actionsFor(
  s: Services,
  actor: Actor,
  doc: DocumentRow,
  steps: { id: number; action: string; status: string; workflow_id: number }[],
  workflows: { id: number; status: string }[],
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = []
  if (doc.drafter_id === actor.id) {
    if (doc.status === 'draft' || doc.status === 'returned') out.push({ action: 'revise' })
    if (doc.status === 'draft') out.push({ action: 'submit' })
    if (['draft', 'in_progress', 'returned'].includes(doc.status)) out.push({ action: 'cancel' })
    return out
  }
  const active = new Set(workflows.filter((w) => w.status === 'active').map((w) => w.id))
  for (const st of steps) {
    if (st.status !== 'active' || !active.has(st.workflow_id)) continue
    const who = await principalIfAny(s.db, actor, st)
    if (who)
      out.push({
        action: st.action,
        stepId: st.id,
        ...(who.principalId !== actor.id && { onBehalfOf: who.principalId, marker: who.marker ?? null }),
      })
  }
  return out
}
