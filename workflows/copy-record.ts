import { textLinesHeight, textLinesWidth } from '../signing/appearance'
import type { KeySource } from '../signing/keys/key-source'
import { rectToUser, type Rect } from '../signing/layout'
import type { PdfDocument } from '../signing/pdf/document'
import { pageGeometry } from '../signing/sign/placement'
import { vnDate } from '../shared/period'
import { appendAudit } from '../storage/audit'
import { activeSealCertificateId, insertIssuedCopy } from '../storage/copies-records'
import { deleteReservedEntry, insertEntry, nextSeq, useEntryFor } from '../storage/outgoing-register'
import { isUniqueViolation } from '../storage/sql'
import { inTransaction } from '../storage/transaction'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { openStoredKey } from './held-keys'
import { openWithPin } from './pin-tries'
import { storedKey } from '../storage/key-records'
import { checkBeforeSigning, type SignatureEvidence } from './evidence'
import { formatSeq } from './outgoing-register'
import { recordVerdicts } from './verdicts'

/** The agency's seal key, held by this clerk, opened with their PIN and checked as before any signature. */
export async function sealKeyOf(
  s: Services,
  actor: Actor,
  pin: unknown,
): Promise<{ keySource: KeySource; certificateId: number; evidence: SignatureEvidence }> {
  if (typeof pin !== 'string' || pin.length === 0) throw new WorkflowError('BAD_REQUEST', 'pin: required')
  const sealId = await activeSealCertificateId(s.db, { userId: actor.id, agencyId: actor.agencyId })
  const stored = sealId !== undefined ? await storedKey(s.db, sealId) : undefined
  if (!stored) throw new WorkflowError('NO_CERTIFICATE', 'Không có chứng thư số của cơ quan cho văn thư này')
  // The PIN's tries are counted as for any signature (issue 15); an HSM seal key opens the same way.
  const keySource = await openWithPin(s, actor, { id: stored.id, stored: stored.p12, pin }, () =>
    openStoredKey(s, stored, pin),
  )
  const evidence = await checkBeforeSigning(s, keySource.certificate, [...keySource.chain], 'internal')
  return { keySource, certificateId: stored.id, evidence }
}

/**
 * The top right of the first page as displayed (Decree 30/2020 Appendix I: a copy's or an
 * attachment's organisation signature), in the top margin above the national motto, as wide as
 * its longest line at 10 pt (at most 45% of the page).
 */
export function stampRect(doc: PdfDocument, lines: string[]): Rect {
  const page = doc.dict(doc.pageRef(0))
  if (!page) throw new WorkflowError('BAD_REQUEST', 'the first page cannot be read')
  const g = pageGeometry(doc, page)
  const turned = g.rotate === 90 || g.rotate === 270
  const width = turned ? g.view.height : g.view.width
  const height = turned ? g.view.width : g.view.height
  const w = Math.min(textLinesWidth(lines, 10), 0.45 * width)
  const h = textLinesHeight(lines.length, 10)
  // Inside the right margin (Decree 30/2020 Appendix I: 15 to 20 mm), in the top one, above the motto.
  return rectToUser(g, { x: width - 42.5 - w, y: height - 6 - h, width: w, height: h })
}

export interface CopyRecord {
  kind: 'copy' | 'attachment'
  title: string
  copyOf: number | null
  copyForm: string
  /** The copies register's notation parts ("SY", "SKHCN"), or null for an attachment. */
  register: { code: string; agencyCode: string } | null
  json: Record<string, unknown>
  sign: (
    number: string,
  ) => Promise<{ pdf: Buffer; fieldName: string; certificateId: number; evidence: SignatureEvidence }>
}

async function reserveCopyNumber(
  s: Services,
  actor: Actor,
  reg: { code: string; agencyCode: string },
  title: string,
): Promise<{ id: number; number: string }> {
  const date = vnDate(new Date())
  const year = Number(date.slice(0, 4))
  for (let attempt = 0; attempt < 8; attempt++) {
    const seq = await nextSeq(s.db, actor.agencyId, 'copies', year)
    const number = `${formatSeq(seq)}/${reg.code}-${reg.agencyCode}`
    try {
      const e = {
        agencyId: actor.agencyId,
        register: 'copies' as const,
        seq,
        number,
        date,
        status: 'reserved' as const,
        title,
        createdBy: actor.id,
      }
      return { id: await insertEntry(s.db, e), number }
    } catch (err) {
      if (!isUniqueViolation(err)) throw err
    }
  }
  throw new WorkflowError('CONFLICT', 'Sổ bản sao đang bận; hãy thử lại')
}

/**
 * Records a copy or an attachment as a document issued at once: its only version, a completed
 * round of one seal step done by the clerk, the signature with its evidence, its number used in
 * the copies register, the audit event; then its signatures are validated after the answer.
 */
export async function recordCopy(s: Services, actor: Actor, c: CopyRecord): Promise<number> {
  const entry = c.register ? await reserveCopyNumber(s, actor, c.register, c.title) : undefined
  let signed: Awaited<ReturnType<CopyRecord['sign']>>
  try {
    signed = await c.sign(entry?.number ?? '')
  } catch (err) {
    // Nothing carries the number yet: a refused PIN leaves no gap in the register.
    if (entry) await deleteReservedEntry(s.db, entry.id)
    throw err
  }
  const blob = await s.blobs.put(signed.pdf)
  const now = new Date().toISOString()
  const id = await inTransaction(s.db, async (trx) => {
    const docId = await insertIssuedCopy(trx, {
      agencyId: actor.agencyId,
      clerkId: actor.id,
      title: c.title,
      kind: c.kind,
      outgoingNumber: entry?.number ?? null,
      outgoingDate: entry ? vnDate(new Date()) : null,
      copyOf: c.copyOf,
      copyForm: c.copyForm,
      copyJson: c.json,
      blob,
      signature: {
        certificateId: signed.certificateId,
        fieldName: signed.fieldName,
        evidence: signed.evidence,
      },
      at: now,
    })
    if (entry) await useEntryFor(trx, entry.id, docId)
    await appendAudit(trx, {
      actorId: actor.id,
      action: c.kind === 'copy' ? 'document.copied' : 'document.attachment-issued',
      documentId: docId,
      requestId: actor.requestId ?? null,
      detail: { copyOf: c.copyOf, form: c.copyForm, number: entry?.number ?? null, sha256: blob.sha256 },
    })
    return docId
  })
  const task = new Promise((resolve) => setImmediate(resolve))
    .then(() => recordVerdicts(s, id, signed.pdf))
    .catch((err: unknown) =>
      s.log?.({ level: 'error', msg: 'recording verdicts failed', documentId: id, error: String(err) }),
    )
  s.track?.(task)
  return id
}
