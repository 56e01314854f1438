import { extendPdf } from '../signing/ltv'
import { appendAudit } from '../storage/audit'
import { retryingTransaction } from '../storage/db'
import { versionCreator } from '../storage/issuance-records'
import { insertVersion } from '../storage/version-records'
import {
  claimForExtension,
  lockDocumentRow,
  markExtended,
  markExtensionFailed,
} from '../storage/long-term-records'
import type { Services } from './context'
import { WorkflowError } from '../shared/errors'
import { validationSourcesFor } from './long-term-sources'
import { latestVersion } from './step-turn'
import { recordVerdicts } from './verdicts'

export interface ExtensionOutcome {
  version: number
  level: 'B-LT' | 'B-LTA'
  timestampField: string | null
  /** When the renewal job will extend it again (before its time-stamp's certificate expires). */
  renewAt: string | null
}

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
/** How long one instance may hold a document it extends (a TSA over HTTP answers in seconds). */
const LEASE_MS = 10 * MINUTE
/** An extension made now is never due again sooner than this (no loop when a TSA's certificate is short). */
const MIN_RENEWAL_GAP_MS = DAY
/**
 * At issuance a document is due for the renewal job this long after: the instance that issued it
 * extends it at once, and the job takes over only when that did not happen (a crash, a TSA down).
 */
export const ISSUANCE_GRACE_MS = 2 * MINUTE

/**
 * Extends the latest version of an issued document to the configured level (KYSO_ISSUE_LEVEL,
 * issue 18): a DSS with the validation data of every signature and, for B-LTA, a document
 * time-stamp over it, recorded as a new version (origin `extension`; earlier versions and their
 * hashes stay) with its audit event. Steps:
 *  1. claim the document for this instance (a lease in its row: one instance works a document);
 *  2. outside any transaction: build the extended file (revocation data, the TSA) and store it;
 *  3. in one transaction: the version is still the latest, record the new one, when to renew it,
 *     the audit event; release the lease.
 * Null when there is nothing to do (level B-T, no TSA) or another instance holds the document. A
 * failure is recorded on the document (`ltv_error`, retried by the job) and thrown.
 */
export async function extendDocument(
  s: Services,
  documentId: number,
  trigger: 'issuance' | 'renewal',
  actorId: number | null,
): Promise<ExtensionOutcome | null> {
  const level = s.config.issueLevel
  if (level === 'B-T' || !s.documentTimestamp) return null
  // 1.
  const now = new Date()
  const lease = { now: now.toISOString(), until: new Date(now.getTime() + LEASE_MS).toISOString() }
  if (!(await claimForExtension(s.db, documentId, lease))) return null
  try {
    // 2.
    const base = await latestVersion(s.db, documentId)
    const sources = await validationSourcesFor(s, documentId)
    const extended = await extendPdf(await s.blobs.get(base.sha256), {
      level,
      strict: false,
      timestamp: s.documentTimestamp,
      ...sources,
    })
    const blob = await s.blobs.put(extended.pdf)
    const margin = s.config.retimestamp.marginDays * DAY
    const due =
      extended.archiveUntil &&
      Math.max(extended.archiveUntil.getTime() - margin, Date.now() + MIN_RENEWAL_GAP_MS)
    const renewAt = due ? new Date(due).toISOString() : null
    // 3.
    const version = await retryingTransaction(s.db, async (trx) => {
      await lockDocumentRow(trx, documentId)
      const latest = await latestVersion(trx, documentId)
      if (latest.id !== base.id)
        throw new WorkflowError('VERSION_CONFLICT', 'the document changed while it was extended')
      const at = new Date().toISOString()
      const creator = await versionCreator(trx, base.id)
      await insertVersion(trx, {
        documentId,
        seq: base.seq + 1,
        sha256: blob.sha256,
        size: blob.size,
        createdBy: actorId ?? creator,
        origin: 'extension',
        createdAt: at,
        timestampField: extended.timestampField ?? null,
      })
      await markExtended(trx, documentId, { level, renewAt })
      await appendAudit(trx, {
        actorId,
        action: 'document.extended',
        documentId,
        detail: {
          trigger,
          level,
          version: base.seq + 1,
          sha256: blob.sha256,
          timestampField: extended.timestampField ?? null,
          archiveUntil: extended.archiveUntil?.toISOString() ?? null,
          renewAt,
          missing: extended.missing.map((m) => `${m.subject} (${m.serialHex}): ${m.why}`),
        },
      })
      return base.seq + 1
    })
    return { version, level, timestampField: extended.timestampField ?? null, renewAt }
  } catch (err) {
    // Released, and due again at the job's next round.
    const retry = new Date(
      Date.now() + Math.max(s.config.retimestamp.intervalSeconds, 60) * 1000,
    ).toISOString()
    await markExtensionFailed(s.db, documentId, {
      renewAt: retry,
      error: String((err as Error).message).slice(0, 500),
    })
    throw err
  }
}

/**
 * After a chain's last signature (after the response): the document is extended to the
 * configured level, then the validator's verdicts are stored from the file as it now is.
 * An extension that fails is logged and retried by the renewal job; the verdicts are stored anyway.
 */
export async function completeIssuance(
  s: Services,
  documentId: number,
  actorId: number,
  signed: Buffer,
): Promise<void> {
  let pdf = signed
  try {
    if (await extendDocument(s, documentId, 'issuance', actorId)) {
      pdf = await s.blobs.get((await latestVersion(s.db, documentId)).sha256)
    }
  } catch (err) {
    s.log?.({
      level: 'warn',
      msg: 'extending an issued document failed; the renewal job retries',
      documentId,
      error: String(err),
    })
  }
  await recordVerdicts(s, documentId, pdf)
}
