/**
 * Builds and signs v2 CRLs (RFC 5280 §5.1) for the internal CA.
 */
import type * as crypto from 'node:crypto'
import { SigningError } from '../errors'
import { bitString, int, intFromBytes, seq, time } from './asn1'
import { signatureAlgorithmFor, signatureAlgorithmOf, signTbs, type TbsSigner } from './algorithms'
import { readCertificate } from './certificate-info'
import { authorityKeyIdentifier, crlNumber, extensionsField, keyIdentifierOf, reasonCode } from './extensions'

export {
  REVOCATION_REASONS,
  isRevocationReason,
  reasonName,
  type RevocationReason,
} from './revocation-reasons'
import { REVOCATION_REASONS, type RevocationReason } from './revocation-reasons'

export interface CrlEntry {
  serialHex: string
  revokedAt: Date
  reason?: RevocationReason
}

export interface CrlTemplate {
  /** The CA certificate (DER) whose key signs: its subject becomes the CRL issuer, byte for byte. */
  issuerCertificate: Buffer
  issuerKey: crypto.KeyObject
  thisUpdate: Date
  nextUpdate: Date
  crlNumber: number
  entries: CrlEntry[]
}

export function signCrl(template: CrlTemplate): Buffer {
  const algorithm = signatureAlgorithmFor(template.issuerKey)
  const tbs = crlTbs(template, algorithm)
  return seq(tbs, algorithm, bitString(signTbs(tbs, template.issuerKey)))
}

/** The same, signed by a key that may sit in an HSM (the internal CA's keys, issue 15). */
export async function signCrlWith(
  template: Omit<CrlTemplate, 'issuerKey'> & { issuer: TbsSigner },
): Promise<Buffer> {
  const algorithm = signatureAlgorithmOf(template.issuer)
  const tbs = crlTbs(template, algorithm)
  return seq(tbs, algorithm, bitString(await template.issuer.sign(tbs)))
}

function crlTbs(template: Omit<CrlTemplate, 'issuerKey'>, algorithm: Buffer): Buffer {
  if (template.nextUpdate <= template.thisUpdate)
    throw new SigningError('BAD_OPTION', 'nextUpdate must follow thisUpdate')
  const issuer = readCertificate(template.issuerCertificate)
  const revoked = template.entries.map((entry) => {
    const code = entry.reason ? REVOCATION_REASONS[entry.reason] : 0
    // §5.3.1: the reasonCode extension SHOULD be absent rather than say "unspecified".
    const extensions = code === 0 ? [] : [seq(reasonCode(code))]
    return seq(intFromBytes(Buffer.from(entry.serialHex, 'hex')), time(entry.revokedAt), ...extensions)
  })
  return seq(
    int(1), // v2 (§5.1.2.1), required with extensions
    algorithm,
    issuer.subjectName,
    time(template.thisUpdate),
    time(template.nextUpdate), // §5.1.2.5: conforming CAs MUST include nextUpdate
    // §5.1.2.6: with no revoked certificates the list MUST be absent, not empty.
    ...(revoked.length > 0 ? [seq(...revoked)] : []),
    extensionsField(0, [
      // §5.2.1 and §5.2.3: conforming CAs MUST include the AKI and the CRL number.
      authorityKeyIdentifier(issuer.subjectKeyId ?? keyIdentifierOf(issuer.publicKey)),
      crlNumber(template.crlNumber),
    ]),
  )
}
