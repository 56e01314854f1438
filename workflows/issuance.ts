/**
 * Issuance as the records office does it (issue 13): the seal takes its number from the agency's
 * register, prints number and date into the fields prepared at submission, writes the Decree 30
 * metadata, and locks the fields with its own signature. One preparation shared by every way of
 * making the seal: the PIN, two-phase and the agent, remote signing, and the signed-file return.
 */
import { writeIssuanceFill, writeXmpMetadata, type IssuancePlan, type SignPdfOptions } from '../signing/sign'
import { ISSUANCE_FIELD_NAMES } from '../signing/pdf/fields'
import {
  agencyNameOf,
  issuanceDocument,
  issuancePlanOf,
  roundSignerName,
  type StoredIssuance,
} from '../storage/issuance-records'
import { normaliseNumber } from '../storage/outgoing-register'
import { WorkflowError } from '../shared/errors'
import type { Actor, Services } from './context'
import { DOCUMENT_TYPES, printedPart, reserveNumber, type Reservation } from './outgoing-register'
import type { Turn } from './step-turn'

export interface IssuanceInput {
  outgoingNumber?: string
  outgoingDate?: string
}

/** A seal about to be made: its number and date, and what its revision writes besides the signature. */
export interface PreparedIssuance extends Reservation {
  plan: IssuancePlan | null
  /** What is said in the answer and the audit: why the number or the date was not printed. */
  notes: string[]
  metadata: Parameters<typeof writeXmpMetadata>[2]
}

/** What the seal's revision did: printed or not (the draft already carried a number, no blank found). */
export interface IssuanceOutcome {
  numberPrinted: boolean
  datePrinted: boolean
  notes: string[]
}

export type { StoredIssuance } from '../storage/issuance-records'

async function storedOf(s: Services, workflowId: number): Promise<StoredIssuance> {
  return (
    (await issuancePlanOf(s.db, workflowId)) ?? {
      plan: null,
      notes: ['no number or date fields were prepared at submission: nothing is printed on the document'],
    }
  )
}

/** Whether a number ends with the draft's notation, as the register compares numbers (case, spaces). */
function sameNotation(number: string, notation: string): boolean {
  const fold = (t: string) => normaliseNumber(t).toUpperCase()
  return fold(number).endsWith(fold(notation))
}

/**
 * Reserves the seal's number in the register and gathers what its revision writes. The draft's
 * own notation (what it prints after the blank, "/QĐ-SKHCN") is the default notation when there
 * is one: a number printed before another notation would not be the register's.
 */
export async function prepareIssuance(
  s: Services,
  actor: Actor,
  turn: Turn,
  input: IssuanceInput,
): Promise<PreparedIssuance> {
  const doc = await issuanceDocument(s.db, turn.doc.id)
  const agency = await agencyNameOf(s.db, doc.agencyId)
  const stored = await storedOf(s, turn.step.workflow_id)
  const plan = stored.plan
  const facts = {
    docType: doc.docType ?? 'CV',
    agencyCode: agency.code,
    unitCode: doc.unitCode,
    normative: doc.normative,
  }
  const notation = plan?.number?.notation
  // The draft prints its notation after the blank: a typed number under another notation would be
  // printed as a number the register does not hold ("1501" before "/QĐ-SKHCN" for "1501/SKHCN-VP").
  // Refused before anything is reserved, so the clerk types it again or takes the next.
  if (input.outgoingNumber && notation && !sameNotation(input.outgoingNumber, notation)) {
    throw new WorkflowError(
      'BAD_REQUEST',
      `outgoingNumber: văn bản in sẵn ký hiệu ${notation} sau chỗ trống của số; hãy nhập ` +
        `${printedPart(input.outgoingNumber)}${notation} hoặc để trống để lấy số tiếp theo của sổ`,
    )
  }
  // A draft that already carries its number is issued under it unless the clerk types another.
  const typed = input.outgoingNumber ?? stored.numberFilled
  const reservation = await reserveNumber(
    s,
    actor,
    doc,
    { ...facts, ...(notation && { notation }) },
    { ...input, ...(typed && { outgoingNumber: typed }) },
  )
  const notes: string[] = [...stored.notes]
  if (plan && notation && !reservation.number.endsWith(notation)) {
    notes.push(
      `the number ${reservation.number} does not end with the draft's notation ${notation}: only ${printedPart(reservation.number)} is printed`,
    )
  }
  const year = Number(reservation.date.slice(0, 4))
  if (plan?.date?.printedYear !== undefined && plan.date.printedYear !== year) {
    notes.push(`the draft prints the year ${plan.date.printedYear}, the date given is in ${year}`)
  }
  const metadata = {
    organ: agency.name,
    organCode: agency.code,
    number: reservation.number,
    date: reservation.date,
    type: DOCUMENT_TYPES[facts.docType] ?? facts.docType,
    ...(facts.docType !== 'CV' && { typeCode: facts.docType }),
    summary: doc.title,
    // The competent person of this round: who signed its "sign" step (the metadata's người ký).
    signer: (await roundSignerName(s.db, turn.step.workflow_id)) ?? '',
    recipients: doc.recipients ?? [],
    secrecy: 'Không mật',
    urgency: doc.urgency ?? 'Thường',
  }
  return { ...reservation, plan, notes, metadata }
}

/**
 * What the seal's revision writes besides the signature (`signPdf`'s `alsoWrite`), and the fields
 * its FieldMDP lock names; `outcome` says afterwards what was printed.
 */
export function issuanceWriter(p: PreparedIssuance): {
  options: Pick<SignPdfOptions, 'alsoWrite' | 'lockFields'>
  outcome: () => IssuanceOutcome
} {
  const result: IssuanceOutcome = { numberPrinted: false, datePrinted: false, notes: [...p.notes] }
  const [year, month, day] = p.date.split('-') as [string, string, string]
  const alsoWrite: SignPdfOptions['alsoWrite'] = (upd, doc) => {
    if (p.plan) {
      const fill = writeIssuanceFill(upd, doc, p.plan, {
        number: printedPart(p.number),
        date: { day, month, year },
      })
      result.numberPrinted = fill.numberPrinted
      result.datePrinted = fill.datePrinted
      if (fill.condensed)
        result.notes.push('a blank was narrower than its text: the text was condensed to fit')
    }
    writeXmpMetadata(upd, doc, p.metadata)
  }
  return {
    options: { alsoWrite, ...(p.plan && { lockFields: [...ISSUANCE_FIELD_NAMES] }) },
    outcome: () => result,
  }
}
