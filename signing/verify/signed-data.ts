import {
  parseSignedData,
  verifyCmsSignature,
  type AlgorithmFacts,
  type CmsCheck,
  type DigestInput,
  type HashName,
} from '../cms'
import { digestOf } from '../cms/digest'
import { digestName, judgeAlgorithms, keySummary } from './crypto-policy'
import { issuerName, signerName } from './names'
import { judgedAt, proofOfExistence, type DocumentTimestampProof } from './proof-of-existence'
import type { SignatureReport, Verdict } from './report'
import { judgeSignatureTimestamp } from './signature-timestamp'
import { longTermLevel } from './long-term-level'
import { judgeTrust, type JudgeOptions } from './trust'

/**
 * What the SignerInfo signs: detached content given by its digest (adbe.pkcs7.detached,
 * ETSI.CAdES.detached, RFC 5652 §5.2 without eContent), or, for adbe.pkcs7.sha1 (ISO 32000-1
 * §12.8.3.3.1), encapsulated content that must be the SHA-1 digest of the byte ranges.
 */
export type SignedContent =
  | { kind: 'detached'; digest: DigestInput }
  | { kind: 'sha1-encapsulated'; digest: (hash: HashName) => Buffer }

export interface SignedDataContext {
  /** The claimed signing time (/M). */
  claimed?: Date
  /** End of the signed bytes, for document time-stamps that prove them (0 when not a PDF). */
  end: number
  documentTimestamps: readonly DocumentTimestampProof[]
  /** Step 4, between integrity and time: the changes after a PDF signature. */
  afterIntegrity?: () => void
}

/**
 * Steps 3 and 5-8 for any CMS signature over known content: integrity, (the caller's step 4),
 * time and proof of existence, the cryptographic policy, identity and trust, validity and
 * revocation. Shared by PDF signatures and detached CAdES evidence (verifyDetachedSignature).
 */
export function judgeSignedData(
  v: Verdict,
  r: SignatureReport,
  cmsDer: Buffer,
  content: SignedContent,
  opts: JudgeOptions,
  ctx: SignedDataContext,
): SignatureReport {
  // 3. Integrity.
  const cms = checkCms(v, cmsDer, content)
  if (!cms) return v.done()
  r.signer = signerName(cms.signerCertificate) ?? r.signer
  r.issuer = cms.signerCertificate ? issuerName(cms.signerCertificate) : null
  r.level =
    r.subFilter === 'ETSI.CAdES.detached' || r.subFilter === null
      ? cms.timestampToken
        ? 'B-T'
        : 'B-B'
      : 'PKCS7'
  const { digest, signature, key } = cms.algorithms
  r.algorithms = { digest: digestName(digest), signature: signature?.name ?? null, key: keySummary(key) }
  judgeIntegrity(v, cms)
  // 4. Changes after the signature, and bytes that are not sound revisions (PDF signatures).
  ctx.afterIntegrity?.()
  if (!cms.signerCertificate) {
    v.check('trust', false, 'the signer certificate is not in the signature', [
      'INDETERMINATE',
      'NO_SIGNING_CERTIFICATE_FOUND',
    ])
    return v.done()
  }
  // 5. Time: a valid token proves when; a document time-stamp proves existence; /M is only claimed.
  const own = judgeSignatureTimestamp(v, r, cms, opts, opts.evidence?.certificates ?? [])
  const proof = proofOfExistence(ctx.end, own, ctx.documentTimestamps)
  r.proofOfExistence = proof ?? null
  const now = opts.now ?? new Date()
  const at = judgedAt(proof, now)
  // 6. Cryptographic constraints at that time (EN 319 102-1 §5.2.8).
  if (cms.signatureValid && !cms.unsupported) {
    const algorithms = judgeAlgorithms(policyFacts(cms.algorithms, content), at)
    const detail = { ok: `algorithms accepted: ${algorithms.summary}`, bad: algorithms.problems.join('; ') }
    v.test('algorithms', algorithms.acceptable, detail, ['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE'])
  }
  // 7-8. Identity and trust at the proven time, or now when nothing proves it (EN 319 102-1 §5.6.2).
  const claimed = own ?? ctx.claimed ?? (proof ? new Date(proof.time) : now)
  const times = { at, claimed, statusAt: at, ...(proof && { proof: new Date(proof.time) }) }
  judgeTrust(v, r, cms.signerCertificate, cms.certificates, opts, times)
  // PAdES B-LT / B-LTA: what the document's DSS holds for this signature (issue 18).
  if (r.level === 'B-T' && opts.evidence) {
    const pool = [...cms.certificates, ...(opts.trustAnchors ?? [])]
    r.level = longTermLevel(cms.signerCertificate, pool, opts.evidence, ctx)
  }
  return v.done()
}

/** adbe.pkcs7.sha1 rests on the SHA-1 of the document, whatever the SignerInfo's own digest. */
function policyFacts(facts: AlgorithmFacts, content: SignedContent): AlgorithmFacts {
  if (content.kind !== 'sha1-encapsulated') return facts
  const name = `${facts.signature?.name ?? '?'} over the SHA-1 of the document (adbe.pkcs7.sha1)`
  return { ...facts, signature: { name, key: facts.signature?.key ?? 'RSA', hash: 'sha1' } }
}

/** Parses and checks the CMS against the content; records structure failures and returns null. */
function checkCms(v: Verdict, cmsDer: Buffer, content: SignedContent): CmsCheck | null {
  let cms: CmsCheck
  try {
    if (content.kind === 'detached') cms = verifyCmsSignature(cmsDer, content.digest)
    else {
      const encapsulated = parseSignedData(cmsDer).content ?? Buffer.alloc(0)
      cms = verifyCmsSignature(cmsDer, (hash) => digestOf(hash, encapsulated))
    }
  } catch (err) {
    const detail = `the signature value is not a CMS SignedData: ${(err as Error).message}`
    v.check('structure', false, detail, ['FAILED', 'FORMAT_FAILURE'])
    return null
  }
  if (content.kind === 'detached') {
    // RFC 5652 §5.2: a detached signature has no eContent; a validator reading it would judge other bytes.
    const detail = {
      ok: 'detached signature: no encapsulated content',
      bad: `a detached signature carries ${cms.encapsulatedContent?.length} bytes of encapsulated content`,
    }
    v.test('structure', cms.encapsulatedContent === undefined, detail, ['FAILED', 'FORMAT_FAILURE'])
  } else {
    const detail = {
      ok: 'the encapsulated SHA-1 digest matches the signed bytes (adbe.pkcs7.sha1)',
      bad: 'the encapsulated content is not the SHA-1 digest of the signed bytes',
    }
    v.test('integrity', cms.encapsulatedContent?.equals(content.digest('sha1')) === true, detail, [
      'FAILED',
      'HASH_FAILURE',
    ])
  }
  // RFC 5652 §5.3: signed attributes are DER; BouncyCastle (so DSS) re-encodes them and rejects the signature.
  if (cms.signedAttributesNotDer) {
    const detail = `the signed attributes are not DER-encoded: ${cms.signedAttributesNotDer}`
    v.check('structure', false, detail, ['FAILED', 'FORMAT_FAILURE'])
  }
  return cms
}

/** Message digest, signature value, algorithm constraints and the signing-certificate binding. */
function judgeIntegrity(v: Verdict, cms: CmsCheck): void {
  // Without signed attributes the digest is inside the signature value: unknown when that cannot be checked.
  const unknownDigest = cms.unsupported?.startsWith('unsupported digest algorithm') === true
  if (!cms.unsupported || (cms.hasSignedAttributes && !unknownDigest)) {
    const detail = {
      ok: 'the digest of the signed bytes matches',
      bad: 'the document was changed after signing (digest mismatch)',
    }
    v.test('integrity', cms.messageDigestMatches, detail, ['FAILED', 'HASH_FAILURE'])
  }
  if (cms.unsupported) {
    const detail = `the signature cannot be checked: ${cms.unsupported}`
    v.check('algorithms', false, detail, ['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE'])
  } else {
    const detail = { ok: 'the signature value verifies', bad: 'the signature value does not verify' }
    v.test('integrity', cms.signatureValid, detail, ['FAILED', 'SIG_CRYPTO_FAILURE'])
  }
  if (cms.constraint)
    v.check('algorithms', false, cms.constraint, ['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE'])
  const binding = cms.signingCertificateV2 !== 'mismatch' && cms.signingCertificateV1 !== 'mismatch'
  const v2 = cms.signingCertificateV2 === 'match'
  const which = v2 ? 'v2 matches' : cms.signingCertificateV1 === 'match' ? 'v1 matches' : 'absent'
  const detail = {
    ok: `signing-certificate attribute: ${which}`,
    bad: 'the signing-certificate attribute names another certificate',
  }
  v.test('signing-certificate', binding, detail, ['FAILED', 'SIG_CONSTRAINTS_FAILURE'])
}
