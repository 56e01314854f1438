import { appendAudit } from '../storage/audit'
import {
  insertEntry,
  numberTaken,
  normaliseNumber,
  registerOfNumber,
  seqOf,
} from '../storage/outgoing-register'
import { isUniqueViolation } from '../storage/sql'
import { inTransaction } from '../storage/transaction'
import { insertPaperEntry, procedureKnown, type PaperKind } from '../storage/paper-documents'
import { vnDate } from '../shared/period'
import type { Actor, Services } from './context'
import { WorkflowError } from '../shared/errors'
import { parseCsv } from './csv-text'
import { isCalendarDate } from '../shared/dates'

export interface PaperDocument {
  number: string
  date: string
  title: string
  signer: string
  kind: PaperKind
  procedureCode: string | null
}

type PaperInput = Partial<Record<keyof PaperDocument, unknown>>

function check(p: PaperInput, where: string): PaperDocument {
  const str = (k: 'number' | 'date' | 'title' | 'signer', max: number): string => {
    const v = p[k]
    if (typeof v !== 'string' || v.trim() === '' || v.length > max) {
      throw new WorkflowError('BAD_REQUEST', `${where}${k}: required, at most ${max} characters`)
    }
    return v.trim()
  }
  const date = str('date', 10)
  if (!isCalendarDate(date)) {
    throw new WorkflowError('BAD_REQUEST', `${where}date: YYYY-MM-DD`)
  }
  const kind = p.kind === undefined || p.kind === null || p.kind === '' ? 'internal' : p.kind
  if (kind !== 'internal' && kind !== 'procedure')
    throw new WorkflowError('BAD_REQUEST', `${where}kind: internal or procedure`)
  const code = typeof p.procedureCode === 'string' && p.procedureCode.trim() ? p.procedureCode.trim() : null
  if (kind === 'procedure' && !code)
    throw new WorkflowError('BAD_REQUEST', `${where}procedureCode: required for a procedure's result`)
  return {
    number: normaliseNumber(str('number', 100)),
    date,
    title: str('title', 500),
    signer: str('signer', 200),
    kind,
    procedureCode: kind === 'procedure' ? code : null,
  }
}

/** Records clerks, leaders and admins register their own agency's paper-issued documents. */
function mayRegister(actor: Actor): void {
  if (!['clerk', 'leader', 'admin'].some((r) => actor.roles.has(r as never))) {
    throw new WorkflowError('FORBIDDEN', 'Chỉ văn thư, lãnh đạo hoặc quản trị được đăng ký văn bản giấy')
  }
}

/**
 * The register's rules for an entry (issue 14): dated today or before in Vietnam (a register
 * records what was issued, never what will be: 422), its number free in the agency's year (409,
 * whether a paper entry or a document issued in Kyso holds it), a procedure's code in the catalogue.
 */
async function admit(s: Services, actor: Actor, docs: PaperDocument[]): Promise<void> {
  const today = vnDate(new Date())
  const seen = new Set<string>()
  for (const [i, d] of docs.entries()) {
    const where = docs.length > 1 ? `row ${i + 1}: ` : ''
    if (d.date > today)
      throw new WorkflowError('DATE_IN_FUTURE', `${where}date: ngày ${d.date} sau ngày hôm nay (${today})`)
    if (d.procedureCode && !(await procedureKnown(s.db, d.procedureCode))) {
      throw new WorkflowError(
        'BAD_REQUEST',
        `${where}procedureCode: không có trong danh mục thủ tục hành chính`,
      )
    }
    const key = `${d.date.slice(0, 4)} ${d.number}`
    const holder = seen.has(key)
      ? { source: 'paper' }
      : await numberTaken(s.db, actor.agencyId, d.number, Number(d.date.slice(0, 4)))
    if (holder) {
      const by = holder.source === 'kyso' ? 'một văn bản phát hành trên Kyso' : 'một văn bản giấy đã đăng ký'
      throw new WorkflowError(
        'NUMBER_TAKEN',
        `${where}number: số ${d.number} năm ${d.date.slice(0, 4)} đã được cấp cho ${by}`,
      )
    }
    seen.add(key)
  }
}

async function insert(s: Services, actor: Actor, docs: PaperDocument[]): Promise<number> {
  await admit(s, actor, docs)
  const now = new Date().toISOString()
  const taken = (d: PaperDocument): WorkflowError =>
    new WorkflowError('NUMBER_TAKEN', `number: số ${d.number} vừa được cấp`)
  return inTransaction(s.db, async (trx) => {
    for (const d of docs) {
      // Checked again inside the transaction: two clerks registering one number at once.
      if (await numberTaken(trx, actor.agencyId, d.number, Number(d.date.slice(0, 4)))) throw taken(d)
      const paperId = await insertPaperEntry(trx, {
        agencyId: actor.agencyId,
        ...d,
        createdBy: actor.id,
        createdAt: now,
      })
      // Issue 13: paper and electronic documents share the agency's register (Decree 30/2020 Art. 15).
      const entry = {
        agencyId: actor.agencyId,
        register: registerOfNumber(d.number),
        seq: seqOf(d.number),
        number: d.number,
        date: d.date,
        status: 'used' as const,
        paperId,
        title: d.title,
        createdBy: actor.id,
      }
      await insertEntry(trx, entry).catch((err: unknown) => {
        throw isUniqueViolation(err) ? taken(d) : err
      })
    }
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'paper.registered',
      requestId: actor.requestId ?? null,
      detail: {
        count: docs.length,
        numbers: docs.slice(0, 50).map((d) => d.number),
        kinds: [...new Set(docs.map((d) => d.kind))],
      },
    })
    return docs.length
  })
}

/** POST /api/documents/paper: one document issued on paper (internal: in the rate's denominator). */
export async function registerPaper(
  s: Services,
  actor: Actor,
  body: Record<string, unknown>,
): Promise<{ registered: number }> {
  mayRegister(actor)
  return { registered: await insert(s, actor, [check(body, '')]) }
}

/**
 * POST /api/documents/paper/import: the agency's outgoing-document register as CSV (number, date,
 * title, signer, "paper", and optionally kind and procedure code); a header row is recognised and
 * skipped; all rows or none are recorded.
 */
export async function importPaper(s: Services, actor: Actor, csv: Buffer): Promise<{ registered: number }> {
  mayRegister(actor)
  let text = csv.toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const rows = parseCsv(text)
  if (rows.length > 100_000) throw new WorkflowError('BAD_REQUEST', 'csv: at most 100,000 rows')
  const first = rows[0]
  // A first row whose date column holds no date is the header.
  const body = first && !/^\d{4}-\d{2}-\d{2}$/.test((first[1] ?? '').trim()) ? rows.slice(1) : rows
  if (body.length === 0) throw new WorkflowError('BAD_REQUEST', 'csv: no rows')
  const docs = body.map((r, i) => {
    if ((r[4] ?? 'paper').trim().toLowerCase() !== 'paper') {
      throw new WorkflowError('BAD_REQUEST', `row ${i + 1}: the fifth column must be "paper"`)
    }
    const fields = {
      number: r[0],
      date: r[1]?.trim(),
      title: r[2],
      signer: r[3],
      kind: r[5]?.trim(),
      procedureCode: r[6],
    }
    return check(fields, `row ${i + 1}: `)
  })
  return { registered: await insert(s, actor, docs) }
}
