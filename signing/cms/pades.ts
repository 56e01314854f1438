/**
 * The CMS of a PAdES baseline signature (ETSI EN 319 142-1 §5.1, /SubFilter ETSI.CAdES.detached)
 * at level B-B, or B-T when a time-stamp source is given.
 */
import { SigningError } from '../errors'
import type { KeySource } from '../keys/key-source'
import { attribute } from './attributes'
import { Asn1Error, oidOf, readDer } from './der-read'
import { OID } from './oids'
import { cmsSignedAttributes } from './attributes'
import { encodeSignedData, signerCertificate } from './signed-data'

export interface PadesSignatureOptions {
  /** SHA-256 of the PDF byte ranges (ISO 32000-1 §12.8.1 /ByteRange). */
  readonly digest: Buffer
  readonly keySource: KeySource
  /**
   * Returns a DER TimeStampToken (a ContentInfo) over the given signature value; see `builtinTsa`
   * and `httpTsa` in `signing/tsa`. Present for B-T (ETSI EN 319 142-1 §6.3).
   */
  readonly timestamp?: (signatureValue: Buffer) => Promise<Buffer>
}

/**
 * Returns the DER ContentInfo(SignedData) to place in the signature dictionary's /Contents.
 *
 * Profile: detached id-data content (RFC 5652 §5.2), SHA-256, certificates = signer and chain,
 * one SignerInfo identified by issuerAndSerialNumber, signed attributes content-type,
 * message-digest and signing-certificate-v2 (ETSI EN 319 122-1 §5.2.2). No signing-time: ETSI
 * EN 319 142-1 §5.3 puts the claimed time in the dictionary's /M instead. With `timestamp`, the
 * unsigned attribute signature-time-stamp (id-aa-signatureTimeStampToken) covers the signature
 * value (ETSI EN 319 122-1 §5.3).
 *
 * @example
 * const cms = await buildPadesSignature({ digest: sha256(byteRanges), keySource, timestamp: builtinTsa(tsaKey) })
 */
export async function buildPadesSignature(opts: PadesSignatureOptions): Promise<Buffer> {
  const { digest, keySource, timestamp } = opts
  if (!Buffer.isBuffer(digest) || digest.length !== 32) {
    throw new SigningError('BAD_OPTION', 'digest must be the 32-byte SHA-256 of the byte ranges')
  }
  return encodeSignedData({
    contentType: OID.data,
    digest,
    keySource,
    unsignedAttributes: timestamp
      ? async (signatureValue) => [
          attribute(OID.signatureTimeStampToken, checkedToken(await timestamp(signatureValue))),
        ]
      : undefined,
  })
}

/** The token is spliced in as bytes, so it must at least be one ContentInfo(SignedData). */
function checkedToken(token: Buffer): Buffer {
  try {
    const contentInfo = readDer(token, 'TimeStampToken')
    const contentType = contentInfo.children[0]
    if (contentInfo.tag !== 0x10 || !contentType || oidOf(contentType) !== OID.signedData) {
      throw new Asn1Error('TimeStampToken: not a ContentInfo(SignedData)')
    }
    return contentInfo.raw
  } catch (cause) {
    throw new SigningError('TSA_FAILED', 'the time-stamp source returned something that is not a token', {
      cause,
    })
  }
}

/**
 * The bytes a PAdES signer's key signs for a document digest: what `buildPadesSignature` will put
 * in its SignerInfo, computed ahead for a key held elsewhere (two-phase signing).
 */
export function padesSignedAttributes(digest: Buffer, certificate: Buffer): Buffer {
  if (!Buffer.isBuffer(digest) || digest.length !== 32) {
    throw new SigningError('BAD_OPTION', 'digest must be the 32-byte SHA-256 of the byte ranges')
  }
  return cmsSignedAttributes(OID.data, digest, signerCertificate({ certificate }))
}
