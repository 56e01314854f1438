import { REVOCATION_REASONS } from '../signing/pki'
import { DEFAULT_MIN_DOCUMENTS, DEFAULT_PROCEDURES, DEFAULT_RATE } from '../shared/target-defaults'
import { STANDING_MARKERS } from '../workflows/signing-markers'
import { type BodySchema, type NumberField, reasonField } from './body-schema'

/**
 * The administrator's bodies (issue 16). Each use case checks the admin role before it reads its
 * body, so the routes check these as the use case reads each field (bodyCheckedOnRead).
 */

const CERTIFICATE_KINDS = ['personal', 'seal'] as const

/** Whether the username names an active user (and, for a seal, a clerk) is the use case's to check. */
export const CERTIFICATE_REQUEST: BodySchema = {
  fields: {
    kind: {
      type: 'string',
      absent: 'nullish',
      enum: CERTIFICATE_KINDS,
      default: 'personal',
      message: 'kind: personal or seal',
    },
    username: {
      type: 'string',
      required: true,
      message: 'username: không có người dùng đang hoạt động này',
      example: 'chuyenvien',
    },
  },
}

export const CERTIFICATE_REVOKE: BodySchema = {
  fields: {
    reason: {
      type: 'string',
      absent: 'nullish',
      enum: Object.keys(REVOCATION_REASONS),
      default: 'unspecified',
      message: `reason: ${Object.keys(REVOCATION_REASONS).join(', ')}`,
      description: 'An RFC 5280 CRLReason name, e.g. keyCompromise',
    },
  },
}

/** That it holds exactly one readable, self-signed CA certificate is the use case's to check. */
export const TRUST_ANCHOR: BodySchema = {
  fields: {
    pem: {
      type: 'string',
      required: true,
      maxLength: 100_000,
      message: 'pem: a PEM certificate',
      description: 'A self-signed CA certificate, PEM',
    },
  },
}

/** That the CRL reads and is signed by a CA Kyso trusts is the use case's to check. */
export const REVOCATION_LIST: BodySchema = {
  fields: {
    pem: {
      type: 'string',
      required: true,
      maxLength: 20_000_000,
      message: 'pem: a PEM (or DER base64) CRL',
      description: 'PEM X509 CRL',
    },
    issuer: {
      type: 'string',
      maxLength: 100_000,
      message: 'issuer: a PEM certificate',
      description: "The CRL issuer's CA certificate (PEM), when Kyso does not know it yet",
    },
  },
}

/** "At least one of the two" depends on both fields: the use case checks it (after the role). */
export const AGENCY_SETTINGS: BodySchema = {
  fields: {
    approvalMode: {
      type: 'string',
      enum: ['in-file', 'detached'],
      message: 'approvalMode: in-file or detached',
    },
    approvalAppearance: {
      type: 'string',
      enum: ['initials', 'invisible'],
      message: 'approvalAppearance: initials or invisible',
    },
  },
}

/** A target: a number or its digits (a form's value), checked by the use case. */
const target = (name: string, type: NumberField['type'], max: number, dflt: number): NumberField => ({
  type,
  useCase: true,
  minimum: 0,
  maximum: max,
  default: dflt,
  message: `${name}: ${type === 'integer' ? 'an integer' : 'a number'} from 0 to ${max}`,
})

/** The year is the path's; the route checks its form, the use case its range. */
export const COVERAGE_TARGETS: BodySchema = {
  component: 'YearTargetsRequest',
  fields: {
    deadline: {
      type: 'string',
      absent: 'empty',
      pattern: { regex: /^\d{4}-\d{2}-\d{2}$/, message: 'deadline: a date YYYY-MM-DD' },
      message: 'deadline: a date YYYY-MM-DD',
      description: 'YYYY-MM-DD (a calendar date); default 31 December of the year',
      example: '2026-12-31',
    },
    internalRate: target('internalRate', 'number', 1, DEFAULT_RATE),
    minDocuments: target('minDocuments', 'integer', 1e9, DEFAULT_MIN_DOCUMENTS),
    procedures: target('procedures', 'integer', 1000, DEFAULT_PROCEDURES),
  },
}

const activeUser = (name: string, description: string, required: boolean): BodySchema['fields'][string] => ({
  type: 'string',
  required,
  message: `${name}: không có người dùng đang hoạt động này`,
  description,
})

/**
 * Who may hold which marker, that the principal is another leader of the same agency, and when
 * principalTitle may be left out depend on the database and on the other fields: the use case's.
 */
export const STANDING_AUTHORITY: BodySchema = {
  component: 'StandingAuthorityRequest',
  fields: {
    marker: {
      type: 'string',
      required: true,
      enum: STANDING_MARKERS,
      message: `marker: ${STANDING_MARKERS.join(', ')}`,
      example: 'KT.',
    },
    holder: {
      ...activeUser('holder', 'Username; a leader, or for TL./TUQ. also a head', true),
      example: 'phogiamdoc',
    },
    principalTitle: {
      type: 'string',
      absent: 'empty',
      nonBlank: true,
      maxLength: 200,
      message: 'principalTitle: at most 200 characters',
      description:
        "What the marker line names: by default the principal's title; TM.: the body (Ủy ban nhân dân)",
    },
    principal: activeUser('principal', 'KT./TL./TUQ.: the leader the holder signs for (same agency)', false),
    from: {
      type: 'string',
      format: 'date-time',
      message: 'from: an ISO 8601 date',
      description: 'Default now',
    },
  },
}

/** Rejecting a pending external certificate: read once the certificate is found still pending. */
export const CERTIFICATE_REJECT: BodySchema = {
  fields: {
    reason: {
      type: 'string',
      required: true,
      nonBlank: true,
      message: 'reason: lý do là bắt buộc',
      example: 'Chứng thư số không đúng người',
    },
  },
}

/** Whether the person may be erased (not oneself, nothing pending) is the use case's to check. */
export const ERASURE: BodySchema = {
  fields: { reason: reasonField('Yêu cầu xóa dữ liệu của người đã nghỉ việc') },
}

export const ADMIN_BODIES: Record<string, BodySchema> = {
  'POST /api/admin/certificates': CERTIFICATE_REQUEST,
  'POST /api/admin/certificates/{id}/revoke': CERTIFICATE_REVOKE,
  'POST /api/admin/trust-anchors': TRUST_ANCHOR,
  'POST /api/admin/certificates/{id}/reject': CERTIFICATE_REJECT,
  'POST /api/admin/crls': REVOCATION_LIST,
  'PATCH /api/admin/agencies/{code}': AGENCY_SETTINGS,
  'PUT /api/admin/coverage-targets/{year}': COVERAGE_TARGETS,
  'POST /api/admin/standing-authorities': STANDING_AUTHORITY,
  'POST /api/admin/users/{id}/erase': ERASURE,
}
