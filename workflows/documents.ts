import { PdfDocument } from '../signing/pdf/document'
import { assertChangesPermitted } from '../signing/sign/form'
import { appendAudit } from '../storage/audit'
import {
  agencyIdentity,
  changeDocumentStatus,
  insertDocument,
  userNameAndTitle,
} from '../storage/document-records'
import { procedureKnown } from '../storage/paper-documents'
import { searchKey } from '../storage/search-key'
import { signaturesOfDocument, type SignatureListing } from '../storage/signature-records'
import { awaitingConfirmationOfSteps, type AwaitingConfirmation } from '../storage/signing-sessions'
import {
  assigneesOfSteps,
  stepsOfWorkflows,
  type AssigneeListing,
  type StepAction,
  type StepRecord,
} from '../storage/step-records'
import { inTransaction } from '../storage/transaction'
import {
  insertVersion,
  lastVersionSeq,
  versionBySeq,
  versionsOfDocument,
  type VersionDetail,
} from '../storage/version-records'
import { workflowsOfDocument, type WorkflowRecord } from '../storage/workflow-records'
import { readableDocument } from '../storage/document-access'
import type { Actor, DocumentRow, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { documentHistory, type DocumentEvent } from './directory'
import { latestVersion as latestVersionRow, principalIfAny } from './step-turn'
import { placementsOfWorkflow, type PlacementRecord } from '../storage/placements'
import { findSignatureFields } from '../signing/verify'
import { checkExistingSignatures, type UploadCheck } from './upload-check'
import { documentFacts, type FactsInput } from './document-facts'
import { issuanceDetails, type IssuanceDetails } from './document-facts'

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
    const known = input.procedureCode ? await procedureKnown(s.db, input.procedureCode) : false
    if (!known)
      throw new WorkflowError('BAD_REQUEST', 'procedureCode: không có trong danh mục thủ tục hành chính')
  }
  const uploadCheck = await uploadCheckJson(s, input.file, signatureFields)
  const blob = await s.blobs.put(input.file)
  const now = new Date().toISOString()
  const id = await inTransaction(s.db, async (trx) => {
    const docId = await insertDocument(trx, {
      agencyId: actor.agencyId,
      drafterId: actor.id,
      title: input.title,
      titleSearch: searchKey(input.title),
      kind: input.kind,
      procedureCode: input.kind === 'procedure' ? input.procedureCode : null,
      status: 'draft',
      createdAt: now,
      docType: facts.docType,
      unitCode: facts.unitCode,
      normative: facts.normative,
      urgency: facts.urgency,
      recipientsJson: facts.recipients.length ? JSON.stringify(facts.recipients) : null,
    })
    await insertVersion(trx, {
      documentId: docId,
      seq: 1,
      sha256: blob.sha256,
      size: blob.size,
      createdBy: actor.id,
      origin: 'upload',
      createdAt: now,
      uploadCheckJson: uploadCheck,
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
  await inTransaction(s.db, async (trx) => {
    // The conditional update locks the document's row first: the last version is read after it,
    // so two revisions at once cannot both take the same next number (PostgreSQL, READ COMMITTED).
    const reopened = { status: 'draft' as const, updatedAt: now }
    if (!(await changeDocumentStatus(trx, doc.id, reopened, [doc.status])))
      throw new WorkflowError('CONFLICT', 'Văn bản vừa được thay đổi')
    await insertVersion(trx, {
      documentId: doc.id,
      seq: (await lastVersionSeq(trx, doc.id)) + 1,
      sha256: blob.sha256,
      size: blob.size,
      createdBy: actor.id,
      origin: 'upload',
      createdAt: now,
      uploadCheckJson: uploadCheck,
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
  const row = Number.isInteger(n) && n > 0 ? await versionBySeq(s.db, documentId, n) : undefined
  if (!row) throw new WorkflowError('NOT_FOUND', 'Không có phiên bản này')
  return row
}

/** What the actor may do on a document now: as the drafter, or on an active step (for a principal too). */
export interface DocumentAction {
  action: 'revise' | 'submit' | 'cancel' | StepAction
  stepId?: number
  /** Acting for a principal who delegated: their id and the marker (KT., TL., …) signed under. */
  onBehalfOf?: number
  marker?: string | null
}

/** Where a visible signature of the current round goes (issue 12). */
export interface PlacementView extends Pick<PlacementRecord, 'stepId' | 'page' | 'how' | 'look'> {
  /** x, y, width, height. */
  rect: number[]
  /** The assignee it is for, when each assignee of the step signs in their own place. */
  username?: string
  anchor?: string
  note?: string
}

/** A remote signature waiting for its signer's confirmation (issue 11). */
export interface AwaitingView
  extends Pick<AwaitingConfirmation, 'keySource' | 'expiresAt' | 'username' | 'fullName'> {
  status: 'awaiting_confirmation'
  /** Only to the signer it waits for. */
  signingId?: string
}

export interface StepView extends Omit<StepRecord, 'workflowId'> {
  awaiting: AwaitingView[]
  assignees: Omit<AssigneeListing, 'stepId' | 'userId'>[]
}

export interface WorkflowView extends Omit<WorkflowRecord, 'documentId'> {
  steps: StepView[]
}

/** A signature on the document; one recorded before key sources or forms existed reads as internal, in-file. */
export interface SignatureView extends Omit<SignatureListing, 'fieldName' | 'keySource' | 'form'> {
  field: string
  keySource: string
  form: string
}

/** `GET /api/documents/:id`: the document, its versions, the chain and signatures, and its issue 13 facts. */
export interface DocumentDetails extends IssuanceDetails {
  id: number
  title: string
  kind: DocumentRow['kind']
  procedureCode: string | null
  status: DocumentRow['status']
  agencyCode: string
  agencyName: string
  drafterName: string
  drafterTitle: string | null
  myActions: DocumentAction[]
  history: DocumentEvent[]
  uploadCheck: UploadCheck | null
  outgoingNumber: string | null
  outgoingDate: string | null
  agencyId: number
  drafterId: number
  createdAt: string
  updatedAt: string
  finishedAt: string | null
  versions: Omit<VersionDetail, 'uploadCheckJson'>[]
  placements: PlacementView[]
  workflows: WorkflowView[]
  signatures: SignatureView[]
}

/** Everything the document page shows: the document, its versions, the chain and signatures. */
export async function documentDetails(
  s: Services,
  actor: Actor,
  documentId: number,
): Promise<DocumentDetails> {
  const doc = await readableDocument(s.db, actor, documentId)
  const versions = await versionsOfDocument(s.db, doc.id)
  const checked = versions.filter((v) => v.origin === 'upload').at(-1)?.uploadCheckJson
  const uploadCheck = checked ? (JSON.parse(checked) as UploadCheck) : null
  const workflows = await workflowsOfDocument(s.db, doc.id)
  const steps = await stepsOfWorkflows(
    s.db,
    workflows.map((w) => w.id),
  )
  const stepIds = steps.map((x) => x.id)
  const assignees = await assigneesOfSteps(s.db, stepIds)
  const signatures = await signaturesOfDocument(s.db, doc.id)
  // Remote signatures waiting for the signer's confirmation on their phone (issue 11).
  const waiting = await awaitingConfirmationOfSteps(s.db, stepIds)
  const agency = await agencyIdentity(s.db, doc.agency_id)
  const drafter = await userNameAndTitle(s.db, doc.drafter_id)
  const current = workflows[workflows.length - 1]
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
          ...(p.userId !== null && { username: assignees.find((a) => a.userId === p.userId)?.username }),
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
    drafterName: drafter.fullName,
    drafterTitle: drafter.title,
    myActions: await actionsFor(s, actor, doc, steps, workflows),
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
    versions: versions.map((v) => ({
      id: v.id,
      seq: v.seq,
      sha256: v.sha256,
      size: v.size,
      origin: v.origin,
      createdAt: v.createdAt,
      createdBy: v.createdBy,
    })),
    placements,
    workflows: workflows.map((w) => ({
      id: w.id,
      round: w.round,
      status: w.status,
      steps: steps
        .filter((st) => st.workflowId === w.id)
        .map((st) => ({
          id: st.id,
          seq: st.seq,
          action: st.action,
          rule: st.rule,
          status: st.status,
          deadline: st.deadline,
          completedAt: st.completedAt,
          awaiting: waiting
            .filter((w) => w.stepId === st.id)
            .map((w) => ({
              status: 'awaiting_confirmation',
              keySource: w.keySource,
              expiresAt: w.expiresAt,
              username: w.username,
              fullName: w.fullName,
              ...(w.userId === actor.id && { signingId: w.id }),
            })),
          assignees: assignees
            .filter((a) => a.stepId === st.id)
            .map((a) => ({
              username: a.username,
              fullName: a.fullName,
              title: a.title,
              status: a.status,
              actedBy: a.actedBy,
              actedByName: a.actedByName,
              actedAt: a.actedAt,
            })),
        })),
    })),
    signatures: signatures.map((g) => ({
      id: g.id,
      stepId: g.stepId,
      versionId: g.versionId,
      field: g.fieldName,
      marker: g.marker,
      onBehalfOf: g.onBehalfOf,
      indication: g.indication,
      subIndication: g.subIndication,
      createdAt: g.createdAt,
      username: g.username,
      fullName: g.fullName,
      keySource: g.keySource ?? 'internal',
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
  steps: StepRecord[],
  workflows: WorkflowRecord[],
): Promise<DocumentAction[]> {
  const out: DocumentAction[] = []
  if (doc.drafter_id === actor.id) {
    if (doc.status === 'draft' || doc.status === 'returned') out.push({ action: 'revise' })
    if (doc.status === 'draft') out.push({ action: 'submit' })
    if (['draft', 'in_progress', 'returned'].includes(doc.status)) out.push({ action: 'cancel' })
    return out
  }
  const active = new Set(workflows.filter((w) => w.status === 'active').map((w) => w.id))
  for (const st of steps) {
    if (st.status !== 'active' || !active.has(st.workflowId)) continue
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
