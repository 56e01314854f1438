import { expect } from 'chai'
import type { Knex } from 'knex'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { signPdf } from '../../signing/sign'
import { makePdf } from './sample-pdfs'
import { as, pinOf, type Client } from './service'
import { getTestPki } from './test-pki'

/** Today in Vietnam (YYYY-MM-DD). */
export const vnToday = (offsetDays = 0): string =>
  new Date(Date.now() + 7 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10)

export async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

/** Until every signature of the document has its stored verdict (recorded just after the response). */
export async function verdictsStored(db: Knex, documentId: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const d = (await db('signatures')
      .where({ document_id: documentId })
      .whereNull('indication')
      .count('* as n')
      .first()) as { n: number }
    const doc = (await db('documents').where({ id: documentId }).first('foreign_signatures_json')) as {
      foreign_signatures_json: string | null
    }
    if (Number(d.n) === 0 && doc.foreign_signatures_json !== null) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`verdicts of document ${documentId} never stored`)
}

export interface Flow {
  base: string
  db: Knex
}

/**
 * Uploads `pdf` (a fresh one by default) as `drafter` and runs explicit steps to issuance, the seal
 * taking `number` (default `<id>/VP`) and today's date; waits for the verdicts.
 */
export async function issueThrough(
  flow: Flow,
  drafter: Client,
  steps: [string, 'approve' | 'sign' | 'seal'][],
  opts: { fields?: Record<string, string>; pdf?: Buffer; number?: string } = {},
): Promise<number> {
  const doc = await json<{ id: number }>(
    await drafter.upload(
      opts.pdf ?? (await makePdf()),
      opts.fields ?? { title: 'Văn bản', kind: 'internal' },
    ),
    201,
  )
  const submitted = await json<{ workflows: { steps: { id: number }[] }[] }>(
    await drafter.post(`/api/documents/${doc.id}/submit`, {
      steps: steps.map(([u, action]) => ({ action, assignees: [u] })),
    }),
  )
  const ids = submitted.workflows[0]?.steps.map((s) => s.id) as number[]
  for (const [i, [u, action]] of steps.entries()) {
    const c = await as(u, undefined, flow.base)
    const seal = action === 'seal' && {
      outgoingNumber: opts.number ?? `${doc.id}/VP`,
      outgoingDate: vnToday(),
    }
    await json(await c.post(`/api/steps/${ids[i]}/sign`, { pin: pinOf(u), ...seal }))
  }
  await verdictsStored(flow.db, doc.id)
  return doc.id
}

/**
 * A PDF that arrives already signed by someone outside the chain (the test PKI's Võ Văn Hoan),
 * then altered after that signature: one byte of the signed range changed (the header's version
 * digit), so its message digest no longer matches (FAILED / HASH_FAILURE) while the file still reads.
 */
export async function tamperedSignedPdf(): Promise<Buffer> {
  const pki = await getTestPki()
  const signed = Buffer.from(
    (
      await signPdf(await makePdf({ xref: 'table' }), {
        keySource: openPkcs12KeySource(pki.signers.hoan.p12, pki.pin),
      })
    ).pdf,
  )
  expect(signed.subarray(0, 8).toString('latin1')).to.match(/^%PDF-\d\.\d$/)
  signed[7] = signed[7] === 0x37 ? 0x36 : 0x37
  return signed
}
