/**
 * What the validation data of a PDF must cover (ETSI EN 319 142-1 §5.4.2, PAdES B-LT): the
 * certificate path of every signature and of every time-stamp token (signature time-stamps and
 * document time-stamps alike), found from the certificates the file and the caller hold.
 */
import { createHash, X509Certificate } from 'node:crypto'
import { parseSignedData, verifyCmsSignature } from '../cms'
import type { PdfDocument } from '../pdf/document'
import { PdfName, PdfString } from '../pdf/objects'
import { verifyTimestampToken } from '../tsa/verify'
import { checkByteRange } from '../verify/byte-range'
import { findSignatureFields } from '../verify/find-signatures'

export interface SignedThing {
  field: string
  /** ISO 32000-2 §12.8.4.4: the VRI key, upper-case hex SHA-1 of the signature (see vriKey). */
  vriKey: string
  /** The signer's or the TSA's certificate, and the TSA certificate of a signature time-stamp. */
  leaves: Buffer[]
  /** Every certificate its CMS and tokens carry. */
  certificates: Buffer[]
}

/** The signatures and document time-stamps of `doc` whose CMS can be read. */
export function signedThings(pdf: Buffer, doc: PdfDocument): SignedThing[] {
  const out: SignedThing[] = []
  for (const f of findSignatureFields(doc)) {
    const br = checkByteRange(pdf, f.sig)
    const contents = f.sig.get('Contents')
    if (!br.cms || !(contents instanceof PdfString)) continue
    const sub = f.sig.get('SubFilter')
    const documentTimestamp = sub instanceof PdfName && sub.name === 'ETSI.RFC3161'
    const thing = documentTimestamp ? fromToken(br.cms) : fromSignature(br.cms)
    if (!thing) continue
    out.push({ field: f.field, vriKey: vriKey(documentTimestamp ? br.cms : contents.bytes), ...thing })
  }
  return out
}

/**
 * The key of a VRI entry (ISO 32000-2 §12.8.4.4): the SHA-1 of the signature, in upper-case hex.
 * As iText computes it: for a signature, the /Contents bytes as stored (with their zero padding);
 * for a document time-stamp, the token's DER alone. Kyso does not rely on VRI when validating.
 */
export function vriKey(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex').toUpperCase()
}

function fromSignature(cms: Buffer): Omit<SignedThing, 'field' | 'vriKey'> | undefined {
  try {
    const parsed = parseSignedData(cms)
    const signer = verifyCmsSignature(cms, Buffer.alloc(32)).signerCertificate
    const token = parsed.timestampToken ? fromToken(parsed.timestampToken) : undefined
    const leaves = [...(signer ? [signer] : []), ...(token?.leaves ?? [])]
    return { leaves, certificates: [...parsed.certificates, ...(token?.certificates ?? [])] }
  } catch {
    return undefined
  }
}

function fromToken(token: Buffer): Omit<SignedThing, 'field' | 'vriKey'> | undefined {
  const check = verifyTimestampToken(token, Buffer.alloc(0))
  if (!check.tsaCertificate) return undefined
  return { leaves: [check.tsaCertificate], certificates: check.certificates }
}

/**
 * The path from `leaf` upwards through `pool`, leaf first: each step a certificate that names and
 * signed the one before, up to a self-signed one or the last issuer found (RFC 5280 §6.1, name
 * chaining and signatures; trust is the validator's business, not the writer's).
 */
export function pathOf(leaf: Buffer, pool: readonly Buffer[]): Buffer[] {
  const path = [leaf]
  for (let cur = parse(leaf); cur && path.length < 10 && !selfIssued(cur); ) {
    const current: X509Certificate = cur
    const next = pool.find((c) => {
      const x = parse(c)
      return (
        x !== undefined && !c.equals(current.raw) && current.checkIssued(x) && current.verify(x.publicKey)
      )
    })
    if (!next) break
    path.push(next)
    cur = parse(next)
  }
  return path
}

export function selfIssued(x: X509Certificate): boolean {
  return x.checkIssued(x) && x.verify(x.publicKey)
}

const parsed = new Map<string, X509Certificate | undefined>()

export function parse(der: Buffer): X509Certificate | undefined {
  const key = der.toString('base64')
  if (parsed.has(key)) return parsed.get(key)
  let x: X509Certificate | undefined
  try {
    x = new X509Certificate(der)
  } catch {
    x = undefined
  }
  if (parsed.size > 256) parsed.clear()
  parsed.set(key, x)
  return x
}
