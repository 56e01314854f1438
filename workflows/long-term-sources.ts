import { parseCrl, ownOcspAnswer, type ParsedCrl } from '../signing/pki'
import type { ValidationDataOptions } from '../signing/ltv'
import { signatureEvidenceJsonOf } from '../storage/long-term-records'
import type { Services } from './context'
import { heldCrls, type SignatureEvidence } from './evidence'
import { caStatusOf } from './internal-ca'

/**
 * Where the validation data of a document's DSS comes from (issue 18): the CRLs the service holds
 * (its CA's, those an administrator uploaded), the CRLs and OCSP answers kept as evidence when
 * each signature was made, the internal CA's own responder asked in process, the trust anchors
 * and certificate paths to complete chains, and allow-listed URLs for the rest.
 */
export async function validationSourcesFor(s: Services, documentId: number): Promise<ValidationDataOptions> {
  const rows = await signatureEvidenceJsonOf(s.db, documentId)
  const evidence = rows.map((j) => JSON.parse(j) as SignatureEvidence)
  const kept = evidence.flatMap((e) => e.revocation).filter((r) => r.data !== undefined)
  const crls: ParsedCrl[] = [
    ...(await heldCrls(s)),
    ...kept.filter((r) => r.source === 'crl').flatMap((r) => safeCrl(r.data as string)),
  ]
  const ocspResponses = kept
    .filter((r) => r.source === 'ocsp')
    .map((r) => Buffer.from(r.data as string, 'base64'))
  const caStatus = s.ca && caStatusOf(s.ca)
  const certificates = [
    ...(await s.trustAnchors()),
    ...(caStatus ? [caStatus.issuerCertificate()] : []),
    ...evidence.flatMap((e) => e.path.map((p) => Buffer.from(p, 'base64'))),
  ]
  return {
    crls,
    ocspResponses,
    certificates,
    ...(caStatus && { ocsp: (cert: Buffer, issuer: Buffer) => ownOcspAnswer(caStatus, cert, issuer) }),
    ...(s.config.revocationFetchPrefixes.length > 0 && {
      fetch: { allow: s.config.revocationFetchPrefixes },
    }),
  }
}

function safeCrl(base64: string): ParsedCrl[] {
  try {
    return [parseCrl(Buffer.from(base64, 'base64'))]
  } catch {
    return []
  }
}
