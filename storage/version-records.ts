import type { Queryable } from './transaction'

/**
 * A document's versions (issue 16): each the file's bytes in the blob store by SHA-256, numbered
 * from 1 (`seq`); an upload, a signature revision, or a time-stamp Kyso added when it extended
 * the file. Plain camelCase objects out.
 */
export interface VersionRecord {
  id: number
  seq: number
  sha256: string
  size: number
}

/** A version as the document page and the evidence package list it. */
export interface VersionDetail extends VersionRecord {
  origin: string
  createdAt: string
  createdBy: number
  /** The signatures an uploaded file already carried, validated at upload (issue 14), as JSON. */
  uploadCheckJson: string | null
}

/** How a version came to be: uploaded, signed by a step, or made by Kyso at issuance (issues 13, 18). */
export type VersionOrigin = 'upload' | 'signature' | 'copy' | 'preparation' | 'issuance' | 'extension'

export interface NewVersion {
  documentId: number
  seq: number
  sha256: string
  size: number
  createdBy: number
  origin: VersionOrigin
  createdAt: string
  /** Only an upload has one; absent, the column keeps its default. */
  uploadCheckJson?: string | null
  /** The document time-stamp's field of an extension (B-LTA), written only when given. */
  timestampField?: string | null
}

interface DetailRow extends VersionRecord {
  origin: string
  created_at: string | Date
  created_by: number
  upload_check_json: string | null
}

/** PostgreSQL gives a timestamp as a Date, SQLite as the text written: the same JSON either way. */
const timeText = (v: string | Date): string => (v instanceof Date ? v.toISOString() : v)

// The four columns of a VersionRecord are named alike in SQL and in TypeScript: selected, they are one.
const VERSION_COLUMNS = ['id', 'seq', 'sha256', 'size']

/** The document's latest version (every document has one from its upload). */
export async function latestVersion(db: Queryable, documentId: number): Promise<VersionRecord> {
  return (await db('versions')
    .where({ document_id: documentId })
    .orderBy('seq', 'desc')
    .first(VERSION_COLUMNS)) as VersionRecord
}

/** One version of a document by its number, or undefined. */
export async function versionBySeq(
  db: Queryable,
  documentId: number,
  seq: number,
): Promise<VersionRecord | undefined> {
  return (await db('versions').where({ document_id: documentId, seq }).first(VERSION_COLUMNS)) as
    | VersionRecord
    | undefined
}

/** The SHA-256 of a version by its id. */
export async function versionSha256(db: Queryable, versionId: number): Promise<string> {
  const row = (await db('versions').where({ id: versionId }).first('sha256')) as { sha256: string }
  return row.sha256
}

/** The highest version number of a document (read after the document's row is locked). */
export async function lastVersionSeq(db: Queryable, documentId: number): Promise<number> {
  const row = (await db('versions').where({ document_id: documentId }).max('seq as seq').first()) as {
    seq: number
  }
  return row.seq
}

/** Every version of a document, oldest first. */
export async function versionsOfDocument(db: Queryable, documentId: number): Promise<VersionDetail[]> {
  const rows = (await db('versions')
    .where({ document_id: documentId })
    .orderBy('seq')
    .select(
      'id',
      'seq',
      'sha256',
      'size',
      'origin',
      'created_at',
      'created_by',
      'upload_check_json',
    )) as DetailRow[]
  return rows.map((r) => ({
    id: r.id,
    seq: r.seq,
    sha256: r.sha256,
    size: r.size,
    origin: r.origin,
    createdAt: timeText(r.created_at),
    createdBy: r.created_by,
    uploadCheckJson: r.upload_check_json,
  }))
}

export async function insertVersion(db: Queryable, v: NewVersion): Promise<number> {
  const [row] = await db('versions')
    .insert({
      document_id: v.documentId,
      seq: v.seq,
      sha256: v.sha256,
      size: v.size,
      created_by: v.createdBy,
      origin: v.origin,
      created_at: v.createdAt,
      ...(v.uploadCheckJson !== undefined && { upload_check_json: v.uploadCheckJson }),
      ...(v.timestampField !== undefined && { timestamp_field: v.timestampField }),
    })
    .returning('id')
  return (row as { id: number }).id
}

/** The signature fields of the document time-stamps Kyso added when it extended the file (issue 18). */
export async function extensionTimestampFields(db: Queryable, documentId: number): Promise<string[]> {
  return (await db('versions')
    .where({ document_id: documentId, origin: 'extension' })
    .whereNotNull('timestamp_field')
    .pluck('timestamp_field')) as string[]
}
