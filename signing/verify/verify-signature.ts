import { PdfName, PdfString, decodeTextString } from '../pdf/objects'
import { digestOf } from '../cms/digest'
import { parsePdfDate } from '../sign/pdf-date'
import { worstLevel, type Change } from '../validate/changes'
import type { Revision } from '../validate/revisions'
import { checkByteRange } from './byte-range'
import { judgeDocumentTimestamp } from './document-timestamp'
import type { SignatureField } from './find-signatures'
import type { DocumentTimestampProof } from './proof-of-existence'
import { newReport, Verdict, type DocumentFacts, type SignatureReport } from './report'
import { judgeSignedData } from './signed-data'
import type { JudgeOptions } from './trust'
import type { VerifyOptions } from './verify-pdf'
import { warningOf } from './warnings'

export type { Check, DocumentFacts, SignatureReport, Warning } from './report'

/** ISO 32000-2 §12.8.5: a document time-stamp, whatever /Type its dictionary says. */
export function isDocumentTimestamp(f: SignatureField): boolean {
  const sub = f.sig.get('SubFilter')
  return sub instanceof PdfName && sub.name === 'ETSI.RFC3161'
}

/**
 * One signature, in the order of EN 319 102-1's building blocks: format (structure, coverage),
 * cryptographic verification, the document changes after it, time and proof of existence,
 * cryptographic constraints, X.509 validation with revocation. Every step adds a `check`; the
 * verdict is the worst of them. `documentTimestamps` are the usable document time-stamps of the
 * file (proof of existence for the signatures they cover).
 */
export function verifySignature(
  pdf: Buffer,
  f: SignatureField,
  fields: string[],
  opts: JudgeOptions,
  facts: DocumentFacts,
  documentTimestamps: readonly DocumentTimestampProof[] = [],
): SignatureReport {
  const sub = f.sig.get('SubFilter')
  const m = f.sig.get('M')
  const claimed = m instanceof PdfString ? parsePdfDate(m.bytes.toString('latin1')) : undefined
  const nameV = f.sig.get('Name')
  const r = newReport(f.field, fields, isDocumentTimestamp(f) ? 'document-timestamp' : 'signature')
  r.signer = nameV instanceof PdfString ? decodeTextString(nameV) : null
  r.signedAt = claimed ? claimed.toISOString() : null
  r.subFilter = sub instanceof PdfName ? sub.name : null
  const v = new Verdict(r)
  // 1. Structure: a sound ByteRange around exactly the /Contents string, CMS inside.
  const br = checkByteRange(pdf, f.sig)
  r.byteRange = br.byteRange
  const structure = { ok: 'ByteRange and /Contents are well formed', bad: br.problem ?? 'bad structure' }
  if (!v.test('structure', br.ok, structure, ['FAILED', 'FORMAT_FAILURE']) || !br.byteRange || !br.cms)
    return v.done()
  const range = br.byteRange as [number, number, number, number]
  const end = range[2] + range[3]
  r.coversWholeDocument = end === pdf.length
  // 2. Coverage: the signed bytes end where a revision ends (%%EOF), not in the middle of one.
  const rev = facts.revisions.find((x) => end === x.eofEnd || end === x.end)
  r.revision = rev ? rev.index + 1 : null
  r.signedContentLength = rev
    ? rev.index > 0
      ? (facts.revisions[rev.index - 1] as Revision).end
      : null
    : null
  const coverage = {
    ok: `covers revisions 1 to ${(rev?.index ?? 0) + 1}`,
    bad: 'the signed bytes do not end at the end of a revision',
  }
  if (!v.test('coverage', rev !== undefined, coverage, ['FAILED', 'FORMAT_FAILURE'])) return v.done()
  const digest = (hash: Parameters<DocumentFacts['digest']>[0]): Buffer => facts.digest(hash, range)
  const afterIntegrity = (): void => judgeLaterRevisions(v, r, pdf, end, facts)
  if (r.kind === 'document-timestamp') {
    return judgeDocumentTimestamp(v, r, br.cms, digest, opts, {
      end,
      later: documentTimestamps,
      afterIntegrity,
    })
  }
  const content = {
    kind: r.subFilter === 'adbe.pkcs7.sha1' ? ('sha1-encapsulated' as const) : ('detached' as const),
    digest,
  }
  return judgeSignedData(v, r, br.cms, content, opts, {
    ...(claimed && { claimed }),
    end,
    documentTimestamps,
    afterIntegrity,
  })
}

/**
 * A detached CAdES signature (RFC 5652 id-data, no encapsulated content) over `content`: the
 * evidence Kyso keeps for an approval made outside the file (issue 11, point 6), judged like a PDF
 * signature's CMS. `label` names it in the report.
 */
export function verifyDetachedSignature(
  cmsDer: Buffer,
  content: Buffer,
  label: string,
  opts: VerifyOptions = {},
): SignatureReport {
  const r = newReport(label, [label], 'signature')
  r.coversWholeDocument = true
  r.signedContentLength = content.length
  const v = new Verdict(r)
  v.check('structure', true, `detached CAdES signature over ${content.length} bytes`)
  const digest = (hash: Parameters<DocumentFacts['digest']>[0]): Buffer => digestOf(hash, content)
  return judgeSignedData(v, r, cmsDer, { kind: 'detached', digest }, opts, { end: 0, documentTimestamps: [] })
}

/**
 * Step 4: bytes after the signature that are not sound revisions, then every change of the later
 * revisions, judged by the modification policy. Revisions that cannot be read fail the signature
 * (INVALID_REVISION): what they change cannot be known. Allowed changes a reader should know of
 * become warnings.
 */
function judgeLaterRevisions(
  v: Verdict,
  r: SignatureReport,
  pdf: Buffer,
  end: number,
  facts: DocumentFacts,
): void {
  const after = facts.revisionProblems.filter((p) => p.from >= end - 2)
  for (const p of after) {
    v.check('changes', false, p.problem, [
      'FAILED',
      p.revision === -1 ? 'UNSIGNED_TRAILING_DATA' : 'INVALID_REVISION',
    ])
  }
  const lastEnd = facts.revisions[facts.revisions.length - 1]?.end ?? pdf.length
  if (end >= lastEnd - 2) {
    if (after.length === 0) v.check('changes', true, 'nothing was added after this signature')
    return
  }
  let changes: Change[]
  try {
    changes = facts.changesAfter(end)
  } catch (err) {
    const detail = `the later revisions cannot be read, so what they change is unknown: ${(err as Error).message}`
    v.check('changes', false, detail, ['FAILED', 'INVALID_REVISION'])
    return
  }
  r.changes = changes
  r.modificationLevel = worstLevel(changes)
  r.warnings.push(...changes.filter((c) => c.allowed && c.warning).map(warningOf))
  const bad = changes.filter((c) => !c.allowed)
  const noun = (n: number): string => `${n} change${n === 1 ? '' : 's'}`
  if (bad.length === 0) {
    v.check(
      'changes',
      true,
      `later revisions only make allowed changes (${noun(changes.length)}, level: ${r.modificationLevel})`,
    )
  }
  for (const c of bad) {
    v.check('changes', false, c.what, [
      'FAILED',
      c.kind === 'unreadable' ? 'INVALID_REVISION' : 'MODIFIED_AFTER_SIGNING',
    ])
  }
}
