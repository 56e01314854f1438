/**
 * Creates the internal CA in a directory (`kyso ca init --dir`): a self-signed root and an issuing
 * CA under it (RFC 5280 §4.2.1.9: pathLen 0, so the issuing CA signs end entities only), their keys
 * in PKCS#12 files under the CA PIN, an empty index and current CRLs. The service keeps its CA in
 * its database instead (workflows/internal-ca.ts); both sign through ca-builders.ts.
 */
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { SigningError } from '../errors'
import { MIN_PIN_LENGTH, writePkcs12 } from '../keys/pkcs12'
import { generateKey, keySigner, type KeyType } from './algorithms'
import { caCertificates } from './ca-builders'
import {
  assertNoCa,
  CA_FILES,
  type CaIndex,
  type CaIndexEntry,
  writeFileAtomic,
  writeIndex,
} from './ca-store'
import { readCertificate, toPem } from './certificate-info'
import { writeCrls } from './publish-crls'

export { CA_VALIDITY_YEARS } from './ca-builders'

export interface InitCaOptions {
  /** The organisation the CA serves; names the root "Kyso Root CA - <name>". */
  name?: string
  /** Protects root.p12 and issuing.p12. */
  pin: string
  now?: Date
  keyType?: KeyType
}

export const DEFAULT_CA_NAME = 'Cơ quan thử nghiệm'

/**
 * @example
 * await initCa('/var/lib/kyso/ca', { name: 'Sở Khoa học và Công nghệ', pin: process.env.KYSO_CA_PIN! })
 */
export async function initCa(dir: string, opts: InitCaOptions): Promise<void> {
  if (opts.pin.length < MIN_PIN_LENGTH)
    throw new SigningError('PIN_TOO_SHORT', `Mã PIN của CA phải có ít nhất ${MIN_PIN_LENGTH} ký tự`)
  const name = opts.name?.normalize('NFC').trim() || DEFAULT_CA_NAME
  const now = opts.now ?? new Date()
  await fs.mkdir(dir, { recursive: true })
  await assertNoCa(dir)

  // 1. Root and issuing CA certificates.
  const [rootKeys, issuingKeys] = await Promise.all([generateKey(opts.keyType), generateKey(opts.keyType)])
  const { root, issuing } = await caCertificates({
    name,
    now,
    root: { publicKey: rootKeys.publicKey, signer: keySigner(rootKeys.privateKey) },
    issuing: { publicKey: issuingKeys.publicKey },
  })

  // 2. Keys under the CA PIN, certificates in PEM.
  const pin = opts.pin
  await writeFileAtomic(
    path.join(dir, CA_FILES.rootKey),
    writePkcs12({ key: rootKeys.privateKey, certificate: root, chain: [], pin, friendlyName: 'root' }),
    0o600,
  )
  await writeFileAtomic(
    path.join(dir, CA_FILES.issuingKey),
    writePkcs12({
      key: issuingKeys.privateKey,
      certificate: issuing,
      chain: [root],
      pin,
      friendlyName: 'issuing',
    }),
    0o600,
  )
  await writeFileAtomic(path.join(dir, CA_FILES.root), toPem('CERTIFICATE', root))
  await writeFileAtomic(path.join(dir, CA_FILES.issuing), toPem('CERTIFICATE', issuing))

  // 3. CRLs, then the index last: its presence marks a complete CA.
  const index: CaIndex = {
    version: 1,
    crlNumber: 0,
    certificates: [entryFor(root, 'root-ca', 'root'), entryFor(issuing, 'issuing-ca', 'root')],
  }
  const keys = {
    root: { key: rootKeys.privateKey, certificate: root },
    issuing: { key: issuingKeys.privateKey, certificate: issuing },
  }
  await writeIndex(dir, await writeCrls(dir, index, keys, now))
}

export function entryFor(
  certificate: Buffer,
  kind: CaIndexEntry['kind'],
  issuedBy: CaIndexEntry['issuedBy'],
): CaIndexEntry {
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
