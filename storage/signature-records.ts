import type { Queryable } from './transaction'

/**
 * The signatures made on documents (issue 16): in the file, or detached (a CAdES signature over a
 * version, issue 11), each with the evidence kept when it was made and the validator's verdict
 * stored once the chain completes. Plain camelCase objects out.
 */
export interface NewSignature {
  documentId: number
  stepId: number
  versionId: number
  certificateId: number
  userId: number
  onBehalfOf: number | null
  marker: string | null
  fieldName: string
  createdAt: string
  keySource: string
  form: 'in-file' | 'detached'
  /** The detached CMS; null for a signature in the file. */
  cms: Buffer | null
  evidenceJson: string
}

export async function insertSignature(db: Queryable, g: NewSignature): Promise<void> {
  await db('signatures').insert({
    document_id: g.documentId,
    step_id: g.stepId,
    version_id: g.versionId,
    certificate_id: g.certificateId,
    user_id: g.userId,
    on_behalf_of: g.onBehalfOf,
    marker: g.marker,
    field_name: g.fieldName,
    created_at: g.createdAt,
    key_source: g.keySource,
    form: g.form,
    cms: g.cms,
    evidence_json: g.evidenceJson,
  })
}

/** PostgreSQL gives a timestamp as a Date, SQLite as the text written: the same JSON either way. */
const timeText = (v: string | Date): string => (v instanceof Date ? v.toISOString() : v)

/** A signature as the document page lists it. */
export interface SignatureListing {
  id: number
  stepId: number
  versionId: number
  fieldName: string
  marker: string | null
  onBehalfOf: number | null
  indication: string | null
  subIndication: string | null
  createdAt: string
  /** Null on signatures recorded before key sources were (read as internal). */
  keySource: string | null
  /** Null on signatures recorded before detached ones existed (read as in-file). */
  form: string | null
  username: string
  fullName: string
}

/** A document's signatures with their signers, in the order they were made. */
export async function signaturesOfDocument(db: Queryable, documentId: number): Promise<SignatureListing[]> {
  const rows = (await db('signatures as g')
    .join('users as u', 'u.id', 'g.user_id')
    .where('g.document_id', documentId)
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
    )) as {
    id: number
    step_id: number
    version_id: number
    field_name: string
    marker: string | null
    on_behalf_of: number | null
    indication: string | null
    sub_indication: string | null
    created_at: string | Date
    key_source: string | null
    form: string | null
    username: string
    full_name: string
  }[]
  return rows.map((r) => ({
    id: r.id,
    stepId: r.step_id,
    versionId: r.version_id,
    fieldName: r.field_name,
    marker: r.marker,
    onBehalfOf: r.on_behalf_of,
    indication: r.indication,
    subIndication: r.sub_indication,
    createdAt: timeText(r.created_at),
    keySource: r.key_source,
    form: r.form,
    username: r.username,
    fullName: r.full_name,
  }))
}

/** A signature as the evidence package holds it: its CMS if detached, its evidence, its verdict. */
export interface SignatureEvidenceRecord {
  id: number
  fieldName: string
  form: string
  keySource: string | null
  cms: Buffer | null
  evidenceJson: string | null
  indication: string | null
  subIndication: string | null
  createdAt: string
  /** The number of the version it signed (detached) or made (in the file). */
  versionSeq: number
  /** The step's action: approve, sign or seal. */
  action: string
  username: string
  fullName: string
}

export async function signatureEvidenceOf(
  db: Queryable,
  documentId: number,
): Promise<SignatureEvidenceRecord[]> {
  const rows = (await db('signatures as g')
    .join('versions as v', 'v.id', 'g.version_id')
    .join('steps as st', 'st.id', 'g.step_id')
    .join('users as u', 'u.id', 'g.user_id')
    .where('g.document_id', documentId)
    .orderBy('g.id')
    .select(
      'g.id',
      'g.field_name',
      'g.form',
      'g.key_source',
      'g.cms',
      'g.evidence_json',
      'g.indication',
      'g.sub_indication',
      'g.created_at',
      'v.seq as version_seq',
      'st.action',
      'u.username',
      'u.full_name',
    )) as {
    id: number
    field_name: string
    form: string
    key_source: string | null
    cms: Buffer | Uint8Array | null
    evidence_json: string | null
    indication: string | null
    sub_indication: string | null
    created_at: string | Date
    version_seq: number
    action: string
    username: string
    full_name: string
  }[]
  return rows.map((r) => ({
    id: r.id,
    fieldName: r.field_name,
    form: r.form,
    keySource: r.key_source,
    cms: r.cms === null ? null : Buffer.from(r.cms),
    evidenceJson: r.evidence_json,
    indication: r.indication,
    subIndication: r.sub_indication,
    createdAt: timeText(r.created_at),
    versionSeq: r.version_seq,
    action: r.action,
    username: r.username,
    fullName: r.full_name,
  }))
}

/** An approval kept outside the file: its CMS and the version it signs. */
export interface DetachedSignatureRecord {
  id: number
  fieldName: string
  cms: Buffer
  /** The version signed: its bytes' SHA-256 and its number. */
  sha256: string
  seq: number
}

export async function detachedSignaturesOf(
  db: Queryable,
  documentId: number,
): Promise<DetachedSignatureRecord[]> {
  const rows = (await db('signatures as g')
    .join('versions as v', 'v.id', 'g.version_id')
    .where({ 'g.document_id': documentId, 'g.form': 'detached' })
    .orderBy('g.id')
    .select('g.id', 'g.field_name', 'g.cms', 'v.sha256', 'v.seq')) as {
    id: number
    field_name: string
    cms: Buffer | Uint8Array
    sha256: string
    seq: number
  }[]
  return rows.map((r) => ({
    id: r.id,
    fieldName: r.field_name,
    cms: Buffer.from(r.cms),
    sha256: r.sha256,
    seq: r.seq,
  }))
}

/** The fields of the signatures the chain made in the file. */
export async function inFileSignatureFields(db: Queryable, documentId: number): Promise<string[]> {
  return (await db('signatures')
    .where({ document_id: documentId, form: 'in-file' })
    .pluck('field_name')) as string[]
}

/** The validator's verdict on a signature (ETSI EN 319 102-1: indication and sub-indication). */
export interface Verdict {
  indication: string
  subIndication: string | null
}

/** Stores a verdict on the document's in-file signatures of these fields. */
export async function setInFileVerdict(
  db: Queryable,
  documentId: number,
  fields: string[],
  v: Verdict,
): Promise<void> {
  await db('signatures')
    .where({ document_id: documentId, form: 'in-file' })
    .whereIn('field_name', fields)
    .update({ indication: v.indication, sub_indication: v.subIndication })
}

export async function setSignatureVerdict(db: Queryable, signatureId: number, v: Verdict): Promise<void> {
  await db('signatures')
    .where({ id: signatureId })
    .update({ indication: v.indication, sub_indication: v.subIndication })
}

/** The full name of whoever made the document's last signature on a "sign" step. */
export async function lastSignerName(db: Queryable, documentId: number): Promise<string | undefined> {
  const row = (await db('signatures as g')
    .join('steps as st', 'st.id', 'g.step_id')
    .join('users as u', 'u.id', 'g.user_id')
    .where({ 'g.document_id': documentId, 'st.action': 'sign' })
    .orderBy('g.id', 'desc')
    .first('u.full_name')) as { full_name: string } | undefined
  return row?.full_name
}

/**
 * The newest active, unrevoked internal certificate a user signs a step with: their personal one,
 * or for a seal the agency's seal certificate they hold as its clerk.
 */
export async function internalSigningCertificateId(
  db: Queryable,
  q: { holderUserId: number; kind: 'personal' | 'seal'; agencyId?: number },
): Promise<number | undefined> {
  const row = (await db('certificates')
    .where({ holder_user_id: q.holderUserId, kind: q.kind, source: 'internal', status: 'active' })
    .where((w) => (q.agencyId !== undefined ? w.where({ agency_id: q.agencyId }) : w))
    .whereNull('revoked_at')
    .orderBy('id', 'desc')
    .first('id')) as { id: number } | undefined
  return row?.id
}
