/**
 * Reading CRLs (RFC 5280 §5) and answering "was this certificate revoked at that time?".
 * Matching is by issuer Name (DER bytes, the way our CA writes them) and serial number; a CRL is
 * believed only when its signature verifies against an issuer certificate, if any are given.
 */
import { certificateInfo, publicKeyOf } from '../cms/certificate'
import { readDer, oidOf, timeOf, type DerNode } from '../cms/der-read'
import { verifySignedBytes } from '../cms/signature'
import { SigningError } from '../errors'
import { fromPem } from './pem'
import { reasonName } from './revocation-reasons'

// Read with the small DER reader of signing/cms (not asn1js): a validator loads and runs this on
// every verification, and asn1js cost more than the rest of the revocation check.
const OID_REASON_CODE = '2.5.29.21'
const OID_CRL_NUMBER = '2.5.29.20'

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
  if (ders.length === 0)
    throw new SigningError('CRL_UNREADABLE', 'Không tìm thấy danh sách thu hồi (no X509 CRL block)')
  return ders.map(parseCrl)
}

export function parseCrl(der: Buffer): ParsedCrl {
  try {
    const [tbsNode, algorithm, signature] = readDer(der, 'CRL').children
    if (!tbsNode || !algorithm || !signature) throw new Error('CertificateList has three parts')
    // §5.1.2.1: version is optional (v1 CRLs omit it).
    const tbs =
      tbsNode.children[0]?.tag === 0x02 && tbsNode.children[0].tagClass === 'universal'
        ? tbsNode.children.slice(1)
        : tbsNode.children
    const [, issuer, thisUpdate, ...rest] = tbs
    if (!issuer || !thisUpdate) throw new Error('tbsCertList lacks issuer or thisUpdate')
    const crl: ParsedCrl = {
      der,
      issuerName: issuer.raw,
      thisUpdate: timeOf(thisUpdate),
      entries: new Map(),
      tbs: tbsNode.raw,
      signatureAlgorithm: oidOf(algorithm.children[0] as DerNode),
      signature: signature.content.subarray(1), // BIT STRING: skip the unused-bits octet
    }
    for (const node of rest) {
      if (node.tagClass === 'universal' && (node.tag === 0x17 || node.tag === 0x18))
        crl.nextUpdate = timeOf(node)
      else if (node.tagClass === 'universal' && node.tag === 0x10)
        for (const entry of node.children) readEntry(entry, crl)
      else if (node.tagClass === 'context' && node.tag === 0)
        crl.crlNumber = crlNumberOf(node.children[0]?.children ?? [])
    }
    return crl
  } catch (err) {
    throw new SigningError('CRL_UNREADABLE', 'Không đọc được danh sách thu hồi (CRL is not DER)', {
      cause: err,
    })
  }
}

/** Upper-case hex of an INTEGER's value without leading zero octets, as `openssl x509 -serial` prints. */
function serialHex(content: Buffer): string {
  let bytes = content
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1)
  return bytes.toString('hex').toUpperCase()
}

/** The value of an extension (Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }), parsed. */
function extensionValue(ext: DerNode): DerNode {
  return readDer((ext.children[ext.children.length - 1] as DerNode).content, 'extnValue')
}

function readEntry(entry: DerNode, crl: ParsedCrl): void {
  const [serial, date, extensions] = entry.children
  if (!serial || !date) throw new Error('revoked entry lacks serial or date')
  let reason: string | undefined
  for (const ext of extensions?.children ?? []) {
    if (oidOf(ext.children[0] as DerNode) !== OID_REASON_CODE) continue
    const code = extensionValue(ext)
    if (code.tag === 0x0a) reason = reasonName(code.content.readUIntBE(0, Math.min(code.content.length, 6)))
  }
  crl.entries.set(serialHex(serial.content), {
    revokedAt: timeOf(date),
    ...(reason !== undefined && { reason }),
  })
}

function crlNumberOf(extensions: readonly DerNode[]): bigint | undefined {
  const ext = extensions.find((e) => oidOf(e.children[0] as DerNode) === OID_CRL_NUMBER)
  return ext ? BigInt(`0x${extensionValue(ext).content.toString('hex') || '0'}`) : undefined
}

/** True when `crl` was signed by the key of `issuerCertificate` (DER) and names it as issuer. */
export function verifyCrlSignature(crl: ParsedCrl, issuerCertificate: Buffer): boolean {
  // A validator asks this for every signature of a document: verify each (CRL, issuer) pair once.
  let byIssuer = verifiedCrls.get(crl)
  if (!byIssuer) verifiedCrls.set(crl, (byIssuer = new Map()))
  const key = issuerCertificate.toString('base64')
  const known = byIssuer.get(key)
  if (known !== undefined) return known
  let ok = false
  try {
    const issuer = certificateInfo(issuerCertificate)
    ok =
      issuer.subject.equals(crl.issuerName) &&
      verifySignedBytes(
        { oid: crl.signatureAlgorithm },
        'sha256',
        publicKeyOf(issuer),
        crl.tbs,
        crl.signature,
      ).valid
  } catch {
    ok = false
  }
  byIssuer.set(key, ok)
  return ok
}

const verifiedCrls = new WeakMap<ParsedCrl, Map<string, boolean>>()

/**
 * Was `certDer` revoked at `at`? Uses the newest CRL (by thisUpdate) from the certificate's issuer;
 * with `issuers`, only CRLs whose signature verifies count. An entry dated after `at` means the
 * certificate was still good then (what a signature made before the revocation needs).
 * Freshness (nextUpdate) is the caller's policy, not checked here.
 */
export function isRevoked(
  certDer: Buffer,
  crls: ParsedCrl[],
  at: Date,
  issuers?: Buffer[],
): RevocationStatus {
  const cert = certificateInfo(certDer)
  const candidates = crls
    .filter((crl) => crl.issuerName.equals(cert.issuer))
    .filter((crl) => !issuers || issuers.some((issuer) => verifyCrlSignature(crl, issuer)))
    .sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())
  const newest = candidates[0]
  if (!newest) return { revoked: false, crlFound: false }
  const entry = newest.entries.get(serialHex(readDer(cert.serialNumber, 'serialNumber').content))
  if (!entry || entry.revokedAt > at) return { revoked: false, crlFound: true }
  return {
    revoked: true,
    revokedAt: entry.revokedAt,
    ...(entry.reason !== undefined && { reason: entry.reason }),
    crlFound: true,
  }
}
