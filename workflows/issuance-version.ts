/**
 * The seal made by the clerk's own tool (signed-file return, the VGCA plugin): the tool signs the
 * file it is served and draws nothing of Kyso's, so the number and date must already be in that
 * file. `POST /api/steps/:id/issuance` reserves the number and writes an unsigned revision that
 * fills the fields and the metadata (a new version, origin 'issuance'); `/to-sign` then serves it.
 */
import { IncrementalUpdate } from '../signing/pdf/incremental'
import { PdfDocument } from '../signing/pdf/document'
import { appendAudit } from '../storage/audit'
import { issuanceOutcomeOf, setIssuanceOutcome, versionOrigin } from '../storage/issuance-records'
import { insertVersion } from '../storage/version-records'
import { inTransaction } from '../storage/transaction'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { issuanceWriter, prepareIssuance, type IssuanceInput, type IssuanceOutcome } from './issuance'
import { latestVersion, takeTurn, type Turn } from './step-turn'

export interface IssuanceVersionAnswer extends IssuanceOutcome {
  outgoingNumber: string
  outgoingDate: string
  /** The version to sign now (its SHA-256 is the ETag of /to-sign). */
  version: number
  sha256: string
}

export async function prepareIssuanceVersion(
  s: Services,
  actor: Actor,
  stepId: number,
  input: IssuanceInput,
): Promise<IssuanceVersionAnswer> {
  const turn = await takeTurn(s, actor, stepId)
  if (turn.step.action !== 'seal')
    throw new WorkflowError('BAD_REQUEST', 'Chỉ bước đóng dấu mới cấp số và ngày ban hành')
  const issuance = await prepareIssuance(s, actor, turn, input)
  const writer = issuanceWriter(issuance)
  const base = await s.blobs.get(turn.base.sha256)
  const doc = new PdfDocument(base)
  const upd = new IncrementalUpdate(doc)
  writer.options.alsoWrite?.(upd, doc)
  const blob = await s.blobs.put(upd.write())
  const outcome = writer.outcome()
  const now = new Date().toISOString()
  await inTransaction(s.db, async (trx) => {
    const latest = await latestVersion(trx, turn.doc.id)
    if (latest.id !== turn.base.id)
      throw new WorkflowError('VERSION_CONFLICT', 'Văn bản vừa có phiên bản mới; hãy thử lại')
    await insertVersion(trx, {
      documentId: turn.doc.id,
      seq: turn.base.seq + 1,
      sha256: blob.sha256,
      size: blob.size,
      createdBy: actor.id,
      origin: 'issuance',
      createdAt: now,
    })
    await setIssuanceOutcome(trx, turn.doc.id, { ...outcome, entryId: issuance.entryId }, now)
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'document.numbered',
      documentId: turn.doc.id,
      requestId: actor.requestId ?? null,
      detail: {
        stepId,
        version: turn.base.seq + 1,
        outgoingNumber: issuance.number,
        outgoingDate: issuance.date,
        ...outcome,
      },
    })
  })
  return {
    outgoingNumber: issuance.number,
    outgoingDate: issuance.date,
    version: turn.base.seq + 1,
    sha256: blob.sha256,
    ...outcome,
  }
}

/**
 * What a signed-file seal issued: the version it signed was Kyso's issuance version (number and
 * date printed, recorded when it was written), or an earlier one (nothing printed: said so).
 */
export async function signedFileIssuance(
  s: Services,
  actor: Actor,
  turn: Turn,
  input: IssuanceInput,
): Promise<{ number: string; date: string; outcome: IssuanceOutcome & { entryId: number } }> {
  const issuance = await prepareIssuance(s, actor, turn, input)
  const origin = await versionOrigin(s.db, turn.base.id)
  const recorded = await issuanceOutcomeOf(s.db, turn.doc.id)
  const written = origin === 'issuance' ? recorded : undefined
  if (written && written.entryId === issuance.entryId)
    return { number: issuance.number, date: issuance.date, outcome: written }
  const note =
    'the seal was made on a version without the number and date (POST /api/steps/:id/issuance first prints them)'
  const outcome = {
    numberPrinted: false,
    datePrinted: false,
    notes: [...issuance.notes, note],
    entryId: issuance.entryId,
  }
  return { number: issuance.number, date: issuance.date, outcome }
}
