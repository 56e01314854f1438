import {
  copiesOfDocument,
  issuanceFacts,
  type CopyListing,
  type IssuanceFactsRecord,
} from '../storage/document-records'
import { lastSignerName } from '../storage/signature-records'
import type { Services } from './context'
import { WorkflowError } from '../shared/errors'
import { DOCUMENT_TYPES, typeFromTitle } from './outgoing-register'

/** What a document is, for its number and metadata (Decree 30/2020 Appendices III and VI). */
export interface DocumentFacts {
  /** The type's abbreviation (QĐ, TB, …; CV for a công văn); from the title when not given. */
  docType: string
  /** The drafting unit's code, in a công văn's notation ("CĐS" of "1587/SKHCN-CĐS"). */
  unitCode: string | null
  /** A legal normative document (văn bản quy phạm pháp luật): its own register, the year in its number. */
  normative: boolean
  /** Độ khẩn: thường, khẩn, thượng khẩn, hỏa tốc. */
  urgency: string | null
  recipients: string[]
}

export interface FactsInput {
  title: string
  docType?: string
  unitCode?: string
  normative?: string | boolean
  urgency?: string
  recipients?: string | string[]
  /** Độ mật as the drafter marked it: anything but none is refused. */
  secrecy?: string
}

const URGENCIES = ['thường', 'khẩn', 'thượng khẩn', 'hỏa tốc']
const NOT_SECRET = ['', 'none', 'không', 'không mật', 'thường']

/**
 * The facts of an upload, checked. A document marked secret (mật, tối mật, tuyệt mật) is refused:
 * state secrets are never processed on a system connected to the Internet (Law 29/2018/QH14 on
 * the protection of state secrets, Art. 5; Decree 26/2020/NĐ-CP); such documents go by the
 * secret channel.
 */
export function documentFacts(input: FactsInput): DocumentFacts {
  const secrecy = (input.secrecy ?? '').normalize('NFC').trim().toLowerCase()
  if (!NOT_SECRET.includes(secrecy)) {
    throw new WorkflowError(
      'STATE_SECRET',
      'Văn bản có độ mật không được xử lý trên hệ thống kết nối Internet (Luật Bảo vệ bí mật nhà nước số 29/2018/QH14): ' +
        'hãy chuyển qua kênh dành cho văn bản mật',
    )
  }
  const docType = input.docType?.normalize('NFC').trim() || typeFromTitle(input.title)
  if (!DOCUMENT_TYPES[docType])
    throw new WorkflowError('BAD_REQUEST', `docType: one of ${Object.keys(DOCUMENT_TYPES).join(', ')}`)
  const unitCode = input.unitCode?.normalize('NFC').trim() || null
  if (unitCode && !/^[\p{L}\p{N}.]{1,20}$/u.test(unitCode))
    throw new WorkflowError('BAD_REQUEST', 'unitCode: letters and digits, at most 20')
  const urgency = input.urgency?.normalize('NFC').trim().toLowerCase() || null
  if (urgency && !URGENCIES.includes(urgency))
    throw new WorkflowError('BAD_REQUEST', `urgency: ${URGENCIES.join(', ')}`)
  const list = Array.isArray(input.recipients) ? input.recipients : (input.recipients ?? '').split(/\r?\n|;/)
  const recipients = list
    .map((r) => r.normalize('NFC').trim())
    .filter(Boolean)
    .slice(0, 100)
  const normative = input.normative === true || input.normative === 'true' || input.normative === '1'
  return { docType, unitCode, normative, urgency, recipients }
}

/** Decree 30/2020 Appendix VI metadata of an issued document, as its file's XMP packet carries it. */
export interface IssuedMetadata {
  organ: string
  organCode: string
  number: string
  /** YYYY-MM-DD. */
  date: string | null
  type: string
  summary: string
  signer: string | null
  recipients: string[]
  secrecy: string
  urgency: string
}

/** The issue 13 part of a document's details: its type, register facts, seal, metadata and copies. */
export interface IssuanceDetails
  extends Pick<
    IssuanceFactsRecord,
    'unitCode' | 'normative' | 'urgency' | 'numberPrinted' | 'copyOf' | 'copyForm'
  > {
  docType: string
  docTypeName: string
  recipients: string[]
  /** What the seal printed (number, date, …); only once the document is issued. */
  issuance: Record<string, unknown> | null
  /** A copy's own facts (Decree 30 Art. 25), as stored. */
  copy: unknown
  copies: CopyListing[]
  metadata: IssuedMetadata | null
}

/** `GET /api/documents/:id`'s issue 13 part: type, register facts, what the seal printed, metadata, copies. */
export async function issuanceDetails(
  s: Services,
  documentId: number,
  agency: { code: string; name: string },
): Promise<IssuanceDetails> {
  const d = await issuanceFacts(s.db, documentId)
  const recipients = d.recipientsJson ? (JSON.parse(d.recipientsJson) as string[]) : []
  const issuance = d.issuanceJson ? (JSON.parse(d.issuanceJson) as Record<string, unknown>) : null
  const copies = await copiesOfDocument(s.db, documentId)
  const docType = d.docType ?? 'CV'
  const signer = await lastSignerName(s.db, documentId)
  return {
    docType,
    docTypeName: DOCUMENT_TYPES[docType] ?? docType,
    unitCode: d.unitCode,
    normative: d.normative,
    urgency: d.urgency,
    recipients,
    numberPrinted: d.numberPrinted,
    issuance: issuance && d.status === 'issued' ? issuance : null,
    copyOf: d.copyOf,
    copyForm: d.copyForm,
    copy: d.copyJson ? (JSON.parse(d.copyJson) as unknown) : null,
    copies,
    // Decree 30/2020 Appendix VI, as the issued file's XMP packet carries it.
    metadata:
      d.outgoingNumber && d.status === 'issued'
        ? {
            organ: agency.name,
            organCode: agency.code,
            number: d.outgoingNumber,
            date: d.outgoingDate,
            type: DOCUMENT_TYPES[docType] ?? docType,
            summary: d.title,
            signer: signer ?? null,
            recipients,
            secrecy: 'Không mật',
            urgency: d.urgency ?? 'Thường',
          }
        : null,
  }
}
