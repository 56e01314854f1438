/**
 * `GET /api/documents/:id/evidence`: everything Kyso holds about a document's signatures, as one
 * ZIP a records office can archive or hand to an auditor (issue 11, points 6 and 7): every version,
 * each detached approval as a .p7s beside the version it signs, and for every signature the
 * certificate path and the CRL or OCSP answer checked before it was made.
 */
import { zipSync, strToU8 } from 'fflate'
import { toPem } from '../signing/pki'
import { readableDocument } from '../storage/document-access'
import { signatureEvidenceOf } from '../storage/signature-records'
import { versionsOfDocument } from '../storage/version-records'
import type { Actor, Services } from './context'
import type { SignatureEvidence } from './evidence'

const README = `Gói chứng cứ ký số (Kyso) / Kyso signature evidence package

manifest.json   the document, its versions (SHA-256) and every signature with its key source,
                certificate, the check made before signing and the validator's verdict.
versions/       every version of the document; each signature revision extends the one before.
detached/       approvals kept outside the file: CAdES detached signatures over a version.
                openssl cms -verify -binary -inform DER -in detached/X.p7s \\
                  -content versions/vN.pdf -CAfile root.pem -purpose any
evidence/       per signature: the certificate path (signer first) and the revocation data
                (CRL or OCSP response, DER) used when it was checked before signing.
`

export async function evidencePackage(
  s: Services,
  actor: Actor,
  documentId: number,
): Promise<{ zip: Buffer; name: string }> {
  const doc = await readableDocument(s.db, actor, documentId)
  const versions = await versionsOfDocument(s.db, doc.id)
  const signatures = await signatureEvidenceOf(s.db, doc.id)
  const files: Record<string, Uint8Array> = { 'README.txt': strToU8(README) }
  for (const v of versions) files[`versions/v${v.seq}.pdf`] = await s.blobs.get(v.sha256)
  const manifestSignatures = signatures.map((g) => {
    const evidence = g.evidenceJson ? (JSON.parse(g.evidenceJson) as SignatureEvidence) : null
    if (g.form === 'detached' && g.cms) files[`detached/${g.fieldName}.p7s`] = g.cms
    if (evidence) addEvidenceFiles(files, g.id, evidence)
    return {
      id: g.id,
      step: g.action,
      signer: { username: g.username, fullName: g.fullName },
      field: g.fieldName,
      form: g.form,
      version: g.versionSeq,
      keySource: g.keySource,
      signedAt: g.createdAt,
      certificate: evidence && {
        subject: evidence.subject,
        issuer: evidence.issuer,
        serialHex: evidence.serialHex,
      },
      checkBeforeSigning: evidence?.check ?? null,
      verdict: { indication: g.indication, subIndication: g.subIndication },
    }
  })
  const manifest = {
    document: {
      id: doc.id,
      title: doc.title,
      status: doc.status,
      outgoingNumber: doc.outgoing_number,
      outgoingDate: doc.outgoing_date,
    },
    versions: versions.map((v) => ({
      seq: v.seq,
      sha256: v.sha256,
      size: v.size,
      origin: v.origin,
      createdAt: v.createdAt,
    })),
    signatures: manifestSignatures,
    generatedAt: new Date().toISOString(),
  }
  files['manifest.json'] = strToU8(JSON.stringify(manifest, null, 2))
  return { zip: Buffer.from(zipSync(files, { level: 6 })), name: `chung-cu-van-ban-${doc.id}.zip` }
}

function addEvidenceFiles(files: Record<string, Uint8Array>, id: number, e: SignatureEvidence): void {
  files[`evidence/${id}/certificate-path.pem`] = strToU8(
    e.path.map((d) => toPem('CERTIFICATE', Buffer.from(d, 'base64'))).join(''),
  )
  e.revocation.forEach((r, i) => {
    if (r.data)
      files[`evidence/${id}/revocation-${i + 1}-${r.serialHex}.${r.source === 'ocsp' ? 'ocsp' : 'crl'}`] =
        Buffer.from(r.data, 'base64')
  })
}
