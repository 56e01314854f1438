import type { Knex } from 'knex'

/**
 * The documents behind an agency's figures, for the coverage drill-down (issue 14): every document
 * that lowers the rate with its reason, the open ones with their age, the stopped ones and the
 * procedure results. Instants are ISO strings ([start, end)); days are Vietnam calendar dates.
 */

/** Why an issued document is not fully signed. */
export type NotFullyReason =
  | { kind: 'step-unsigned'; step: number; action: string; indication: 'NOT_SIGNED'; subIndication: null }
  | { kind: 'step-signature'; step: number; action: string; indication: string; subIndication: string | null }
  | { kind: 'no-chain'; step: null; action: null; indication: 'NOT_SIGNED'; subIndication: null }
  | {
      kind: 'foreign-signature'
      step: null
      action: null
      field: string
      signer: string | null
      indication: string
      subIndication: string | null
    }

export interface NotFullySigned {
  id: number
  title: string
  issuedAt: string
  reasons: NotFullyReason[]
}

interface IssuedRow {
  id: number
  title: string
  finished_at: string
  foreign_signatures_json: string | null
}

const iso = (v: string | Date): string => new Date(v).toISOString()

/** Internal documents of the agency issued in [start, end) that are not fully signed, each with why. */
export async function notFullySignedOf(
  db: Knex,
  agencyId: number,
  start: string,
  end: string,
): Promise<NotFullySigned[]> {
  const docs = (await db('documents')
    .where({ agency_id: agencyId, kind: 'internal', status: 'issued', fully_signed: false })
    .where('finished_at', '>=', start)
    .where('finished_at', '<', end)
    .orderBy('finished_at')
    .select('id', 'title', 'finished_at', 'foreign_signatures_json')) as IssuedRow[]
  if (docs.length === 0) return []
  const ids = docs.map((d) => d.id)
  const steps = (await db('steps as st')
    .join('workflows as w', 'w.id', 'st.workflow_id')
    .whereIn('w.document_id', ids)
    .where('w.status', 'completed')
    .orderBy('st.seq')
    .select('w.document_id', 'st.id', 'st.seq', 'st.action')) as {
    document_id: number
    id: number
    seq: number
    action: string
  }[]
  const sigs = (await db('signatures')
    .whereIn('document_id', ids)
    .select('step_id', 'indication', 'sub_indication')) as {
    step_id: number
    indication: string | null
    sub_indication: string | null
  }[]
  return docs.map((d) => {
    const reasons: NotFullyReason[] = []
    const chain = steps.filter((x) => x.document_id === d.id)
    // Issued without a chain Kyso recorded (imported history): nothing shows it signed.
    if (chain.length === 0)
      reasons.push({
        kind: 'no-chain',
        step: null,
        action: null,
        indication: 'NOT_SIGNED',
        subIndication: null,
      })
    for (const st of chain) {
      const mine = sigs.filter((g) => g.step_id === st.id)
      if (mine.length === 0) {
        reasons.push({
          kind: 'step-unsigned',
          step: st.seq,
          action: st.action,
          indication: 'NOT_SIGNED',
          subIndication: null,
        })
      }
      for (const g of mine.filter((x) => x.indication !== 'PASSED')) {
        reasons.push({
          kind: 'step-signature',
          step: st.seq,
          action: st.action,
          indication: g.indication ?? 'NOT_VALIDATED',
          subIndication: g.sub_indication,
        })
      }
    }
    const foreign = d.foreign_signatures_json
      ? (JSON.parse(d.foreign_signatures_json) as {
          field: string
          signer: string | null
          indication: string
          subIndication: string | null
        }[])
      : []
    for (const g of foreign.filter((x) => x.indication === 'FAILED')) {
      reasons.push({ kind: 'foreign-signature', step: null, action: null, ...g })
    }
    return { id: d.id, title: d.title, issuedAt: iso(d.finished_at), reasons }
  })
}

/**
 * Open at `end`: internal documents first submitted before `end` and not finished (issued,
 * rejected, cancelled) before it; a returned document waiting for its revision is open too.
 */
const UNFINISHED = ['draft', 'in_progress', 'returned']
const FINISHED = ['issued', 'rejected', 'cancelled']

/**
 * The two halves of "open at `end`", each an index range on documents (kind, status, finished_at):
 * still unfinished now, or finished at or after `end`; both first submitted before `end`.
 */
function openQueries(db: Knex, end: string, scope: (q: Knex.QueryBuilder) => void): Knex.QueryBuilder[] {
  const base = (): Knex.QueryBuilder =>
    db('documents as d')
      .join('workflows as w', (j) => void j.on('w.document_id', 'd.id').andOnVal('w.round', '=', 1))
      .where('d.kind', 'internal')
      .where('w.created_at', '<', end)
      .modify(scope)
  return [
    base().whereIn('d.status', UNFINISHED),
    base().whereIn('d.status', FINISHED).where('d.finished_at', '>=', end),
  ]
}

export async function openCountsByAgency(
  db: Knex,
  end: string,
  agencyIds?: number[],
): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  const scope = (q: Knex.QueryBuilder): void => void (agencyIds && q.whereIn('d.agency_id', agencyIds))
  for (const q of openQueries(db, end, scope)) {
    const rows = (await q.groupBy('d.agency_id').select('d.agency_id', db.raw('count(*) as n'))) as {
      agency_id: number
      n: number
    }[]
    for (const r of rows) out.set(r.agency_id, (out.get(r.agency_id) ?? 0) + Number(r.n))
  }
  return out
}

export interface OpenDocument {
  id: number
  title: string
  /** Its state now: in_progress, returned, draft (revised, not yet submitted again), or finished later. */
  status: string
  submittedAt: string
}

export async function openDocumentsOf(db: Knex, agencyId: number, end: string): Promise<OpenDocument[]> {
  const rows: { id: number; title: string; status: string; submitted_at: string }[] = []
  for (const q of openQueries(db, end, (b) => void b.where('d.agency_id', agencyId))) {
    rows.push(
      ...((await q.select('d.id', 'd.title', 'd.status', 'w.created_at as submitted_at')) as typeof rows),
    )
  }
  rows.sort((a, b) => String(a.submitted_at).localeCompare(String(b.submitted_at)))
  return rows.map((r) => ({ id: r.id, title: r.title, status: r.status, submittedAt: iso(r.submitted_at) }))
}

export interface StoppedDocument {
  id: number
  title: string
  status: 'rejected' | 'cancelled'
  /** As the driver reads it (the drill-down shows it as it always has). */
  finishedAt: string | Date
}

/** Internal documents rejected or cancelled in [start, end). */
export async function stoppedOf(
  db: Knex,
  agencyId: number,
  start: string,
  end: string,
): Promise<StoppedDocument[]> {
  const rows = (await db('documents')
    .where({ agency_id: agencyId, kind: 'internal' })
    .whereIn('status', ['rejected', 'cancelled'])
    .where('finished_at', '>=', start)
    .where('finished_at', '<', end)
    .orderBy('finished_at')
    .select('id', 'title', 'status', 'finished_at')) as {
    id: number
    title: string
    status: 'rejected' | 'cancelled'
    finished_at: string | Date
  }[]
  return rows.map((r) => ({ id: r.id, title: r.title, status: r.status, finishedAt: r.finished_at }))
}

export interface ProcedureResult {
  id: number
  title: string
  procedureCode: string
  procedure: string
  sealPassed: boolean
  issuedAt: string
}

/** Procedure results issued through Kyso in [start, end), with their procedure's name. */
export async function procedureResultsOf(
  db: Knex,
  agencyId: number,
  start: string,
  end: string,
): Promise<ProcedureResult[]> {
  const rows = (await db('documents as d')
    .join('procedures as p', 'p.code', 'd.procedure_code')
    .where({ 'd.agency_id': agencyId, 'd.kind': 'procedure', 'd.status': 'issued' })
    .where('d.finished_at', '>=', start)
    .where('d.finished_at', '<', end)
    .orderBy('d.finished_at')
    .select(
      'd.id',
      'd.title',
      'd.procedure_code',
      'p.name as procedure',
      'd.seal_passed',
      'd.finished_at',
    )) as {
    id: number
    title: string
    procedure_code: string
    procedure: string
    seal_passed: number | boolean
    finished_at: string
  }[]
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    procedureCode: r.procedure_code,
    procedure: r.procedure,
    sealPassed: Boolean(r.seal_passed),
    issuedAt: iso(r.finished_at),
  }))
}

export async function procedureNames(db: Knex, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map()
  const rows = (await db('procedures').whereIn('code', codes).select('code', 'name')) as {
    code: string
    name: string
  }[]
  return new Map(rows.map((r) => [r.code, r.name]))
}
