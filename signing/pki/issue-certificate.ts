/**
 * Issues end-entity certificates from the issuing CA of a CA directory (`kyso ca --dir`):
 * personal signers, organisation seals and the built-in TSA. Each comes back as a PKCS#12 (key,
 * certificate, issuing CA, root) under the holder's PIN, or, for a key generated on a token, as the
 * certificate alone; all are recorded in index.json. Profiles: ca-builders.ts.
 */
import type * as crypto from 'node:crypto'
import * as path from 'node:path'
import { promises as fs } from 'node:fs'
import { SigningError } from '../errors'
import { MIN_PIN_LENGTH, writePkcs12 } from '../keys/pkcs12'
import { generateKey, keySigner, type KeyType } from './algorithms'
import {
  certifyLeaf,
  documentProfile,
  tsaProfile,
  type DocumentProfileOptions,
  type LeafProfile,
} from './ca-builders'
import { CA_FILES, openCaKey, readIndex, writeIndex } from './ca-store'
import { fromPem, readCertificate } from './certificate-info'
import { entryFor } from './init-ca'

export { DEFAULT_VALIDITY_DAYS } from './ca-builders'

export interface IssueCertificateOptions extends DocumentProfileOptions {
  keyType?: KeyType
  caPin: string
  /** Protects the returned PKCS#12. */
  pin: string
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

/**
 * @example
 * const { p12, serialHex } = await issueCertificate(caDir, {
 *   name: 'Võ Văn Hoan', title: 'Phó Chủ tịch', org: 'Ủy ban nhân dân Thành phố Hồ Chí Minh', caPin, pin,
 * })
 */
export async function issueCertificate(
  dir: string,
  opts: IssueCertificateOptions,
): Promise<IssuedCertificate> {
  return withP12(
    await issueLeaf(dir, {
      ...documentProfile(opts),
      caPin: opts.caPin,
      pin: opts.pin,
      ...(opts.keyType && { keyType: opts.keyType }),
    }),
  )
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
  const { certificate, serialHex } = await issueLeaf(dir, {
    ...documentProfile(opts),
    caPin: opts.caPin,
    publicKey: opts.publicKey,
  })
  return { certificate, serialHex }
}

/** The certificate of the built-in RFC 3161 time-stamping service. */
export async function issueTsaCertificate(dir: string, opts: IssueTsaOptions): Promise<IssuedCertificate> {
  const profile = tsaProfile({
    ...(opts.name && { name: opts.name }),
    ...(opts.now && { now: opts.now }),
    ...(opts.validityDays && { validityDays: opts.validityDays }),
  })
  return withP12(
    await issueLeaf(dir, {
      ...profile,
      caPin: opts.caPin,
      pin: opts.pin,
      ...(opts.keyType && { keyType: opts.keyType }),
    }),
  )
}

function withP12(issued: IssuedLeaf): IssuedCertificate {
  if (!issued.p12) throw new Error('no PKCS#12 was made for a generated key')
  return { ...issued, p12: issued.p12 }
}

interface LeafRequest extends LeafProfile {
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
  if (!(request.notAfter > request.notBefore))
    throw new SigningError('BAD_OPTION', 'notAfter must be later than notBefore')
  const index = await readIndex(dir)
  const ca = await openCaKey(dir, 'issuing', request.caPin)
  const [root] = fromPem(await fs.readFile(path.join(dir, CA_FILES.root), 'latin1'), 'CERTIFICATE')
  if (!root) throw new SigningError('CA_NOT_FOUND', `${path.join(dir, CA_FILES.root)} holds no certificate`)
  // 2. Key pair and certificate.
  const { publicKey, privateKey } = request.publicKey
    ? { publicKey: request.publicKey, privateKey: undefined }
    : await generateKey(request.keyType)
  const certificate = await certifyLeaf(
    { certificate: ca.certificate, signer: keySigner(ca.key) },
    request,
    publicKey,
  )
  // 3. PKCS#12 for the holder (when we made the key), then the index entry.
  const facts = readCertificate(certificate)
  const friendlyName = facts.commonName ?? 'Kyso'
  const chain = [ca.certificate, root]
  const p12 = privateKey ? writePkcs12({ key: privateKey, certificate, chain, pin, friendlyName }) : undefined
  await writeIndex(dir, {
    ...index,
    certificates: [...index.certificates, entryFor(certificate, request.kind, 'issuing')],
  })
  return { certificate, serialHex: facts.serialHex, ...(p12 && { p12 }) }
}
