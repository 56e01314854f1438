import { createHash, X509Certificate } from 'node:crypto'
import { verifyCmsSignature } from '../cms'
import { isRevoked, type ParsedCrl } from '../pki'
import { verifyTimestampToken } from '../tsa'
import { PdfDocument } from '../pdf/document'
import { PdfName, PdfString, decodeTextString } from '../pdf/objects'
import { parsePdfDate } from '../sign/pdf-date'
import { buildChain } from './chain'
import { findSignatureFields, type SignatureField } from './find-signatures'
import { checkByteRange } from './byte-range'

export type Indication = 'PASSED' | 'FAILED' | 'INDETERMINATE'

export interface SignatureReport {
  field: string
  signer: string | null
  /** ISO 8601: the timestamp's genTime when proven (B-T), else the claimed /M. */
  signedAt: string | null
  signedAtProven: boolean
  subFilter: string | null
  level: 'B-B' | 'B-T' | 'PKCS7' | null
  indication: Indication
  subIndication: string | null
  coversWholeDocument: boolean
  byteRange: number[] | null
  revocation: 'good' | 'revoked' | 'unknown' | 'not-checked'
  problems: string[]
}

export interface VerifyReport {
  indication: Indication
  signatures: SignatureReport[]
}

export interface VerifyOptions {
  trustAnchors?: Buffer[]
  crls?: ParsedCrl[]
}

/**
 * The basic verifier: for every signature, the ByteRange, the digest over its ranges, the CMS
 * signature and signing-certificate binding, the chain to the given trust anchors, revocation
 * when CRLs are given, and whether it covers the whole file. Results are data: a bad signature
 * never throws; only an unusable file does (PDF_UNREADABLE / PDF_ENCRYPTED).
 */
export function verifyPdf(pdf: Buffer, opts: VerifyOptions = {}): VerifyReport {
  const doc = new PdfDocument(pdf)
  const signatures = findSignatureFields(doc).map((f) => verifyOne(pdf, f, opts))
  const indication: Indication =
    signatures.length === 0 ? 'INDETERMINATE'
    : signatures.some((s) => s.indication === 'FAILED') ? 'FAILED'
    : signatures.some((s) => s.indication === 'INDETERMINATE') ? 'INDETERMINATE'
    : 'PASSED'
  return { indication, signatures }
}

function verdict(r: SignatureReport, indication: Indication, sub: string | null, problem?: string): SignatureReport {
  if (problem) r.problems.push(problem)
  // Keep the worst verdict: FAILED over INDETERMINATE over PASSED.
  const rank = { PASSED: 0, INDETERMINATE: 1, FAILED: 2 }
  if (rank[indication] > rank[r.indication]) {
    r.indication = indication
    r.subIndication = sub
  }
  return r
}

function verifyOne(pdf: Buffer, f: SignatureField, opts: VerifyOptions): SignatureReport {
  const sub = f.sig.get('SubFilter')
  const m = f.sig.get('M')
  const claimed = m instanceof PdfString ? parsePdfDate(m.bytes.toString('latin1')) : undefined
  const nameV = f.sig.get('Name')
  const r: SignatureReport = {
    field: f.field,
    signer: nameV instanceof PdfString ? decodeTextString(nameV) : null,
    signedAt: claimed ? claimed.toISOString() : null,
    signedAtProven: false,
    subFilter: sub instanceof PdfName ? sub.name : null,
    level: null,
    indication: 'PASSED',
    subIndication: null,
    coversWholeDocument: false,
    byteRange: null,
    revocation: 'not-checked',
    problems: [],
  }
  // 1. Structure: the ByteRange must be sound before anything is hashed.
  const br = checkByteRange(pdf, f.sig)
  r.byteRange = br.byteRange
  if (!br.ok || !br.byteRange || !br.cms) return verdict(r, 'FAILED', 'FORMAT_FAILURE', br.problem)
  const [a, b, c, d] = br.byteRange as [number, number, number, number]
  r.coversWholeDocument = c + d === pdf.length
  // 2. Integrity: digest over the signed ranges, CMS signature, signing-certificate binding.
  const digestOf = (alg: string): Buffer => createHash(alg).update(pdf.subarray(a, a + b)).update(pdf.subarray(c, c + d)).digest()
  let check
  try {
    check = verifyCmsSignature(br.cms, digestOf)
  } catch (err) {
    return verdict(r, 'FAILED', 'FORMAT_FAILURE', `the signature value is not a CMS SignedData: ${(err as Error).message}`)
  }
  r.problems.push(...check.problems)
  if (check.signerCertificate) {
    const s = new X509Certificate(check.signerCertificate).toLegacyObject().subject as Record<string, string | undefined>
    r.signer = s.CN ?? r.signer
  }
  r.level = r.subFilter === 'ETSI.CAdES.detached' ? (check.timestampToken ? 'B-T' : 'B-B') : 'PKCS7'
  if (!check.messageDigestMatches) return verdict(r, 'FAILED', 'HASH_FAILURE', 'the document was changed after signing (digest mismatch)')
  if (!check.signatureValid) return verdict(r, 'FAILED', 'SIG_CRYPTO_FAILURE', 'the signature value does not verify')
  if (check.signingCertificateV2 === 'mismatch' || check.signingCertificateV1 === 'mismatch') {
    return verdict(r, 'FAILED', 'SIG_CONSTRAINTS_FAILURE', 'the signing-certificate attribute does not match the signer certificate')
  }
  if (!check.signerCertificate) return verdict(r, 'INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', 'the signer certificate is not in the signature')
  // 3. Time: a valid RFC 3161 token proves the time; otherwise /M is only claimed.
  let at = claimed ?? new Date()
  if (check.timestampToken) {
    const ts = verifyTimestampToken(check.timestampToken, check.signatureValue)
    if (ts.valid && ts.genTime) {
      at = ts.genTime
      r.signedAt = ts.genTime.toISOString()
      r.signedAtProven = true
      const tsaChain = ts.tsaCertificate ? buildChain(ts.tsaCertificate, ts.certificates, opts.trustAnchors ?? [], ts.genTime) : null
      if (!tsaChain?.trusted) r.problems.push('the timestamp authority is not trusted')
    } else verdict(r, 'FAILED', 'SIG_CRYPTO_FAILURE', `the signature timestamp is invalid: ${ts.problems.join('; ')}`)
  }
  // 4. Identity and trust.
  const chain = buildChain(check.signerCertificate, check.certificates, opts.trustAnchors ?? [], at)
  if (!chain.trusted) verdict(r, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND', chain.problems.join('; '))
  else if (chain.problems.length) verdict(r, 'INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE', chain.problems.join('; '))
  // 5. Revocation, when CRLs were given.
  if (opts.crls && opts.crls.length) {
    const rev = isRevoked(check.signerCertificate, opts.crls, at)
    r.revocation = !rev.crlFound ? 'unknown' : rev.revoked ? 'revoked' : 'good'
    if (rev.revoked) verdict(r, 'FAILED', 'REVOKED', `the signer certificate was revoked${rev.revokedAt ? ' on ' + rev.revokedAt.toISOString() : ''}`)
    else if (!rev.crlFound) verdict(r, 'INDETERMINATE', 'TRY_LATER', 'no CRL covers the signer certificate')
  }
  return r
}
