/**
 * Builds and signs X.509 v3 certificates (RFC 5280 §4.1). The TBSCertificate is assembled from
 * DER pieces, signed with node:crypto, and wrapped with the algorithm and signature value.
 */
import * as crypto from 'node:crypto'
import { bitString, explicit, int, intFromBytes, seq, time } from './asn1'
import { signatureAlgorithmFor, signatureAlgorithmOf, signTbs, type TbsSigner } from './algorithms'

export interface CertificateTemplate {
  /** Magnitude bytes of the serial (see randomSerial). */
  serial: Buffer
  /** The issuer's subject Name, DER, exactly as in the issuer's certificate (§4.1.2.4). */
  issuerName: Buffer
  subjectName: Buffer
  notBefore: Date
  notAfter: Date
  publicKey: crypto.KeyObject
  /** DER Extension elements, in order. */
  extensions: Buffer[]
}

/** Returns the DER certificate signed by `issuerKey`. */
export function signCertificate(template: CertificateTemplate, issuerKey: crypto.KeyObject): Buffer {
  const algorithm = signatureAlgorithmFor(issuerKey)
  const tbs = tbsCertificate(template, algorithm)
  return seq(tbs, algorithm, bitString(signTbs(tbs, issuerKey)))
}

/** The same, signed by a key that may sit in an HSM (the internal CA's keys, issue 15). */
export async function signCertificateWith(template: CertificateTemplate, issuer: TbsSigner): Promise<Buffer> {
  const algorithm = signatureAlgorithmOf(issuer)
  const tbs = tbsCertificate(template, algorithm)
  return seq(tbs, algorithm, bitString(await issuer.sign(tbs)))
}

function tbsCertificate(template: CertificateTemplate, algorithm: Buffer): Buffer {
  return seq(
    explicit(0, int(2)), // version v3 (§4.1.2.1: extensions present)
    intFromBytes(template.serial),
    algorithm,
    template.issuerName,
    seq(time(template.notBefore), time(template.notAfter)),
    template.subjectName,
    template.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...template.extensions)),
  )
}

/**
 * RFC 5280 §4.1.2.2: a positive serial of at most 20 octets, unpredictable (CA/B BR §7.1 asks for
 * 64 random bits; we use 16 bytes). The top bit is cleared (positive, no 0x00 pad) and the next set
 * (always 16 bytes, so the hex form has a fixed length).
 */
export function randomSerial(): Buffer {
  const serial = crypto.randomBytes(16)
  serial[0] = (serial[0]! & 0x7f) | 0x40
  return serial
}
