import { createHash } from 'node:crypto'
import { verifyCmsSignature, type CmsCheck, type DigestInput } from '../cms'
import { certificateInfo } from '../cms/certificate'
import { nameAttributes } from '../pki/name-attributes'
import { isRevoked, type ParsedCrl } from '../pki/crl'
import { verifyTimestampToken } from '../tsa/verify'
import { PdfName, PdfString, decodeTextString } from '../pdf/objects'
import { parsePdfDate } from '../sign/pdf-date'
import type { Change } from '../validate/changes'
import type { Revision, RevisionProblem } from '../validate/revisions'
import { checkByteRange } from './byte-range'
import { buildChain, safeCert } from './chain'
import type { SignatureField } from './find-signatures'
import type { Indication, VerifyOptions } from './verify-pdf'

export interface Check {
  check: 'structure' | 'coverage' | 'integrity' | 'signing-certificate' | 'trust' | 'validity' | 'timestamp' | 'revocation' | 'changes'
  passed: boolean
  detail: string
}

export interface SignatureReport {
  field: string
  /** All field names that point at this signature dictionary. */
  fields: string[]
  signer: string | null
  issuer: string | null
  /** ISO 8601: the timestamp's genTime when proven (B-T), else the claimed /M. */
  signedAt: string | null
  signedAtProven: boolean
  subFilter: string | null
  level: 'B-B' | 'B-T' | 'PKCS7' | null
  indication: Indication
  subIndication: string | null
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
  revocationSource: 'crl' | null
  timestamp: { genTime: string | null; valid: boolean; trusted: boolean; tsa: string | null } | null
  checks: Check[]
  /** Differences found in later revisions, allowed or not. */
  changes: Change[]
  problems: string[]
}

export interface DocumentFacts {
  revisions: Revision[]
  revisionProblems: RevisionProblem[]
  changesAfter: (end: number) => Change[]
  /** Digest of a ByteRange's two ranges (shared across signatures: see RangeDigests). */
  digest: (alg: string, byteRange: [number, number, number, number]) => Buffer
}

function cn(der: Buffer | undefined): string | null {
  const subject = der ? safeCert(der)?.subject : undefined
  const s = subject !== undefined ? nameAttributes(subject) : undefined
  return s ? (s.CN ?? s.O ?? null) : null
}

function issuerName(der: Buffer): string | null {
  const issuer = safeCert(der)?.issuer
  const s = issuer !== undefined ? nameAttributes(issuer) : undefined
  return s ? (s.CN ?? s.O ?? null) : null
}

class Verdict {
  indication: Indication = 'PASSED'
  subIndication: string | null = null
  constructor(readonly r: SignatureReport) {}
  /** Records a check; a failed one lowers the verdict, keeping the worst (FAILED > INDETERMINATE). */
  check(check: Check['check'], passed: boolean, detail: string, onFail?: [Indication, string]): boolean {
    this.r.checks.push({ check, passed, detail })
    if (!passed && onFail) {
      this.r.problems.push(detail)
      const rank = { PASSED: 0, INDETERMINATE: 1, FAILED: 2 }
      if (rank[onFail[0]] > rank[this.indication]) {
        this.indication = onFail[0]
        this.subIndication = onFail[1]
      }
    }
    return passed
  }
  done(): SignatureReport {
    this.r.indication = this.indication
    this.r.subIndication = this.subIndication
    return this.r
  }
}

/**
 * One signature, in the order of EN 319 102-1's building blocks: format (structure, coverage),
 * cryptographic verification, X.509 validation with revocation, time, and the document changes
 * after it. Every step adds a `check`; the verdict is the worst of them.
 */
export function verifySignature(pdf: Buffer, f: SignatureField, fields: string[], opts: VerifyOptions, facts: DocumentFacts): SignatureReport {
  const sub = f.sig.get('SubFilter')
  const m = f.sig.get('M')
  const claimed = m instanceof PdfString ? parsePdfDate(m.bytes.toString('latin1')) : undefined
  const nameV = f.sig.get('Name')
  const r: SignatureReport = {
    field: f.field, fields, signer: nameV instanceof PdfString ? decodeTextString(nameV) : null, issuer: null,
    signedAt: claimed ? claimed.toISOString() : null, signedAtProven: false, subFilter: sub instanceof PdfName ? sub.name : null,
    level: null, indication: 'PASSED', subIndication: null, coversWholeDocument: false, byteRange: null, revision: null, signedContentLength: null,
    revocation: 'not-checked', revocationSource: null, timestamp: null, checks: [], changes: [], problems: [],
  }
  const v = new Verdict(r)
  // 1. Structure: a sound ByteRange around exactly the /Contents string, CMS inside.
  const br = checkByteRange(pdf, f.sig)
  r.byteRange = br.byteRange
  if (!v.check('structure', br.ok, br.ok ? 'ByteRange and /Contents are well formed' : (br.problem ?? 'bad structure'), ['FAILED', 'FORMAT_FAILURE']) || !br.byteRange || !br.cms) return v.done()
  const [a, b, c, d] = br.byteRange as [number, number, number, number]
  const end = c + d
  r.coversWholeDocument = end === pdf.length
  // 2. Coverage: the signed bytes end where a revision ends (%%EOF), not in the middle of one.
  const rev = facts.revisions.find((x) => end === x.eofEnd || end === x.end)
  r.revision = rev ? rev.index + 1 : null
  r.signedContentLength = rev ? (rev.index > 0 ? (facts.revisions[rev.index - 1] as Revision).end : null) : null
  if (!v.check('coverage', rev !== undefined, rev ? `covers revisions 1 to ${rev.index + 1}` : 'the signed bytes do not end at the end of a revision', ['FAILED', 'FORMAT_FAILURE'])) return v.done()
  return judgeSignedData(v, r, br.cms, (alg) => facts.digest(alg, [a, b, c, d]), opts, claimed, () => judgeLaterRevisions(v, r, pdf, end, facts))
}

/**
 * Steps 3 and 5-7 for any CMS signature over known content: integrity, (the caller's step 4),
 * time, identity and trust, validity and revocation. Shared by PDF signatures and detached CAdES
 * evidence (verifyDetachedSignature).
 */
function judgeSignedData(
  v: Verdict,
  r: SignatureReport,
  cmsDer: Buffer,
  digest: DigestInput,
  opts: VerifyOptions,
  claimed: Date | undefined,
  afterIntegrity?: () => void,
): SignatureReport {
  // 3. Integrity.
  let cms: CmsCheck
  try {
    cms = verifyCmsSignature(cmsDer, digest)
  } catch (err) {
    v.check('structure', false, `the signature value is not a CMS SignedData: ${(err as Error).message}`, ['FAILED', 'FORMAT_FAILURE'])
    return v.done()
  }
  r.signer = cn(cms.signerCertificate) ?? r.signer
  r.issuer = cms.signerCertificate ? issuerName(cms.signerCertificate) : null
  r.level = r.subFilter === 'ETSI.CAdES.detached' || r.subFilter === null ? (cms.timestampToken ? 'B-T' : 'B-B') : 'PKCS7'
  v.check('integrity', cms.messageDigestMatches, cms.messageDigestMatches ? 'the digest of the signed bytes matches' : 'the document was changed after signing (digest mismatch)', ['FAILED', 'HASH_FAILURE'])
  v.check('integrity', cms.signatureValid, cms.signatureValid ? 'the signature value verifies' : 'the signature value does not verify', ['FAILED', 'SIG_CRYPTO_FAILURE'])
  const binding = cms.signingCertificateV2 !== 'mismatch' && cms.signingCertificateV1 !== 'mismatch'
  v.check('signing-certificate', binding, binding ? `signing-certificate attribute: ${cms.signingCertificateV2 === 'match' ? 'v2 matches' : cms.signingCertificateV1 === 'match' ? 'v1 matches' : 'absent'}` : 'the signing-certificate attribute names another certificate', ['FAILED', 'SIG_CONSTRAINTS_FAILURE'])
  // 4. Changes after the signature, and bytes that are not sound revisions (PDF signatures).
  afterIntegrity?.()
  if (!cms.signerCertificate) {
    v.check('trust', false, 'the signer certificate is not in the signature', ['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND'])
    return v.done()
  }
  // 5. Time: a valid token proves when; /M is only claimed.
  const proven = judgeTimestamp(v, r, cms, opts)
  const signingTime = proven ?? claimed ?? opts.now ?? new Date()
  // 6. Identity and trust at the proven time, or now when nothing proves the time (EN 319 102-1 §5.6.2).
  const at = proven ?? opts.now ?? new Date()
  const chain = buildChain(cms.signerCertificate, cms.certificates, opts.trustAnchors ?? [], at)
  // RFC 5280 §4.2.1.3: a signing key needs digitalSignature or nonRepudiation when keyUsage is present.
  const usage = signerKeyUsage(cms.signerCertificate)
  v.check('trust', usage, usage ? 'the certificate allows signing (keyUsage)' : 'the certificate does not allow signing (keyUsage lacks digitalSignature and nonRepudiation)', ['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE'])
  if (v.check('trust', chain.trusted, chain.trusted ? `chains to a trust anchor (${chain.path.length} certificates)` : 'no chain to a trusted root', ['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND'])) {
    v.check('validity', chain.problems.length === 0, chain.problems.length ? chain.problems.join('; ') : `certificates valid at ${at.toISOString()}`, ['INDETERMINATE', proven ? 'OUT_OF_BOUNDS_NOT_REVOKED' : 'OUT_OF_BOUNDS_NO_POE'])
    judgeRevocation(v, r, chain.path.map((x) => x.raw), opts.crls ?? [], signingTime, proven !== undefined)
  }
  return v.done()
}

/**
 * A detached CAdES signature (RFC 5652 id-data, no encapsulated content) over `content`: the
 * evidence Kyso keeps for an approval made outside the file (issue 11, point 6), judged like a PDF
 * signature's CMS. `label` names it in the report.
 */
export function verifyDetachedSignature(cmsDer: Buffer, content: Buffer, label: string, opts: VerifyOptions = {}): SignatureReport {
  const r: SignatureReport = {
    field: label, fields: [label], signer: null, issuer: null, signedAt: null, signedAtProven: false, subFilter: null,
    level: null, indication: 'PASSED', subIndication: null, coversWholeDocument: true, byteRange: null, revision: null,
    signedContentLength: content.length, revocation: 'not-checked', revocationSource: null, timestamp: null, checks: [], changes: [], problems: [],
  }
  const v = new Verdict(r)
  v.check('structure', true, `detached CAdES signature over ${content.length} bytes`)
  return judgeSignedData(v, r, cmsDer, (alg) => createHash(alg).update(content).digest(), opts, undefined)
}

function signerKeyUsage(cert: Buffer): boolean {
  try {
    const ku = certificateInfo(cert).keyUsage
    return !ku || ku.has(0) || ku.has(1)
  } catch {
    return false
  }
}

function judgeLaterRevisions(v: Verdict, r: SignatureReport, pdf: Buffer, end: number, facts: DocumentFacts): void {
  const after = facts.revisionProblems.filter((p) => p.from >= end - 2)
  for (const p of after) v.check('changes', false, p.problem, ['FAILED', p.revision === -1 ? 'UNSIGNED_TRAILING_DATA' : 'INVALID_REVISION'])
  const lastEnd = facts.revisions[facts.revisions.length - 1]?.end ?? pdf.length
  if (end >= lastEnd - 2) {
    if (after.length === 0) v.check('changes', true, 'nothing was added after this signature')
    return
  }
  let changes: Change[]
  try {
    changes = facts.changesAfter(end)
  } catch (err) {
    v.check('changes', false, `the later revisions cannot be compared: ${(err as Error).message}`, ['FAILED', 'FORMAT_FAILURE'])
    return
  }
  r.changes = changes
  const bad = changes.filter((c) => !c.allowed)
  if (bad.length === 0) v.check('changes', true, `later revisions only add what is allowed (${changes.length} change${changes.length === 1 ? '' : 's'})`)
  for (const c of bad) v.check('changes', false, c.what, ['FAILED', 'MODIFIED_AFTER_SIGNING'])
}

function judgeTimestamp(v: Verdict, r: SignatureReport, cms: CmsCheck, opts: VerifyOptions): Date | undefined {
  if (!cms.timestampToken) return undefined
  const ts = verifyTimestampToken(cms.timestampToken, cms.signatureValue)
  const tsaChain = ts.tsaCertificate ? buildChain(ts.tsaCertificate, ts.certificates, opts.trustAnchors ?? [], ts.genTime ?? new Date()) : null
  const trusted = !!tsaChain?.trusted && tsaChain.problems.length === 0 && ts.hasTimestampingEku
  r.timestamp = { genTime: ts.genTime?.toISOString() ?? null, valid: ts.valid, trusted, tsa: cn(ts.tsaCertificate) }
  if (!v.check('timestamp', ts.valid, ts.valid ? `timestamp token valid, genTime ${ts.genTime?.toISOString()}` : `the signature timestamp is invalid: ${ts.problems.join('; ')}`, ['FAILED', 'SIG_CRYPTO_FAILURE'])) return undefined
  v.check('timestamp', trusted, trusted ? `timestamp authority '${r.timestamp.tsa}' is trusted` : 'the timestamp authority is not trusted: the signing time is not proven')
  if (!trusted || !ts.genTime) return undefined
  r.signedAt = ts.genTime.toISOString()
  r.signedAtProven = true
  return ts.genTime
}

/**
 * Every certificate of the chain below the anchor needs revocation information (EN 319 102-1
 * §5.2.6): none makes the signature INDETERMINATE, never PASSED. Revoked before the signing time
 * is FAILED; revoked after it is fine only when a timestamp proves the signing time.
 */
function judgeRevocation(v: Verdict, r: SignatureReport, path: Buffer[], crls: ParsedCrl[], signingTime: Date, proven: boolean): void {
  r.revocation = 'unknown'
  // Every certificate but the anchor, each against CRLs signed by its own issuer in the path.
  for (const [i, cert] of path.slice(0, -1).entries()) {
    const who = i === 0 ? 'the signer certificate' : `CA certificate '${cn(cert)}'`
    const st = isRevoked(cert, crls, new Date(), [path[i + 1] as Buffer])
    if (!st.crlFound) {
      v.check('revocation', false, `no revocation information for ${who}`, ['INDETERMINATE', 'TRY_LATER'])
      continue
    }
    r.revocationSource = 'crl'
    if (!st.revoked) {
      v.check('revocation', true, `${who} is not revoked (CRL)`)
      continue
    }
    const when = st.revokedAt ? st.revokedAt.toISOString() : 'an unknown date'
    if (i === 0) r.revocation = 'revoked'
    if (!st.revokedAt || st.revokedAt <= signingTime) v.check('revocation', false, `${who} was revoked on ${when}, before the signing time`, ['FAILED', 'REVOKED'])
    else if (proven) v.check('revocation', true, `${who} was revoked on ${when}, after the proven signing time`)
    else v.check('revocation', false, `${who} was revoked on ${when}; nothing proves the signature was made before`, ['INDETERMINATE', 'REVOKED_NO_POE'])
  }
  if (r.revocation === 'unknown' && r.checks.some((c) => c.check === 'revocation') && r.checks.filter((c) => c.check === 'revocation').every((c) => c.passed)) r.revocation = 'good'
}
