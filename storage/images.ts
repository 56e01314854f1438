import { createHash } from 'node:crypto'
import type { Queryable } from './transaction'

/** A stored PNG: a user's handwritten signature or an agency's seal. */
export interface StoredImage {
  png: Buffer
  width: number
  height: number
  sha256: string
  updatedAt: string
}

export interface StoredSeal extends StoredImage {
  diameterMm: number
}

interface ImageRow {
  png: Buffer | Uint8Array
  width: number
  height: number
  sha256: string
  updated_at: string | Date
  diameter_mm?: number | string
}

const iso = (v: string | Date): string => new Date(v).toISOString()

function image(row: ImageRow): StoredImage {
  return {
    png: Buffer.from(row.png),
    width: row.width,
    height: row.height,
    sha256: row.sha256,
    updatedAt: iso(row.updated_at),
  }
}

export async function findSignatureImage(db: Queryable, userId: number): Promise<StoredImage | undefined> {
  const row = (await db('signature_images').where({ user_id: userId }).first()) as ImageRow | undefined
  return row && image(row)
}

/** Width / height of the users' images, for placement (no bytes read). */
export async function signatureImageAspects(db: Queryable, userIds: number[]): Promise<Map<number, number>> {
  if (userIds.length === 0) return new Map()
  const rows = (await db('signature_images')
    .whereIn('user_id', userIds)
    .select('user_id', 'width', 'height')) as Array<{ user_id: number; width: number; height: number }>
  return new Map(rows.map((r) => [r.user_id, r.width / r.height]))
}

export async function saveSignatureImage(
  db: Queryable,
  userId: number,
  img: { png: Buffer; width: number; height: number },
): Promise<StoredImage> {
  const row = {
    png: img.png,
    width: img.width,
    height: img.height,
    sha256: createHash('sha256').update(img.png).digest('hex'),
    updated_at: new Date().toISOString(),
  }
  await db('signature_images')
    .insert({ user_id: userId, ...row })
    .onConflict('user_id')
    .merge()
  return image(row)
}

export async function deleteSignatureImage(db: Queryable, userId: number): Promise<boolean> {
  return (await db('signature_images').where({ user_id: userId }).delete()) > 0
}

export async function findAgencySeal(db: Queryable, agencyId: number): Promise<StoredSeal | undefined> {
  const row = (await db('agency_seals').where({ agency_id: agencyId }).first()) as ImageRow | undefined
  return row && { ...image(row), diameterMm: Number(row.diameter_mm) }
}

export async function saveAgencySeal(
  db: Queryable,
  agencyId: number,
  seal: { png: Buffer; width: number; height: number; diameterMm: number; uploadedBy: number | null },
): Promise<StoredSeal> {
  const row = {
    png: seal.png,
    width: seal.width,
    height: seal.height,
    diameter_mm: seal.diameterMm,
    sha256: createHash('sha256').update(seal.png).digest('hex'),
    uploaded_by: seal.uploadedBy,
    updated_at: new Date().toISOString(),
  }
  await db('agency_seals')
    .insert({ agency_id: agencyId, ...row })
    .onConflict('agency_id')
    .merge()
  return { ...image(row), diameterMm: seal.diameterMm }
}
