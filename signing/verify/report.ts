import type { Change, ChangeKind, ModificationLevel } from '../validate/changes'
import type { Revision, RevisionProblem } from '../validate/revisions'

export type Indication = 'PASSED' | 'FAILED' | 'INDETERMINATE'

/**
 * Every sub-indication the validator emits: ETSI EN 319 102-1 §5.1.3's, plus three of ours for what
 * follows a signature (MODIFIED_AFTER_SIGNING, UNSIGNED_TRAILING_DATA, INVALID_REVISION). A new one
 * goes here first; shared/messages.ts must then give it a reason in both languages (issue 16).
 */
export const SUB_INDICATIONS = [
  'FORMAT_FAILURE',
  'HASH_FAILURE',
  'SIG_CRYPTO_FAILURE',
  'SIG_CONSTRAINTS_FAILURE',
  'CHAIN_CONSTRAINTS_FAILURE',
  'CRYPTO_CONSTRAINTS_FAILURE',
  'NO_CERTIFICATE_CHAIN_FOUND',
  'NO_SIGNING_CERTIFICATE_FOUND',
  'OUT_OF_BOUNDS_NO_POE',
  'OUT_OF_BOUNDS_NOT_REVOKED',
  'REVOKED',
  'REVOKED_NO_POE',
  'TRY_LATER',
  'MODIFIED_AFTER_SIGNING',
  'UNSIGNED_TRAILING_DATA',
  'INVALID_REVISION',
] as const

export type SubIndication = (typeof SUB_INDICATIONS)[number]

export interface Check {
  check:
    | 'structure'
    | 'coverage'
    | 'integrity'
    | 'signing-certificate'
    | 'trust'
    | 'validity'
    | 'timestamp'
    | 'revocation'
    | 'changes'
    | 'algorithms'
  passed: boolean
  detail: string
}

/**
 * Something a reader should know although it does not fail the signature: an allowed change
 * after it (an annotation, a filled field), named with its object and page, in English and
 * Vietnamese.
 */
export interface Warning {
  kind: ChangeKind
  object: number | null
  page: number | null
  what: string
  what_vi: string
}

/** A valid, trusted time-stamp proving the signed bytes existed at `time` (EN 319 102-1 §5.6.2.3). */
export interface ProofOfExistence {
  time: string
  source: 'signature-timestamp' | 'document-timestamp'
  /** The document timestamp's field, when that is the proof. */
  field: string | null
}

export interface SignatureReport {
  field: string
  /** All field names that point at this signature dictionary. */
  fields: string[]
  /** A signature, or a document time-stamp (/SubFilter ETSI.RFC3161, ISO 32000-2 §12.8.5). */
  kind: 'signature' | 'document-timestamp'
  signer: string | null
  issuer: string | null
  /** ISO 8601: the timestamp's genTime when proven (B-T, or a document timestamp's own), else the claimed /M. */
  signedAt: string | null
  signedAtProven: boolean
  subFilter: string | null
  /**
   * PAdES level (ETSI EN 319 142-1 §6): B-T with the validation data of its signer certificate in
   * the DSS is B-LT; B-LT with a valid document time-stamp over that data is B-LTA (issue 18).
   */
  level: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA' | 'PKCS7' | null
  indication: Indication
  subIndication: SubIndication | null
  coversWholeDocument: boolean
  byteRange: number[] | null
  /** 1-based revision the signature covers (its ByteRange ends there). */
  revision: number | null
  /**
   * Length of the document as the signer saw it: the bytes up to the revision before the
   * signature's own (what DSS calls the signed revision when it extracts it for comparison).
   */
  signedContentLength: number | null
  revocation: 'good' | 'revoked' | 'unknown' | 'not-checked'
  revocationSource: 'crl' | 'ocsp' | null
  /**
   * Whose revocation data the status rests on: the validator's own (`held`: --crl, the service's
   * CRLs) or the document's DSS (`document`, PAdES B-LT); null when none was used.
   */
  revocationEvidence: 'held' | 'document' | null
  timestamp: { genTime: string | null; valid: boolean; trusted: boolean; tsa: string | null } | null
  /** The earliest time a valid, trusted time-stamp proves this signature existed, if any. */
  proofOfExistence: ProofOfExistence | null
  /** The algorithms and key, as the cryptographic policy judged them. */
  algorithms: { digest: string; signature: string | null; key: string | null } | null
  checks: Check[]
  /** Differences found in later revisions, allowed or not. */
  changes: Change[]
  /** The highest level of those changes (pyHanko's scale). */
  modificationLevel: ModificationLevel
  /** Allowed changes a reader should know of, and other notes that do not fail the signature. */
  warnings: Warning[]
  problems: string[]
}

export interface DocumentFacts {
  revisions: Revision[]
  revisionProblems: RevisionProblem[]
  changesAfter: (end: number) => Change[]
  /** Digest of a ByteRange's two ranges (shared across signatures: see RangeDigests). */
  digest: (alg: import('../cms').HashName, byteRange: [number, number, number, number]) => Buffer
}

const RANK: Record<Indication, number> = { PASSED: 0, INDETERMINATE: 1, FAILED: 2 }

/** The worst of several indications: FAILED outranks INDETERMINATE outranks PASSED. */
export function worst(list: Indication[], empty: Indication = 'INDETERMINATE'): Indication {
  if (list.length === 0) return empty
  return list.reduce((a, b) => (RANK[b] > RANK[a] ? b : a))
}

/** An empty report for one signature, to be filled by the checks. */
export function newReport(field: string, fields: string[], kind: SignatureReport['kind']): SignatureReport {
  return {
    field,
    fields,
    kind,
    signer: null,
    issuer: null,
    signedAt: null,
    signedAtProven: false,
    subFilter: null,
    level: null,
    indication: 'PASSED',
    subIndication: null,
    coversWholeDocument: false,
    byteRange: null,
    revision: null,
    signedContentLength: null,
    revocation: 'not-checked',
    revocationSource: null,
    revocationEvidence: null,
    timestamp: null,
    proofOfExistence: null,
    algorithms: null,
    checks: [],
    changes: [],
    modificationLevel: 'none',
    warnings: [],
    problems: [],
  }
}

export class Verdict {
  indication: Indication = 'PASSED'
  subIndication: SubIndication | null = null
  constructor(readonly r: SignatureReport) {}

  /** Records a check; a failed one lowers the verdict, keeping the worst (FAILED > INDETERMINATE). */
  check(
    check: Check['check'],
    passed: boolean,
    detail: string,
    onFail?: [Indication, SubIndication],
  ): boolean {
    this.r.checks.push({ check, passed, detail })
    if (!passed && onFail) {
      this.r.problems.push(detail)
      if (RANK[onFail[0]] > RANK[this.indication]) {
        this.indication = onFail[0]
        this.subIndication = onFail[1]
      }
    }
    return passed
  }

  /** `check` with the detail chosen by the outcome: what passed, or what failed. */
  test(
    check: Check['check'],
    passed: boolean,
    detail: { ok: string; bad: string },
    onFail?: [Indication, SubIndication],
  ): boolean {
    return this.check(check, passed, passed ? detail.ok : detail.bad, onFail)
  }

  done(): SignatureReport {
    this.r.indication = this.indication
    this.r.subIndication = this.subIndication
    return this.r
  }
}
