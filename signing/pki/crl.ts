/**
 * Reading CRLs (RFC 5280 §5) and answering "was this certificate revoked at that time?".
 * Matching is by issuer Name (DER bytes, the way our CA writes them) and serial number; a CRL is
 * believed only when its signature verifies against an issuer certificate, if any are given.
 */
import * as asn1js from 'asn1js'
import { SigningError } from '../errors'
import { children, contentOf, isContext, oidOf, parseDer, raw, serialHexOf, timeOf, type Block } from './asn1'
import { verifyTbs } from './algorithms'
import { fromPem, readCertificate } from './certificate-info'
import { reasonName } from './crl-builder'
import { EXTENSION_OIDS } from './extensions'

export interface ParsedCrl {
  der: Buffer
  /** The issuer Name, DER. */
  issuerName: Buffer
  thisUpdate: Date
  nextUpdate?: Date
  crlNumber?: bigint
  /** Revoked serials (upper-case hex) -> date and reason. */
  entries: Map<string, { revokedAt: Date; reason?: string }>
  /** For signature verification (§5.1.1.3). */
  tbs: Buffer
  signatureAlgorithm: string
  signature: Buffer
}

export interface RevocationStatus {
  revoked: boolean
  revokedAt?: Date
  reason?: string
  /** False when no (verified) CRL from the certificate's issuer was supplied: status unknown. */
  crlFound: boolean
}

/**
 * Parses every CRL in `pem`: PEM text with one or more `X509 CRL` blocks, or one DER CRL.
 *
 * @example
 * const crls = loadCrls(fs.readFileSync(path.join(caDir, 'crl.pem')))
 */
export function loadCrls(pem: string | Buffer): ParsedCrl[] {
  const ders = Buffer.isBuffer(pem) && pem[0] === 0x30 ? [pem] : fromPem(pem.toString('latin1'), 'X509 CRL')
  if (ders.length === 0) throw new SigningError('CRL_UNREADABLE', 'Không tìm thấy danh sách thu hồi (no X509 CRL block)')
  return ders.map(parseCrl)
}

export function parseCrl(der: Buffer): ParsedCrl {
  try {
    const [tbsBlock, algorithm, signature] = children(parseDer(der), 3)
    const tbs = children(tbsBlock!, 4)
    // §5.1.2.1: version is optional (v1 CRLs omit it).
    const t = tbs[0] instanceof asn1js.Integer ? tbs.slice(1) : tbs
    const [, issuer, thisUpdate, ...rest] = t
    const crl: ParsedCrl = {
      der,
      issuerName: raw(issuer!),
      thisUpdate: timeOf(thisUpdate),
      entries: new Map(),
      tbs: raw(tbsBlock!),
      signatureAlgorithm: oidOf(children(algorithm!, 1)[0]),
      signature: contentOf(signature),
    }
    for (const block of rest) {
      if (block instanceof asn1js.UTCTime) crl.nextUpdate = timeOf(block)
      else if (block instanceof asn1js.Sequence) for (const entry of children(block)) readEntry(entry, crl)
      else if (isContext(block, 0)) crl.crlNumber = crlNumberOf(children(children(block, 1)[0]!))
    }
    return crl
  } catch (err) {
    throw new SigningError('CRL_UNREADABLE', 'Không đọc được danh sách thu hồi (CRL is not DER)', { cause: err })
  }
}

function readEntry(entry: Block, crl: ParsedCrl): void {
  const [serial, date, extensions] = children(entry, 2)
  let reason: string | undefined
  for (const ext of extensions ? children(extensions) : []) {
    const parts = children(ext, 2)
    if (oidOf(parts[0]) !== EXTENSION_OIDS.reasonCode) continue
    const code = parseDer(contentOf(parts[parts.length - 1]))
    if (code instanceof asn1js.Enumerated) reason = reasonName(code.valueBlock.valueDec)
  }
  crl.entries.set(serialHexOf(serial), { revokedAt: timeOf(date), ...(reason !== undefined && { reason }) })
}

function crlNumberOf(extensions: Block[]): bigint | undefined {
  const ext = extensions.find((e) => oidOf(children(e, 2)[0]) === EXTENSION_OIDS.cRLNumber)
  if (!ext) return undefined
  const parts = children(ext, 2)
  return BigInt(`0x${contentOf(parseDer(contentOf(parts[parts.length - 1]))).toString('hex')}`)
}

/** True when `crl` was signed by the key of `issuerCertificate` (DER) and names it as issuer. */
export function verifyCrlSignature(crl: ParsedCrl, issuerCertificate: Buffer): boolean {
  const issuer = readCertificate(issuerCertificate)
  return issuer.subjectName.equals(crl.issuerName) && verifyTbs(crl.signatureAlgorithm, crl.tbs, crl.signature, issuer.publicKey)
}

/**
 * Was `certDer` revoked at `at`? Uses the newest CRL (by thisUpdate) from the certificate's issuer;
 * with `issuers`, only CRLs whose signature verifies count. An entry dated after `at` means the
 * certificate was still good then (what a signature made before the revocation needs).
 * Freshness (nextUpdate) is the caller's policy, not checked here.
 */
export function isRevoked(certDer: Buffer, crls: ParsedCrl[], at: Date, issuers?: Buffer[]): RevocationStatus {
  const cert = readCertificate(certDer)
  const candidates = crls
    .filter((crl) => crl.issuerName.equals(cert.issuerName))
    .filter((crl) => !issuers || issuers.some((issuer) => verifyCrlSignature(crl, issuer)))
    .sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())
  const newest = candidates[0]
  if (!newest) return { revoked: false, crlFound: false }
  const entry = newest.entries.get(cert.serialHex)
  if (!entry || entry.revokedAt > at) return { revoked: false, crlFound: true }
  return { revoked: true, revokedAt: entry.revokedAt, ...(entry.reason !== undefined && { reason: entry.reason }), crlFound: true }
}
