import { cropToInk, inspectPng, type PngInspection } from '../signing/appearance'
import { agencyIdByCode } from '../storage/agency-records'
import { appendAudit } from '../storage/audit'
import {
  deleteSignatureImage,
  findAgencySeal,
  findSignatureImage,
  saveAgencySeal,
  saveSignatureImage,
  type StoredImage,
} from '../storage/images'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'

/** A signature or seal scan at 600 dpi is far below this; more is not an image but a payload. */
export const MAX_IMAGE_BYTES = 1024 * 1024
const MIN_SIDE = 32
const MAX_SIDE = 4000

/** Advisory findings: the image is kept, scaled to the space found; the user is told. */
export type ImageWarning = 'NO_TRANSPARENCY' | 'NOT_BLUE' | 'NOT_RED' | 'NOT_ROUND'

/** What the profile shows about a signature image, without the image. */
export type SignatureImageInfo = Omit<StoredImage, 'png'>

/** A signature image as stored, and what about it is off (advisory). */
export interface SignatureImageSaved extends SignatureImageInfo {
  warnings: ImageWarning[]
}

export interface SignatureImageRemoved {
  /** False when there was none. */
  deleted: boolean
}

/** An agency's seal image as stored, with its real diameter, and what about it is off (advisory). */
export interface AgencySealSaved {
  code: string
  width: number
  height: number
  diameterMm: number
  sha256: string
  warnings: ImageWarning[]
}

function checked(png: Buffer): { png: Buffer; width: number; height: number; info: PngInspection } {
  if (png.length > MAX_IMAGE_BYTES)
    throw new WorkflowError('UPLOAD_TOO_LARGE', `Ảnh vượt quá ${MAX_IMAGE_BYTES} byte`)
  const { raster, info } = inspectPng(png)
  const { width, height } = info
  if (width < MIN_SIDE || height < MIN_SIDE || width > MAX_SIDE || height > MAX_SIDE) {
    throw new WorkflowError(
      'IMAGE_UNSUITABLE',
      `Ảnh phải rộng và cao từ ${MIN_SIDE} đến ${MAX_SIDE} điểm ảnh (ảnh này ${width}x${height})`,
    )
  }
  if (info.inkBox[2] * info.inkBox[3] === width * height || !info.transparent)
    return { png, width, height, info }
  // Transparent margins cropped away, so the signature fills the place found for it.
  return { ...cropToInk(raster, info.inkBox, 2), info }
}

/**
 * `PUT /api/me/signature-image`: the user's handwritten signature (PNG, blue ink on a transparent
 * background, Decree 30/2020 Appendix I). Personal data and a forgery aid (DOMAIN.md): stored for
 * its owner only, used only in their own signatures, never served to anyone else, deleted with
 * the account. Transparency and blue ink are advisory: the answer lists what is off.
 */
export async function setSignatureImage(
  s: Services,
  actor: Actor,
  png: Buffer,
): Promise<SignatureImageSaved> {
  const img = checked(png)
  const warnings: ImageWarning[] = []
  if (!img.info.transparent) warnings.push('NO_TRANSPARENCY')
  if (img.info.ink !== 'blue') warnings.push('NOT_BLUE')
  const stored = await saveSignatureImage(s.db, actor.id, img)
  const detail = { sha256: stored.sha256, width: img.width, height: img.height, warnings }
  await appendAudit(s.db, {
    actorId: actor.id,
    action: 'signature-image.updated',
    detail,
    requestId: actor.requestId ?? null,
  })
  return {
    width: stored.width,
    height: stored.height,
    sha256: stored.sha256,
    updatedAt: stored.updatedAt,
    warnings,
  }
}

export async function removeSignatureImage(s: Services, actor: Actor): Promise<SignatureImageRemoved> {
  const deleted = await deleteSignatureImage(s.db, actor.id)
  if (!deleted) return { deleted }
  await appendAudit(s.db, {
    actorId: actor.id,
    action: 'signature-image.deleted',
    detail: {},
    requestId: actor.requestId ?? null,
  })
  return { deleted }
}

/** The owner's own image (to show it in their profile); nobody else's, ever. */
export async function mySignatureImage(s: Services, actor: Actor): Promise<Buffer> {
  const img = await findSignatureImage(s.db, actor.id)
  if (!img) throw new WorkflowError('NOT_FOUND', 'Bạn chưa tải lên ảnh chữ ký')
  return img.png
}

/** What the profile shows about the image, without the image. */
export async function mySignatureImageInfo(s: Services, actor: Actor): Promise<SignatureImageInfo | null> {
  const img = await findSignatureImage(s.db, actor.id)
  return img ? { width: img.width, height: img.height, sha256: img.sha256, updatedAt: img.updatedAt } : null
}

function requireAdmin(actor: Actor): void {
  if (!actor.roles.has('admin'))
    throw new WorkflowError('FORBIDDEN', 'Chỉ quản trị hệ thống được thực hiện thao tác này')
}

async function agencyIdOf(s: Services, code: string): Promise<number> {
  const id = await agencyIdByCode(s.db, code)
  if (id === undefined) throw new WorkflowError('NOT_FOUND', 'Không tìm thấy cơ quan')
  return id
}

/**
 * `PUT /api/admin/agencies/:code/seal-image`: the agency's seal (PNG, red, round, transparent)
 * and its real diameter in millimetres: the seal is drawn at that size over the left third of
 * the leader's signature (Decree 30/2020 Appendix I).
 */
export async function setAgencySeal(
  s: Services,
  actor: Actor,
  code: string,
  png: Buffer | undefined,
  diameter: unknown,
): Promise<AgencySealSaved> {
  requireAdmin(actor)
  const agencyId = await agencyIdOf(s, code)
  if (!png) throw new WorkflowError('BAD_REQUEST', 'file: the seal image (PNG) is required')
  const diameterMm = Number(diameter)
  if (!Number.isFinite(diameterMm) || diameterMm < 20 || diameterMm > 60) {
    throw new WorkflowError('BAD_REQUEST', "diameterMm: the seal's real diameter, from 20 to 60 mm")
  }
  const img = checked(png)
  const warnings: ImageWarning[] = []
  if (!img.info.transparent) warnings.push('NO_TRANSPARENCY')
  if (img.info.ink !== 'red') warnings.push('NOT_RED')
  if (Math.abs(img.width / img.height - 1) > 0.08) warnings.push('NOT_ROUND')
  const stored = await saveAgencySeal(s.db, agencyId, { ...img, diameterMm, uploadedBy: actor.id })
  const detail = { code, sha256: stored.sha256, diameterMm, warnings }
  await appendAudit(s.db, {
    actorId: actor.id,
    action: 'agency.seal-image.updated',
    detail,
    requestId: actor.requestId ?? null,
  })
  return { code, width: stored.width, height: stored.height, diameterMm, sha256: stored.sha256, warnings }
}

/** The seal image, for the administration's preview. */
export async function agencySealImage(s: Services, actor: Actor, code: string): Promise<Buffer> {
  requireAdmin(actor)
  const seal = await findAgencySeal(s.db, await agencyIdOf(s, code))
  if (!seal) throw new WorkflowError('NOT_FOUND', 'Cơ quan chưa có ảnh con dấu')
  return seal.png
}
