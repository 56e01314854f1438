import { PdfDocument } from '../pdf/document'
import type { ParsedCrl } from '../pki/crl'
import { analyseChanges, type Change } from '../validate/changes'
import { docMdpOf, fieldLocks } from '../validate/mdp'
import {
  checkRevisionsAfter,
  findRevisions,
  type Revision,
  type RevisionProblem,
} from '../validate/revisions'
import { documentEvidence, type DssSummary } from './document-evidence'
import { usable } from './document-timestamp'
import { findSignatureFields, type SignatureField } from './find-signatures'
import type { DocumentTimestampProof } from './proof-of-existence'
import { RangeDigests } from './range-digests'
import { findRemovedSignatures } from './removed-signatures'
import { worst, type DocumentFacts, type Indication, type SignatureReport } from './report'
import { isDocumentTimestamp, verifySignature } from './verify-signature'

export type { Indication, SignatureReport, Change }
export { worst }

export interface VerifyReport {
  indication: Indication
  signatures: SignatureReport[]
  /** Revisions found (ends of `startxref N %%EOF`). */
  revisions: number
  /** Bytes or revisions after a signature that are not sound incremental updates. */
  revisionProblems: RevisionProblem[]
  encrypted: boolean
  /** The time the signatures were validated at: now, or `now` given (`kyso verify --at`). */
  validationTime: string
  /** What the document's DSS holds (ISO 32000-2 §12.8.4.3), or null without one. */
  dss: DssSummary | null
}

export interface VerifyOptions {
  /** Trust anchors (DER): the internal CA's root, external roots such as the national root CA. */
  trustAnchors?: Buffer[]
  /** CRLs the validator holds; a signature whose chain no CRL covers is INDETERMINATE. */
  crls?: ParsedCrl[]
  /**
   * The validation time (default: now): certificates without a proving time-stamp are judged at
   * it, and the document's own revocation data must show their status then. A later time shows
   * what the file alone proves once its certificates have expired (`kyso verify --at`, issue 18).
   */
  now?: Date
  maxBytes?: number
}

interface Group {
  fields: string[]
  first: SignatureField
  /** The field was removed from the form after signing (found by removed-signatures.ts). */
  removed?: boolean
}

/** Signature fields grouped by the signature dictionary they share (one signature, several names). */
function groupBySignature(fields: SignatureField[]): Group[] {
  const groups = new Map<unknown, Group>()
  for (const f of fields) {
    const key = f.sigRef ? `r${f.sigRef.num}` : f.sig
    const g = groups.get(key)
    if (g) g.fields.push(f.field)
    else groups.set(key, { fields: [f.field], first: f })
  }
  return [...groups.values()]
}

function byteRangeOf(f: SignatureField): [number, number, number, number] | null {
  const br = f.sig.get('ByteRange')
  const ok =
    Array.isArray(br) &&
    br.length === 4 &&
    br.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)
  return ok ? (br as [number, number, number, number]) : null
}

/**
 * Validates every signature and document time-stamp of a PDF (issues 3 and 17): structure,
 * integrity, the changes after each under the modification policy, proof of existence, the
 * cryptographic policy, identity and trust, revocation. Document time-stamps are judged first,
 * newest first, so that each proves when the ones before it, and the signatures they cover,
 * existed. The report is data: a bad signature never throws; only an unusable file does
 * (PDF_UNREADABLE, PDF_TOO_LARGE).
 */
export function verifyPdf(pdf: Buffer, opts: VerifyOptions = {}): VerifyReport {
  const doc = new PdfDocument(pdf, {
    allowEncrypted: true,
    ...(opts.maxBytes !== undefined && { maxBytes: opts.maxBytes }),
  })
  const revisions = findRevisions(pdf)
  const found = findSignatureFields(doc)
  const groups: Group[] = [
    ...groupBySignature(found),
    ...groupBySignature(findRemovedSignatures(pdf, found)).map((g) => ({ ...g, removed: true })),
  ]
  const ranges = groups
    .map((g) => byteRangeOf(g.first))
    .filter((br): br is [number, number, number, number] => br !== null)
  const firstEnd = ranges.length ? Math.min(...ranges.map((br) => br[2] + br[3])) : pdf.length
  const revisionProblems = groups.length ? checkRevisionsAfter(pdf, revisions, firstEnd, doc) : []
  const mdp = safe(() => docMdpOf(doc), null)
  const certification = mdp && groups.find((g) => g.first.sigRef?.num === mdp.sigNum)
  const certifiedEnd = certification ? coverageEnd(certification.first) : null
  const digests = new RangeDigests(pdf, ranges)
  // The DSS (PAdES B-LT): certificates, CRLs and OCSP answers, evidence once verified.
  const evidence = documentEvidence(doc)
  const judge = { ...opts, evidence }
  const facts = (g: Group): DocumentFacts => ({
    revisions,
    revisionProblems,
    digest: (alg, br) => digests.digest(alg, br),
    changesAfter: (end) => {
      // DocMDP restricts the changes after the certification (ISO 32000-2 §12.8.2.2), so after
      // every signature that the certified revision includes.
      const covered = !certification || (certifiedEnd !== null && certifiedEnd <= end)
      const docMdp = mdp && covered ? mdp.p : undefined
      return changesAfter(pdf, doc, end, g.first, docMdp)
    },
  })
  // Document time-stamps first, newest first: each is proof for everything before it.
  const order = groups
    .map((g, i) => ({ g, i, end: coverageEnd(g.first) ?? -1 }))
    .sort((a, b) => b.end - a.end)
  const reports = new Array<SignatureReport>(groups.length)
  const proofs: DocumentTimestampProof[] = []
  for (const { g, i } of order.filter((o) => isDocumentTimestamp(o.g.first))) {
    const report = verifySignature(pdf, g.first, g.fields, judge, facts(g), proofs)
    reports[i] = report
    const br = byteRangeOf(g.first)
    const genTime = report.timestamp?.genTime
    if (!br || !genTime) continue
    proofs.push({
      field: g.first.field,
      coveredUpTo: br[1],
      genTime: new Date(genTime),
      usable: usable(report.checks, report),
    })
  }
  for (const { g, i } of order.filter((o) => !isDocumentTimestamp(o.g.first))) {
    reports[i] = verifySignature(pdf, g.first, g.fields, judge, facts(g), proofs)
  }
  groups.forEach((g, i) => g.removed && failRemoved(reports[i] as SignatureReport))
  return {
    indication: worst(reports.map((s) => s.indication)),
    signatures: reports,
    revisions: revisions.length,
    revisionProblems,
    encrypted: doc.encrypted,
    validationTime: (opts.now ?? new Date()).toISOString(),
    dss: evidence.summary,
  }
}

/** A signature whose field the last revision's form no longer lists: a change no signature allows. */
function failRemoved(r: SignatureReport): void {
  const what = `the signature field '${r.field}' was removed from the form after signing (or now points at another signature)`
  r.changes.push({
    kind: 'signature-field',
    object: null,
    page: null,
    what,
    allowed: false,
    level: 'other',
    action: 'removed',
  })
  r.modificationLevel = 'other'
  r.checks.push({ check: 'changes', passed: false, detail: what })
  r.problems.push(what)
  if (r.indication !== 'FAILED') {
    r.indication = 'FAILED'
    r.subIndication = 'MODIFIED_AFTER_SIGNING'
  }
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn()
  } catch {
    return fallback
  }
}

function coverageEnd(f: SignatureField): number | null {
  const br = byteRangeOf(f)
  return br ? br[2] + br[3] : null
}

/** What the revisions after byte `end` changed, judged under the certification and this signature's locks. */
function changesAfter(
  pdf: Buffer,
  doc: PdfDocument,
  end: number,
  f: SignatureField,
  docMdp: 1 | 2 | 3 | undefined,
): Change[] {
  const signed = new PdfDocument(pdf.subarray(0, end), { allowEncrypted: true })
  const changes = analyseChanges(signed, doc, {
    ...(docMdp !== undefined && { docMdp }),
    isLocked: fieldLocks(signed, f.sig, f.fieldDict),
  })
  if (docMdp !== 1 || changes.every((c) => c.allowed)) return changes
  const what =
    'the document is certified with no changes allowed (DocMDP P=1), yet a later revision changes it'
  return [
    { kind: 'certification', object: null, page: null, what, allowed: false, level: 'other' },
    ...changes,
  ]
}

export type { Revision }
