import { dueForRenewal } from '../storage/long-term-records'
import type { Services } from './context'
import { extendDocument } from './extend-document'
import { latestVersion } from './step-turn'
import { recordVerdicts } from './verdicts'

export interface RenewalRound {
  due: number
  extended: number
  /** Held by another instance at the moment this one tried. */
  skipped: number
  failed: number
}

/**
 * One round of the renewal job (issue 18; every KYSO_RETIMESTAMP_INTERVAL_SECONDS on every
 * instance): issued documents whose renewal is due (`ltv_renew_at`: their last document
 * time-stamp's certificate expires within KYSO_RETIMESTAMP_MARGIN_DAYS, an issuance whose
 * extension did not happen, a failed attempt to retry, a document issued before issue 18) are
 * extended again, a batch at a time, oldest due first. Each document is claimed by a lease in its
 * row, so instances sharing a database never extend one document twice. Verdicts are stored anew
 * from the extended file.
 */
export async function renewDueDocuments(s: Services, now = new Date()): Promise<RenewalRound> {
  const round: RenewalRound = { due: 0, extended: 0, skipped: 0, failed: 0 }
  if (s.config.issueLevel === 'B-T') return round
  const at = now.toISOString()
  const ids = await dueForRenewal(s.db, at, s.config.retimestamp.batch)
  round.due = ids.length
  for (const id of ids) {
    try {
      const outcome = await extendDocument(s, id, 'renewal', null)
      if (!outcome) {
        round.skipped++
        continue
      }
      round.extended++
      await recordVerdicts(s, id, await s.blobs.get((await latestVersion(s.db, id)).sha256))
    } catch (err) {
      round.failed++
      s.log?.({
        level: 'warn',
        msg: "renewing a document's time-stamp failed; retried at the next round",
        documentId: id,
        error: String(err),
      })
    }
  }
  return round
}
