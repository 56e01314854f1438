import type { Knex } from 'knex'
import { searchKey } from './search-key'

/**
 * Migrations listed in code (a knex MigrationSource), dated and named by intent. Never edit one
 * that has landed: add the next.
 */
interface Migration {
  name: string
  up: (db: Knex) => Promise<void>
  down: (db: Knex) => Promise<void>
}

const initialSchema: Migration = {
  name: '2026-11-28-initial-schema',
  async up(db) {
    await db.schema.createTable('agencies', (t) => {
      t.increments('id')
      t.string('code', 64).notNullable().unique()
      t.string('name', 300).notNullable()
      t.integer('parent_id').references('agencies.id')
    })
    await db.schema.createTable('users', (t) => {
      t.increments('id')
      t.string('username', 100).notNullable().unique()
      t.string('password_hash', 300).notNullable()
      t.string('full_name', 200).notNullable()
      t.string('title', 200)
      t.integer('agency_id').notNullable().references('agencies.id')
      t.boolean('disabled').notNullable().defaultTo(false)
      t.timestamp('created_at').notNullable()
    })
    await db.schema.createTable('user_roles', (t) => {
      t.integer('user_id').notNullable().references('users.id')
      t.string('role', 20).notNullable()
      t.primary(['user_id', 'role'])
    })
    await db.schema.createTable('certificates', (t) => {
      t.increments('id')
      t.string('kind', 10).notNullable() // personal | seal
      t.integer('holder_user_id').notNullable().references('users.id')
      t.integer('agency_id').notNullable().references('agencies.id')
      t.string('serial_hex', 64).notNullable()
      t.string('subject', 500).notNullable()
      t.timestamp('not_before').notNullable()
      t.timestamp('not_after').notNullable()
      t.binary('certificate_der').notNullable()
      // PKCS#12 encrypted under the holder's PIN (PBES2/AES-256); the PIN is never stored.
      t.binary('p12').notNullable()
      t.timestamp('revoked_at')
      t.index(['holder_user_id', 'kind'])
    })
    await db.schema.createTable('procedures', (t) => {
      t.string('code', 64).primary()
      t.string('name', 300).notNullable()
    })
    await db.schema.createTable('route_templates', (t) => {
      t.increments('id')
      t.integer('agency_id').notNullable().references('agencies.id')
      t.string('name', 200).notNullable()
      t.text('steps_json').notNullable()
      t.unique(['agency_id', 'name'])
    })
    await db.schema.createTable('documents', (t) => {
      t.increments('id')
      t.integer('agency_id').notNullable().references('agencies.id')
      t.integer('drafter_id').notNullable().references('users.id')
      t.string('title', 500).notNullable()
      t.string('kind', 20).notNullable() // internal | procedure
      t.string('procedure_code', 64).references('procedures.code')
      t.string('status', 20).notNullable() // draft | in_progress | returned | issued | rejected | cancelled
      t.string('outgoing_number', 100)
      t.date('outgoing_date')
      t.timestamp('created_at').notNullable()
      t.timestamp('updated_at').notNullable()
      t.timestamp('finished_at')
      t.index(['agency_id', 'status'])
    })
    await db.schema.createTable('versions', (t) => {
      t.increments('id')
      t.integer('document_id').notNullable().references('documents.id')
      t.integer('seq').notNullable()
      t.string('sha256', 64).notNullable()
      t.integer('size').notNullable()
      t.integer('created_by').notNullable().references('users.id')
      t.string('origin', 20).notNullable() // upload | signature
      t.timestamp('created_at').notNullable()
      t.unique(['document_id', 'seq'])
    })
    await db.schema.createTable('workflows', (t) => {
      t.increments('id')
      t.integer('document_id').notNullable().references('documents.id')
      t.integer('round').notNullable()
      t.string('status', 20).notNullable() // active | completed | rejected | returned | cancelled
      t.timestamp('created_at').notNullable()
      t.unique(['document_id', 'round'])
    })
    await db.schema.createTable('steps', (t) => {
      t.increments('id')
      t.integer('workflow_id').notNullable().references('workflows.id')
      t.integer('seq').notNullable()
      t.string('action', 10).notNullable() // approve | sign | seal
      t.string('rule', 5).notNullable() // all | any
      t.string('status', 10).notNullable() // waiting | active | done | stopped
      t.timestamp('deadline')
      t.timestamp('completed_at')
      t.unique(['workflow_id', 'seq'])
    })
    await db.schema.createTable('step_assignees', (t) => {
      t.integer('step_id').notNullable().references('steps.id')
      t.integer('user_id').notNullable().references('users.id')
      t.string('status', 10).notNullable() // pending | done | skipped
      t.integer('acted_by').references('users.id')
      t.timestamp('acted_at')
      t.primary(['step_id', 'user_id'])
    })
    await db.schema.createTable('signatures', (t) => {
      t.increments('id')
      t.integer('document_id').notNullable().references('documents.id')
      t.integer('step_id').notNullable().references('steps.id')
      t.integer('version_id').notNullable().references('versions.id')
      t.integer('certificate_id').notNullable().references('certificates.id')
      t.integer('user_id').notNullable().references('users.id')
      t.integer('on_behalf_of').references('users.id')
      t.string('marker', 8)
      t.string('field_name', 100).notNullable()
      t.string('indication', 20)
      t.string('sub_indication', 60)
      t.timestamp('created_at').notNullable()
    })
    await db.schema.createTable('delegations', (t) => {
      t.increments('id')
      t.integer('principal_id').notNullable().references('users.id')
      t.integer('delegate_id').notNullable().references('users.id')
      t.string('marker', 8).notNullable()
      t.timestamp('valid_from').notNullable()
      t.timestamp('valid_to').notNullable()
      t.timestamp('revoked_at')
      t.timestamp('created_at').notNullable()
    })
    await db.schema.createTable('sessions', (t) => {
      t.string('token_hash', 64).primary()
      t.integer('user_id').notNullable().references('users.id')
      t.string('csrf_token', 64).notNullable()
      t.timestamp('created_at').notNullable()
      t.timestamp('expires_at').notNullable()
      t.timestamp('revoked_at')
    })
    await db.schema.createTable('login_failures', (t) => {
      t.increments('id')
      t.string('username', 100).notNullable()
      t.timestamp('at').notNullable()
      t.index(['username', 'at'])
    })
    await db.schema.createTable('idempotency_keys', (t) => {
      t.integer('user_id').notNullable().references('users.id')
      t.string('key', 200).notNullable()
      t.string('request_hash', 64).notNullable()
      t.integer('status_code')
      t.text('response_json')
      t.timestamp('created_at').notNullable()
      t.primary(['user_id', 'key'])
    })
    await db.schema.createTable('audit_events', (t) => {
      t.increments('id')
      t.timestamp('at').notNullable()
      t.integer('actor_id')
      t.string('action', 60).notNullable()
      t.integer('document_id')
      t.text('detail_json').notNullable()
      t.string('request_id', 64)
      t.string('prev_hash', 64).notNullable()
      t.string('hash', 64).notNullable()
    })
    await db.schema.createTable('kyso_locks', (t) => {
      t.string('name', 100).primary()
      t.timestamp('taken_at').notNullable()
    })
  },
  async down(db) {
    for (const table of [
      'kyso_locks',
      'audit_events',
      'idempotency_keys',
      'login_failures',
      'sessions',
      'delegations',
      'signatures',
      'step_assignees',
      'steps',
      'workflows',
      'versions',
      'documents',
      'route_templates',
      'procedures',
      'certificates',
      'user_roles',
      'users',
      'agencies',
    ]) {
      await db.schema.dropTableIfExists(table)
    }
  },
}

/**
 * Coverage reporting (issue 5): paper-issued documents in the denominator, and two facts kept on
 * each document when its verdicts are recorded, so the city report is an indexed aggregate rather
 * than a walk over every signature.
 */
const coverageFacts: Migration = {
  name: '2026-11-28-coverage-facts-and-paper-documents',
  async up(db) {
    await db.schema.createTable('paper_documents', (t) => {
      t.increments('id')
      t.integer('agency_id').notNullable().references('agencies.id')
      t.string('number', 100).notNullable()
      t.date('issued_on').notNullable()
      t.string('title', 500).notNullable()
      t.string('signer', 200).notNullable()
      t.integer('created_by').notNullable().references('users.id')
      t.timestamp('created_at').notNullable()
      t.unique(['agency_id', 'number', 'issued_on'])
      t.index(['issued_on', 'agency_id'])
    })
    await db.schema.alterTable('documents', (t) => {
      // Every step of the completed chain carries a signature that the validator PASSED.
      t.boolean('fully_signed').notNullable().defaultTo(false)
      // A PASSED seal signature of the document's own agency (a signed procedure result).
      t.boolean('seal_passed').notNullable().defaultTo(false)
      t.index(['kind', 'status', 'finished_at', 'agency_id'], 'documents_coverage')
    })
  },
  async down(db) {
    await db.schema.alterTable('documents', (t) => {
      t.dropIndex(['kind', 'status', 'finished_at', 'agency_id'], 'documents_coverage')
      t.dropColumn('fully_signed')
      t.dropColumn('seal_passed')
    })
    await db.schema.dropTableIfExists('paper_documents')
  },
}

/**
 * Maintained counters for the coverage report (issue 5: 1,000 agencies and 1,000,000 documents in
 * under 300 ms): per agency and Vietnam calendar day, internal documents issued, fully signed and
 * stopped (rejected or cancelled); and the days on which a procedure got a signed result. The
 * report sums days instead of scanning documents. Written in the same transactions as the states
 * and verdicts they count (storage/coverage-counters.ts).
 */
const coverageCounters: Migration = {
  name: '2026-11-28-coverage-counters',
  async up(db) {
    await db.schema.createTable('coverage_daily', (t) => {
      t.integer('agency_id').notNullable().references('agencies.id')
      t.string('day', 10).notNullable()
      t.integer('issued').notNullable().defaultTo(0)
      t.integer('fully_signed').notNullable().defaultTo(0)
      t.integer('stopped').notNullable().defaultTo(0)
      // Primary-key order (agency, day) lets the report sum a period agency by agency, streaming.
      t.primary(['agency_id', 'day'])
    })
    await db.schema.createTable('coverage_procedure_days', (t) => {
      t.integer('agency_id').notNullable().references('agencies.id')
      t.string('procedure_code', 64).notNullable()
      t.string('day', 10).notNullable()
      t.integer('results').notNullable().defaultTo(0)
      t.primary(['agency_id', 'procedure_code', 'day'])
    })
  },
  async down(db) {
    await db.schema.dropTableIfExists('coverage_procedure_days')
    await db.schema.dropTableIfExists('coverage_daily')
  },
}

/**
 * Web administration (issue 6): an admin authorises a certificate; the holder sets its PIN, which
 * is when the key is made (workflows/admin.ts). The PIN never reaches the admin or the database.
 */
const certificateEnrolments: Migration = {
  name: '2026-11-28-certificate-enrolments',
  async up(db) {
    await db.schema.createTable('certificate_enrolments', (t) => {
      t.increments('id')
      t.integer('user_id').notNullable().references('users.id')
      t.integer('agency_id').notNullable().references('agencies.id')
      t.string('kind', 10).notNullable() // personal | seal
      t.integer('requested_by').notNullable().references('users.id')
      t.timestamp('created_at').notNullable()
      t.timestamp('completed_at')
      t.timestamp('cancelled_at')
      t.integer('certificate_id').references('certificates.id')
      t.index(['user_id'])
    })
  },
  async down(db) {
    await db.schema.dropTableIfExists('certificate_enrolments')
  },
}

/**
 * Issue 7: document versions may live in the database (KYSO_BLOB_STORE=database), named by their
 * SHA-256 like the files of the default store. Created on SQLite too (empty unless configured).
 */
const blobsInDatabase: Migration = {
  name: '2026-11-28-blobs-in-database',
  async up(db) {
    await db.schema.createTable('blobs', (t) => {
      t.string('sha256', 64).primary()
      t.integer('size').notNullable()
      t.binary('bytes').notNullable()
    })
  },
  async down(db) {
    await db.schema.dropTableIfExists('blobs')
  },
}

/**
 * Title search that ignores case and Vietnamese marks alike on both databases: the folded title
 * (storage/search-key.ts) beside the title, filled for the rows already there.
 */
const titleSearch: Migration = {
  name: '2026-11-28-document-title-search',
  async up(db) {
    await db.schema.alterTable('documents', (t) => {
      t.string('title_search', 500)
    })
    const rows = (await db('documents').select('id', 'title')) as { id: number; title: string }[]
    for (const r of rows)
      await db('documents')
        .where({ id: r.id })
        .update({ title_search: searchKey(r.title) })
  },
  async down(db) {
    await db.schema.alterTable('documents', (t) => {
      t.dropColumn('title_search')
    })
  },
}

/**
 * Issue 11: keys Kyso never holds. Certificates of keys held elsewhere (a USB token, a remote
 * signing service, the signer's own tool) are bound to a user by an administrator; two-phase and
 * remote signatures wait between requests in `signing_sessions`; every signature keeps its
 * evidence (certificate, chain, revocation data, the check before signing); an agency may keep
 * approvals as detached CAdES evidence instead of signatures in the file; CRLs an administrator
 * uploads for CAs on a dedicated network live in `revocation_lists`.
 */
const externalKeys: Migration = {
  name: '2026-12-05-external-keys-and-signature-evidence',
  async up(db) {
    await db.schema.alterTable('certificates', (t) => {
      // internal: the PKCS#12 is in `p12`; external: the key is elsewhere and `p12` is empty.
      t.string('source', 20).notNullable().defaultTo('internal')
      // pending (submitted, not yet approved) | active | rejected; revocation stays `revoked_at`.
      t.string('status', 20).notNullable().defaultTo('active')
      t.string('issuer', 500)
      t.string('fingerprint', 64)
      // Intermediate certificates offered with an external certificate: JSON array of base64 DER.
      t.text('chain_json')
      t.integer('submitted_by').references('users.id')
      t.integer('approved_by').references('users.id')
      t.timestamp('approved_at')
      // A remote-signing credential (CSC credentialID) and the provider's name for the user.
      t.string('remote_provider', 60)
      t.string('remote_credential_id', 200)
      t.string('remote_user_ref', 200)
      t.index(['fingerprint'])
    })
    await db.schema.alterTable('signatures', (t) => {
      // internal | signed-file | two-phase | agent | remote:<provider>
      t.string('key_source', 60)
      // in-file: a signature revision of the PDF; detached: CAdES over the version, kept here.
      t.string('form', 10).notNullable().defaultTo('in-file')
      t.binary('cms')
      t.text('evidence_json')
    })
    await db.schema.alterTable('agencies', (t) => {
      // How approvals made with internal keys travel: in-file | detached (issue 11, point 6).
      t.string('approval_mode', 10).notNullable().defaultTo('in-file')
    })
    await db.schema.createTable('signing_sessions', (t) => {
      t.string('id', 64).primary()
      t.integer('user_id').notNullable().references('users.id')
      t.integer('step_id').notNullable().references('steps.id')
      t.integer('version_id').notNullable().references('versions.id')
      t.integer('certificate_id').references('certificates.id')
      t.string('key_source', 60).notNullable()
      // prepared | awaiting_confirmation | completed | refused | expired | failed
      t.string('status', 24).notNullable()
      t.binary('prepared_pdf')
      t.binary('signed_attributes')
      t.text('prepared_json')
      t.string('remote_transaction_id', 200)
      t.text('evidence_json')
      t.string('detail', 500)
      t.timestamp('created_at').notNullable()
      t.timestamp('expires_at').notNullable()
      t.timestamp('finished_at')
      t.index(['step_id', 'status'])
      t.index(['status', 'expires_at'])
    })
    await db.schema.createTable('revocation_lists', (t) => {
      t.increments('id')
      t.string('sha256', 64).notNullable().unique()
      t.string('issuer', 500).notNullable()
      t.timestamp('this_update').notNullable()
      t.timestamp('next_update')
      t.binary('der').notNullable()
      t.integer('added_by').notNullable().references('users.id')
      t.timestamp('added_at').notNullable()
    })
  },
  async down(db) {
    await db.schema.dropTableIfExists('revocation_lists')
    await db.schema.dropTableIfExists('signing_sessions')
    await db.schema.alterTable('agencies', (t) => t.dropColumn('approval_mode'))
    await db.schema.alterTable('signatures', (t) => {
      for (const c of ['key_source', 'form', 'cms', 'evidence_json']) t.dropColumn(c)
    })
    await db.schema.alterTable('certificates', (t) => {
      t.dropIndex(['fingerprint'])
      for (const c of [
        'source',
        'status',
        'issuer',
        'fingerprint',
        'chain_json',
        'submitted_by',
        'approved_by',
        'approved_at',
        'remote_provider',
        'remote_credential_id',
        'remote_user_ref',
      ])
        t.dropColumn(c)
    })
  },
}

/**
 * Issue 12: issued as an official document. Each user's handwritten-signature image (personal data
 * and a forgery aid: one row per user, deleted with the row), each agency's seal image with its
 * real diameter, whether an agency shows approvals as initials or keeps them invisible, and where
 * each signature of a round goes (planned from the draft at submission, used by every way of
 * signing).
 */
const officialLook: Migration = {
  name: '2026-12-05-signature-images-seals-and-placements',
  async up(db) {
    await db.schema.createTable('signature_images', (t) => {
      t.integer('user_id').primary().references('users.id').onDelete('CASCADE')
      t.binary('png').notNullable()
      t.integer('width').notNullable()
      t.integer('height').notNullable()
      t.string('sha256', 64).notNullable()
      t.timestamp('updated_at').notNullable()
    })
    await db.schema.createTable('agency_seals', (t) => {
      t.integer('agency_id').primary().references('agencies.id').onDelete('CASCADE')
      t.binary('png').notNullable()
      t.integer('width').notNullable()
      t.integer('height').notNullable()
      t.float('diameter_mm').notNullable()
      t.string('sha256', 64).notNullable()
      t.integer('uploaded_by').references('users.id')
      t.timestamp('updated_at').notNullable()
    })
    await db.schema.alterTable('agencies', (t) => {
      // initials (visible, small) | invisible (the evidence stays in the signature and the chain)
      t.string('approval_appearance', 12).notNullable().defaultTo('initials')
    })
    await db.schema.createTable('placements', (t) => {
      t.increments('id')
      t.integer('workflow_id').notNullable().references('workflows.id')
      t.integer('step_id').notNullable().references('steps.id')
      // The assignee of a step that all must sign (each has a place); null: whoever signs it.
      t.integer('user_id').references('users.id')
      t.integer('page').notNullable()
      t.float('x').notNullable()
      t.float('y').notNullable()
      t.float('width').notNullable()
      t.float('height').notNullable()
      // block | end-mark | free-space | emptiest | explicit
      t.string('how', 12).notNullable()
      // handwritten | personal | initials | seal
      t.string('look', 12).notNullable()
      t.boolean('visible').notNullable().defaultTo(true)
      t.string('anchor', 20)
      t.string('note', 500)
      t.index(['step_id'])
      t.index(['workflow_id'])
    })
  },
  async down(db) {
    await db.schema.dropTableIfExists('placements')
    await db.schema.alterTable('agencies', (t) => t.dropColumn('approval_appearance'))
    await db.schema.dropTableIfExists('agency_seals')
    await db.schema.dropTableIfExists('signature_images')
  },
}

/**
 * Issue 14, coverage a compliance officer can defend: the final validation's verdicts on
 * signatures made outside the chain (a signed upload), the check of an upload's own signatures
 * shown to the drafter, the kind of a paper entry (internal, or a procedure's result), and the
 * targets and deadline of each year as configuration.
 */
const validCoverage: Migration = {
  name: '2026-12-05-valid-signatures-paper-kinds-and-yearly-targets',
  async up(db) {
    await db.schema.alterTable('documents', (t) => {
      // JSON [{field, signer, indication, subIndication}]: signatures of the final file that no
      // step made (they came with the upload), as the final validation judged them.
      t.text('foreign_signatures_json')
      // The outgoing register's lookup: is this number taken in the agency's year?
      t.index(['agency_id', 'outgoing_number'], 'documents_outgoing_number')
    })
    await db.schema.alterTable('versions', (t) => {
      // An uploaded version's own signatures as validated at upload: {signatures, failed: [...]}.
      t.text('upload_check_json')
    })
    await db.schema.alterTable('paper_documents', (t) => {
      t.string('kind', 20).notNullable().defaultTo('internal') // internal | procedure
      t.string('procedure_code', 64)
      // The report counts internal entries only: a covering index keeps that a range scan.
      t.index(['kind', 'issued_on', 'agency_id'], 'paper_documents_coverage')
    })
    await db.schema.createTable('coverage_targets', (t) => {
      t.integer('year').primary()
      t.double('internal_rate').notNullable()
      t.integer('min_documents').notNullable()
      t.integer('procedures').notNullable()
      t.date('deadline').notNullable()
      t.integer('updated_by').notNullable().references('users.id')
      t.timestamp('updated_at').notNullable()
    })
  },
  async down(db) {
    await db.schema.dropTableIfExists('coverage_targets')
    await db.schema.alterTable('paper_documents', (t) => {
      t.dropIndex(['kind', 'issued_on', 'agency_id'], 'paper_documents_coverage')
      t.dropColumn('kind')
      t.dropColumn('procedure_code')
    })
    await db.schema.alterTable('versions', (t) => t.dropColumn('upload_check_json'))
    await db.schema.alterTable('documents', (t) => {
      t.dropIndex(['agency_id', 'outgoing_number'], 'documents_outgoing_number')
      t.dropColumn('foreign_signatures_json')
    })
  },
}

/**
 * Issue 15: keys under the signer's sole control. On each internal certificate: how its key is
 * kept (`pin`: a PKCS#12 under the holder's PIN, rows made before this migration; `wrapped`: that
 * PKCS#12 inside an envelope under the key-wrapping key, which the database does not hold; `hsm`:
 * the key in the service's HSM, `p12` holding the PIN-sealed authorisation, wrapped the same way),
 * the count of consecutive wrong PINs and the lock, and an unlock code an administrator issued
 * (only its SHA-256: the code is random, 100 bits). The internal CA moves from DATA_DIR/ca into
 * the database (keys wrapped or in the HSM, the index, the current CRL), so instances share no
 * folder; so do the trust anchors an administrator adds. `service_secrets` keeps server secrets
 * (the idempotency HMAC key) wrapped.
 */
const keysUnderControl: Migration = {
  name: '2026-12-05-keys-under-the-signers-control',
  async up(db) {
    await db.schema.alterTable('certificates', (t) => {
      t.string('key_protection', 10).notNullable().defaultTo('pin')
      t.string('hsm_key_id', 64)
      t.integer('pin_failures').notNullable().defaultTo(0)
      t.timestamp('pin_locked_at')
      t.string('unlock_code_hash', 64)
      t.timestamp('unlock_code_expires_at')
      t.integer('unlock_code_failures').notNullable().defaultTo(0)
    })
    await db.schema.createTable('ca_keys', (t) => {
      t.string('name', 20).primary() // root | issuing | tsa | service
      t.binary('certificate_der').notNullable()
      t.string('key_protection', 10).notNullable() // wrapped | hsm
      t.binary('wrapped_key')
      t.string('hsm_key_id', 64)
      t.timestamp('created_at').notNullable()
    })
    await db.schema.createTable('ca_certificates', (t) => {
      t.string('serial_hex', 64).primary()
      t.string('subject', 500).notNullable()
      t.string('kind', 20).notNullable()
      t.string('issued_by', 10).notNullable() // root | issuing
      t.timestamp('not_before').notNullable()
      t.timestamp('not_after').notNullable()
      t.timestamp('revoked_at')
      t.string('reason', 40)
      t.binary('certificate_der')
    })
    await db.schema.createTable('ca_crl', (t) => {
      t.integer('id').primary() // always 1: the CA's one current pair of CRLs
      t.string('name', 300).notNullable()
      t.integer('crl_number').notNullable()
      t.timestamp('this_update').notNullable()
      t.timestamp('next_update').notNullable()
      t.text('crl_pem').notNullable()
    })
    await db.schema.createTable('service_secrets', (t) => {
      t.string('name', 60).primary()
      t.binary('envelope').notNullable()
      t.timestamp('created_at').notNullable()
    })
    await db.schema.createTable('trust_anchors', (t) => {
      t.string('fingerprint', 64).primary()
      t.binary('der').notNullable()
      t.string('subject', 500).notNullable()
      t.integer('added_by').references('users.id')
      t.timestamp('added_at').notNullable()
    })
  },
  async down(db) {
    for (const table of ['trust_anchors', 'service_secrets', 'ca_crl', 'ca_certificates', 'ca_keys'])
      await db.schema.dropTableIfExists(table)
    await db.schema.alterTable('certificates', (t) => {
      for (const c of [
        'key_protection',
        'hsm_key_id',
        'pin_failures',
        'pin_locked_at',
        'unlock_code_hash',
        'unlock_code_expires_at',
        'unlock_code_failures',
      ])
        t.dropColumn(c)
    })
  },
}

/**
 * Issue 14, delegation as agencies practise it: standing signing authorities beside the dated
 * delegations. A deputy's KT. for the head, a chief of office's TL., the head of a collective
 * body's TM.: granted by an administrator, with no end date, printed on every signature the
 * holder makes on their own signing steps.
 */
const standingAuthorities: Migration = {
  name: '2026-12-05-standing-signing-authorities',
  async up(db) {
    await db.schema.createTable('signing_authorities', (t) => {
      t.increments('id')
      t.integer('holder_id').notNullable().references('users.id')
      t.integer('agency_id').notNullable().references('agencies.id')
      t.string('marker', 8).notNullable() // KT. | TL. | TUQ. | Q. | TM.
      // KT./TL./TUQ.: the head the holder signs for; TM. and Q.: none (a body or a position).
      t.integer('principal_id').references('users.id')
      // What the marker line names: the principal's title, or the collective body ("Ủy ban nhân dân").
      t.string('principal_title', 200).notNullable()
      t.timestamp('valid_from').notNullable()
      t.integer('granted_by').notNullable().references('users.id')
      t.timestamp('granted_at').notNullable()
      t.timestamp('ended_at')
      t.integer('ended_by').references('users.id')
      t.index(['holder_id'])
    })
  },
  async down(db) {
    await db.schema.dropTableIfExists('signing_authorities')
  },
}

/**
 * Issue 14, personal data (Law 91/2025/QH15): audit events keep personal data (usernames, titles)
 * outside the hashed event, chained through a salted digest, so an administrator can erase it and
 * the chain still verifies; events written before keep format 1. An erased user keeps their row
 * (signatures and documents point at it) with the personal fields replaced.
 */
const personalData: Migration = {
  name: '2026-12-05-personal-data-outside-the-audit-hash',
  async up(db) {
    await db.schema.alterTable('audit_events', (t) => {
      t.integer('format').notNullable().defaultTo(1)
      t.text('personal_json')
      t.string('personal_salt', 32)
      t.string('personal_digest', 64)
      t.integer('subject_user_id')
      t.timestamp('redacted_at')
      t.index(['subject_user_id'])
    })
    await db.schema.alterTable('users', (t) => {
      t.timestamp('erased_at')
    })
  },
  async down(db) {
    await db.schema.alterTable('users', (t) => t.dropColumn('erased_at'))
    await db.schema.alterTable('audit_events', (t) => {
      t.dropIndex(['subject_user_id'])
      const added = [
        'format',
        'personal_json',
        'personal_salt',
        'personal_digest',
        'subject_user_id',
        'redacted_at',
      ]
      for (const c of added) t.dropColumn(c)
    })
  },
}

/**
 * Issue 13, issuance as the records office does it: the outgoing register (sổ đăng ký văn bản đi,
 * Decree 30/2020 Art. 15 and Appendix IV) per agency, calendar year and register (the general one;
 * legal normative documents; electronic copies), for paper and electronic documents alike, with
 * each number's state (used, reserved for a seal under way, reserved and not used) and the
 * opening number of an agency that starts mid-year; each document's type, unit, normative flag,
 * urgency and recipients; the fields prepared for the number and date in each round; copies and
 * attachments linked to their original. Existing numbers (issued documents, paper entries) are
 * copied into the register.
 */
const outgoingRegister: Migration = {
  name: '2026-12-06-outgoing-register-and-issuance',
  async up(db) {
    await db.schema.createTable('outgoing_register', (t) => {
      t.increments('id')
      t.integer('agency_id').notNullable().references('agencies.id')
      t.integer('year').notNullable()
      t.string('register', 12).notNullable() // general | normative | copies
      // The number's ordinal in its register (15 for "15/QĐ-SKHCN"); null when it has none.
      t.integer('seq')
      t.string('number', 100).notNullable()
      // The number compared for uniqueness: trimmed, inner spaces folded, upper case.
      t.string('number_key', 100).notNullable()
      t.date('issued_on').notNullable()
      t.string('status', 10).notNullable() // used | reserved | unused
      t.integer('document_id').references('documents.id')
      t.integer('paper_id').references('paper_documents.id')
      t.string('title', 500)
      t.integer('created_by').references('users.id')
      t.timestamp('created_at').notNullable()
      // The database's guarantee: two seals at once never get one number, on SQLite and PostgreSQL.
      t.unique(['agency_id', 'register', 'year', 'seq'], { indexName: 'outgoing_register_seq' })
      t.unique(['agency_id', 'year', 'number_key'], { indexName: 'outgoing_register_number' })
      t.index(['document_id'])
    })
    await db.schema.createTable('register_openings', (t) => {
      t.integer('agency_id').notNullable().references('agencies.id')
      t.string('register', 12).notNullable()
      t.integer('year').notNullable()
      t.integer('first_seq').notNullable()
      t.integer('set_by').notNullable().references('users.id')
      t.timestamp('set_at').notNullable()
      t.primary(['agency_id', 'register', 'year'])
    })
    await db.schema.alterTable('documents', (t) => {
      t.string('doc_type', 10) // QĐ | CV | TB | KH | BC | TTr | ... (Decree 30/2020 Appendix III)
      t.string('unit_code', 20)
      t.boolean('normative').notNullable().defaultTo(false)
      t.string('urgency', 20)
      t.text('recipients_json')
      // After issuance: whether the number and date were printed on the document, and why not.
      t.boolean('number_printed')
      t.text('issuance_json')
      // An electronic copy (sao-y | sao-luc | trich-sao) or an attachment of `copy_of`.
      t.integer('copy_of').references('documents.id')
      t.string('copy_form', 12)
      t.text('copy_json')
      t.index(['copy_of'])
    })
    await db.schema.alterTable('workflows', (t) => {
      // Where the number and date fields are in the version submitted (signing/sign/issuance-fields.ts).
      t.text('issuance_plan_json')
    })
    await backfillRegister(db)
  },
  async down(db) {
    await db.schema.alterTable('workflows', (t) => t.dropColumn('issuance_plan_json'))
    await db.schema.alterTable('documents', (t) => {
      t.dropIndex(['copy_of'])
      for (const c of [
        'doc_type',
        'unit_code',
        'normative',
        'urgency',
        'recipients_json',
        'number_printed',
        'issuance_json',
        'copy_of',
        'copy_form',
        'copy_json',
      ])
        t.dropColumn(c)
    })
    await db.schema.dropTableIfExists('register_openings')
    await db.schema.dropTableIfExists('outgoing_register')
  },
}

/** The numbers already given: a document issued in Kyso, a paper entry (the first of duplicates kept). */
async function backfillRegister(db: Knex): Promise<void> {
  const docs = (await db('documents')
    .whereNotNull('outgoing_number')
    .whereNotNull('outgoing_date')
    .select(
      'id',
      'agency_id',
      'outgoing_number as number',
      'outgoing_date as date',
      'title',
      'created_at',
    )) as Legacy[]
  const papers = (await db('paper_documents').select(
    'id',
    'agency_id',
    'number',
    'issued_on as date',
    'title',
    'created_at',
  )) as Legacy[]
  const seqs = new Set<string>()
  const keys = new Set<string>()
  const rows: Record<string, unknown>[] = []
  for (const [source, list] of [
    ['document', docs],
    ['paper', papers],
  ] as const) {
    for (const r of list) {
      const date = r.date instanceof Date ? r.date.toISOString().slice(0, 10) : String(r.date).slice(0, 10)
      const year = Number(date.slice(0, 4))
      const number = String(r.number).trim().replace(/\s+/g, ' ')
      const register = /^\d+\/\d{4}\//.test(number) ? 'normative' : 'general'
      const key = `${r.agency_id} ${year} ${number.toUpperCase()}`
      if (keys.has(key)) continue
      keys.add(key)
      const lead = /^(\d+)/.exec(number)
      const seqKey = `${r.agency_id} ${register} ${year} ${lead?.[1] ? Number(lead[1]) : ''}`
      const seq = lead?.[1] && !seqs.has(seqKey) ? Number(lead[1]) : null
      if (seq !== null) seqs.add(seqKey)
      rows.push({
        agency_id: r.agency_id,
        year,
        register,
        seq,
        number,
        number_key: number.toUpperCase(),
        issued_on: date,
        status: 'used',
        document_id: source === 'document' ? r.id : null,
        paper_id: source === 'paper' ? r.id : null,
        title: r.title,
        created_by: null,
        created_at: r.created_at instanceof Date ? r.created_at.toISOString() : String(r.created_at),
      })
    }
  }
  for (let i = 0; i < rows.length; i += 200) await db('outgoing_register').insert(rows.slice(i, i + 200))
}

interface Legacy {
  id: number
  agency_id: number
  number: string
  date: string | Date
  title: string
  created_at: string | Date
}

/**
 * Issue 18, signatures that last: an issued document is extended to PAdES B-LT/B-LTA by a new
 * version (origin `extension`, naming the document time-stamp field it added), and re-time-stamped
 * before its last time-stamp's certificate expires. `ltv_renew_at` says when the renewal job should
 * next extend it, `ltv_lease_until` which instance works it now. Documents issued before this
 * migration are due at once: the job extends them while their certificates are still valid.
 */
const longTermSignatures: Migration = {
  name: '2026-12-06-signatures-that-last',
  async up(db) {
    await db.schema.alterTable('versions', (t) => {
      t.string('timestamp_field', 100)
    })
    await db.schema.alterTable('documents', (t) => {
      t.string('ltv_level', 8) // B-LT | B-LTA, the level of the latest extension
      t.timestamp('ltv_renew_at')
      t.timestamp('ltv_lease_until')
      t.string('ltv_error', 500)
      t.index(['ltv_renew_at'])
    })
    const signed = db('signatures').where('form', 'in-file').select('document_id')
    await db('documents')
      .where('status', 'issued')
      .whereIn('id', signed)
      .update({ ltv_renew_at: new Date().toISOString() })
  },
  async down(db) {
    await db.schema.alterTable('documents', (t) => {
      t.dropIndex(['ltv_renew_at'])
      for (const c of ['ltv_level', 'ltv_renew_at', 'ltv_lease_until', 'ltv_error']) t.dropColumn(c)
    })
    await db.schema.alterTable('versions', (t) => t.dropColumn('timestamp_field'))
  },
}

const MIGRATIONS: Migration[] = [
  initialSchema,
  coverageFacts,
  coverageCounters,
  certificateEnrolments,
  blobsInDatabase,
  titleSearch,
  externalKeys,
  officialLook,
  validCoverage,
  standingAuthorities,
  personalData,
  keysUnderControl,
  outgoingRegister,
  longTermSignatures,
]

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => ({ up: m.up, down: m.down }),
}
