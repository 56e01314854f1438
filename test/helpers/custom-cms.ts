/**
 * PDF signatures with any algorithm node:crypto can sign, their CMS assembled here with the
 * library's DER writer and attribute builders (signing/cms), so that the validator is tested on
 * what other tools produce: SHA-3, RSASSA-PSS, plain ECDSA, EdDSA, SHA-1, adbe.pkcs7.sha1, and the
 * malformed cases (signed attributes out of DER order, encapsulated content in a detached
 * signature, PSS parameters node:crypto cannot check).
 */
import { constants, createHash, sign, type KeyObject } from 'node:crypto'
import {
  HASH_LENGTH,
  HASH_OID,
  OID,
  certificateInfo,
  contentTypeAttribute,
  createDigest,
  derWrite as w,
  messageDigestAttribute,
  signingCertificateV2Attribute,
  attribute,
  type HashName,
} from '../../signing/cms'
import { SIGNATURE_ALGORITHMS } from '../../signing/cms/oids'
import type { KeySource } from '../../signing/keys/key-source'
import { preparePdfSignature } from '../../signing/sign'
import { writeContents } from '../../signing/sign/fill'
import type { Leaf } from './algorithm-pki'

export type Scheme = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'ecdsa-plain' | 'eddsa'

export interface CustomSignatureOptions {
  leaf: Leaf
  digest: HashName
  scheme: Scheme
  subFilter?: 'ETSI.CAdES.detached' | 'adbe.pkcs7.detached' | 'adbe.pkcs7.sha1'
  /** Writes the signed attributes out of DER order (X.690 §11.6), signing them as written. */
  unsortedAttributes?: boolean
  /** eContent to carry although the signature is detached. */
  encapsulate?: Buffer
  /** RSASSA-PSS with MGF1 over another hash than the message's (valid, but not checkable by node). */
  pssMgfHash?: HashName
  /** /M, and the time the certificate is checked at before signing. */
  signingTime?: Date
  /** Returns a signature-time-stamp token over the signature value (B-T). */
  timestamp?: (signatureValue: Buffer) => Promise<Buffer>
}

/** AlgorithmIdentifier of the signature (RFC 4055 §5, RFC 5758 §3.2, RFC 8702, BSI TR-03111, RFC 8419). */
function signatureAlgorithm(o: CustomSignatureOptions): Buffer {
  if (o.scheme === 'rsa-pss') {
    const hashId = w.algorithmIdentifier(HASH_OID[o.digest])
    const mgf = w.algorithmIdentifier(OID.mgf1, w.algorithmIdentifier(HASH_OID[o.pssMgfHash ?? o.digest]))
    const params = w.sequence(
      w.contextConstructed(0, hashId),
      w.contextConstructed(1, mgf),
      w.contextConstructed(2, w.integer(HASH_LENGTH[o.digest])),
    )
    return w.algorithmIdentifier(OID.rsassaPss, params)
  }
  const key = {
    'rsa-pkcs1': 'RSA',
    ecdsa: 'EC',
    'ecdsa-plain': 'EC',
    eddsa: o.leaf.privateKey.asymmetricKeyType === 'ed448' ? 'Ed448' : 'Ed25519',
  }[o.scheme]
  const encoding = o.scheme === 'ecdsa-plain' ? 'plain' : o.scheme === 'ecdsa' ? 'der' : undefined
  const entry = Object.entries(SIGNATURE_ALGORITHMS).find(
    ([, a]) => a.key === key && (o.scheme === 'eddsa' || a.hash === o.digest) && a.encoding === encoding,
  )
  if (!entry) throw new Error(`no algorithm identifier for ${o.scheme} with ${o.digest}`)
  // RFC 4055 §5: NULL parameters for the PKCS#1 SHA-2 family; RFC 8702 §3.2: absent for SHA-3.
  const nullParams = o.scheme === 'rsa-pkcs1' && !o.digest.startsWith('sha3')
  return nullParams ? w.algorithmIdentifier(entry[0], w.NULL) : w.algorithmIdentifier(entry[0])
}

function signValue(o: CustomSignatureOptions, data: Buffer): Buffer {
  const key: KeyObject = o.leaf.privateKey
  switch (o.scheme) {
    case 'eddsa':
      return sign(null, data, key)
    case 'rsa-pss':
      return sign(o.digest, data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: HASH_LENGTH[o.digest],
      })
    case 'ecdsa-plain':
      return sign(o.digest, data, { key, dsaEncoding: 'ieee-p1363' })
    default:
      return sign(o.digest, data, key)
  }
}

/** The CMS ContentInfo(SignedData) over content whose digest (by the signer's algorithm) is `contentDigest`. */
export async function customCms(
  o: CustomSignatureOptions,
  contentDigest: Buffer,
  encapsulated?: Buffer,
): Promise<Buffer> {
  const cert = certificateInfo(o.leaf.certificate)
  const attrs = [
    contentTypeAttribute(OID.data),
    messageDigestAttribute(contentDigest),
    signingCertificateV2Attribute(cert),
  ]
  // DER sorts the SET OF by encoding: content-type (30 18) first, signing-certificate-v2 (30 81/82) last.
  const signedAttributes = o.unsortedAttributes
    ? w.tlv(0x31, attrs[1] as Buffer, attrs[0] as Buffer, attrs[2] as Buffer)
    : w.setOf(attrs)
  const signatureValue = signValue(o, signedAttributes)
  const unsigned = o.timestamp
    ? [attribute(OID.signatureTimeStampToken, await o.timestamp(signatureValue))]
    : []
  const signerInfo = w.sequence(
    w.integer(1),
    w.sequence(cert.issuer, cert.serialNumber),
    w.algorithmIdentifier(HASH_OID[o.digest]),
    w.retag(signedAttributes, 0xa0),
    signatureAlgorithm(o),
    w.octetString(signatureValue),
    ...(unsigned.length ? [w.contextConstructed(1, ...unsigned)] : []),
  )
  const content = encapsulated ?? o.encapsulate
  const encap = content
    ? w.sequence(w.oid(OID.data), w.contextConstructed(0, w.octetString(content)))
    : w.sequence(w.oid(OID.data))
  const signedData = w.sequence(
    w.integer(1),
    w.setOf([w.algorithmIdentifier(HASH_OID[o.digest])]),
    encap,
    w.retag(w.setOf([o.leaf.certificate]), 0xa0),
    w.setOf([signerInfo]),
  )
  return w.sequence(w.oid(OID.signedData), w.contextConstructed(0, signedData))
}

/**
 * Signs `pdf` (a new revision, invisible field) with a CMS built by customCms: the placeholder
 * revision comes from preparePdfSignature, the digest of the ByteRange is taken here with the
 * chosen algorithm (for adbe.pkcs7.sha1: SHA-1, encapsulated, ISO 32000-1 §12.8.3.3.1).
 */
export async function signPdfCustom(pdf: Buffer, o: CustomSignatureOptions): Promise<Buffer> {
  const signer = { certificate: o.leaf.certificate, chain: [], keyAlgorithm: 'RSA' as const }
  const prepared = preparePdfSignature(pdf, {
    signer,
    appearance: 'invisible',
    ...(o.signingTime && { signingTime: o.signingTime }),
    reserveBytes: 24576,
  })
  const out = prepared.pdf
  if (o.subFilter && o.subFilter !== 'ETSI.CAdES.detached') {
    const at = out.indexOf('/SubFilter /ETSI.CAdES.detached', pdf.length, 'latin1')
    out.write(
      `/SubFilter /${o.subFilter}`.padEnd('/SubFilter /ETSI.CAdES.detached'.length, ' '),
      at,
      'latin1',
    )
  }
  const [a, b, c, d] = prepared.placed.byteRange
  const ranges = [out.subarray(a, a + b), out.subarray(c, c + d)]
  let cms: Buffer
  if (o.subFilter === 'adbe.pkcs7.sha1') {
    const sha1 = createHash('sha1')
      .update(ranges[0] as Buffer)
      .update(ranges[1] as Buffer)
      .digest()
    cms = await customCms(o, createDigest(o.digest).update(sha1).digest(), sha1)
  } else {
    const h = createDigest(o.digest)
    for (const r of ranges) h.update(r)
    cms = await customCms(o, h.digest())
  }
  writeContents(out, prepared.placed, cms)
  return out
}

/** A KeySource over a leaf's RSA key, for the built-in TSA's token builder. */
export function keySourceOf(leaf: Leaf): KeySource {
  return {
    certificate: leaf.certificate,
    chain: [],
    keyAlgorithm: 'RSA',
    sign: async (data) => sign('sha256', data, leaf.privateKey),
  }
}
