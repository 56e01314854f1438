import type { IssuancePlan } from '../signing/sign'
import type { Queryable } from './transaction'

/**
 * What issuance reads and writes beside the register (issue 13): the plan prepared at submission,
 * a document's issuance facts and outcome, and the versions the preparation, the number and the
 * extensions add.
 */

/** What submission found and prepared (workflows.issuance_plan_json). */
export interface StoredIssuance {
  plan: IssuancePlan | null
  notes: string[]
  /** The draft's "Số" line already carries this number. */
  numberFilled?: string
}

/** An agency's notation code and name (the seal's appearance, the metadata, the register). */
export interface AgencyName {
  code: string
  name: string
}

/** The columns of issue 13 on a document, as the seal reads them. */
export interface IssuanceDocument {
  id: number
  agencyId: number
  title: string
  docType: string | null
  unitCode: string | null
  normative: boolean
  urgency: string | null
  /** The recipients ("Nơi nhận") found at submission, or null when none were recorded. */
  recipients: string[] | null
}

/** What a seal's revision printed, with the register entry it used (documents.issuance_json). */
export interface RecordedIssuance {
  numberPrinted: boolean
  datePrinted: boolean
  notes: string[]
  entryId: number
}

export async function agencyNameOf(db: Queryable, agencyId: number): Promise<AgencyName> {
  const r = (await db('agencies').where({ id: agencyId }).first('code', 'name')) as AgencyName
  return { code: r.code, name: r.name }
}

/** The round's plan; null when submission recorded none (a round from before issue 13). */
export async function issuancePlanOf(db: Queryable, workflowId: number): Promise<StoredIssuance | null> {
  const row = (await db('workflows').where({ id: workflowId }).first('issuance_plan_json')) as {
    issuance_plan_json: string | null
  }
  return row.issuance_plan_json ? (JSON.parse(row.issuance_plan_json) as StoredIssuance) : null
}

export async function setIssuancePlan(
  db: Queryable,
  workflowId: number,
  stored: StoredIssuance,
): Promise<void> {
  await db('workflows')
    .where({ id: workflowId })
    .update({ issuance_plan_json: JSON.stringify(stored) })
}

/** The full name of who signed the round's latest "sign" step, if anyone did. */
export async function roundSignerName(db: Queryable, workflowId: number): Promise<string | undefined> {
  const row = (await db('signatures as g')
    .join('steps as st', 'st.id', 'g.step_id')
    .join('users as u', 'u.id', 'g.user_id')
    .where({ 'st.workflow_id': workflowId, 'st.action': 'sign' })
    .orderBy('g.id', 'desc')
    .first('u.full_name')) as { full_name: string } | undefined
  return row?.full_name
}

export async function issuanceDocument(db: Queryable, documentId: number): Promise<IssuanceDocument> {
  const r = (await db('documents')
    .where({ id: documentId })
    .first(
      'id',
      'agency_id',
      'title',
      'doc_type',
      'unit_code',
      'normative',
      'urgency',
      'recipients_json',
    )) as {
    id: number
    agency_id: number
    title: string
    doc_type: string | null
    unit_code: string | null
    normative: boolean | number
    urgency: string | null
    recipients_json: string | null
  }
  return {
    id: r.id,
    agencyId: r.agency_id,
    title: r.title,
    docType: r.doc_type,
    unitCode: r.unit_code,
    normative: Boolean(r.normative),
    urgency: r.urgency,
    recipients: r.recipients_json ? (JSON.parse(r.recipients_json) as string[]) : null,
  }
}

export async function hasRecipients(db: Queryable, documentId: number): Promise<boolean> {
  const r = (await db('documents').where({ id: documentId }).first('recipients_json')) as {
    recipients_json: string | null
  }
  return Boolean(r.recipients_json)
}

export async function setRecipients(db: Queryable, documentId: number, recipients: string[]): Promise<void> {
  await db('documents')
    .where({ id: documentId })
    .update({ recipients_json: JSON.stringify(recipients) })
}

export async function versionOrigin(db: Queryable, versionId: number): Promise<string> {
  const r = (await db('versions').where({ id: versionId }).first('origin')) as { origin: string }
  return r.origin
}

/** Who made a version (an extension made by the job is credited to them). */
export async function versionCreator(db: Queryable, versionId: number): Promise<number> {
  const r = (await db('versions').where({ id: versionId }).first('created_by')) as { created_by: number }
  return r.created_by
}

export async function setIssuanceOutcome(
  db: Queryable,
  documentId: number,
  outcome: RecordedIssuance,
  updatedAt: string,
): Promise<void> {
  await db('documents')
    .where({ id: documentId })
    .update({ issuance_json: JSON.stringify(outcome), updated_at: updatedAt })
}

export async function issuanceOutcomeOf(
  db: Queryable,
  documentId: number,
): Promise<RecordedIssuance | undefined> {
  const r = (await db('documents').where({ id: documentId }).first('issuance_json')) as {
    issuance_json: string | null
  }
  return r.issuance_json ? (JSON.parse(r.issuance_json) as RecordedIssuance) : undefined
}
