import { appendAudit } from '../storage/audit'
import type { Actor, Services } from './context'
import { WorkflowError } from './errors'

export interface PaperDocument {
  number: string
  date: string
  title: string
  signer: string
}

function check(p: Partial<Record<keyof PaperDocument, unknown>>, where: string): PaperDocument {
  const str = (k: keyof PaperDocument, max: number): string => {
    const v = p[k]
    if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw new WorkflowError('BAD_REQUEST', `${where}${k}: required, at most ${max} characters`)
    return v.trim()
  }
  const date = str('date', 10)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new WorkflowError('BAD_REQUEST', `${where}date: YYYY-MM-DD`)
  return { number: str('number', 100), date, title: str('title', 500), signer: str('signer', 200) }
}

/** Records clerks, leaders and admins register their own agency's paper-issued documents. */
function mayRegister(actor: Actor): void {
  if (!['clerk', 'leader', 'admin'].some((r) => actor.roles.has(r as never))) throw new WorkflowError('FORBIDDEN', 'Chỉ văn thư, lãnh đạo hoặc quản trị được đăng ký văn bản giấy')
}

async function insert(s: Services, actor: Actor, docs: PaperDocument[]): Promise<number> {
  const now = new Date().toISOString()
  return s.db.transaction(async (trx) => {
    for (const d of docs) {
      const dup = await trx('paper_documents').where({ agency_id: actor.agencyId, number: d.number, issued_on: d.date }).first('id')
      if (dup) throw new WorkflowError('CONFLICT', `văn bản giấy số ${d.number} ngày ${d.date} đã được đăng ký`)
      await trx('paper_documents').insert({ agency_id: actor.agencyId, number: d.number, issued_on: d.date, title: d.title, signer: d.signer, created_by: actor.id, created_at: now })
    }
    await appendAudit(trx, { actorId: actor.id, action: 'paper.registered', detail: { count: docs.length, numbers: docs.slice(0, 50).map((d) => d.number) }, requestId: actor.requestId ?? null })
    return docs.length
  })
}

/** POST /api/documents/paper: one document issued on paper, counted in the signing-rate denominator. */
export async function registerPaper(s: Services, actor: Actor, body: Record<string, unknown>): Promise<{ registered: number }> {
  mayRegister(actor)
  return { registered: await insert(s, actor, [check(body, '')]) }
}

/** Splits CSV text (RFC 4180 quoting) into rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cur += '"'), i++
      else if (c === '"') quoted = false
      else cur += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(cur), (cur = '')
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(cur)
      if (row.some((f) => f.trim() !== '')) rows.push(row)
      row = []
      cur = ''
    } else cur += c
  }
  row.push(cur)
  if (row.some((f) => f.trim() !== '')) rows.push(row)
  return rows
}

/**
 * POST /api/documents/paper/import: the agency's outgoing-document register as CSV (number, date,
 * title, signer, "paper"); a header row is recognised and skipped; all rows or none are recorded.
 */
export async function importPaper(s: Services, actor: Actor, csv: Buffer): Promise<{ registered: number }> {
  mayRegister(actor)
  let text = csv.toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const rows = parseCsv(text)
  if (rows.length > 100_000) throw new WorkflowError('BAD_REQUEST', 'csv: at most 100,000 rows')
  const first = rows[0]
  const body = first && !/^\d{4}-\d{2}-\d{2}$/.test((first[1] ?? '').trim()) ? rows.slice(1) : rows
  if (body.length === 0) throw new WorkflowError('BAD_REQUEST', 'csv: no rows')
  const docs = body.map((r, i) => {
    if ((r[4] ?? 'paper').trim().toLowerCase() !== 'paper') throw new WorkflowError('BAD_REQUEST', `row ${i + 1}: the fifth column must be "paper"`)
    return check({ number: r[0], date: r[1]?.trim(), title: r[2], signer: r[3] }, `row ${i + 1}: `)
  })
  return { registered: await insert(s, actor, docs) }
}
