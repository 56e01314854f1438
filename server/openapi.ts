import { STATUS } from './errors'
import { keyPaths } from './openapi-keys'
import { AGENCY_CREATE, jsonSchemaOf, REQUEST_BODIES, USER_CREATE, USER_UPDATE } from './schemas'
import {
  AGENCY_SETTINGS,
  CERTIFICATE_REJECT,
  CERTIFICATE_REQUEST,
  CERTIFICATE_REVOKE,
  ERASURE,
  REVOCATION_LIST,
  TRUST_ANCHOR,
} from './schemas-admin'
import { ENROLMENT_ACTIVATE } from './schemas-keys'
import { COPY, PAPER_DOCUMENT, REGISTER_OPENING } from './schemas-register'
import { ISSUANCE } from './schemas-signing'

/** Schemas, responses and operations as plain objects: the spec is data, assembled below. */
type Json = Record<string, unknown>
type Code = keyof typeof STATUS

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: Json): Json => ({ 'application/json': { schema } })
const str = (description?: string, extra: Json = {}): Json => ({
  type: 'string',
  ...(description && { description }),
  ...extra,
})
const int = (description?: string): Json => ({ type: 'integer', ...(description && { description }) })
const bool = (description?: string): Json => ({ type: 'boolean', ...(description && { description }) })
/** OpenAPI 3.1 (JSON Schema 2020-12) has no `nullable`: null joins the type, and the enum if any. */
const nullable = (schema: Json): Json => ({
  ...schema,
  type: [schema.type, 'null'],
  ...(Array.isArray(schema.enum) && { enum: [...(schema.enum as unknown[]), null] }),
})
const date = (description?: string): Json => str(description, { format: 'date-time' })
const oneOf = (...values: string[]): Json => ({ type: 'string', enum: values })
const array = (items: Json): Json => ({ type: 'array', items })
/** An object whose listed properties are all present (a value may still be null where typed so). */
const object = (properties: Record<string, Json>, required: string[] = Object.keys(properties)): Json => ({
  type: 'object',
  properties,
  required,
})

const indication = oneOf('PASSED', 'INDETERMINATE', 'FAILED')
const EXTENSION =
  'extension: the same signatures with long-term validation data and a document time-stamp ' +
  '(PAdES B-LT/B-LTA, issue 18); created_by is then the user whose version it extends'
const LEVEL =
  "PAdES level (ETSI EN 319 142-1): B-LT when the DSS holds the signer certificate's revocation data, " +
  'B-LTA when a document time-stamp covers it too'
const action = oneOf('approve', 'sign', 'seal')
const rule = oneOf('all', 'any')
const STANDING = oneOf('KT.', 'TL.', 'TUQ.', 'Q.', 'TM.')

const schemas: Record<string, Json> = {
  // The request bodies the routes check (server/schemas.ts), rendered from the same schema objects.
  ...Object.fromEntries(
    Object.values(REQUEST_BODIES).flatMap((b) => (b.component ? [[b.component, jsonSchemaOf(b)]] : [])),
  ),
  Error: object({
    error: object(
      {
        code: str('Stable UPPER_SNAKE code (server/errors.ts)'),
        message: str('For a person, usually in Vietnamese; a 5xx says nothing internal'),
        triesLeft: int('PIN_INCORRECT and KEY_LOCKED: wrong PINs left before the key locks'),
      },
      ['code', 'message'],
    ),
  }),
  User: object({
    id: int(),
    username: str(),
    fullName: str(),
    title: nullable(str()),
    agencyId: int(),
    roles: array(oneOf('staff', 'head', 'leader', 'clerk', 'compliance', 'admin')),
  }),
  LoginResult: object({
    token: str(
      'Bearer token for API clients (Authorization: Bearer ...); the same value is set as the kyso_session cookie',
    ),
    csrfToken: str('Send as X-CSRF-Token on POSTs authenticated by the cookie'),
    expiresAt: date(),
    user: ref('User'),
  }),
  Ok: object({ ok: { const: true } }),
  Version: object({
    id: int(),
    seq: int('1 for the upload, one more for each signature or revision'),
    sha256: str(),
    size: int(),
    origin: { ...oneOf('upload', 'signature', 'extension'), description: EXTENSION },
    created_at: date(),
    created_by: int('User id'),
  }),
  Assignee: object({
    username: str(),
    fullName: str(),
    title: nullable(str()),
    status: oneOf('pending', 'done', 'skipped'),
    actedBy: nullable(int('User id; a delegate when it differs from the assignee')),
    actedByName: nullable(str("Who acted: the delegate's name when by delegation")),
    actedAt: nullable(date()),
  }),
  Step: object({
    id: int(),
    seq: int(),
    action,
    rule,
    status: oneOf('waiting', 'active', 'done', 'stopped'),
    deadline: nullable(str()),
    completedAt: nullable(date()),
    assignees: array(ref('Assignee')),
    awaiting: array(
      object(
        {
          status: oneOf('awaiting_confirmation'),
          keySource: str('remote:<provider>'),
          expiresAt: date(),
          username: str(),
          fullName: str(),
          signingId: str('Only on my own waiting signature (GET /api/signings/{id})'),
        },
        ['status', 'keySource', 'expiresAt', 'username', 'fullName'],
      ),
    ),
  }),
  Workflow: object({
    id: int(),
    round: int('One round per submission'),
    status: oneOf('active', 'completed', 'rejected', 'returned', 'cancelled'),
    steps: array(ref('Step')),
  }),
  SignatureRecord: object({
    id: int(),
    stepId: int(),
    versionId: int(),
    field: str('Signature field name in the PDF'),
    marker: nullable(oneOf('KT.', 'TL.', 'TUQ.', 'Q.', 'TM.')),
    onBehalfOf: nullable(int('Principal user id when signed by delegation')),
    indication: nullable(indication),
    subIndication: nullable(str()),
    createdAt: date(),
    username: str(),
    fullName: str(),
    keySource: str(
      'How the signature was made: internal (a key Kyso holds), agent, two-phase, signed-file, remote:<provider>',
    ),
    form: oneOf('in-file', 'detached'),
  }),
  Document: object({
    id: int(),
    title: str(),
    kind: oneOf('internal', 'procedure', 'copy', 'attachment'),
    procedureCode: nullable(str()),
    status: oneOf('draft', 'in_progress', 'returned', 'issued', 'rejected', 'cancelled'),
    outgoingNumber: nullable(
      str('Số, ký hiệu: the whole string ("15/QĐ-SKHCN"), from the register at the seal step'),
    ),
    outgoingDate: nullable(str()),
    docType: str('Decree 30 Appendix III abbreviation: QĐ, TB, KH, BC, TTr, …; CV for a công văn'),
    docTypeName: str(),
    unitCode: nullable(str()),
    normative: bool('A legal normative document: its own register, the year in its number'),
    urgency: nullable(str()),
    recipients: array(str()),
    numberPrinted: nullable(
      bool(
        'Issued: whether the number was printed on the document\'s "Số:" line (false when the draft already carried one)',
      ),
    ),
    issuance: nullable(object({ numberPrinted: bool(), datePrinted: bool(), notes: array(str()) }, [])),
    metadata: nullable(ref('DocumentMetadata')),
    copyOf: nullable(int('The original (a copy) or the main document (an attachment)')),
    copyForm: nullable(oneOf('sao-y', 'sao-luc', 'trich-sao', 'attachment')),
    copy: nullable(object({}, [])),
    copies: array(object({ id: int(), form: str(), outgoingNumber: nullable(str()), status: str() })),
    agencyId: int(),
    drafterId: int(),
    createdAt: date(),
    updatedAt: date(),
    finishedAt: nullable(date()),
    versions: array(ref('Version')),
    workflows: array(ref('Workflow')),
    signatures: array(ref('SignatureRecord')),
    placements: array(ref('Placement')),
    agencyCode: str(),
    agencyName: str(),
    drafterName: str(),
    drafterTitle: nullable(str()),
    myActions: array(
      object(
        {
          action: oneOf('approve', 'sign', 'seal', 'revise', 'submit', 'cancel'),
          stepId: int(),
          onBehalfOf: int('Principal user id when acting by delegation'),
          marker: nullable(str()),
        },
        ['action'],
      ),
    ),
    history: array(
      object({
        id: int(),
        at: date(),
        action: str('Audit action, e.g. step.sign, document.returned'),
        username: nullable(str()),
        fullName: nullable(str()),
        title: nullable(str()),
        detail: object({}, []),
      }),
    ),
    uploadCheck: nullable(ref('UploadCheck')),
  }),
  UploadForm: object(
    {
      file: str('The PDF', { contentMediaType: 'application/pdf' }),
      title: str(undefined, { maxLength: 500 }),
      kind: { ...oneOf('internal', 'procedure'), default: 'internal' },
      procedureCode: str(
        'Required when kind=procedure: a code of the public-procedure catalogue, e.g. 1.001193',
      ),
      docType: str('QĐ, TB, KH, BC, TTr, … or CV (công văn); from the title when absent, else CV'),
      unitCode: str("The drafting unit's code, in a công văn's notation (1587/SKHCN-CĐS)"),
      normative: oneOf('true', 'false'),
      urgency: oneOf('thường', 'khẩn', 'thượng khẩn', 'hỏa tốc'),
      recipients: str(
        'Nơi nhận, one per line (read from the draft\'s "Nơi nhận:" at submission when absent)',
      ),
      secrecy: str(
        'Độ mật: a document marked mật, tối mật or tuyệt mật is refused (422 STATE_SECRET, Law 29/2018/QH14)',
      ),
    },
    ['file', 'title'],
  ),
  DocumentMetadata: object({
    organ: str(),
    organCode: str(),
    number: str(),
    date: str(),
    type: str(),
    summary: str('Trích yếu'),
    signer: nullable(str()),
    recipients: array(str()),
    secrecy: str(),
    urgency: str(),
  }),
  RegisterEntry: object({
    register: oneOf('general', 'normative', 'copies'),
    seq: nullable(int()),
    number: str(),
    date: str(),
    status: oneOf('used', 'reserved', 'unused'),
    title: nullable(str()),
    source: oneOf('kyso', 'paper'),
    documentId: nullable(int()),
    paperId: nullable(int()),
  }),
  Register: object({
    agency: object({ code: str(), name: str() }),
    year: int(),
    openings: object({}, []),
    next: object({ general: str(), normative: str(), copies: str() }),
    entries: array(ref('RegisterEntry')),
  }),
  VersionForm: object({ file: str('The revised PDF', { contentMediaType: 'application/pdf' }) }),
  AttachmentForm: object(
    {
      file: str('The attachment', { contentMediaType: 'application/pdf' }),
      title: str(),
      pin: str("The clerk's PIN"),
    },
    ['file', 'pin'],
  ),
  PaperCopyForm: object(
    {
      file: str('The scan of the paper original', { contentMediaType: 'application/pdf' }),
      form: oneOf('sao-y', 'sao-luc'),
      title: str(),
      originalNumber: str(),
      pin: str("The clerk's PIN"),
    },
    ['file', 'title', 'pin'],
  ),
  StepSpec: object(
    {
      action,
      assignees: {
        ...array(str("username: of the document's agency (422 ASSIGNEE_OUTSIDE_AGENCY otherwise)")),
        minItems: 1,
      },
      rule: { ...rule, default: 'all' },
      deadline: date(),
      upward: bool(
        "In a route template only: the assignees may also belong to the agencies above the document's",
      ),
      placement: ref('PlacementRequest'),
    },
    ['action', 'assignees'],
  ),
  PlacementRequest: {
    ...object({
      page: int('1-based'),
      rect: {
        ...array({ type: 'number' }),
        minItems: 4,
        maxItems: 4,
        description:
          '[x, y, width, height] in PDF points (user space of the page, before /Rotate), inside the crop box',
      },
    }),
    description:
      'Where this step\'s signature goes, fixed by the drafter; wins over the place found in the text. Several assignees of an "all" step share it in columns.',
  },
  Placement: {
    ...object(
      {
        stepId: int(),
        page: int('1-based'),
        rect: {
          ...array({ type: 'number' }),
          minItems: 4,
          maxItems: 4,
          description: '[x, y, width, height], PDF points, user space',
        },
        how: oneOf('block', 'end-mark', 'free-space', 'emptiest', 'explicit'),
        look: oneOf('handwritten', 'personal', 'initials', 'seal'),
        username: str('The assignee it is for, when every assignee of the step signs'),
        anchor: oneOf('content-end', 'recipients-end'),
        note: str('Why a fallback was taken (also in the audit)'),
      },
      ['stepId', 'page', 'rect', 'how', 'look'],
    ),
    description:
      'Where a signature of the current round goes, planned at submission from the draft\'s text (Decree 30/2020 Appendix I): block = between the title and the typed name of the document\'s signer block; end-mark = initials after "./." or the end of "Nơi nhận"; free-space / emptiest = fallbacks on the last page; explicit = fixed by the drafter. Invisible approvals are not listed.',
  },
  ImageResult: object(
    {
      width: int(),
      height: int(),
      sha256: str(),
      updatedAt: date(),
      warnings: array(oneOf('NO_TRANSPARENCY', 'NOT_BLUE', 'NOT_RED', 'NOT_ROUND')),
    },
    ['width', 'height', 'sha256', 'warnings'],
  ),
  ImageForm: object({ file: str('The PNG', { contentMediaType: 'image/png' }) }),
  SealForm: object({
    file: str('The seal PNG: red, round, transparent background', { contentMediaType: 'image/png' }),
    diameterMm: {
      type: 'number',
      minimum: 20,
      maximum: 60,
      description: "The seal's real diameter (36 mm is drawn as a 102 pt square)",
    },
  }),
  StatusChange: object({ documentId: int(), status: oneOf('rejected', 'returned', 'cancelled') }),
  InboxItem: object({
    stepId: int(),
    documentId: int(),
    title: str(),
    action,
    rule,
    deadline: nullable(str()),
    assigneeId: int(),
    drafter: str('Full name'),
    agency: str(),
    onBehalfOf: nullable(int('Principal user id when waiting by delegation')),
    overdue: bool(),
  }),
  SignResult: object({
    documentId: int(),
    stepId: int(),
    version: int("The new version's seq"),
    field: str(),
    status: oneOf('in_progress', 'issued'),
    outgoingNumber: str('Seal: the number used'),
    outgoingDate: str('Seal: the date used'),
    numberPrinted: bool('Seal: printed on the "Số:" line'),
    datePrinted: bool(),
    issuanceNotes: array(str()),
  }),
  Delegation: object({
    id: int(),
    delegate: str(),
    marker: oneOf('KT.', 'TL.', 'TUQ.', 'Q.'),
    from: date(),
    to: date(),
  }),
  Me: object({
    id: int(),
    username: str(),
    fullName: str(),
    title: nullable(str()),
    agencyId: int(),
    roles: array(str()),
    agencyCode: str(),
    agencyName: str(),
    csrfToken: str("The session's CSRF token (for a page reloaded on the cookie)"),
    signingTools: object({
      agentUrl: str('Where the sign dialog looks for kyso agent'),
      vgcaPluginUrl: nullable(str('The VGCA plugin script, when configured')),
      remoteProviders: array(str()),
    }),
  }),
  DocumentListItem: object({
    id: int(),
    title: str(),
    kind: oneOf('internal', 'procedure', 'copy', 'attachment'),
    procedureCode: nullable(str()),
    status: str(),
    outgoingNumber: nullable(str()),
    outgoingDate: nullable(str()),
    createdAt: date(),
    updatedAt: date(),
    finishedAt: nullable(date()),
    agencyCode: str(),
    agency: str(),
    drafter: str(),
  }),
  Directory: object({
    agency: object({ code: str(), name: str() }),
    users: array(object({ username: str(), fullName: str(), title: nullable(str()), roles: array(str()) })),
    templates: array(object({ name: str(), steps: array(ref('StepSpec')) })),
    procedures: array(object({ code: str(), name: str() })),
  }),
  DelegationRow: object({
    id: int(),
    marker: oneOf('KT.', 'TL.', 'TUQ.', 'Q.'),
    from: date(),
    to: date(),
    endedAt: nullable(date()),
    createdAt: date(),
    active: bool(),
    principal: str(),
    principalName: str(),
    delegate: str(),
    delegateName: str(),
    delegateTitle: nullable(str()),
  }),
  UploadCheck: object(
    {
      signatures: int('Signatures the uploaded file already carried'),
      indication: nullable(indication),
      failed: array(
        object({ field: str(), signer: nullable(str()), indication, subIndication: nullable(str()) }),
      ),
      warning: nullable(
        str('For the drafter, in Vietnamese: a FAILED signature keeps the document from counting'),
      ),
      problem: str('Why the signatures could not be validated'),
    },
    ['signatures', 'indication', 'failed', 'warning'],
  ),
  StandingAuthority: object({
    id: int(),
    holderId: int(),
    holder: str(),
    holderName: str(),
    holderTitle: nullable(str()),
    agencyId: int(),
    agencyCode: str(),
    marker: STANDING,
    principalId: nullable(int()),
    principal: nullable(str()),
    principalName: nullable(str()),
    principalTitle: str(),
    from: date(),
    grantedBy: int(),
    grantedAt: date(),
    endedAt: nullable(date()),
  }),
  YearTargets: object({
    year: int(),
    internalRate: { type: 'number', minimum: 0, maximum: 1 },
    minDocuments: int(),
    procedures: int(),
    deadline: str('YYYY-MM-DD'),
    updatedAt: date(),
  }),
  PersonalDataExport: object({
    generatedAt: date(),
    purposes: object({}, []),
    user: object({}, []),
    certificates: array(object({}, [])),
    enrolments: array(object({}, [])),
    delegations: array(object({}, [])),
    standingAuthorities: array(object({}, [])),
    documentsDrafted: array(object({}, [])),
    signatures: array(object({}, [])),
    sessions: array(object({}, [])),
    paperRegistered: array(object({}, [])),
    auditEvents: array(
      object(
        {
          id: int(),
          at: date(),
          action: str(),
          format: int('1: written before personal data left the hash'),
          detail: object({}, []),
          personal: nullable(object({}, [])),
          redactedAt: nullable(date()),
        },
        ['id', 'action'],
      ),
    ),
  }),
  ErasureResult: object({
    userId: int(),
    erasedAt: date(),
    redactedEvents: int('Audit events whose personal part was removed (digests stay)'),
    legacyEventsKept: int('Events of format 1 naming the user, kept to keep the chain'),
    certificatesRevoked: int(),
    kept: array(str()),
  }),
  Agency: object(
    {
      id: int(),
      code: str(),
      name: str(),
      parentCode: nullable(str()),
      approvalMode: oneOf('in-file', 'detached'),
    },
    ['id', 'code', 'name', 'parentCode'],
  ),
  AdminUser: object({
    id: int(),
    username: str(),
    fullName: str(),
    title: nullable(str()),
    disabled: bool(),
    agencyCode: str(),
    agency: str(),
    roles: array(str()),
  }),
  CertificateRow: object(
    {
      id: int(),
      kind: oneOf('personal', 'seal'),
      status: oneOf('awaiting-pin', 'pending', 'rejected', 'valid', 'expired', 'revoked'),
      username: str(),
      fullName: str(),
      source: oneOf('internal', 'external'),
      subject: str(),
      issuer: nullable(str()),
      serialHex: str(),
      notBefore: date(),
      notAfter: date(),
      revokedAt: nullable(date()),
      agencyCode: str(),
      createdAt: date('Authorisations waiting for a PIN'),
    },
    ['id', 'kind', 'status', 'username'],
  ),
  TrustAnchor: object({
    fingerprint: str('SHA-256, hex'),
    subject: str(),
    issuer: str(),
    notBefore: date(),
    notAfter: date(),
    source: oneOf('internal-ca', 'added'),
  }),
  AuditVerification: object(
    {
      ok: bool(),
      events: int(),
      brokenAt: int('Id of the first event whose hash does not chain'),
      missingAfter: int(
        'Id of the last event left when events the latest checkpoint covers are missing (the end was cut off)',
      ),
      checkpoint: object({ events: int(), lastId: int(), headHash: str(), at: date(), file: str() }, [
        'events',
        'lastId',
        'headHash',
        'at',
      ]),
    },
    ['ok', 'events'],
  ),
  Check: object({
    check: oneOf(
      'structure',
      'coverage',
      'integrity',
      'signing-certificate',
      'trust',
      'validity',
      'timestamp',
      'revocation',
      'changes',
      'algorithms',
    ),
    passed: bool(),
    detail: str(),
  }),
  Change: object(
    {
      kind: str(),
      object: nullable(int()),
      page: nullable(int()),
      what: str(),
      allowed: bool(),
      key: str(),
      level: oneOf('none', 'signatures', 'form-filling', 'annotations', 'other'),
      warning: bool('Allowed, but listed as a warning'),
      overContent: bool('An annotation visible over the signed page text or images'),
      action: oneOf('added', 'removed', 'changed'),
      field: str(),
    },
    ['kind', 'object', 'page', 'what', 'allowed'],
  ),
  Warning: object({
    kind: str(),
    object: nullable(int()),
    page: nullable(int()),
    what: str(),
    what_vi: str('The same in Vietnamese'),
  }),
  SignatureReport: object(
    {
      field: str(),
      fields: array(str()),
      signer: nullable(str()),
      issuer: nullable(str()),
      signedAt: nullable(date("The timestamp's genTime when proven (B-T), else the claimed /M")),
      signedAtProven: bool(),
      subFilter: nullable(str()),
      level: { ...nullable(oneOf('B-B', 'B-T', 'B-LT', 'B-LTA', 'PKCS7')), description: LEVEL },
      indication,
      subIndication: nullable(str()),
      coversWholeDocument: bool(),
      byteRange: nullable(array(int())),
      revision: nullable(int()),
      signedContentLength: nullable(int()),
      revocation: oneOf('good', 'revoked', 'unknown', 'not-checked'),
      revocationSource: nullable(oneOf('crl', 'ocsp')),
      revocationEvidence: {
        ...nullable(oneOf('held', 'document')),
        description:
          "Whose revocation data the status rests on: the validator's own CRLs, or the document's DSS",
      },
      timestamp: nullable(
        object({ genTime: nullable(date()), valid: bool(), trusted: bool(), tsa: nullable(str()) }),
      ),
      checks: array(ref('Check')),
      changes: array(ref('Change')),
      problems: array(str()),
      kind: oneOf('signature', 'document-timestamp'),
      proofOfExistence: nullable(
        object({
          time: date(),
          source: oneOf('signature-timestamp', 'document-timestamp'),
          field: nullable(str()),
        }),
      ),
      algorithms: nullable(object({ digest: str(), signature: nullable(str()), key: nullable(str()) })),
      modificationLevel: oneOf('none', 'signatures', 'form-filling', 'annotations', 'other'),
      warnings: array(ref('Warning')),
    },
    [
      'field',
      'fields',
      'signer',
      'issuer',
      'signedAt',
      'signedAtProven',
      'subFilter',
      'level',
      'indication',
      'subIndication',
      'coversWholeDocument',
      'byteRange',
      'revision',
      'signedContentLength',
      'revocation',
      'revocationSource',
      'timestamp',
      'checks',
      'changes',
      'problems',
    ],
  ),
  SigningCertificate: object(
    {
      id: int(),
      kind: oneOf('personal', 'seal'),
      source: oneOf('internal', 'external'),
      status: oneOf('pending', 'active', 'rejected', 'revoked'),
      subject: str(),
      issuer: nullable(str()),
      serialHex: str(),
      notBefore: date(),
      notAfter: date(),
      username: str(),
      remote: nullable(object({ provider: str(), credentialId: str() })),
    },
    ['id', 'kind', 'source', 'status', 'subject', 'issuer', 'serialHex', 'notBefore', 'notAfter', 'remote'],
  ),
  CommitFields: object(
    {
      comment: str(),
      outgoingNumber: str('Seal steps: số, ký hiệu'),
      outgoingDate: str('Seal steps: ISO 8601 date'),
    },
    [],
  ),
  PreparedSignature: object({
    signingId: str('Bound to me, this step and this version; used once'),
    signedAttributes: str('Base64 DER: exactly the bytes the key signs'),
    digest: str('Base64 SHA-256 of signedAttributes'),
    digestAlgorithm: oneOf('SHA-256'),
    expiresAt: date(),
    certificateId: int(),
    keyAlgorithm: oneOf('RSA', 'EC'),
    placement: object({ page: int(), rect: array({ type: 'number' }) }),
  }),
  SignedFileForm: object(
    {
      file: str('The whole signed PDF', { contentMediaType: 'application/pdf' }),
      comment: str(),
      outgoingNumber: str(),
      outgoingDate: str(),
    },
    ['file'],
  ),
  FileTicket: object({
    ticket: str(),
    expiresAt: date(),
    toSignUrl: str(),
    signedFileUrl: str(),
    etag: str(),
  }),
  RemoteSigning: object(
    {
      signingId: str(),
      stepId: int(),
      status: oneOf('awaiting_confirmation', 'completed', 'refused', 'expired', 'failed'),
      keySource: str(),
      expiresAt: date(),
      detail: nullable(str()),
      result: ref('SignResult'),
    },
    ['signingId', 'stepId', 'status', 'keySource', 'expiresAt', 'detail'],
  ),
  RevocationList: object(
    {
      id: int(),
      sha256: str(),
      issuer: str(),
      thisUpdate: date(),
      nextUpdate: nullable(date()),
      addedBy: int(),
      addedAt: date(),
    },
    ['id', 'sha256', 'issuer', 'thisUpdate', 'nextUpdate'],
  ),
  DetachedReport: {
    allOf: [
      ref('SignatureReport'),
      object({ signatureId: int(), version: int('The seq of the version it signs') }),
    ],
    description:
      "An approval kept outside the file: a CAdES detached signature over a version, validated like the PDF's own",
  },
  VerifyReport: {
    ...object(
      {
        indication,
        signatures: array(ref('SignatureReport')),
        revisions: int(),
        revisionProblems: array(object({ revision: int(), from: int(), problem: str() })),
        encrypted: bool(),
        validationTime: date('The time the signatures were judged at: now, or ?at'),
        dss: nullable(object({ certificates: int(), crls: int(), ocspResponses: int(), vri: int() })),
      },
      ['indication', 'signatures', 'revisions', 'revisionProblems', 'encrypted'],
    ),
    description: "The same JSON as `kyso verify --json`: the overall indication is the worst signature's.",
  },
}

/** The error responses of an operation, grouped by the status the one table gives each code. */
function failures(codes: Code[]): Record<string, Json> {
  const byStatus = new Map<number, Code[]>()
  for (const code of new Set<Code>([...codes, 'INTERNAL']))
    byStatus.set(STATUS[code], [...(byStatus.get(STATUS[code]) ?? []), code])
  const out: Record<string, Json> = {}
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: list.join(', '),
      content: json({ allOf: [ref('Error'), object({ error: object({ code: oneOf(...list) }, ['code']) })] }),
    }
  }
  return out
}

const SIGNED_IN: Code[] = ['UNAUTHENTICATED']
const JSON_BODY: Code[] = ['BAD_REQUEST', 'UPLOAD_TOO_LARGE']
/** A cookie-authenticated POST needs X-CSRF-Token; a repeated Idempotency-Key can mismatch or still be running. */
const SIGNED_IN_POST: Code[] = [
  ...SIGNED_IN,
  'CSRF_REJECTED',
  'BAD_REQUEST',
  'CONFLICT',
  'IDEMPOTENCY_MISMATCH',
]
const UPLOAD: Code[] = [
  'BAD_REQUEST',
  'UPLOAD_TOO_LARGE',
  'NOT_A_PDF',
  'PDF_UNREADABLE',
  'PDF_ENCRYPTED',
  'PDF_TOO_LARGE',
  'PDF_PAGE_NOT_FOUND',
]
const SIGNING: Code[] = [
  'PIN_INCORRECT',
  'KEY_UNREADABLE',
  'KEY_MISMATCH',
  'CERT_REVOKED',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_KEY_USAGE',
  'CERT_UNREADABLE',
  'CRL_UNREADABLE',
  'PDF_UNREADABLE',
  'PDF_CERTIFIED_NO_CHANGES',
  'PDF_TOO_LARGE',
  'SIGNATURE_TOO_LARGE',
  'TSA_FAILED',
  'VERSION_CONFLICT',
]

const bearerOrCookie = [{ bearer: [] }, { session: [] }]
const bearerOrCookieWithCsrf = [{ bearer: [] }, { session: [], csrf: [] }]
const REPLAYED: Json = {
  description: '"true" when this is the stored result of an earlier request with the same Idempotency-Key',
  schema: str(),
}
const param = (name: string): Json => ({ $ref: `#/components/parameters/${name}` })

interface Operation {
  id: string
  tag: string
  summary: string
  description?: string
  /** Signed-in only (bearer token or session cookie); POSTs also take Idempotency-Key. */
  auth?: boolean
  path?: 'DocumentId' | 'StepId' | 'AgencyCode' | 'Id' | 'Code' | 'SigningId' | 'Year' | 'OcspRequest'
  /** Query parameters (components/parameters). */
  query?: 'At'[]
  body?: Json
  ok: [number, string, Json?]
  /** Response headers of the success. */
  headers?: Json
  codes?: Code[]
}

function operation(method: 'get' | 'post' | 'patch' | 'put' | 'delete', o: Operation): Json {
  const [status, description, content] = o.ok
  const post = method !== 'get' && o.auth
  const headers: Json = { ...o.headers, ...(post && { 'Idempotent-Replayed': REPLAYED }) }
  return {
    operationId: o.id,
    tags: [o.tag],
    summary: o.summary,
    ...(o.description && { description: o.description }),
    security: o.auth ? (method !== 'get' ? bearerOrCookieWithCsrf : bearerOrCookie) : [],
    parameters: [
      ...(o.path ? [param(o.path)] : []),
      ...(o.query ?? []).map(param),
      ...(post ? [param('IdempotencyKey')] : []),
    ],
    ...(o.body && { requestBody: { required: true, content: o.body } }),
    responses: {
      [String(status)]: {
        description,
        ...(Object.keys(headers).length > 0 && { headers }),
        ...(content && { content }),
      },
      ...failures([...(o.auth ? (method !== 'get' ? SIGNED_IN_POST : SIGNED_IN) : []), ...(o.codes ?? [])]),
    },
  }
}

const multipart = (schema: string): Json => ({
  'multipart/form-data': { schema: ref(schema), encoding: { file: { contentType: 'application/pdf' } } },
})

const OCSP_REQUEST = 'application/ocsp-request'
const CRL_TYPE = 'application/pkix-crl'
const OCSP_RESPONSE: Json = {
  'application/ocsp-response': { schema: str(undefined, { contentMediaType: 'application/ocsp-response' }) },
}

const pdf = (description: string): Json => ({
  'application/pdf': { schema: str(description, { contentMediaType: 'application/pdf' }) },
})
const SIGNED_STEP =
  'approve signs with reason "Đã duyệt", sign is the competent person\'s signature, seal is the agency\'s seal applied by a clerk ' +
  "(outgoingNumber optional: the register's next; outgoingDate optional: today; both printed on the document's own lines and locked by the seal). The new version extends the previous bytes exactly. Of concurrent requests on one assignment one wins; the rest get 409."

const CERT_CHECK: Code[] = [
  'CERT_UNTRUSTED',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_KEY_USAGE',
  'CERT_REVOKED',
  'CERT_REVOCATION_UNKNOWN',
]
const TURN: Code[] = ['NOT_FOUND', 'OWN_DRAFT', 'NOT_ASSIGNEE', 'STEP_NOT_ACTIVE']
const EXTERNAL: Code[] = [...TURN, 'WRONG_SIGNER', 'CERT_NOT_ACTIVE', ...CERT_CHECK, 'VERSION_CONFLICT']

/** Issue 11: keys Kyso never holds. */
const EXTERNAL_SIGNING_PATHS: Record<string, Record<string, Json>> = {
  '/api/me/certificates/external': {
    post: operation('post', {
      id: 'submitExternalCertificate',
      tag: 'admin',
      summary:
        'Submit the certificate of a key I hold elsewhere (token, remote service); pending until an admin approves',
      description:
        'Checked like before a signature (trust anchor, key usage, validity, revocation) and against my name once case and marks are folded.',
      auth: true,
      body: json(ref('ExternalCertificateRequest')),
      ok: [201, 'Pending', json(ref('SigningCertificate'))],
      codes: [...JSON_BODY, 'CONFLICT', 'CERT_SUBJECT_MISMATCH', 'REMOTE_NOT_CONFIGURED', ...CERT_CHECK],
    }),
  },
  '/api/me/signing-certificates': {
    get: operation('get', {
      id: 'mySigningCertificates',
      tag: 'steps',
      summary: 'My certificates of every source, for the sign dialog',
      auth: true,
      ok: [
        200,
        'Newest first',
        json(array({ allOf: [ref('SigningCertificate'), object({ certificate: str('Base64 DER') })] })),
      ],
    }),
  },
  '/api/me/remote-credentials': {
    get: operation('get', {
      id: 'myRemoteCredentials',
      tag: 'steps',
      summary: 'My credentials at a remote-signing provider (?provider=&userRef=)',
      auth: true,
      ok: [
        200,
        'Credentials',
        json(
          array(
            object(
              {
                credentialId: str(),
                keyAlgorithm: oneOf('RSA', 'EC'),
                certificate: str('Base64 DER'),
                label: str(),
              },
              ['credentialId', 'keyAlgorithm', 'certificate'],
            ),
          ),
        ),
      ],
      codes: ['BAD_REQUEST', 'REMOTE_NOT_CONFIGURED', 'REMOTE_UNAVAILABLE'],
    }),
  },
  '/api/admin/certificates/external': {
    post: operation('post', {
      id: 'adminSubmitExternalCertificate',
      tag: 'admin',
      summary: 'An admin submits an external certificate for a user (no name check)',
      auth: true,
      body: json(ref('ExternalCertificateByAdminRequest')),
      ok: [201, 'Pending', json(ref('SigningCertificate'))],
      codes: [...JSON_BODY, 'FORBIDDEN', 'CONFLICT', 'REMOTE_NOT_CONFIGURED', ...CERT_CHECK],
    }),
  },
  '/api/admin/certificates/{id}/approve': {
    post: operation('post', {
      id: 'approveCertificate',
      tag: 'admin',
      summary: 'Approve a pending external certificate: binds its issuer and serial to the holder',
      auth: true,
      path: 'Id',
      ok: [200, 'Active', json(ref('SigningCertificate'))],
      codes: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT', ...CERT_CHECK],
    }),
  },
  '/api/admin/certificates/{id}/reject': {
    post: operation('post', {
      id: 'rejectCertificate',
      tag: 'admin',
      summary: 'Reject a pending external certificate (reason required)',
      auth: true,
      path: 'Id',
      body: json(jsonSchemaOf(CERTIFICATE_REJECT)),
      ok: [200, 'Rejected', json(ref('SigningCertificate'))],
      codes: [...JSON_BODY, 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
    }),
  },
  '/api/admin/crls': {
    get: operation('get', {
      id: 'listCrls',
      tag: 'admin',
      summary: 'CRLs uploaded for CAs on a dedicated network',
      auth: true,
      ok: [200, 'Oldest first', json(array(ref('RevocationList')))],
      codes: ['FORBIDDEN'],
    }),
    post: operation('post', {
      id: 'uploadCrl',
      tag: 'admin',
      summary: "Upload a CA's current CRL (kept only if signed by a CA Kyso trusts)",
      auth: true,
      body: json(jsonSchemaOf(REVOCATION_LIST)),
      ok: [201, 'Kept', json(ref('RevocationList'))],
      codes: [...JSON_BODY, 'FORBIDDEN', 'CONFLICT'],
    }),
  },
  '/api/admin/agencies/{code}': {
    patch: operation('patch', {
      id: 'updateAgency',
      tag: 'admin',
      summary:
        'Agency settings: how approvals made with internal keys travel (in the file, or as detached evidence), and whether approvals in the file show as initials or stay invisible',
      auth: true,
      path: 'Code',
      body: json(jsonSchemaOf(AGENCY_SETTINGS)),
      ok: [
        200,
        'Updated',
        json(
          object({
            code: str(),
            approvalMode: oneOf('in-file', 'detached'),
            approvalAppearance: oneOf('initials', 'invisible'),
          }),
        ),
      ],
      codes: [...JSON_BODY, 'FORBIDDEN', 'NOT_FOUND'],
    }),
  },
  '/api/admin/agencies/{code}/seal-image': {
    put: operation('put', {
      id: 'setAgencySeal',
      tag: 'admin',
      summary: "Upload the agency's seal image (PNG, red, round, transparent) with its real diameter",
      auth: true,
      path: 'Code',
      description:
        "Drawn at its real size over the left third of the leader's signature (Decree 30/2020 Appendix I). Colour, roundness and transparency are advisory (warnings).",
      body: {
        'multipart/form-data': { schema: ref('SealForm'), encoding: { file: { contentType: 'image/png' } } },
        'image/png': { schema: str('The PNG (diameterMm as a query parameter)') },
      },
      ok: [200, 'Stored', json(ref('ImageResult'))],
      codes: [...JSON_BODY, 'FORBIDDEN', 'NOT_FOUND', 'IMAGE_UNREADABLE', 'IMAGE_UNSUITABLE'],
    }),
    get: operation('get', {
      id: 'getAgencySeal',
      tag: 'admin',
      summary: "The agency's seal image (administrators)",
      auth: true,
      path: 'Code',
      ok: [200, 'The PNG', { 'image/png': { schema: str('PNG', { contentMediaType: 'image/png' }) } }],
      codes: ['FORBIDDEN', 'NOT_FOUND'],
    }),
  },
  '/api/me/signature-image': {
    put: operation('put', {
      id: 'setMySignatureImage',
      tag: 'auth',
      summary: 'Upload my handwritten-signature image (PNG, blue, transparent background)',
      auth: true,
      description:
        'Personal data and a forgery aid: used only in my own signatures, never served to anyone else but inside documents I signed, deleted with my account. Transparent margins are cropped; transparency and blue ink are advisory (warnings).',
      body: {
        'image/png': { schema: str('The PNG', { contentMediaType: 'image/png' }) },
        'multipart/form-data': { schema: ref('ImageForm'), encoding: { file: { contentType: 'image/png' } } },
      },
      ok: [200, 'Stored', json(ref('ImageResult'))],
      codes: [...JSON_BODY, 'IMAGE_UNREADABLE', 'IMAGE_UNSUITABLE'],
    }),
    get: operation('get', {
      id: 'getMySignatureImage',
      tag: 'auth',
      summary: 'My own signature image (its owner only); ?info for its size without the image',
      auth: true,
      ok: [
        200,
        'The PNG, or with ?info {image: {width, height, sha256, updatedAt} | null}',
        { 'image/png': { schema: str('PNG', { contentMediaType: 'image/png' }) } },
      ],
      codes: ['NOT_FOUND'],
    }),
    delete: operation('delete', {
      id: 'deleteMySignatureImage',
      tag: 'auth',
      summary: 'Delete my signature image (my signatures then show my name in a handwriting-like hand)',
      auth: true,
      ok: [200, 'Deleted (or there was none)', json(object({ deleted: bool() }))],
    }),
  },
  '/api/steps/{id}/to-sign': {
    get: operation('get', {
      id: 'fileToSign',
      tag: 'steps',
      summary: 'The exact version to sign in my own tool (or ?ticket= for a plugin)',
      auth: true,
      path: 'StepId',
      ok: [200, 'The PDF', pdf('The version to sign')],
      headers: {
        ETag: { description: "The version's SHA-256, quoted: send it back as If-Match", schema: str() },
      },
      codes: [...TURN, 'VERSION_CONFLICT'],
    }),
  },
  '/api/steps/{id}/signed-file': {
    post: operation('post', {
      id: 'returnSignedFile',
      tag: 'steps',
      summary: 'Return the file signed in my own tool (the VGCA plugin, any signer): If-Match required',
      description:
        'Accepted only if it is the version served plus exactly one signature revision, valid, by an active external certificate of mine, changing nothing a signature may not. ' +
        'With ?ticket= (a plugin), outgoingNumber, outgoingDate and comment may also come in the query string; fields of the form win.',
      auth: true,
      path: 'StepId',
      body: multipart('SignedFileForm'),
      ok: [200, 'Signed: a new version', json(ref('SignResult'))],
      codes: [
        ...UPLOAD,
        ...EXTERNAL,
        'NUMBER_TAKEN',
        'DATE_IN_FUTURE',
        'PRECONDITION_REQUIRED',
        'NOT_AN_INCREMENT',
        'SIGNATURE_INVALID',
        'DISALLOWED_CHANGES',
        'VALIDATION_TIMEOUT',
        'VALIDATION_OUT_OF_MEMORY',
        'VALIDATION_FAILED',
      ],
    }),
  },
  '/api/steps/{id}/file-ticket': {
    post: operation('post', {
      id: 'createFileTicket',
      tag: 'steps',
      summary: 'A short-lived, single-use ticket for a signing plugin that cannot carry my session',
      auth: true,
      path: 'StepId',
      ok: [201, 'The ticket and the two URLs it opens', json(ref('FileTicket'))],
      codes: TURN,
    }),
  },
  '/api/steps/{id}/prepare': {
    post: operation('post', {
      id: 'prepareStep',
      tag: 'steps',
      summary: 'Two-phase signing: Kyso draws the appearance and answers the bytes my key signs',
      auth: true,
      path: 'StepId',
      body: json(ref('PrepareRequest')),
      ok: [200, 'Prepared', json(ref('PreparedSignature'))],
      codes: [
        ...JSON_BODY,
        ...EXTERNAL,
        'NUMBER_TAKEN',
        'DATE_IN_FUTURE',
        'PDF_UNREADABLE',
        'PDF_CERTIFIED_NO_CHANGES',
      ],
    }),
  },
  '/api/steps/{id}/complete': {
    post: operation('post', {
      id: 'completeStep',
      tag: 'steps',
      summary: 'Two-phase signing: the signature value for a prepared signingId',
      auth: true,
      path: 'StepId',
      body: json(ref('CompleteRequest')),
      ok: [200, 'Signed: a new version', json(ref('SignResult'))],
      codes: [
        ...JSON_BODY,
        ...TURN,
        'SIGNATURE_INVALID',
        'SIGNING_USED',
        'SIGNING_EXPIRED',
        'VERSION_CONFLICT',
        'TSA_FAILED',
        'SIGNATURE_TOO_LARGE',
      ],
    }),
  },
  '/api/steps/{id}/remote': {
    post: operation('post', {
      id: 'remoteSign',
      tag: 'steps',
      summary: 'Remote signing: the provider asks me to confirm on my phone; the step completes when I do',
      auth: true,
      path: 'StepId',
      body: json(ref('RemoteSigningRequest')),
      ok: [202, 'Awaiting confirmation', json(ref('RemoteSigning'))],
      codes: [
        ...JSON_BODY,
        ...EXTERNAL,
        'REMOTE_NOT_CONFIGURED',
        'REMOTE_UNAVAILABLE',
        'REMOTE_SIGNING_FAILED',
      ],
    }),
  },
  '/api/signings/{id}': {
    get: operation('get', {
      id: 'signingState',
      tag: 'steps',
      summary: 'The state of my remote signing',
      auth: true,
      path: 'SigningId',
      ok: [200, 'Its state', json(ref('RemoteSigning'))],
      codes: ['NOT_FOUND'],
    }),
  },
  '/api/documents/{id}/evidence': {
    get: operation('get', {
      id: 'evidencePackage',
      tag: 'documents',
      summary: 'Evidence package (ZIP): versions, detached approvals, certificate paths and revocation data',
      auth: true,
      path: 'DocumentId',
      ok: [
        200,
        'The ZIP',
        { 'application/zip': { schema: str('ZIP', { contentMediaType: 'application/zip' }) } },
      ],
      codes: ['NOT_FOUND'],
    }),
  },
}

const paths: Record<string, Record<string, Json>> = {
  '/api/openapi.json': {
    get: operation('get', {
      id: 'getOpenApi',
      tag: 'meta',
      summary: 'This description (OpenAPI 3.1)',
      ok: [200, 'The OpenAPI document', json({ type: 'object' })],
    }),
  },
  '/api/messages': {
    get: operation('get', {
      id: 'getMessages',
      tag: 'meta',
      summary: 'The words for people: refusal texts by error code, reasons by sub-indication (vi, en)',
      description:
        'The catalogue the web interface and `kyso verify` show (issue 16), so every client says the same: ' +
        'per language, what a refusal means by its error `code`, and why a signature is not valid by its ' +
        "`subIndication`. A code missing from it: show the error body's own message.",
      ok: [
        200,
        'The catalogue',
        json(
          object(
            Object.fromEntries(
              ['vi', 'en'].map((lang) => [
                lang,
                object({
                  refusals: { type: 'object', additionalProperties: str('the text, by error code') },
                  reasons: { type: 'object', additionalProperties: str('the text, by sub-indication') },
                }),
              ]),
            ),
          ),
        ),
      ],
      headers: { 'Cache-Control': { description: 'public, max-age=3600', schema: str() } },
    }),
  },
  '/api/auth/login': {
    post: operation('post', {
      id: 'login',
      tag: 'auth',
      summary: 'Sign in with a local account',
      description:
        'A new session at every login. After repeated failures the username is throttled for a while.',
      body: json(ref('LoginRequest')),
      ok: [200, 'Signed in', json(ref('LoginResult'))],
      codes: [...JSON_BODY, 'LOGIN_FAILED', 'LOGIN_THROTTLED'],
      headers: {
        'Set-Cookie': {
          description: 'kyso_session=TOKEN; HttpOnly; SameSite=Strict; Path=/ (Secure over HTTPS)',
          schema: str(),
        },
      },
    }),
  },
  '/api/auth/logout': {
    post: operation('post', {
      id: 'logout',
      tag: 'auth',
      summary: 'Revoke this session (and clear the cookie)',
      auth: true,
      ok: [200, 'Signed out', json(ref('Ok'))],
    }),
  },
  '/api/me': {
    get: operation('get', {
      id: 'getMe',
      tag: 'auth',
      summary: "The signed-in user, their agency and the session's CSRF token",
      auth: true,
      ok: [200, 'The user', json(ref('Me'))],
    }),
  },
  '/api/documents': {
    get: operation('get', {
      id: 'listDocuments',
      tag: 'documents',
      summary:
        'Lists: box=sent (drafted by me, default), issued, all (what I may read); q filters titles; limit 1 to 500 (100)',
      auth: true,
      ok: [200, 'Newest first', json(array(ref('DocumentListItem')))],
      codes: ['BAD_REQUEST'],
    }),
    post: operation('post', {
      id: 'uploadDocument',
      tag: 'documents',
      summary: 'Upload a PDF as a new draft',
      auth: true,
      body: multipart('UploadForm'),
      ok: [201, 'The new draft', json(ref('Document'))],
      codes: [...UPLOAD, 'STATE_SECRET'],
    }),
  },
  '/api/auth/session': {
    get: operation('get', {
      id: 'getSession',
      tag: 'auth',
      summary: 'Whether this request carries a live session (200 either way; for a page that starts)',
      ok: [
        200,
        'signedIn, and the user when signed in',
        json(object({ signedIn: bool(), user: ref('Me') }, ['signedIn'])),
      ],
    }),
  },
  '/api/me/certificates': {
    get: operation('get', {
      id: 'getMyCertificates',
      tag: 'auth',
      summary: 'My certificates and those authorised for me that wait for my PIN',
      auth: true,
      ok: [
        200,
        'Pending enrolments and certificates',
        json(
          object({
            pending: array(object({ id: int(), kind: str(), createdAt: date() })),
            certificates: array(object({})),
          }),
        ),
      ],
    }),
  },
  '/api/me/enrolments/{id}/activate': {
    post: operation('post', {
      id: 'activateEnrolment',
      tag: 'auth',
      summary:
        'Set the PIN of an authorised certificate: the key is made and sealed under it (the PIN is never stored)',
      auth: true,
      path: 'Id',
      body: json(jsonSchemaOf(ENROLMENT_ACTIVATE)),
      ok: [
        201,
        'The new certificate',
        json(object({ id: int(), serialHex: str(), kind: str(), subject: str(), notAfter: date() })),
      ],
      codes: ['NOT_FOUND', 'PIN_TOO_SHORT'],
    }),
  },
  '/api/directory': {
    get: operation('get', {
      id: 'getDirectory',
      tag: 'documents',
      summary: 'People, route templates of my agency and the public-procedure catalogue',
      auth: true,
      ok: [200, 'The directory', json(ref('Directory'))],
    }),
  },
  '/api/documents/{id}': {
    get: operation('get', {
      id: 'getDocument',
      tag: 'documents',
      summary: 'A document with its versions, chain and signatures',
      auth: true,
      path: 'DocumentId',
      description: 'A document the user may not read is a 404, like one that does not exist.',
      ok: [200, 'The document', json(ref('Document'))],
      codes: ['NOT_FOUND'],
    }),
  },
  '/api/documents/{id}/versions': {
    post: operation('post', {
      id: 'reviseDocument',
      tag: 'documents',
      summary: 'The drafter uploads a revised version (of a draft or returned document)',
      auth: true,
      path: 'DocumentId',
      body: multipart('VersionForm'),
      ok: [201, 'The document, back to draft', json(ref('Document'))],
      codes: [...UPLOAD, 'NOT_FOUND', 'FORBIDDEN'],
    }),
  },
  '/api/documents/{id}/submit': {
    post: operation('post', {
      id: 'submitDocument',
      tag: 'documents',
      summary: 'The drafter submits a draft along a route template or explicit steps',
      auth: true,
      path: 'DocumentId',
      description:
        "Where each signature will go is planned now from the draft's text (Document.placements), unless a step carries its own placement.",
      body: json(ref('SubmitRequest')),
      ok: [200, 'The document, in progress; its first step is active', json(ref('Document'))],
      codes: [...JSON_BODY, 'NOT_FOUND', 'FORBIDDEN', 'ASSIGNEE_OUTSIDE_AGENCY', 'STATE_SECRET'],
    }),
  },
  '/api/documents/{id}/cancel': {
    post: operation('post', {
      id: 'cancelDocument',
      tag: 'documents',
      summary: 'The drafter cancels a document before it is issued',
      auth: true,
      path: 'DocumentId',
      ok: [200, 'Cancelled', json(ref('StatusChange'))],
      codes: ['NOT_FOUND', 'FORBIDDEN'],
    }),
  },
  '/api/documents/{id}/file': {
    get: operation('get', {
      id: 'downloadDocument',
      tag: 'documents',
      summary: "The latest version's PDF, or ?version=N (its seq)",
      auth: true,
      path: 'DocumentId',
      codes: ['NOT_FOUND'],
      ok: [200, 'The PDF', pdf('The latest version')],
      headers: {
        ETag: { description: "The version's sha256, quoted", schema: str() },
        'Content-Disposition': {
          description:
            'attachment; filename="van-ban-ID-vSEQ.pdf", or for an issued document\'s latest version its number: "15-QD-SKHCN.pdf"',
          schema: str(),
        },
      },
    }),
  },
  '/api/documents/{id}/verification': {
    get: operation('get', {
      id: 'verifyDocument',
      tag: 'documents',
      summary: 'Validate the latest version: the same report as `kyso verify --json`',
      auth: true,
      path: 'DocumentId',
      query: ['At'],
      ok: [
        200,
        'The validation report (a bad signature is data, not an error)',
        json({ allOf: [ref('VerifyReport'), object({ detached: array(ref('DetachedReport')) })] }),
      ],
      codes: [
        'NOT_FOUND',
        'BAD_REQUEST',
        'PDF_UNREADABLE',
        'PDF_TOO_LARGE',
        'VALIDATION_TIMEOUT',
        'VALIDATION_OUT_OF_MEMORY',
        'VALIDATION_FAILED',
      ],
    }),
  },
  '/api/inbox': {
    get: operation('get', {
      id: 'getInbox',
      tag: 'steps',
      summary: 'Active steps waiting for me, and those of leaders who delegated to me now',
      auth: true,
      ok: [200, 'Waiting steps, oldest first', json(array(ref('InboxItem')))],
    }),
  },
  '/api/steps/{id}/sign': {
    post: operation('post', {
      id: 'signStep',
      tag: 'steps',
      summary: 'Approve, sign or seal the current step with my PIN',
      description: `${SIGNED_STEP} The PIN is a counted try: a wrong one is 403 PIN_INCORRECT with triesLeft; after five in a row the key is locked (423 KEY_LOCKED, even for the right PIN) until an administrator unlocks it.`,
      auth: true,
      path: 'StepId',
      body: json(ref('SignRequest')),
      ok: [200, 'Signed: a new version', json(ref('SignResult'))],
      codes: [
        ...JSON_BODY,
        'NOT_FOUND',
        'OWN_DRAFT',
        'NOT_ASSIGNEE',
        'STEP_NOT_ACTIVE',
        'NO_CERTIFICATE',
        'KEY_LOCKED',
        'NUMBER_TAKEN',
        'DATE_IN_FUTURE',
        ...SIGNING,
      ],
    }),
  },
  ...EXTERNAL_SIGNING_PATHS,
  '/api/steps/{id}/reject': {
    post: operation('post', {
      id: 'rejectStep',
      tag: 'steps',
      summary: 'Reject: ends the chain (reason required)',
      auth: true,
      path: 'StepId',
      body: json(ref('ReasonRequest')),
      ok: [200, 'Rejected', json(ref('StatusChange'))],
      codes: [...JSON_BODY, 'NOT_FOUND', 'NOT_ASSIGNEE', 'STEP_NOT_ACTIVE'],
    }),
  },
  '/api/steps/{id}/return': {
    post: operation('post', {
      id: 'returnStep',
      tag: 'steps',
      summary: 'Return to the drafter for revision (reason required)',
      auth: true,
      path: 'StepId',
      body: json(ref('ReasonRequest')),
      ok: [200, 'Returned', json(ref('StatusChange'))],
      codes: [...JSON_BODY, 'NOT_FOUND', 'NOT_ASSIGNEE', 'STEP_NOT_ACTIVE'],
    }),
  },
  '/api/delegations': {
    get: operation('get', {
      id: 'listDelegations',
      tag: 'delegations',
      summary: 'Delegations I gave and received',
      auth: true,
      ok: [
        200,
        'Given and received, and the standing authorities I hold or am principal of',
        json(
          object({
            given: array(ref('DelegationRow')),
            received: array(ref('DelegationRow')),
            standing: array(object({}, [])),
          }),
        ),
      ],
    }),
    post: operation('post', {
      id: 'createDelegation',
      tag: 'delegations',
      summary: 'A leader authorises a delegate to sign KT./TL./TUQ./Q. between two dates',
      auth: true,
      body: json(ref('DelegationRequest')),
      ok: [201, 'Recorded', json(ref('Delegation'))],
      codes: [...JSON_BODY, 'FORBIDDEN', 'NOT_ELIGIBLE'],
    }),
  },
  '/api/delegations/{id}/end': {
    post: operation('post', {
      id: 'endDelegation',
      tag: 'delegations',
      summary: 'The principal ends a delegation now',
      auth: true,
      path: 'Id',
      ok: [200, 'Ended', json(object({ id: int(), endedAt: date() }))],
      codes: ['NOT_FOUND'],
    }),
  },
  '/api/admin/agencies': {
    get: operation('get', {
      id: 'listAgencies',
      tag: 'admin',
      summary: 'Agencies',
      auth: true,
      ok: [200, 'All agencies', json(array(ref('Agency')))],
      codes: ['FORBIDDEN'],
    }),
    post: operation('post', {
      id: 'createAgency',
      tag: 'admin',
      summary: 'Add an agency under a parent',
      auth: true,
      body: json(jsonSchemaOf(AGENCY_CREATE)),
      ok: [201, 'Created', json(ref('Agency'))],
      codes: ['FORBIDDEN'],
    }),
  },
  '/api/admin/users': {
    get: operation('get', {
      id: 'listUsers',
      tag: 'admin',
      summary: 'Users with their roles',
      auth: true,
      ok: [200, 'All users', json(array(ref('AdminUser')))],
      codes: ['FORBIDDEN'],
    }),
    post: operation('post', {
      id: 'createUser',
      tag: 'admin',
      summary: 'Add a user',
      auth: true,
      body: json(jsonSchemaOf(USER_CREATE)),
      ok: [201, 'Created', json(object({ id: int(), username: str() }))],
      codes: ['FORBIDDEN'],
    }),
  },
  '/api/admin/users/{id}': {
    patch: operation('patch', {
      id: 'updateUser',
      tag: 'admin',
      summary: 'Change roles, title or disabled (a disabled user is signed out at once)',
      auth: true,
      path: 'Id',
      body: json(jsonSchemaOf(USER_UPDATE)),
      ok: [200, 'The user', json(ref('AdminUser'))],
      codes: ['FORBIDDEN', 'NOT_FOUND'],
    }),
  },
  '/api/admin/certificates': {
    get: operation('get', {
      id: 'listCertificates',
      tag: 'admin',
      summary: "Certificates and authorisations waiting for their holder's PIN",
      auth: true,
      ok: [200, 'Newest first', json(array(ref('CertificateRow')))],
      codes: ['FORBIDDEN'],
    }),
    post: operation('post', {
      id: 'requestCertificate',
      tag: 'admin',
      summary: 'Authorise a certificate for a user; they set its PIN themselves',
      auth: true,
      body: json(jsonSchemaOf(CERTIFICATE_REQUEST)),
      ok: [201, "Awaiting the holder's PIN", json(ref('CertificateRow'))],
      codes: ['FORBIDDEN'],
    }),
  },
  '/api/admin/certificates/{id}/revoke': {
    post: operation('post', {
      id: 'revokeCertificate',
      tag: 'admin',
      summary: 'Revoke at the internal CA (CRL re-published) and stop its use',
      auth: true,
      path: 'Id',
      body: json(jsonSchemaOf(CERTIFICATE_REVOKE)),
      ok: [200, 'Revoked', json(object({ id: int(), revokedAt: date(), reason: str() }))],
      codes: ['FORBIDDEN', 'NOT_FOUND', 'SERIAL_UNKNOWN', 'BAD_OPTION'],
    }),
  },
  '/api/admin/trust-anchors': {
    get: operation('get', {
      id: 'listTrustAnchors',
      tag: 'admin',
      summary: 'The CA certificates validation trusts',
      auth: true,
      ok: [200, 'Anchors', json(array(ref('TrustAnchor')))],
      codes: ['FORBIDDEN'],
    }),
    post: operation('post', {
      id: 'addTrustAnchor',
      tag: 'admin',
      summary: 'Trust another self-signed CA certificate (PEM)',
      auth: true,
      body: json(jsonSchemaOf(TRUST_ANCHOR)),
      ok: [201, 'Added', json(ref('TrustAnchor'))],
      codes: ['FORBIDDEN'],
    }),
  },
  '/api/admin/coverage-targets': {
    get: operation('get', {
      id: 'listCoverageTargets',
      tag: 'admin',
      auth: true,
      summary: "Each configured year's targets and deadline, and the defaults (admin, compliance)",
      ok: [
        200,
        'Years',
        json(object({ currentYear: int(), years: array(ref('YearTargets')), defaults: object({}, []) })),
      ],
      codes: ['FORBIDDEN'],
    }),
  },
  '/api/admin/coverage-targets/{year}': {
    put: operation('put', {
      id: 'setCoverageTargets',
      tag: 'admin',
      auth: true,
      path: 'Year',
      summary: "Set a year's targets and deadline (the deadline defaults to 31 December)",
      body: json(ref('YearTargetsRequest')),
      ok: [200, 'Saved', json(ref('YearTargets'))],
      codes: ['FORBIDDEN'],
    }),
  },
  '/api/admin/standing-authorities': {
    get: operation('get', {
      id: 'listStandingAuthorities',
      tag: 'delegations',
      summary: 'Standing signing authorities (admin)',
      auth: true,
      ok: [200, 'Newest first', json(array(ref('StandingAuthority')))],
      codes: ['FORBIDDEN'],
    }),
    post: operation('post', {
      id: 'grantStandingAuthority',
      tag: 'delegations',
      auth: true,
      summary:
        'Grant a standing authority: KT. for the head, TL., TUQ., Q., or TM. for a collective body; no end date',
      body: json(ref('StandingAuthorityRequest')),
      ok: [201, 'Granted', json(ref('StandingAuthority'))],
      codes: ['FORBIDDEN', 'NOT_ELIGIBLE'],
    }),
  },
  '/api/admin/standing-authorities/{id}/end': {
    post: operation('post', {
      id: 'endStandingAuthority',
      tag: 'delegations',
      summary: 'End a standing authority now',
      auth: true,
      path: 'Id',
      ok: [200, 'Ended', json(ref('StandingAuthority'))],
      codes: ['FORBIDDEN', 'NOT_FOUND'],
    }),
  },
  '/api/admin/users/{id}/personal-data': {
    get: operation('get', {
      id: 'exportPersonalData',
      tag: 'admin',
      auth: true,
      path: 'Id',
      summary: 'Everything Kyso holds about a person, with why (an access request, Law 91/2025/QH15)',
      ok: [200, 'The export', json(ref('PersonalDataExport'))],
      codes: ['FORBIDDEN', 'NOT_FOUND'],
    }),
  },
  '/api/admin/users/{id}/erase': {
    post: operation('post', {
      id: 'erasePersonalData',
      tag: 'admin',
      auth: true,
      path: 'Id',
      summary:
        "Erase a person's personal data (reason required); signed records stay, the audit chain keeps verifying",
      body: json(jsonSchemaOf(ERASURE)),
      ok: [200, 'Erased', json(ref('ErasureResult'))],
      codes: ['FORBIDDEN', 'NOT_FOUND', 'ERASURE_BLOCKED'],
    }),
  },
  '/api/registers/outgoing': {
    get: operation('get', {
      id: 'getOutgoingRegister',
      tag: 'register',
      auth: true,
      summary:
        "My agency's outgoing register for ?year= (default this year): every number with its state; ?format=csv for the CSV",
      ok: [
        200,
        'The register (or text/csv with ?format=csv)',
        { ...json(ref('Register')), 'text/csv': { schema: str() } },
      ],
      codes: ['FORBIDDEN', 'BAD_REQUEST'],
    }),
  },
  '/api/registers/outgoing/opening': {
    put: operation('put', {
      id: 'setRegisterOpening',
      tag: 'register',
      auth: true,
      summary:
        'An agency starting mid-year: the first number Kyso gives in a register this year (clerk or admin)',
      body: json(jsonSchemaOf(REGISTER_OPENING)),
      ok: [200, 'Set', json(object({ year: int(), register: str(), firstSeq: int(), next: str() }))],
      codes: ['FORBIDDEN'],
    }),
  },
  '/api/steps/{id}/issuance': {
    post: operation('post', {
      id: 'prepareIssuanceVersion',
      tag: 'register',
      auth: true,
      path: 'StepId',
      summary:
        "Seal made with the clerk's own tool: number (register) and date printed in a new version that /to-sign then serves",
      body: json(jsonSchemaOf(ISSUANCE)),
      ok: [
        200,
        'The version to sign',
        json(
          object({
            outgoingNumber: str(),
            outgoingDate: str(),
            version: int(),
            sha256: str(),
            numberPrinted: bool(),
            datePrinted: bool(),
            notes: array(str()),
          }),
        ),
      ],
      codes: [...TURN, 'NUMBER_TAKEN', 'DATE_IN_FUTURE', 'VERSION_CONFLICT'],
    }),
  },
  '/api/documents/{id}/copies': {
    post: operation('post', {
      id: 'copyDocument',
      tag: 'register',
      auth: true,
      path: 'DocumentId',
      summary:
        "An electronic copy (sao y, sao lục, trích sao of chosen pages) of an issued document, signed with the agency's seal (clerk)",
      body: json(jsonSchemaOf(COPY)),
      ok: [201, 'The copy, a new issued document', json(ref('Document'))],
      codes: ['FORBIDDEN', 'NOT_FOUND', 'NOT_ISSUED', 'NO_CERTIFICATE', 'PDF_PAGE_NOT_FOUND', ...SIGNING],
    }),
  },
  '/api/documents/{id}/attachments': {
    post: operation('post', {
      id: 'issueAttachment',
      tag: 'register',
      auth: true,
      path: 'DocumentId',
      summary:
        "An attachment issued as a separate file: the agency's signature at the top right of page 1 with the main document's number (clerk)",
      body: multipart('AttachmentForm'),
      ok: [201, 'The attachment, a new issued document', json(ref('Document'))],
      codes: [...UPLOAD, 'FORBIDDEN', 'NOT_FOUND', 'NOT_ISSUED', 'NO_CERTIFICATE', ...SIGNING],
    }),
  },
  '/api/copies/paper': {
    post: operation('post', {
      id: 'copyPaperOriginal',
      tag: 'register',
      auth: true,
      summary:
        "An electronic copy of a paper original (the clerk's scan), with the conversion note of Decree 137/2024",
      body: multipart('PaperCopyForm'),
      ok: [201, 'The copy, a new issued document', json(ref('Document'))],
      codes: [...UPLOAD, 'FORBIDDEN', 'NO_CERTIFICATE', ...SIGNING],
    }),
  },
  '/api/documents/paper': {
    post: operation('post', {
      id: 'registerPaperDocument',
      tag: 'coverage',
      auth: true,
      summary: 'Register one document the agency issued on paper (clerk, leader or admin)',
      description:
        "Refused when the number is taken in the agency's year (by a paper entry or a document issued in " +
        'Kyso: 409 NUMBER_TAKEN) or the date is after today in Vietnam (422 DATE_IN_FUTURE).',
      body: json(jsonSchemaOf(PAPER_DOCUMENT)),
      ok: [201, 'Registered', json(object({ registered: int() }))],
      codes: ['FORBIDDEN', 'NUMBER_TAKEN', 'DATE_IN_FUTURE'],
    }),
  },
  '/api/documents/paper/import': {
    post: operation('post', {
      id: 'importPaperRegister',
      tag: 'coverage',
      auth: true,
      summary:
        'Import the outgoing-document register as CSV: number, date, title, signer, "paper" (then kind, procedure code)',
      body: { 'text/csv': { schema: str('UTF-8 CSV, an optional header row') } },
      ok: [201, 'All rows registered (or none)', json(object({ registered: int() }))],
      codes: ['FORBIDDEN', 'NUMBER_TAKEN', 'DATE_IN_FUTURE'],
    }),
  },
  '/api/reports/coverage': {
    get: operation('get', {
      id: 'coverageReport',
      tag: 'coverage',
      summary: "Each agency's progress toward the two targets, and the city totals",
      description:
        'Query: from, to (inclusive dates in Vietnam time), asOf, parent (an agency code: it and the agencies ' +
        "below), targetRate, minDocuments, targetProcedures, deadline (over the year's configured targets), format=csv " +
        '(UTF-8 with BOM; first lines: title, period, generation time, targets; Vietnamese headers and 71,4%; lang=en for ' +
        'English). Each agency row adds open, total (its subtree), judgedOn and deadlineSet.',
      auth: true,
      ok: [
        200,
        'The report',
        json(
          object(
            {
              period: object({}),
              targets: object({}),
              city: object({}),
              agencies: array(object({ code: str(), name: str(), parent: str() }, ['code', 'name'])),
              generatedAt: date(),
            },
            ['period', 'targets', 'city', 'agencies'],
          ),
        ),
      ],
      codes: ['FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND'],
    }),
  },
  '/api/reports/coverage/{agencyCode}': {
    get: operation('get', {
      id: 'coverageDrillDown',
      tag: 'coverage',
      auth: true,
      path: 'AgencyCode',
      summary:
        'One agency: monthly series, every document behind the rate and why, procedures with their results',
      description:
        'notFullySigned (issued, with reasons: a step without a PASSED signature, a FAILED signature that ' +
        'came with the upload, no chain), paper (each lowers the rate), open (with ageDays), rejectedOrCancelled, ' +
        'units (the agencies directly below), rateExplained.',
      ok: [
        200,
        'The drill-down',
        json(
          object({
            agency: object({}),
            units: array(object({})),
            series: array(object({})),
            notFullySigned: array(object({})),
            paper: array(object({})),
            open: array(object({})),
            procedures: array(object({})),
          }),
        ),
      ],
      codes: ['FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND'],
    }),
  },
  '/api/audit/verify': {
    get: operation('get', {
      id: 'verifyAudit',
      tag: 'audit',
      summary: 'Check the audit hash chain (admin and compliance only)',
      auth: true,
      ok: [200, 'The verdict; brokenAt names the first broken event', json(ref('AuditVerification'))],
      codes: ['FORBIDDEN'],
    }),
  },
  '/ocsp': {
    post: operation('post', {
      id: 'ocsp',
      tag: 'ca',
      summary:
        'RFC 6960 Appendix A.1: an OCSPRequest in, an OCSPResponse out, for the certificates the internal CA issued',
      description:
        'Signed by the issuing CA itself. A request that cannot be read is answered malformedRequest, ' +
        "one about another CA's certificate unauthorized, inside the OCSPResponse (HTTP 200).",
      body: {
        'application/ocsp-request': { schema: str('DER OCSPRequest', { contentMediaType: OCSP_REQUEST }) },
      },
      ok: [200, 'DER OCSPResponse', OCSP_RESPONSE],
      codes: ['NOT_FOUND', 'UPLOAD_TOO_LARGE'],
    }),
  },
  '/ocsp/{request}': {
    get: operation('get', {
      id: 'ocspGet',
      tag: 'ca',
      summary:
        'RFC 6960 Appendix A.1: the same, with the request in the path (base64 of the DER, URL-encoded)',
      path: 'OcspRequest',
      ok: [200, 'DER OCSPResponse', OCSP_RESPONSE],
      codes: ['NOT_FOUND'],
    }),
  },
  '/api/ca/crl.crl': {
    get: operation('get', {
      id: 'caCrl',
      tag: 'ca',
      summary:
        "The issuing CA's current CRL, DER: the cRLDistributionPoints of the certificates it issues " +
        '(RFC 5280 §4.2.1.13)',
      ok: [
        200,
        'DER CertificateList',
        { [CRL_TYPE]: { schema: str(undefined, { contentMediaType: CRL_TYPE }) } },
      ],
      codes: ['NOT_FOUND'],
    }),
  },
  ...keyPaths({ operation, json, object, str, int, bool, date }),
  '/tsa': {
    get: operation('get', {
      id: 'getTsaInfo',
      tag: 'tsa',
      summary: 'About the built-in RFC 3161 time-stamping authority',
      ok: [200, 'A line of text', { 'text/plain': { schema: str() } }],
    }),
    post: operation('post', {
      id: 'timestamp',
      tag: 'tsa',
      summary: 'RFC 3161 §3.4: a TimeStampReq in, a TimeStampResp out',
      description:
        'A request the TSA cannot honour is answered 200 with a rejection status inside the TimeStampResp.',
      body: {
        'application/timestamp-query': {
          schema: str('DER TimeStampReq', { contentMediaType: 'application/timestamp-query' }),
        },
      },
      ok: [
        200,
        'DER TimeStampResp',
        {
          'application/timestamp-reply': {
            schema: str(undefined, { contentMediaType: 'application/timestamp-reply' }),
          },
        },
      ],
      codes: ['BAD_REQUEST', 'NOT_FOUND', 'UPLOAD_TOO_LARGE'],
    }),
  },
}

const TAGS: Record<string, string> = {
  meta: 'This description',
  auth: 'Sessions: bearer token or HttpOnly cookie',
  documents: 'Drafts, versions, chains, the PDF and its validation',
  steps:
    'Acting on the current step: sign (approve, sign, seal), reject, return; with keys Kyso never holds: signed-file return, two-phase, remote',
  delegations:
    'KT./TL./TUQ./Q. authorisations of leaders, and standing authorities (KT., TL., TM., ...) an admin grants',
  register:
    'The outgoing register (sổ đăng ký văn bản đi), issuance versions, electronic copies and attachments (issue 13)',
  audit: 'The hash-chained audit log',
  admin: 'Agencies, users and roles, certificates, trust anchors (admin role)',
  coverage: "Coverage toward the city's two targets",
  tsa: 'The built-in RFC 3161 timestamp authority',
  ca: 'The internal CA, for relying parties, without sign-in: its root certificate, current CRLs and OCSP responder (issue 18)',
}

/**
 * The OpenAPI 3.1 description of the whole API, served at /api/openapi.json. Error statuses come
 * from the one code -> status table, so the two cannot disagree.
 */
export function openApi(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Kyso API',
      version: '0.1.0',
      description:
        'Documents through approval chains in Vietnamese state agencies; every step is a PAdES signature. Every error body is {"error": {"code", "message"}}.',
    },
    servers: [{ url: '/' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths: structuredClone(paths),
    components: {
      schemas: structuredClone(schemas),
      parameters: {
        DocumentId: { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
        StepId: { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
        Id: { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
        AgencyCode: {
          name: 'agencyCode',
          in: 'path',
          required: true,
          schema: str('An agency code, e.g. SKHCN'),
        },
        Code: { name: 'code', in: 'path', required: true, schema: str('An agency code, e.g. SKHCN') },
        Year: {
          name: 'year',
          in: 'path',
          required: true,
          schema: str('A calendar year, YYYY', { pattern: '^\\d{4}$' }),
        },
        SigningId: {
          name: 'id',
          in: 'path',
          required: true,
          schema: str('A signingId from /remote or /prepare'),
        },
        At: {
          name: 'at',
          in: 'query',
          required: false,
          schema: date(),
          description:
            'Validate at this time (ISO 8601), as `kyso verify --at` does (issue 18): certificates ' +
            "without a proving time-stamp are judged then, and the document's own revocation data (its DSS) " +
            'must show their status then',
        },
        OcspRequest: {
          name: 'request',
          in: 'path',
          required: true,
          schema: str('Base64 of the DER OCSPRequest, URL-encoded (a "/" as %2F)'),
        },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Repeat a POST with the same key to get the first result again (per user, at most 200 characters).',
          schema: str(undefined, { maxLength: 200 }),
        },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The token from POST /api/auth/login' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'kyso_session',
          description: 'HttpOnly, SameSite=Strict session cookie set at login',
        },
        csrf: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description: 'The csrfToken from login; required on POSTs that ride on the session cookie',
        },
      },
    },
  }
}
