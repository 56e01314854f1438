import type { Knex } from 'knex'
import { searchKey } from './search-key'
import { vnDate, vnMidnight } from '../shared/period'
import { bumpDaily } from './coverage-counters'
import { appendAudit } from './audit'
import type { BlobStore } from './blob-store'

/** A minimal one-page PDF (ASCII text, standard font): the file behind every imported history record. */
function samplePdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]
  const text = 'BT /F1 14 Tf 72 760 Td (Du lieu mau - lich su nhap cho bao cao) Tj ET'
  objects[3] = `<< /Length ${text.length} >>\nstream\n${text}\nendstream`
  let out = '%PDF-1.7\n'
  const offsets: number[] = []
  objects.forEach((o, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n\r\n`).join('')}`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/** Per agency: documents a month, the share fully signed, the procedures with signed results, paper ones a month. */
const PROFILES: Record<
  string,
  { perMonth: number; signedShare: number; procedures: string[]; paperPerMonth: number }
> = {
  SKHCN: { perMonth: 4, signedShare: 1, procedures: ['1.001193', '1.000894', '1.000656'], paperPerMonth: 0 },
  'UBND-P-THUDUC': { perMonth: 3, signedShare: 1, procedures: ['1.001193', '1.001022'], paperPerMonth: 0 },
  STP: { perMonth: 3, signedShare: 0.9, procedures: ['1.000894'], paperPerMonth: 0 },
  'UBND-TPHCM': { perMonth: 2, signedShare: 0.75, procedures: [], paperPerMonth: 0 },
  'UBND-P-LINHXUAN': { perMonth: 1, signedShare: 1, procedures: ['1.001193'], paperPerMonth: 1 },
  // Sở Nội vụ issues nothing itself here: its figures are its unit's (a parent rolls up its subtree).
  BTDKT: { perMonth: 2, signedShare: 1, procedures: [], paperPerMonth: 0 },
  // A commune still on paper: every document registered, none signed.
  'UBND-X-CANGIO': { perMonth: 0, signedShare: 0, procedures: [], paperPerMonth: 2 },
  // UBND-P-TANGNHONPHU, UBND-P-THUDAUMOT, UBND-DK-CONDAO: no history at all ("no activity").
}

/**
 * A year of history for the coverage dashboard, **imported, not signed**: documents marked
 * "[Dữ liệu mẫu]" with their coverage facts and counters (as the service would have recorded them),
 * one shared sample PDF, and paper registrations; an audit event says so. Months from January of
 * the current year to last month; deterministic.
 */
export async function importDemoHistory(db: Knex, blobs: BlobStore, now = new Date()): Promise<number> {
  const blob = await blobs.put(samplePdf())
  const year = Number(vnDate(now).slice(0, 4))
  const lastMonth = Number(vnDate(now).slice(5, 7)) - 1
  let count = 0
  await db.transaction(async (trx) => {
    const agencies = (await trx('agencies').select('id', 'code')) as { id: number; code: string }[]
    for (const a of agencies) {
      const prof = PROFILES[a.code]
      if (!prof) continue
      // An agency without demo users has its paper register kept by the city's administrator.
      const admin = () =>
        trx('users as u')
          .join('user_roles as r', 'r.user_id', 'u.id')
          .where('r.role', 'admin')
          .orderBy('u.id')
          .first('u.id')
      const drafter = ((await trx('users').where({ agency_id: a.id }).orderBy('id').first('id')) ??
        (await admin())) as { id: number }
      let n = 0
      for (let m = 1; m <= lastMonth; m++) {
        const day = (d: number): string =>
          `${year}-${String(m).padStart(2, '0')}-${String(Math.min(d, 28)).padStart(2, '0')}`
        for (let i = 0; i < prof.perMonth; i++, n++) {
          const finished = new Date(vnMidnight(day(3 + i * 6)).getTime() + 10 * 3600_000).toISOString()
          const signed = n % 20 < Math.round(prof.signedShare * 20)
          await addDocument(trx, a.id, drafter.id, blob, {
            title: `[Dữ liệu mẫu] Công văn số ${n + 1}/${a.code}`,
            kind: 'internal',
            finished,
            fullySigned: signed,
          })
          count++
        }
        for (let i = 0; i < prof.paperPerMonth; i++) {
          await trx('paper_documents').insert({
            agency_id: a.id,
            number: `${m}${i}/GIAY-${a.code}`,
            issued_on: day(20 + i),
            title: '[Dữ liệu mẫu] Văn bản giấy',
            signer: 'Lãnh đạo',
            kind: 'internal',
            created_by: drafter.id,
            created_at: now.toISOString(),
          })
        }
      }
      for (const [i, code] of prof.procedures.entries()) {
        const m = Math.max(1, Math.min(lastMonth, 2 + i * 3))
        const finished = new Date(
          vnMidnight(`${year}-${String(m).padStart(2, '0')}-15`).getTime() + 9 * 3600_000,
        ).toISOString()
        await addDocument(trx, a.id, drafter.id, blob, {
          title: `[Dữ liệu mẫu] Kết quả thủ tục ${code}`,
          kind: 'procedure',
          procedureCode: code,
          finished,
          fullySigned: true,
        })
        count++
      }
    }
    await appendAudit(trx, {
      actorId: null,
      action: 'demo.history.imported',
      detail: { documents: count, note: 'imported history for the coverage dashboard, not signed documents' },
    })
  })
  return count
}

async function addDocument(
  trx: Knex.Transaction,
  agencyId: number,
  drafterId: number,
  blob: { sha256: string; size: number },
  d: {
    title: string
    kind: 'internal' | 'procedure'
    procedureCode?: string
    finished: string
    fullySigned: boolean
  },
): Promise<void> {
  const [row] = await trx('documents')
    .insert({
      agency_id: agencyId,
      drafter_id: drafterId,
      title: d.title,
      title_search: searchKey(d.title),
      kind: d.kind,
      procedure_code: d.procedureCode ?? null,
      status: 'issued',
      created_at: d.finished,
      updated_at: d.finished,
      finished_at: d.finished,
      fully_signed: d.kind === 'internal' && d.fullySigned,
      seal_passed: d.kind === 'procedure',
    })
    .returning('id')
  const id = (row as { id: number }).id
  await trx('versions').insert({
    document_id: id,
    seq: 1,
    sha256: blob.sha256,
    size: blob.size,
    created_by: drafterId,
    origin: 'upload',
    created_at: d.finished,
  })
  if (d.kind === 'internal') {
    await bumpDaily(trx, agencyId, d.finished, 'issued', 1)
    if (d.fullySigned) await bumpDaily(trx, agencyId, d.finished, 'fully_signed', 1)
  } else if (d.procedureCode) {
    await trx('coverage_procedure_days')
      .insert({
        agency_id: agencyId,
        procedure_code: d.procedureCode,
        day: vnDate(new Date(d.finished)),
        results: 1,
      })
      .onConflict(['agency_id', 'procedure_code', 'day'])
      .merge({ results: trx.raw('coverage_procedure_days.results + 1') })
  }
}
