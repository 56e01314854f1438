/**
 * What a CA signs, whatever keeps its records (the file CA of `kyso ca --dir`, or the service's
 * CA in its database, issue 15) and wherever its keys are (in this process, or in an HSM): the
 * root and issuing CA certificates, end-entity certificates by profile, and the two CRLs.
 *
 * Profiles (RFC 5280 §4.2.1.3, §4.2.1.12):
 * - personal / seal: keyUsage digitalSignature + nonRepudiation (critical); extKeyUsage
 *   emailProtection + documentSigning (RFC 9336), NOT critical: emailProtection because Adobe
 *   Acrobat accepts it for document signatures, documentSigning because it says what the key is for.
 * - tsa: keyUsage digitalSignature + nonRepudiation (critical); extKeyUsage timeStamping alone,
 *   critical, as RFC 3161 §2.3 requires.
 * - service: the service's own key, which signs audit checkpoints (issue 15): digitalSignature,
 *   extKeyUsage documentSigning.
 */
import type * as crypto from 'node:crypto'
import { SigningError } from '../errors'
import type { TbsSigner } from './algorithms'
import { randomSerial, signCertificateWith } from './certificate-builder'
import { readCertificate, type CertificateFacts } from './certificate-info'
import { signCrlWith, type RevocationReason } from './crl-builder'
import * as ext from './extensions'
import { encodeName, type DistinguishedName } from './names'

/** A CA able to sign: its certificate and its key. */
export interface CaSigner {
  certificate: Buffer
  signer: TbsSigner
}

export type LeafKind = 'personal' | 'seal' | 'tsa' | 'service'

export interface LeafProfile {
  subject: (issuer: CertificateFacts) => DistinguishedName
  notBefore: Date
  notAfter: Date
  extensions: Buffer[]
  kind: LeafKind
}

export interface DocumentProfileOptions {
  /** The holder's full name (CN); for a seal, the organisation name when `org` is absent. */
  name: string
  title?: string
  org?: string
  orgUnit?: string
  /** An organisation certificate (the agency's seal): CN = O = the organisation. */
  seal?: boolean
  now?: Date
  /** From notBefore; default 730 (two years). */
  validityDays?: number
  notBefore?: Date
  notAfter?: Date
  email?: string
  /** Published CRL location written into the certificate (cRLDistributionPoints). */
  crlUrl?: string
  /** The issuing CA's OCSP responder, written into authorityInfoAccess (RFC 6960 §3.1). */
  ocspUrl?: string
}

const DAY = 24 * 60 * 60 * 1000
const YEAR = 365 * DAY
export const DEFAULT_VALIDITY_DAYS = { personal: 730, tsa: 1825 } as const
export const CA_VALIDITY_YEARS = { root: 20, issuing: 10 } as const
const DOCUMENT_EKU = [ext.EKU.emailProtection, ext.EKU.documentSigning]

/** Subject, validity and extensions of a personal or seal certificate. */
export function documentProfile(opts: DocumentProfileOptions): LeafProfile {
  const org = opts.org?.trim() || undefined
  const subject: DistinguishedName = opts.seal
    ? {
        commonName: org ?? opts.name,
        organization: org ?? opts.name,
        ...(opts.orgUnit && { organizationalUnit: opts.orgUnit }),
      }
    : {
        commonName: opts.name,
        ...(opts.title && { title: opts.title }),
        ...(org && { organization: org }),
        ...(opts.orgUnit && { organizationalUnit: opts.orgUnit }),
      }
  const notBefore = opts.notBefore ?? opts.now ?? new Date()
  const notAfter =
    opts.notAfter ??
    new Date(notBefore.getTime() + (opts.validityDays ?? DEFAULT_VALIDITY_DAYS.personal) * DAY)
  const extensions = [
    ext.keyUsage(['digitalSignature', 'nonRepudiation']),
    ext.extKeyUsage(DOCUMENT_EKU, false),
  ]
  if (opts.email) extensions.push(ext.subjectAltNameEmail(opts.email))
  if (opts.crlUrl) extensions.push(ext.crlDistributionPoint(opts.crlUrl))
  if (opts.ocspUrl) extensions.push(ext.authorityInfoAccess({ ocsp: opts.ocspUrl }))
  return { subject: () => subject, notBefore, notAfter, extensions, kind: opts.seal ? 'seal' : 'personal' }
}

/** The certificate of the built-in RFC 3161 time-stamping service. */
export function tsaProfile(opts: { name?: string; now?: Date; validityDays?: number } = {}): LeafProfile {
  const notBefore = opts.now ?? new Date()
  return {
    subject: (issuer) => ({
      commonName: opts.name ?? 'Kyso Time Stamping Authority',
      ...(issuer.organization && { organization: issuer.organization }),
    }),
    notBefore,
    notAfter: new Date(notBefore.getTime() + (opts.validityDays ?? DEFAULT_VALIDITY_DAYS.tsa) * DAY),
    extensions: [
      ext.keyUsage(['digitalSignature', 'nonRepudiation']),
      ext.extKeyUsage([ext.EKU.timeStamping], true),
    ],
    kind: 'tsa',
  }
}

/** The service's own certificate: it signs the audit log's checkpoints. */
export function serviceProfile(opts: { now?: Date } = {}): LeafProfile {
  const notBefore = opts.now ?? new Date()
  return {
    subject: (issuer) => ({
      commonName: 'Kyso audit checkpoints',
      ...(issuer.organization && { organization: issuer.organization }),
    }),
    notBefore,
    notAfter: new Date(notBefore.getTime() + DEFAULT_VALIDITY_DAYS.tsa * DAY),
    extensions: [ext.keyUsage(['digitalSignature']), ext.extKeyUsage([ext.EKU.documentSigning], false)],
    kind: 'service',
  }
}

/**
 * A self-signed root (CA:true, keyCertSign + cRLSign, §4.2.1.3, §4.2.1.9) and an issuing CA
 * under it (pathLen 0: it signs end entities only).
 */
export async function caCertificates(opts: {
  name: string
  now: Date
  root: { publicKey: crypto.KeyObject; signer: TbsSigner }
  issuing: { publicKey: crypto.KeyObject }
}): Promise<{ root: Buffer; issuing: Buffer }> {
  const { name, now } = opts
  const rootName = encodeName({ commonName: `Kyso Root CA - ${name}`, organization: name })
  const rootKeyId = ext.keyIdentifierOf(opts.root.publicKey)
  const root = await signCertificateWith(
    {
      serial: randomSerial(),
      issuerName: rootName,
      subjectName: rootName,
      notBefore: now,
      notAfter: new Date(now.getTime() + CA_VALIDITY_YEARS.root * YEAR),
      publicKey: opts.root.publicKey,
      extensions: [
        ext.basicConstraints(true),
        ext.keyUsage(['keyCertSign', 'cRLSign']),
        ext.subjectKeyIdentifier(rootKeyId),
      ],
    },
    opts.root.signer,
  )
  const issuing = await signCertificateWith(
    {
      serial: randomSerial(),
      issuerName: rootName,
      subjectName: encodeName({ commonName: `Kyso Issuing CA - ${name}`, organization: name }),
      notBefore: now,
      notAfter: new Date(now.getTime() + CA_VALIDITY_YEARS.issuing * YEAR),
      publicKey: opts.issuing.publicKey,
      extensions: [
        ext.basicConstraints(true, 0),
        ext.keyUsage(['keyCertSign', 'cRLSign']),
        ext.subjectKeyIdentifier(ext.keyIdentifierOf(opts.issuing.publicKey)),
        ext.authorityKeyIdentifier(rootKeyId),
      ],
    },
    opts.root.signer,
  )
  return { root, issuing }
}

/** An end-entity certificate for `publicKey` (§4.1.2.2 serial; AKI/SKI §4.2.1.1-2; CA:false §4.2.1.9). */
export async function certifyLeaf(
  issuing: CaSigner,
  profile: LeafProfile,
  publicKey: crypto.KeyObject,
): Promise<Buffer> {
  if (!(profile.notAfter > profile.notBefore))
    throw new SigningError('BAD_OPTION', 'notAfter must be later than notBefore')
  const issuer = readCertificate(issuing.certificate)
  return signCertificateWith(
    {
      serial: randomSerial(),
      issuerName: issuer.subjectName,
      subjectName: encodeName(profile.subject(issuer)),
      notBefore: profile.notBefore,
      notAfter: profile.notAfter,
      publicKey,
      extensions: [
        ext.basicConstraints(false),
        ...profile.extensions,
        ext.subjectKeyIdentifier(ext.keyIdentifierOf(publicKey)),
        ext.authorityKeyIdentifier(issuer.subjectKeyId ?? ext.keyIdentifierOf(issuer.publicKey)),
      ],
    },
    issuing.signer,
  )
}

/** A certificate the CA issued, as its records keep it. */
export interface IssuedEntry {
  serialHex: string
  /** Which CA key signed it, hence which CRL lists it. */
  issuedBy: 'root' | 'issuing'
  kind: string
  revokedAt?: string
  reason?: RevocationReason
}

/**
 * How long each CRL is current (nextUpdate - thisUpdate). The service re-signs them before they
 * lapse (issue 15); a file CA runs `publishCrls`.
 */
export const CRL_VALIDITY_DAYS = { issuing: 30, root: 365 } as const

/** Both CRLs, numbered `crlNumber`: the issuing CA's (end entities), then the root's (the issuing CA). */
export async function signCrls(
  entries: IssuedEntry[],
  crlNumber: number,
  keys: { root: CaSigner; issuing: CaSigner },
  now: Date,
): Promise<{ issuing: Buffer; root: Buffer }> {
  const one = (ca: 'issuing' | 'root'): Promise<Buffer> => {
    const revoked = entries
      .filter((c) => c.issuedBy === ca && c.kind !== 'root-ca' && c.revokedAt)
      .map((c) => ({
        serialHex: c.serialHex,
        revokedAt: new Date(c.revokedAt as string),
        ...(c.reason && { reason: c.reason }),
      }))
    return signCrlWith({
      issuerCertificate: keys[ca].certificate,
      issuer: keys[ca].signer,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + CRL_VALIDITY_DAYS[ca] * DAY),
      crlNumber,
      entries: revoked,
    })
  }
  return { issuing: await one('issuing'), root: await one('root') }
}
