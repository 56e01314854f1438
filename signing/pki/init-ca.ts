/**
 * Creates the internal CA: a self-signed root and an issuing CA under it (RFC 5280 §4.2.1.9:
 * pathLen 0, so the issuing CA signs end entities only), their keys in PKCS#12 files under the CA
 * PIN, an empty index and current CRLs.
 */
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { SigningError } from '../errors'
import { MIN_PIN_LENGTH, writePkcs12 } from '../keys/pkcs12'
import { generateKey, type KeyType } from './algorithms'
import { assertNoCa, CA_FILES, type CaIndex, type CaIndexEntry, writeFileAtomic, writeIndex } from './ca-store'
import { randomSerial, signCertificate } from './certificate-builder'
import { readCertificate, toPem } from './certificate-info'
import { authorityKeyIdentifier, basicConstraints, keyIdentifierOf, keyUsage, subjectKeyIdentifier } from './extensions'
import { encodeName } from './names'
import { writeCrls } from './publish-crls'

export interface InitCaOptions {
  /** The organisation the CA serves; names the root "Kyso Root CA - <name>". */
  name?: string
  /** Protects root.p12 and issuing.p12. */
  pin: string
  now?: Date
  keyType?: KeyType
}

export const DEFAULT_CA_NAME = 'Cơ quan thử nghiệm'
const YEAR = 365 * 24 * 60 * 60 * 1000
export const CA_VALIDITY_YEARS = { root: 20, issuing: 10 } as const

/**
 * @example
 * await initCa('/var/lib/kyso/ca', { name: 'Sở Khoa học và Công nghệ', pin: process.env.KYSO_CA_PIN! })
 */
export async function initCa(dir: string, opts: InitCaOptions): Promise<void> {
  if (opts.pin.length < MIN_PIN_LENGTH) throw new SigningError('PIN_TOO_SHORT', `Mã PIN của CA phải có ít nhất ${MIN_PIN_LENGTH} ký tự`)
  const name = opts.name?.normalize('NFC').trim() || DEFAULT_CA_NAME
  const now = opts.now ?? new Date()
  await fs.mkdir(dir, { recursive: true })
  await assertNoCa(dir)

  // 1. Root: self-signed, CA:true critical, keyCertSign + cRLSign (§4.2.1.3, §4.2.1.9).
  const [rootKeys, issuingKeys] = await Promise.all([generateKey(opts.keyType), generateKey(opts.keyType)])
  const rootName = encodeName({ commonName: `Kyso Root CA - ${name}`, organization: name })
  const rootKeyId = keyIdentifierOf(rootKeys.publicKey)
  const root = signCertificate(
    {
      serial: randomSerial(),
      issuerName: rootName,
      subjectName: rootName,
      notBefore: now,
      notAfter: new Date(now.getTime() + CA_VALIDITY_YEARS.root * YEAR),
      publicKey: rootKeys.publicKey,
      extensions: [basicConstraints(true), keyUsage(['keyCertSign', 'cRLSign']), subjectKeyIdentifier(rootKeyId)],
    },
    rootKeys.privateKey,
  )

  // 2. Issuing CA, signed by the root.
  const issuing = signCertificate(
    {
      serial: randomSerial(),
      issuerName: rootName,
      subjectName: encodeName({ commonName: `Kyso Issuing CA - ${name}`, organization: name }),
      notBefore: now,
      notAfter: new Date(now.getTime() + CA_VALIDITY_YEARS.issuing * YEAR),
      publicKey: issuingKeys.publicKey,
      extensions: [
        basicConstraints(true, 0),
        keyUsage(['keyCertSign', 'cRLSign']),
        subjectKeyIdentifier(keyIdentifierOf(issuingKeys.publicKey)),
        authorityKeyIdentifier(rootKeyId),
      ],
    },
    rootKeys.privateKey,
  )

  // 3. Keys under the CA PIN, certificates in PEM.
  const pin = opts.pin
  await writeFileAtomic(path.join(dir, CA_FILES.rootKey), writePkcs12({ key: rootKeys.privateKey, certificate: root, chain: [], pin, friendlyName: 'root' }), 0o600)
  await writeFileAtomic(
    path.join(dir, CA_FILES.issuingKey),
    writePkcs12({ key: issuingKeys.privateKey, certificate: issuing, chain: [root], pin, friendlyName: 'issuing' }),
    0o600,
  )
  await writeFileAtomic(path.join(dir, CA_FILES.root), toPem('CERTIFICATE', root))
  await writeFileAtomic(path.join(dir, CA_FILES.issuing), toPem('CERTIFICATE', issuing))

  // 4. CRLs, then the index last: its presence marks a complete CA.
  const index: CaIndex = { version: 1, crlNumber: 0, certificates: [entryFor(root, 'root-ca', 'root'), entryFor(issuing, 'issuing-ca', 'root')] }
  const keys = { root: { key: rootKeys.privateKey, certificate: root }, issuing: { key: issuingKeys.privateKey, certificate: issuing } }
  await writeIndex(dir, await writeCrls(dir, index, keys, now))
}

export function entryFor(certificate: Buffer, kind: CaIndexEntry['kind'], issuedBy: CaIndexEntry['issuedBy']): CaIndexEntry {
  const facts = readCertificate(certificate)
  return {
    serialHex: facts.serialHex,
    subject: facts.subject,
    kind,
    issuedBy,
    notBefore: facts.notBefore.toISOString(),
    notAfter: facts.notAfter.toISOString(),
  }
}
