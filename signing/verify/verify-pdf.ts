import { PdfDocument } from '../pdf/document'
import type { ParsedCrl } from '../pki/crl'
import { analyseChanges, type Change } from '../validate/changes'
import { docMdpOf, fieldLocks } from '../validate/mdp'
import { checkRevisionsAfter, findRevisions, type Revision, type RevisionProblem } from '../validate/revisions'
import { findSignatureFields, type SignatureField } from './find-signatures'
import { RangeDigests } from './range-digests'
import { verifySignature, type SignatureReport } from './verify-signature'

export type Indication = 'PASSED' | 'FAILED' | 'INDETERMINATE'
export type { SignatureReport, Change }

export interface VerifyReport {
  indication: Indication
  signatures: SignatureReport[]
  /** Revisions found (ends of `startxref N %%EOF`). */
  revisions: number
  /** Bytes or revisions after a signature that are not sound incremental updates. */
  revisionProblems: RevisionProblem[]
  encrypted: boolean
}

export interface VerifyOptions {
  /** Trust anchors (DER): the internal CA's root, external roots such as the national root CA. */
  trustAnchors?: Buffer[]
  /** CRLs the validator holds; a signature whose chain no CRL covers is INDETERMINATE. */
  crls?: ParsedCrl[]
  /** Validation time for certificates without a proving timestamp (default: now). */
  now?: Date
  maxBytes?: number
}

const RANK: Record<Indication, number> = { PASSED: 0, INDETERMINATE: 1, FAILED: 2 }

/** The worst of several indications: FAILED outranks INDETERMINATE outranks PASSED. */
export function worst(list: Indication[], empty: Indication = 'INDETERMINATE'): Indication {
  if (list.length === 0) return empty
  return list.reduce((a, b) => (RANK[b] > RANK[a] ? b : a))
}

/** Signature fields grouped by the signature dictionary they share (one signature, several names). */
function groupBySignature(fields: SignatureField[]): { fields: string[]; first: SignatureField }[] {
  const groups = new Map<unknown, { fields: string[]; first: SignatureField }>()
  for (const f of fields) {
    const key = f.sigRef ? `r${f.sigRef.num}` : f.sig
    const g = groups.get(key)
    if (g) g.fields.push(f.field)
    else groups.set(key, { fields: [f.field], first: f })
  }
  return [...groups.values()]
}

/**
 * Validates every signature of a PDF (issue 3): structure, integrity, identity and trust, time,
 * revocation, and what changed after each signature. The report is data: a bad signature never
 * throws; only an unusable file does (PDF_UNREADABLE, PDF_TOO_LARGE).
 */
export function verifyPdf(pdf: Buffer, opts: VerifyOptions = {}): VerifyReport {
  const doc = new PdfDocument(pdf, { allowEncrypted: true, ...(opts.maxBytes !== undefined && { maxBytes: opts.maxBytes }) })
  const revisions = findRevisions(pdf)
  const groups = groupBySignature(findSignatureFields(doc))
  const ends = groups.map((g) => coverageEnd(g.first)).filter((e): e is number => e !== null)
  const firstEnd = ends.length ? Math.min(...ends) : pdf.length
  const revisionProblems = groups.length ? checkRevisionsAfter(pdf, revisions, firstEnd, doc.headerOffset) : []
  const mdp = safe(() => docMdpOf(doc), null)
  const ranges = groups.map((g) => g.first.sig.get('ByteRange')).filter((br): br is [number, number, number, number] => Array.isArray(br) && br.length === 4 && br.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0))
  const digests = new RangeDigests(pdf, ranges)
  const signatures = groups.map((g) =>
    verifySignature(pdf, g.first, g.fields, opts, {
      revisions,
      revisionProblems,
      digest: (alg, br) => digests.digest(alg, br),
      changesAfter: (end) => changesAfter(pdf, doc, end, g.first, mdp),
    }),
  )
  return {
    indication: worst(signatures.map((s) => s.indication)),
    signatures,
    revisions: revisions.length,
    revisionProblems,
    encrypted: doc.encrypted,
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
  const br = f.sig.get('ByteRange')
  if (!Array.isArray(br) || br.length !== 4 || !br.every((n) => typeof n === 'number')) return null
  return (br[2] as number) + (br[3] as number)
}

/** What the revisions after byte `end` changed, judged under the document's certification level. */
function changesAfter(pdf: Buffer, doc: PdfDocument, end: number, f: SignatureField, mdp: ReturnType<typeof docMdpOf>): Change[] {
  const signed = new PdfDocument(pdf.subarray(0, end), { allowEncrypted: true })
  const isCertification = mdp?.sigNum !== null && mdp?.sigNum === f.sigRef?.num
  const changes = analyseChanges(signed, doc, {
    ...(mdp && { docMdp: mdp.p }),
    isLocked: fieldLocks(signed, f.sig, f.fieldDict),
  })
  // DocMDP P=1: the certifying signature allows no later revision at all.
  if (isCertification && mdp?.p === 1) {
    return [{ kind: 'certification', object: null, page: null, what: 'the document is certified with no changes allowed (DocMDP P=1), yet it has a later revision', allowed: false }, ...changes]
  }
  return changes
}

export type { Revision }
