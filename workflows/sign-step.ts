import { createHash } from 'node:crypto'
import { buildPadesSignature } from '../signing/cms'
import { appearanceFromCertificate, signPdf, type SignPdfOptions } from '../signing/sign'
import type { KeySource } from '../signing/keys/key-source'
import type { Actor, Services } from './context'
import {
  commitStepSignature,
  type CommitInput,
  type StepSignedResult,
  type StepSignature,
} from './commit-signature'
import { WorkflowError } from '../shared/errors'
import { checkBeforeSigning } from './evidence'
import { openStoredKey } from './held-keys'
import { openWithPin } from './pin-tries'
import { storedKey, type StoredKeyRecord } from '../storage/key-records'
import { internalSigningCertificateId } from '../storage/signature-records'
import { approvalSettings } from '../storage/workflow-records'
import { issuanceWriter, prepareIssuance, type PreparedIssuance } from './issuance'
import { reasonFor, takeTurn, type Turn } from './step-turn'
import { serviceCrls } from './service-crls'
import { stepLook } from './step-appearance'

export interface SignStepInput extends CommitInput {
  pin: string
}

/**
 * The current assignee approves, signs or seals with a key the service holds for them (their
 * internal certificate, opened with their PIN). Steps:
 *  1. the turn: the step, the order and the actor's right to act (their own, or by delegation);
 *  2. outside any transaction: open the key with the PIN (a counted try: five wrong ones lock it,
 *     issue 15), check its certificate as before any
 *     signature (trust, validity, revocation), sign the latest version — or, for an approval in an
 *     agency that keeps approvals detached, sign a CAdES signature over it;
 *  3. record it (commit-signature.ts).
 */
export async function signStep(
  s: Services,
  actor: Actor,
  stepId: number,
  input: SignStepInput,
): Promise<StepSignedResult> {
  // 1.
  const turn = await takeTurn(s, actor, stepId)
  const cert = await internalCertificateFor(s, actor, turn)
  // A seal takes its number from the register before signing: the number goes into the file.
  const issuance = turn.step.action === 'seal' ? await prepareIssuance(s, actor, turn, input) : undefined
  // 2.
  const keySource = await openWithPin(s, actor, { id: cert.id, stored: cert.p12, pin: input.pin }, () =>
    openStoredKey(s, cert, input.pin),
  )
  const evidence = await checkBeforeSigning(s, keySource.certificate, [...keySource.chain], 'internal')
  const before = await s.blobs.get(turn.base.sha256)
  const detached =
    turn.step.action === 'approve' && (await approvalMode(s, turn.doc.agency_id)) === 'detached'
  const writer = issuance && issuanceWriter(issuance)
  const signed: StepSignature = detached
    ? { ...(await detachedApproval(s, turn, keySource, before)), certificateId: cert.id, evidence }
    : {
        ...(await signInFile(s, actor, turn, keySource, before, writer?.options)),
        certificateId: cert.id,
        evidence,
      }
  // 3.
  return commitStepSignature(s, actor, turn, signed, {
    ...input,
    ...(issuance && writer && issuedAs(issuance, writer.outcome())),
  })
}

/** The commit input of a seal: its number, date and register entry, and what was printed. */
export function issuedAs(
  p: PreparedIssuance,
  outcome: ReturnType<ReturnType<typeof issuanceWriter>['outcome']>,
): CommitInput {
  return { outgoingNumber: p.number, outgoingDate: p.date, issuance: { ...outcome, entryId: p.entryId } }
}

async function internalCertificateFor(s: Services, actor: Actor, turn: Turn): Promise<StoredKeyRecord> {
  const seal = turn.step.action === 'seal'
  const id = await internalSigningCertificateId(s.db, {
    holderUserId: actor.id,
    kind: seal ? 'seal' : 'personal',
    ...(seal && { agencyId: turn.doc.agency_id }),
  })
  const stored = id !== undefined ? await storedKey(s.db, id) : undefined
  if (!stored) {
    throw new WorkflowError(
      'NO_CERTIFICATE',
      seal ? 'Không có chứng thư số của cơ quan cho văn thư này' : 'Bạn chưa có chứng thư số',
    )
  }
  return stored
}

async function approvalMode(s: Services, agencyId: number): Promise<'in-file' | 'detached'> {
  const { approvalMode } = await approvalSettings(s.db, agencyId)
  return approvalMode === 'detached' ? 'detached' : 'in-file'
}

async function signInFile(
  s: Services,
  actor: Actor,
  turn: Turn,
  keySource: KeySource,
  before: Buffer,
  issuance?: Pick<SignPdfOptions, 'alsoWrite' | 'lockFields'>,
): Promise<{ pdf: Buffer; fieldName: string }> {
  const { step } = turn
  const base = appearanceFromCertificate(keySource.certificate, {
    kind: step.action === 'seal' ? 'seal' : 'personal',
    ...(turn.who.marker && { marker: turn.who.marker }),
    ...(turn.who.principalTitle && { principalTitle: turn.who.principalTitle }),
  })
  // Where the document puts this signature, as planned at submission (issue 12).
  const look = await stepLook(s, actor, turn, base)
  const crls = await serviceCrls(s)
  const signed = await signPdf(before, {
    keySource,
    appearance: look.appearance,
    ...(look.page !== undefined && { page: look.page }),
    ...(look.rect && { rect: look.rect }),
    reason: reasonFor(step.action),
    ...(crls.length && { revocation: { crls } }),
    ...(s.timestamp && { timestamp: s.timestamp }),
    ...issuance,
  })
  return { pdf: signed.pdf, fieldName: signed.fieldName }
}

/**
 * An approval kept outside the file (issue 11, point 6): a CAdES detached signature (RFC 5652,
 * id-data, the same signed attributes as the PAdES ones) over the exact bytes of the version the
 * head approved, with a signature time-stamp when the service has a TSA. The file itself then
 * carries only the signatures its readers can trust (the leader's and the seal, on keys under
 * the national root).
 */
async function detachedApproval(
  s: Services,
  turn: Turn,
  keySource: KeySource,
  version: Buffer,
): Promise<{ detachedCms: Buffer; fieldName: string }> {
  // A PAdES CMS is a CAdES detached signature over a digest: here the digest of the whole version.
  const digest = createHash('sha256').update(version).digest()
  const detachedCms = await buildPadesSignature({
    digest,
    keySource,
    ...(s.timestamp && { timestamp: s.timestamp }),
  })
  return { detachedCms, fieldName: `detached-step${turn.step.id}-v${turn.base.seq}-${turn.who.principalId}` }
}
