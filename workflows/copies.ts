/**
 * Electronic copies and attachments (issue 13; Decree 30/2020 Art. 25-27 and Appendix I): a new
 * document signed by the agency's seal certificate at the top right of the first page, without an
 * image (the form "SAO Y", the agency, the time, in the document's typeface at 10 pt, black):
 *  - sao y / sao lục: the original's exact bytes plus one signature revision, so every signature
 *    of the original stays valid in the copy;
 *  - trích sao: the chosen pages as a new PDF (an extract cannot keep the original's bytes); its
 *    only signature is the copy's own, and the metadata names the original and its SHA-256;
 *  - a copy of a paper original (a scan the clerk uploads), with the conversion note of Decree
 *    137/2024/NĐ-CP (converted from paper, when, by whom);
 *  - an attachment issued as a separate file, with the main document's number.
 * Copies are numbered in the agency's copies register ("01/SY-SKHCN").
 */
import { createHash } from 'node:crypto'
import { formatSigningTime } from '../signing/appearance'
import { extractPages } from '../signing/pdf/extract-pages'
import { PdfDocument } from '../signing/pdf/document'
import { signPdf, writeXmpMetadata, type DocumentMetadata } from '../signing/sign'
import { vnDate } from '../shared/period'
import { readableDocument } from '../storage/document-access'
import { agencyNameOf, type AgencyName } from '../storage/issuance-records'
import type { Actor, Services } from './context'
import { recordCopy, sealKeyOf, stampRect } from './copy-record'
import { WorkflowError } from '../shared/errors'
import type { SignatureEvidence } from './evidence'
import { latestVersion } from './step-turn'

export type CopyForm = 'sao-y' | 'sao-luc' | 'trich-sao'
const FORMS: Record<CopyForm, { label: string; code: string; reason: string }> = {
  'sao-y': { label: 'SAO Y', code: 'SY', reason: 'Sao y bản chính' },
  'sao-luc': { label: 'SAO LỤC', code: 'SL', reason: 'Sao lục' },
  'trich-sao': { label: 'TRÍCH SAO', code: 'TS', reason: 'Trích sao' },
}

function mayCopy(actor: Actor): void {
  if (!actor.roles.has('clerk'))
    throw new WorkflowError('FORBIDDEN', 'Chỉ văn thư được sao văn bản và phát hành phụ lục')
}

function pagesOf(form: CopyForm, raw: unknown): number[] | undefined {
  if (form !== 'trich-sao') {
    if (raw !== undefined) throw new WorkflowError('BAD_REQUEST', 'pages: only for trích sao')
    return undefined
  }
  if (
    !Array.isArray(raw) ||
    raw.length === 0 ||
    raw.length > 500 ||
    !raw.every((p) => Number.isInteger(p) && (p as number) > 0)
  ) {
    throw new WorkflowError('BAD_REQUEST', 'pages: the pages to extract, e.g. [1, 2]')
  }
  return [...new Set(raw as number[])]
}

interface Signed {
  pdf: Buffer
  fieldName: string
  certificateId: number
  evidence: SignatureEvidence
}

/** Signs `bytes` with the agency's seal at the top right of page 1, the lines as its appearance. */
async function stampAndSign(
  s: Services,
  actor: Actor,
  pin: unknown,
  bytes: Buffer,
  lines: (time: string) => string[],
  reason: string,
  meta: DocumentMetadata,
): Promise<Signed> {
  const { keySource, certificateId, evidence } = await sealKeyOf(s, actor, pin)
  const signingTime = new Date()
  const shown = lines(formatSigningTime(signingTime))
  const rect = stampRect(new PdfDocument(bytes), shown)
  const signed = await signPdf(bytes, {
    keySource,
    signingTime,
    reason,
    page: 1,
    rect,
    appearance: { kind: 'stamp', lines: shown },
    alsoWrite: (upd, doc) => writeXmpMetadata(upd, doc, meta),
    ...(s.timestamp && { timestamp: s.timestamp }),
  })
  return { pdf: signed.pdf, fieldName: signed.fieldName, certificateId, evidence }
}

function baseMetadata(agency: AgencyName, summary: string, signer: string): DocumentMetadata {
  return {
    organ: agency.name,
    organCode: agency.code,
    number: '',
    date: vnDate(new Date()),
    type: 'Bản sao',
    summary,
    signer,
    recipients: [],
    secrecy: 'Không mật',
    urgency: 'Thường',
  }
}

/** `POST /api/documents/:id/copies {form, pages?, pin}`: an electronic copy of an issued document. */
export async function makeCopy(
  s: Services,
  actor: Actor,
  originalId: number,
  body: Record<string, unknown>,
): Promise<number> {
  mayCopy(actor)
  const form = body.form as CopyForm
  if (!FORMS[form]) throw new WorkflowError('BAD_REQUEST', 'form: sao-y, sao-luc or trich-sao')
  const pages = pagesOf(form, body.pages)
  const original = await readableDocument(s.db, actor, originalId)
  if (original.status !== 'issued') throw new WorkflowError('NOT_ISSUED', 'Chỉ sao văn bản đã phát hành')
  const latest = await latestVersion(s.db, original.id)
  const source = await s.blobs.get(latest.sha256)
  const sha256 = createHash('sha256').update(source).digest('hex')
  const bytes = pages ? extractPages(source, pages) : source
  const agency = await agencyNameOf(s.db, actor.agencyId)
  const f = FORMS[form]
  const title = `${f.label}: ${original.title}`.slice(0, 500)
  const extra: Record<string, string> = {
    HinhThucSao: f.label,
    BanGoc: original.outgoing_number ?? `#${original.id}`,
    BanGocSha256: sha256,
    ...(pages && { TrangTrichSao: pages.join(', ') }),
  }
  return recordCopy(s, actor, {
    kind: 'copy',
    title,
    copyOf: original.id,
    copyForm: form,
    register: { code: f.code, agencyCode: agency.code },
    json: {
      form,
      originalNumber: original.outgoing_number,
      originalSha256: sha256,
      originalVersion: latest.seq,
      ...(pages && { pages }),
    },
    sign: (number) =>
      stampAndSign(s, actor, body.pin, bytes, (t) => [f.label, agency.name, t], f.reason, {
        ...baseMetadata(agency, title, agency.name),
        number,
        extra,
      }),
  })
}

/** `POST /api/copies/paper` (multipart file, form, title, originalNumber?, pin): a copy of a paper original. */
export async function copyPaper(
  s: Services,
  actor: Actor,
  input: { file: Buffer; form?: string; title?: string; originalNumber?: string; pin?: string },
): Promise<number> {
  mayCopy(actor)
  const form = (input.form ?? 'sao-y') as CopyForm
  if (form === 'trich-sao' || !FORMS[form]) throw new WorkflowError('BAD_REQUEST', 'form: sao-y or sao-luc')
  const title = (input.title ?? '').trim()
  if (!title || title.length > 450)
    throw new WorkflowError('BAD_REQUEST', 'title: required, at most 450 characters')
  new PdfDocument(input.file).pageRef(0)
  const agency = await agencyNameOf(s.db, actor.agencyId)
  const f = FORMS[form]
  const convertedAt = formatSigningTime(new Date())
  // Decree 137/2024/NĐ-CP: the data message says it was converted from paper, when and by whom.
  const note = `Chuyển đổi từ văn bản giấy lúc ${convertedAt}, người chuyển đổi: ${actor.fullName}`
  const extra = { HinhThucSao: f.label, BanGocGiay: input.originalNumber ?? '', GhiChuChuyenDoi: note }
  return recordCopy(s, actor, {
    kind: 'copy',
    title: `${f.label}: ${title}`,
    copyOf: null,
    copyForm: form,
    register: { code: f.code, agencyCode: agency.code },
    json: {
      form,
      paperOriginal: { number: input.originalNumber ?? null, title },
      convertedAt,
      convertedBy: actor.fullName,
      note,
    },
    sign: (number) =>
      stampAndSign(s, actor, input.pin, input.file, (t) => [f.label, agency.name, t, note], f.reason, {
        ...baseMetadata(agency, title, agency.name),
        number,
        extra,
      }),
  })
}

/** `POST /api/documents/:id/attachments` (multipart file, title?, pin): an attachment issued as a separate file. */
export async function issueAttachment(
  s: Services,
  actor: Actor,
  mainId: number,
  input: { file: Buffer; title?: string; pin?: string },
): Promise<number> {
  mayCopy(actor)
  const main = await readableDocument(s.db, actor, mainId)
  if (main.status !== 'issued' || !main.outgoing_number)
    throw new WorkflowError('NOT_ISSUED', 'Phụ lục được phát hành sau văn bản chính')
  new PdfDocument(input.file).pageRef(0)
  const agency = await agencyNameOf(s.db, actor.agencyId)
  const number = main.outgoing_number
  const title = (input.title?.trim() || `Phụ lục kèm theo văn bản số ${number}`).slice(0, 500)
  const extra = { KemTheoVanBan: number }
  return recordCopy(s, actor, {
    kind: 'attachment',
    title,
    copyOf: main.id,
    copyForm: 'attachment',
    register: null,
    json: { mainNumber: number },
    sign: () =>
      stampAndSign(
        s,
        actor,
        input.pin,
        input.file,
        (t) => [`Kèm theo văn bản số ${number}`, agency.name, t],
        'Phát hành phụ lục',
        { ...baseMetadata(agency, title, agency.name), number, type: 'Phụ lục', extra },
      ),
  })
}
