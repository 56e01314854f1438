/**
 * What each public reader makes of an ASN.1 object, as plain JSON (issue 16): the facts the
 * readers of certificates, CRLs, CMS, OCSP responses and PKCS#12 files give, with every byte
 * field as its length and SHA-256, names and attributes included. Two readers that give the same
 * facts for an object read it alike; an error is recorded as its code.
 */
import { createHash, createPublicKey } from 'node:crypto'
import { certificateInfo } from '../../signing/cms/certificate'
import { derProblem } from '../../signing/cms/der-check'
import { parseSignedData, type ParsedAttribute } from '../../signing/cms/parse'
import { timeOf } from '../../signing/cms/der-read'
import { readPkcs12 } from '../../signing/keys/pkcs12'
import { parseCrl } from '../../signing/pki/crl'
import { readCertificate } from '../../signing/pki/certificate-info'
import { keyIdentifierOf } from '../../signing/pki/extensions'
import { readOcspResponse } from '../../signing/pki/ocsp-response'
import { parseTstInfo } from '../../signing/tsa/tst-info'
import type { Asn1Kind } from './asn1-corpus'

export type Facts = unknown

/** Length and SHA-256 (first 16 hex digits) of a byte field. */
export const bytes = (b: Uint8Array): string =>
  `${b.length}:${createHash('sha256').update(b).digest('hex').slice(0, 16)}`

/** The value, or the error's code (a SigningError's) or `thrown`. */
export function attempt(read: () => Facts): Facts {
  try {
    return read()
  } catch (err) {
    const code = (err as { code?: unknown }).code
    return { error: typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'thrown' }
  }
}

const iso = (d: Date | undefined): string | undefined =>
  d ? (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString()) : undefined

export function certificateFacts(der: Buffer): Facts {
  return {
    readCertificate: attempt(() => {
      const f = readCertificate(der)
      return {
        serialHex: f.serialHex,
        issuerName: bytes(f.issuerName),
        subjectName: bytes(f.subjectName),
        subject: f.subject,
        issuer: f.issuer,
        commonName: f.commonName,
        organization: f.organization,
        notBefore: iso(f.notBefore),
        notAfter: iso(f.notAfter),
        publicKey: bytes(f.publicKey.export({ type: 'spki', format: 'der' })),
        keyUsage: f.keyUsage && [...f.keyUsage].sort(),
        extKeyUsage: f.extKeyUsage,
        isCa: f.isCa,
        subjectKeyId: f.subjectKeyId?.toString('hex'),
        ocspUrls: f.ocspUrls,
        caIssuersUrls: f.caIssuersUrls,
        keyIdentifier: attempt(() => keyIdentifierOf(f.publicKey).toString('hex')),
      }
    }),
    certificateInfo: attempt(() => {
      const i = certificateInfo(der)
      return {
        issuer: bytes(i.issuer),
        serialNumber: i.serialNumber.toString('hex'),
        subject: bytes(i.subject),
        subjectPublicKeyInfo: bytes(i.subjectPublicKeyInfo),
        subjectKeyIdentifier: i.subjectKeyIdentifier?.toString('hex'),
        keyUsage: i.keyUsage && [...i.keyUsage].sort((a, b) => a - b),
        crlUrls: i.crlUrls,
        extKeyUsage: i.extKeyUsage,
      }
    }),
  }
}

export function crlFacts(der: Buffer): Facts {
  return attempt(() => {
    const crl = parseCrl(der)
    const entries = [...crl.entries].map(([serial, e]) => [serial, iso(e.revokedAt), e.reason ?? null])
    return {
      issuerName: bytes(crl.issuerName),
      thisUpdate: iso(crl.thisUpdate),
      nextUpdate: iso(crl.nextUpdate),
      crlNumber: crl.crlNumber?.toString(16),
      entryCount: entries.length,
      entries: bytes(Buffer.from(JSON.stringify(entries))),
      tbs: bytes(crl.tbs),
      signatureAlgorithm: crl.signatureAlgorithm,
      signature: bytes(crl.signature),
    }
  })
}

const SIGNING_TIME = '1.2.840.113549.1.9.5'
const TST_INFO = '1.2.840.113549.1.9.16.1.4'

function attributeFacts(a: ParsedAttribute): Facts {
  return {
    type: a.type,
    values: a.values.map((v) => bytes(v.raw)),
    ...(a.type === SIGNING_TIME && { signingTime: attempt(() => a.values.map((v) => iso(timeOf(v)))) }),
  }
}

export function cmsFacts(der: Buffer): Facts {
  return attempt(() => {
    const p = parseSignedData(der)
    return {
      version: p.version,
      digestAlgorithms: p.digestAlgorithms,
      contentType: p.contentType,
      content: p.content && bytes(p.content),
      tstInfo:
        p.contentType === TST_INFO && p.content ? attempt(() => tstFacts(p.content as Buffer)) : undefined,
      certificates: p.certificates.map(bytes),
      signatureValue: bytes(p.signatureValue),
      timestampToken: p.timestampToken && bytes(p.timestampToken),
      signerInfos: p.signerInfos.map((s) => ({
        version: s.version,
        sid:
          'issuer' in s.sid
            ? { issuer: bytes(s.sid.issuer), serialNumber: s.sid.serialNumber.toString('hex') }
            : { subjectKeyIdentifier: s.sid.subjectKeyIdentifier.toString('hex') },
        digestAlgorithm: s.digestAlgorithm,
        signedAttributes: s.signedAttributes && {
          der: bytes(s.signedAttributes.der),
          derProblem: derProblem(s.signedAttributes.node, true) ?? null,
          attributes: s.signedAttributes.attributes.map(attributeFacts),
        },
        signatureAlgorithm: {
          oid: s.signatureAlgorithm.oid,
          parameters: s.signatureAlgorithm.parameters && bytes(s.signatureAlgorithm.parameters.raw),
        },
        signatureValue: bytes(s.signatureValue),
        unsignedAttributes: s.unsignedAttributes.map(attributeFacts),
      })),
    }
  })
}

function tstFacts(der: Buffer): Facts {
  const t = parseTstInfo(der)
  return {
    policy: t.policy,
    hashAlgorithm: t.hashAlgorithm,
    hashedMessage: bytes(t.hashedMessage),
    serialNumber: t.serialNumber.toString(16),
    genTime: iso(t.genTime),
    nonce: t.nonce?.toString(16),
  }
}

export function ocspFacts(der: Buffer): Facts {
  return attempt(() => {
    const r = readOcspResponse(der)
    if (!('basic' in r)) return { status: r.status }
    const b = r.basic
    return {
      status: r.status,
      tbs: bytes(b.tbs),
      signatureAlgorithm: {
        oid: b.signatureAlgorithm.oid,
        parameters: b.signatureAlgorithm.parameters && bytes(b.signatureAlgorithm.parameters.raw),
      },
      signature: bytes(b.signature),
      certs: b.certs.map(bytes),
      responderId:
        'byName' in b.responderId
          ? { byName: bytes(b.responderId.byName) }
          : { byKey: b.responderId.byKey.toString('hex') },
      producedAt: iso(b.producedAt),
      responses: b.responses.map((s) => ({
        certId: {
          hash: s.certId.hash,
          name: bytes(s.certId.issuerNameHash),
          key: bytes(s.certId.issuerKeyHash),
          serialHex: s.certId.serialHex,
          raw: bytes(s.certId.raw),
        },
        status: s.status,
        revokedAt: iso(s.revokedAt),
        reason: s.reason,
        thisUpdate: iso(s.thisUpdate),
        nextUpdate: iso(s.nextUpdate),
      })),
      nonce: b.nonce?.toString('hex'),
    }
  })
}

export function pkcs12Facts(p12: Buffer, pin: string): Facts {
  return {
    read: attempt(() => {
      const c = readPkcs12(p12, pin)
      return {
        keyType: c.key.asymmetricKeyType,
        key: bytes(c.key.export({ type: 'pkcs8', format: 'der' })),
        publicKey: bytes(createPublicKey(c.key).export({ type: 'spki', format: 'der' })),
        certificate: bytes(c.certificate),
        chain: c.chain.map(bytes),
      }
    }),
    wrongPin: attempt(() => readPkcs12(p12, `${pin}-wrong`) && 'opened'),
  }
}

export function factsOf(kind: Asn1Kind, der: Buffer): Facts {
  if (kind === 'certificate') return certificateFacts(der)
  if (kind === 'crl') return crlFacts(der)
  if (kind === 'cms') return cmsFacts(der)
  return ocspFacts(der)
}
