import { findRecipients, type LayoutReport } from '../signing/layout'
import { prepareIssuanceFields } from '../signing/sign'
import { hasRecipients, setIssuancePlan, setRecipients } from '../storage/issuance-records'
import { insertVersion } from '../storage/version-records'
import type { Tx } from '../storage/transaction'
import type { Services } from './context'
import { WorkflowError } from '../shared/errors'
import type { StoredIssuance } from './issuance'

/** What submission adds for a round that ends with a seal: the version with its fields, the plan, the recipients. */
export interface SubmissionIssuance {
  stored: StoredIssuance
  /** Kyso's preparation revision (unsigned): the version the round's signers sign. */
  prepared?: { pdf: Buffer; sha256: string; size: number }
  recipients: string[]
}

/**
 * At submission, outside any transaction: a first page stamped secret ("MẬT") is refused
 * (STATE_SECRET, as an upload marked secret is); when the round ends with a seal, the number and date
 * fields are written into a new version before anyone signs (issue 13; signing/sign/issuance-fields.ts
 * says why they must precede the first signature), from the blanks the layout found on page 1.
 * A draft whose "Số" line already carries a number gets no number field; one whose text could not
 * be read, or that already carries signatures, gets none at all, and the notes say why.
 */
export async function prepareSubmission(
  s: Services,
  pdf: Buffer,
  layout: LayoutReport | undefined,
  sealed: boolean,
): Promise<SubmissionIssuance> {
  const mark = layout?.issuance.secrecyMark
  if (mark) {
    throw new WorkflowError(
      'STATE_SECRET',
      `Văn bản mang dấu độ mật "${mark}": không được xử lý trên hệ thống kết nối Internet ` +
        '(Luật Bảo vệ bí mật nhà nước số 29/2018/QH14)',
    )
  }
  const recipients = layout ? findRecipients(layout.pages) : []
  if (!sealed) return { stored: { plan: null, notes: ['the round has no seal step'] }, recipients }
  const slots = layout?.issuance
  if (!slots)
    return {
      stored: {
        plan: null,
        notes: ["the document's text could not be read: the number and date are not printed"],
      },
      recipients,
    }
  const notes = [...slots.notes]
  const numberFilled = slots.numberFilled?.trim()
  if (numberFilled)
    notes.push(`the draft already carries the number ${numberFilled}: nothing is printed over it`)
  if (slots.dateFilled)
    notes.push(`the draft already carries its date (${slots.dateFilled}): nothing is printed over it`)
  const made = prepareIssuanceFields(pdf, slots)
  if ('skipped' in made) {
    notes.push(made.skipped)
    return { stored: { plan: null, notes, ...(numberFilled && { numberFilled }) }, recipients }
  }
  const blob = await s.blobs.put(made.pdf)
  return {
    stored: { plan: made.plan, notes, ...(numberFilled && { numberFilled }) },
    prepared: { pdf: made.pdf, ...blob },
    recipients,
  }
}

/** Records the preparation in the submission's transaction: the new version and the round's plan. */
export async function recordPreparation(
  trx: Tx,
  p: {
    documentId: number
    workflowId: number
    actorId: number
    baseSeq: number
    now: string
    issuance: SubmissionIssuance
  },
): Promise<number | null> {
  const { issuance } = p
  await setIssuancePlan(trx, p.workflowId, issuance.stored)
  if (!(await hasRecipients(trx, p.documentId)) && issuance.recipients.length > 0) {
    await setRecipients(trx, p.documentId, issuance.recipients)
  }
  if (!issuance.prepared) return null
  await insertVersion(trx, {
    documentId: p.documentId,
    seq: p.baseSeq + 1,
    sha256: issuance.prepared.sha256,
    size: issuance.prepared.size,
    createdBy: p.actorId,
    origin: 'preparation',
    createdAt: p.now,
  })
  return p.baseSeq + 1
}
