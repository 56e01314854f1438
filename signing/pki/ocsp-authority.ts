/**
 * Who may sign an OCSP response about a certificate (RFC 6960 §4.2.2.2): the CA that issued it, a
 * delegated responder whose certificate that CA issued with id-kp-OCSPSigning, or a responder
 * trusted by local configuration. The signature itself is checked here too (§3.2 items 2-4).
 */
import { X509Certificate } from 'node:crypto'
import { certificateInfo, publicKeyOf } from '../cms/certificate'
import { verifySignedBytes } from '../cms/signature'
import { readCertificate } from './certificate-info'
import { EKU } from './extensions'
import * as m from './ocsp-messages'
import type { BasicResponse } from './ocsp-response'

export interface ResponderCheck {
  /** The CA that issued the certificate asked about. */
  issuer: Buffer
  /** Responders trusted for any certificate (§4.2.2.2, "local configuration"). */
  trusted: Buffer[]
  now: Date
  skewMs: number
}

export type ResponderFound = { responder: Buffer } | { problem: string }

/** The certificate whose key signed `basic`, or the reason none may be believed. */
export function findResponder(basic: BasicResponse, check: ResponderCheck): ResponderFound {
  const trusted = check.trusted.filter(parsable)
  const atHand = [check.issuer, ...trusted, ...basic.certs]
  const candidates = atHand.filter((c) => namesResponder(c, basic.responderId))
  if (candidates.length === 0) return { problem: 'no certificate at hand matches the ResponderID' }
  const signer = candidates.find((c) => signatureVerifies(basic, c))
  if (!signer) return { problem: 'the response signature does not verify' }
  if (sameKey(signer, check.issuer) || trusted.some((t) => sameKey(signer, t))) return { responder: signer }
  const problem = delegationProblem(signer, check)
  return problem ? { problem: `the responder is not authorised: ${problem}` } : { responder: signer }
}

/**
 * A delegated responder's certificate is issued directly by the CA that issued the certificate
 * in question and carries id-kp-OCSPSigning (§4.2.2.2). It must also be within its validity
 * period and, if it has keyUsage, allow signatures (RFC 5280 §4.2.1.3).
 */
function delegationProblem(responderDer: Buffer, check: ResponderCheck): string | undefined {
  if (!issuedBy(responderDer, check.issuer)) return 'its certificate was not issued by the CA'
  const facts = readCertificate(responderDer)
  if (!facts.extKeyUsage?.purposes.includes(EKU.ocspSigning)) return 'its certificate lacks id-kp-OCSPSigning'
  if (facts.keyUsage && !facts.keyUsage.has('digitalSignature') && !facts.keyUsage.has('nonRepudiation')) {
    return 'its keyUsage does not allow signatures'
  }
  const now = check.now.getTime()
  if (now + check.skewMs < facts.notBefore.getTime() || now - check.skewMs > facts.notAfter.getTime()) {
    return 'its certificate is not valid now'
  }
  return undefined
}

/** True when `issuerDer` names and signed `certDer` (RFC 5280 §6.1.3 (a)(1), (a)(4)). */
export function issuedBy(certDer: Buffer, issuerDer: Buffer): boolean {
  const cert = new X509Certificate(certDer)
  const issuer = new X509Certificate(issuerDer)
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey)
}

function namesResponder(certDer: Buffer, id: BasicResponse['responderId']): boolean {
  try {
    if ('byKey' in id) return m.keyHashOf(certDer).equals(id.byKey)
    return certificateInfo(certDer).subject.equals(id.byName)
  } catch {
    return false
  }
}

/** RSA PKCS#1 v1.5, RSASSA-PSS or ECDSA over SHA-1/256/384/512, as the algorithm OID says. */
function signatureVerifies(basic: BasicResponse, certDer: Buffer): boolean {
  try {
    const key = publicKeyOf(certificateInfo(certDer))
    return verifySignedBytes(basic.signatureAlgorithm, 'sha256', key, basic.tbs, basic.signature).valid
  } catch {
    return false
  }
}

function sameKey(a: Buffer, b: Buffer): boolean {
  return a.equals(b) || spkiOf(a).equals(spkiOf(b))
}

function spkiOf(certDer: Buffer): Buffer {
  return certificateInfo(certDer).subjectPublicKeyInfo
}

function parsable(certDer: Buffer): boolean {
  try {
    return certificateInfo(certDer) !== undefined
  } catch {
    return false
  }
}
