/**
 * Issues end-entity certificates from the issuing CA: personal signers, organisation seals and the
 * built-in TSA. Each comes back as a PKCS#12 (key, certificate, issuing CA, root) under the
 * holder's PIN, or, for a key generated on a token, as the certificate alone; all are recorded in
 * index.json.
 *
 * Profiles (RFC 5280 §4.2.1.3, §4.2.1.12):
 * - personal / seal: keyUsage digitalSignature + nonRepudiation (critical); extKeyUsage
 *   emailProtection + documentSigning (RFC 9336), NOT critical: emailProtection because Adobe
 *   Acrobat accepts it for document signatures, documentSigning because it says what the key is for.
 * - tsa: keyUsage digitalSignature + nonRepudiation (critical); extKeyUsage timeStamping alone,
 *   critical, as RFC 3161 §2.3 requires.
 */
import type * as crypto from 'node:crypto'
import * as path from 'node:path'
import { promises as fs } from 'node:fs'
import { SigningError } from '../errors'
import { MIN_PIN_LENGTH, writePkcs12 } from '../keys/pkcs12'
import { generateKey, type KeyType } from './algorithms'
import { CA_FILES, openCaKey, readIndex, writeIndex } from './ca-store'
import { randomSerial, signCertificate } from './certificate-builder'
import { fromPem, readCertificate, type CertificateFacts } from './certificate-info'
import * as ext from './extensions'
import { entryFor } from './init-ca'
import { encodeName, type DistinguishedName } from './names'

export interface IssueCertificateOptions {
  /** The holder's full name (CN); for a seal, the organisation name when `org` is absent. */
  name: string
  title?: string
  org?: string
  orgUnit?: string
  /** An organisation certificate (the agency's seal): CN = O = the organisation. */
  seal?: boolean
  keyType?: KeyType
  caPin: string
  /** Protects the returned PKCS#12. */
  pin: string
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

export interface IssueTsaOptions {
  name?: string
  caPin: string
  pin: string
  keyType?: KeyType
  now?: Date
  /** From `now`; default 1825 (five years). */
  validityDays?: number
}

export interface IssuedCertificate {
  p12: Buffer
  certificate: Buffer
  /** Upper-case hex, the key of index.json and of revokeCertificate. */
  serialHex: string
}

/**
 * A certificate for a key the CA never sees (issue 11: generated inside a PKCS#11 token, which
 * only ever gives out the public key): the same profile as issueCertificate, no PKCS#12, no PIN.
 */
export type IssueForKeyOptions = Omit<IssueCertificateOptions, 'pin' | 'keyType'> & {
  publicKey: crypto.KeyObject
}

const DAY = 24 * 60 * 60 * 1000
export const DEFAULT_VALIDITY_DAYS = { personal: 730, tsa: 1825 } as const
const DOCUMENT_EKU = [ext.EKU.emailProtection, ext.EKU.documentSigning]

/**
 * @example
 * const { p12, serialHex } = await issueCertificate(caDir, {
 *   name: 'Võ Văn Hoan', title: 'Phó Chủ tịch', org: 'Ủy ban nhân dân Thành phố Hồ Chí Minh', caPin, pin,
 * })
 */
export async function issueCertificate(dir: string, opts: IssueCertificateOptions): Promise<IssuedCertificate> {
  return withP12(await issueLeaf(dir, { ...opts, ...documentProfile(opts) }))
}

/**
 * @example
 * const spki = await generateTokenKeyPair({ module, slot: 0, pin, label, id, keyType: 'p256' })
 * const publicKey = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' })
 * const { certificate } = await issueCertificateForKey(caDir, { name: 'Võ Văn Hoan', caPin, publicKey })
 */
export async function issueCertificateForKey(
  dir: string,
  opts: IssueForKeyOptions,
): Promise<Omit<IssuedCertificate, 'p12'>> {
  const type = opts.publicKey.asymmetricKeyType
  if (opts.publicKey.type !== 'public' || (type !== 'rsa' && type !== 'ec')) {
    throw new SigningError('BAD_OPTION', 'publicKey must be an RSA or EC public key')
  }
  const { certificate, serialHex } = await issueLeaf(dir, { ...opts, ...documentProfile(opts) })
  return { certificate, serialHex }
}

/** Subject, validity and extensions of a personal or seal certificate. */
function documentProfile(opts: Omit<IssueCertificateOptions, 'pin' | 'caPin'>): Omit<LeafRequest, 'caPin'> {
  const org = opts.org?.trim() || undefined
  const subject: DistinguishedName = opts.seal
    ? { commonName: org ?? opts.name, organization: org ?? opts.name, ...(opts.orgUnit && { organizationalUnit: opts.orgUnit }) }
    : {
        commonName: opts.name,
        ...(opts.title && { title: opts.title }),
        ...(org && { organization: org }),
        ...(opts.orgUnit && { organizationalUnit: opts.orgUnit }),
      }
  const notBefore = opts.notBefore ?? opts.now ?? new Date()
  const notAfter = opts.notAfter ?? new Date(notBefore.getTime() + (opts.validityDays ?? DEFAULT_VALIDITY_DAYS.personal) * DAY)
  const extensions = [ext.keyUsage(['digitalSignature', 'nonRepudiation']), ext.extKeyUsage(DOCUMENT_EKU, false)]
  if (opts.email) extensions.push(ext.subjectAltNameEmail(opts.email))
  if (opts.crlUrl) extensions.push(ext.crlDistributionPoint(opts.crlUrl))
  if (opts.ocspUrl) extensions.push(ext.authorityInfoAccess({ ocsp: opts.ocspUrl }))
  return { subject: () => subject, notBefore, notAfter, extensions, kind: opts.seal ? 'seal' : 'personal' }
}

/** The certificate of the built-in RFC 3161 time-stamping service. */
export async function issueTsaCertificate(dir: string, opts: IssueTsaOptions): Promise<IssuedCertificate> {
  const notBefore = opts.now ?? new Date()
  return withP12(await issueLeaf(dir, {
    ...opts,
    subject: (issuer) => ({
      commonName: opts.name ?? 'Kyso Time Stamping Authority',
      ...(issuer.organization && { organization: issuer.organization }),
    }),
    notBefore,
    notAfter: new Date(notBefore.getTime() + (opts.validityDays ?? DEFAULT_VALIDITY_DAYS.tsa) * DAY),
    extensions: [ext.keyUsage(['digitalSignature', 'nonRepudiation']), ext.extKeyUsage([ext.EKU.timeStamping], true)],
    kind: 'tsa',
  }))
}

function withP12(issued: IssuedLeaf): IssuedCertificate {
  if (!issued.p12) throw new Error('no PKCS#12 was made for a generated key')
  return { ...issued, p12: issued.p12 }
}

interface LeafRequest {
  subject: (issuer: CertificateFacts) => DistinguishedName
  notBefore: Date
  notAfter: Date
  extensions: Buffer[]
  kind: 'personal' | 'seal' | 'tsa'
  keyType?: KeyType
  caPin: string
  /** Protects the PKCS#12 made for a generated key; unused with `publicKey`. */
  pin?: string
  /** Certify this key instead of generating one (then no PKCS#12 is made). */
  publicKey?: crypto.KeyObject
}

type IssuedLeaf = Omit<IssuedCertificate, 'p12'> & { p12?: Buffer }

async function issueLeaf(dir: string, request: LeafRequest): Promise<IssuedLeaf> {
  // 1. Guards first, so nothing is generated for a request that cannot succeed.
  const pin = request.pin ?? ''
  if (!request.publicKey && pin.length < MIN_PIN_LENGTH) {
    throw new SigningError('PIN_TOO_SHORT', `Mã PIN phải có ít nhất ${MIN_PIN_LENGTH} ký tự`)
  }
  if (!(request.notAfter > request.notBefore)) throw new SigningError('BAD_OPTION', 'notAfter must be later than notBefore')
  const index = await readIndex(dir)
  const ca = await openCaKey(dir, 'issuing', request.caPin)
  const issuer = readCertificate(ca.certificate)
  const subjectName = encodeName(request.subject(issuer))
  const [root] = fromPem(await fs.readFile(path.join(dir, CA_FILES.root), 'latin1'), 'CERTIFICATE')
  if (!root) throw new SigningError('CA_NOT_FOUND', `${path.join(dir, CA_FILES.root)} holds no certificate`)
  // 2. Key pair and certificate (§4.1.2.2 serial; AKI/SKI §4.2.1.1-2; CA:false §4.2.1.9).
  const { publicKey, privateKey } = request.publicKey
    ? { publicKey: request.publicKey, privateKey: undefined }
    : await generateKey(request.keyType)
  const certificate = signCertificate(
    {
      serial: randomSerial(),
      issuerName: issuer.subjectName,
      subjectName,
      notBefore: request.notBefore,
      notAfter: request.notAfter,
      publicKey,
      extensions: [
        ext.basicConstraints(false),
        ...request.extensions,
        ext.subjectKeyIdentifier(ext.keyIdentifierOf(publicKey)),
        ext.authorityKeyIdentifier(issuer.subjectKeyId ?? ext.keyIdentifierOf(issuer.publicKey)),
      ],
    },
    ca.key,
  )
  // 3. PKCS#12 for the holder (when we made the key), then the index entry.
  const facts = readCertificate(certificate)
  const friendlyName = facts.commonName ?? 'Kyso'
  const chain = [ca.certificate, root]
  const p12 = privateKey ? writePkcs12({ key: privateKey, certificate, chain, pin, friendlyName }) : undefined
  await writeIndex(dir, { ...index, certificates: [...index.certificates, entryFor(certificate, request.kind, 'issuing')] })
  return { certificate, serialHex: facts.serialHex, ...(p12 && { p12 }) }
}
