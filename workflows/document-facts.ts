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

/** `GET /api/documents/:id`'s issue 13 part: type, register facts, what the seal printed, metadata, copies. */
export async function issuanceDetails(
  s: Services,
  documentId: number,
  agency: { code: string; name: string },
): Promise<Record<string, unknown>> {
  const d = (await s.db('documents').where({ id: documentId }).first()) as Record<string, unknown> & {
    doc_type: string | null
    unit_code: string | null
    normative: boolean | number
    urgency: string | null
    recipients_json: string | null
    number_printed: boolean | number | null
    issuance_json: string | null
    copy_of: number | null
    copy_form: string | null
    copy_json: string | null
    outgoing_number: string | null
    outgoing_date: string | Date | null
    title: string
    status: string
  }
  const recipients = d.recipients_json ? (JSON.parse(d.recipients_json) as string[]) : []
  const issuance = d.issuance_json ? (JSON.parse(d.issuance_json) as Record<string, unknown>) : null
  const copies = (await s
    .db('documents')
    .where({ copy_of: documentId })
    .orderBy('id')
    .select('id', 'copy_form as form', 'outgoing_number as outgoingNumber', 'status')) as Record<
    string,
    unknown
  >[]
  const date = d.outgoing_date instanceof Date ? d.outgoing_date.toISOString().slice(0, 10) : d.outgoing_date
  const docType = d.doc_type ?? 'CV'
  const signer = (await s
    .db('signatures as g')
    .join('steps as st', 'st.id', 'g.step_id')
    .join('users as u', 'u.id', 'g.user_id')
    .where({ 'g.document_id': documentId, 'st.action': 'sign' })
    .orderBy('g.id', 'desc')
    .first('u.full_name')) as { full_name: string } | undefined
  return {
    docType,
    docTypeName: DOCUMENT_TYPES[docType] ?? docType,
    unitCode: d.unit_code,
    normative: Boolean(d.normative),
    urgency: d.urgency,
    recipients,
    numberPrinted: d.number_printed === null ? null : Boolean(d.number_printed),
    issuance: issuance && d.status === 'issued' ? issuance : null,
    copyOf: d.copy_of,
    copyForm: d.copy_form,
    copy: d.copy_json ? (JSON.parse(d.copy_json) as unknown) : null,
    copies,
    // Decree 30/2020 Appendix VI, as the issued file's XMP packet carries it.
    metadata:
      d.outgoing_number && d.status === 'issued'
        ? {
            organ: agency.name,
            organCode: agency.code,
            number: d.outgoing_number,
            date,
            type: DOCUMENT_TYPES[docType] ?? docType,
            summary: d.title,
            signer: signer?.full_name ?? null,
            recipients,
            secrecy: 'Không mật',
            urgency: d.urgency ?? 'Thường',
          }
        : null,
  }
}
