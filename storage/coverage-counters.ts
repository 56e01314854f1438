import type { Knex } from 'knex'
import { vnDate } from '../shared/period'

type Column = 'issued' | 'fully_signed' | 'stopped'

/** Adds `delta` to one agency-day counter (an upsert, the same on SQLite and PostgreSQL). */
export async function bumpDaily(
  trx: Knex.Transaction,
  agencyId: number,
  at: string | Date,
  column: Column,
  delta: number,
): Promise<void> {
  const day = vnDate(new Date(at))
  await trx('coverage_daily')
    .insert({ agency_id: agencyId, day, issued: 0, fully_signed: 0, stopped: 0, [column]: delta })
    .onConflict(['agency_id', 'day'])
    .merge({ [column]: trx.raw(`coverage_daily.${column} + ?`, [delta]) })
}

interface DocumentFacts {
  agency_id: number
  kind: string
  status: string
  procedure_code: string | null
  finished_at: string | null
  fully_signed: number | boolean
  seal_passed: number | boolean
  foreign_signatures_json: string | null
}

/** A FAILED verdict on a signature that came with the upload (recordVerdicts stores them). */
function foreignFailed(json: string | null): boolean {
  const foreign = json === null ? [] : (JSON.parse(json) as { indication: string }[])
  return foreign.some((g) => g.indication === 'FAILED')
}

/**
 * Recomputes a finished document's coverage facts from its stored verdicts, and moves the
 * counters by the difference: the only place `fully_signed` and `seal_passed` change. Fully
 * signed (issue 14): issued, every step of the completed chain carries a signature, every one of
 * them PASSED, and no signature of the final file is FAILED (those that came with the upload
 * included).
 */
export async function refreshCoverageFacts(trx: Knex.Transaction, documentId: number): Promise<void> {
  // Locked: two validations of one document at once (two instances at start-up) must not both
  // move the counters by the same difference.
  const doc = (await trx('documents').where({ id: documentId }).forUpdate().first()) as DocumentFacts
  const wf = (await trx('workflows')
    .where({ document_id: documentId, status: 'completed' })
    .orderBy('round', 'desc')
    .first('id')) as { id: number } | undefined
  const steps = wf
    ? ((await trx('steps').where({ workflow_id: wf.id }).select('id')) as { id: number }[])
    : []
  const sigs = (await trx('signatures as g')
    .join('certificates as c', 'c.id', 'g.certificate_id')
    .whereIn(
      'g.step_id',
      steps.map((x) => x.id),
    )
    .select('g.step_id', 'g.indication', 'c.kind', 'c.agency_id')) as {
    step_id: number
    indication: string | null
    kind: string
    agency_id: number
  }[]
  const issued = doc.status === 'issued'
  const everyStepSigned = steps.length > 0 && steps.every((st) => sigs.some((g) => g.step_id === st.id))
  const fullySigned =
    issued &&
    everyStepSigned &&
    sigs.every((g) => g.indication === 'PASSED') &&
    !foreignFailed(doc.foreign_signatures_json)
  const sealPassed =
    issued &&
    sigs.some((g) => g.kind === 'seal' && g.agency_id === doc.agency_id && g.indication === 'PASSED')
  await trx('documents')
    .where({ id: documentId })
    .update({ fully_signed: fullySigned, seal_passed: sealPassed })
  if (!doc.finished_at) return
  if (doc.kind === 'internal' && Boolean(doc.fully_signed) !== fullySigned) {
    await bumpDaily(trx, doc.agency_id, doc.finished_at, 'fully_signed', fullySigned ? 1 : -1)
  }
  if (doc.kind === 'procedure' && doc.procedure_code && Boolean(doc.seal_passed) !== sealPassed) {
    const day = vnDate(new Date(doc.finished_at))
    await trx('coverage_procedure_days')
      .insert({
        agency_id: doc.agency_id,
        procedure_code: doc.procedure_code,
        day,
        results: sealPassed ? 1 : 0,
      })
      .onConflict(['agency_id', 'procedure_code', 'day'])
      .merge({ results: trx.raw('coverage_procedure_days.results + ?', [sealPassed ? 1 : -1]) })
  }
}
