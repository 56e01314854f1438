import type { Knex } from 'knex'

/** Who already holds a number in an agency's register. */
export interface NumberHolder {
  source: 'kyso' | 'paper'
  /** The document's id (Kyso) or the paper entry's id. */
  id: number
  number: string
  date: string
}

/** "15/SKHCN-VP" and " 15/SKHCN-VP " are one number; spacing inside is folded to one space. */
export function normaliseNumber(number: string): string {
  return number.trim().replace(/\s+/g, ' ')
}

/**
 * Is this number taken in the agency's year? Decree 30/2020, Art. 15: an agency's outgoing
 * numbers run from 01 on 1 January to 31 December, in one register for paper and electronic
 * documents alike, so a number is taken for the whole calendar year once a document issued in
 * Kyso (its seal step's number and date) or a paper entry holds it. The one question the
 * outgoing register of issue 13 (sổ đăng ký văn bản đi) answers: paper entries and issuance both
 * ask it, so the rule can move there without changing what is refused.
 */
export async function numberTaken(
  db: Knex,
  agencyId: number,
  number: string,
  year: number,
): Promise<NumberHolder | undefined> {
  const n = normaliseNumber(number)
  const from = `${year}-01-01`
  const to = `${year}-12-31`
  const kyso = (await db('documents')
    .where({ agency_id: agencyId, outgoing_number: n })
    .where('outgoing_date', '>=', from)
    .where('outgoing_date', '<=', to)
    .first('id', 'outgoing_date')) as { id: number; outgoing_date: string } | undefined
  if (kyso) return { source: 'kyso', id: kyso.id, number: n, date: String(kyso.outgoing_date).slice(0, 10) }
  const paper = (await db('paper_documents')
    .where({ agency_id: agencyId, number: n })
    .where('issued_on', '>=', from)
    .where('issued_on', '<=', to)
    .first('id', 'issued_on')) as { id: number; issued_on: string } | undefined
  if (paper) return { source: 'paper', id: paper.id, number: n, date: String(paper.issued_on).slice(0, 10) }
  return undefined
}
