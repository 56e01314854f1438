/**
 * What the internal CA's OCSP responder and CRL distribution point need to know, behind one small
 * interface, so that where the CA keeps its keys and records (the database in the service, issue
 * 15: workflows/internal-ca.ts; a directory for the CLI, below) does not matter to the responder.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KeySource } from '../keys/key-source'
import { openPkcs12KeySource } from '../keys/pkcs12'
import { CA_FILES, normaliseSerial, readIndex } from './ca-store'
import { fromPem } from './pem'
import { buildOcspRequest } from './ocsp'
import { handleOcspRequest, type SerialStatus } from './ocsp-responder'

export interface CaStatusSource {
  /** The CA whose certificates the responder answers for: the issuing CA, DER. */
  issuerCertificate(): Buffer
  /** Signs OCSP responses: the issuing CA's own key (RFC 6960 §4.2.2.2, first case). */
  responderKey(): KeySource | Promise<KeySource>
  /** What the CA's records say about a serial it issued (upper-case hex); `unknown` otherwise. */
  statusOf(serialHex: string): SerialStatus | Promise<SerialStatus>
  /** The current CRLs, PEM: the issuing CA's (end entities) first, then the root's (the issuing CA). */
  currentCrls(): Buffer | Promise<Buffer>
}

/**
 * The CA kept in a directory by `initCa` (ca-store.ts): issuing.pem, issuing.p12 under the CA PIN,
 * index.json, crl.pem. Read on each call, so a revocation shows at once.
 *
 * @example
 * const ca = fileCaStatusSource(join(dataDir, 'ca'), caPin)
 * const response = await answerOcsp(ca, requestDer)
 */
export function fileCaStatusSource(dir: string, caPin: string): CaStatusSource {
  let key: KeySource | undefined
  return {
    issuerCertificate: () =>
      fromPem(readFileSync(join(dir, CA_FILES.issuing), 'latin1'), 'CERTIFICATE')[0] as Buffer,
    responderKey: () => (key ??= openPkcs12KeySource(readFileSync(join(dir, CA_FILES.issuingKey)), caPin)),
    statusOf: async (serialHex) => {
      const serial = normaliseSerial(serialHex)
      const entry = (await readIndex(dir)).certificates.find(
        (c) => c.serialHex === serial && c.issuedBy === 'issuing',
      )
      if (!entry || entry.kind === 'root-ca' || entry.kind === 'issuing-ca') return { status: 'unknown' }
      if (!entry.revokedAt) return { status: 'good' }
      return {
        status: 'revoked',
        revokedAt: new Date(entry.revokedAt),
        ...(entry.reason && { reason: entry.reason }),
      }
    },
    currentCrls: () => readFileSync(join(dir, CA_FILES.crl)),
  }
}

/** The responder: one DER OCSPRequest in, a signed OCSPResponse out (RFC 6960 §4.1, §4.2). */
export async function answerOcsp(source: CaStatusSource, requestDer: Buffer, now?: Date): Promise<Buffer> {
  return handleOcspRequest(requestDer, {
    issuerCertificate: source.issuerCertificate(),
    keySource: await source.responderKey(),
    statusOf: (serial) => source.statusOf(serial),
    ...(now && { now }),
  })
}

/**
 * The CA's own answer about `cert`, asked in process (no HTTP): what a DSS keeps for the
 * certificates this CA issued. Undefined when `issuer` is not this CA.
 */
export async function ownOcspAnswer(
  source: CaStatusSource,
  cert: Buffer,
  issuer: Buffer,
): Promise<Buffer | undefined> {
  if (!issuer.equals(source.issuerCertificate())) return undefined
  return answerOcsp(source, buildOcspRequest(cert, issuer))
}
