/**
 * A stand-in for the national PKI (the Government Cipher Committee's root and a CA under it)
 * issuing the public-duty certificates officials hold outside Kyso: on a USB token, at a remote
 * signing provider, or in a vendor tool's PKCS#12. Separate from the service's internal CA, so a
 * validator that trusts only this root tells which signatures a recipient can trust.
 */
import type { KeyObject } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  fromPem,
  initCa,
  issueCertificate,
  issueCertificateForKey,
  revokeCertificate,
  type KeyType,
} from '../../signing/pki'
import { tempDir } from './tools'

export const NATIONAL_CA_NAME = 'Ban Cơ yếu Chính phủ (thử nghiệm Kyso)'

export interface NationalHolder {
  name: string
  title?: string
  org?: string
  seal?: boolean
  keyType?: KeyType
}

export interface NationalPki {
  dir: string
  caPin: string
  /** PIN of every PKCS#12 it writes. */
  pin: string
  rootPem: string
  rootDer: Buffer
  /** The issuing CA's certificate (the chain a holder submits with their certificate). */
  issuingPem: string
  /** The current CRLs, one PEM block each (issuing CA's, then the root's). */
  crlPems: () => string[]
  /** Issues a PKCS#12 (written to a file) for a holder. */
  issue: (
    holder: NationalHolder,
  ) => Promise<{ p12File: string; certificate: Buffer; pem: string; serialHex: string }>
  /** Certifies a public key made elsewhere (a token's). */
  certifyKey: (
    holder: NationalHolder,
    publicKey: KeyObject,
  ) => Promise<{ certificate: Buffer; pem: string; serialHex: string }>
  revoke: (serialHex: string) => Promise<void>
}

const pemOf = (der: Buffer): string =>
  `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)
    ?.join('\n')}\n-----END CERTIFICATE-----\n`

export async function createNationalPki(): Promise<NationalPki> {
  const top = tempDir('kyso-national-')
  const dir = join(top, 'ca')
  const caPin = 'national-ca-pin'
  const pin = '135790'
  await initCa(dir, { name: NATIONAL_CA_NAME, pin: caPin })
  const rootPem = readFileSync(join(dir, 'root.pem'), 'utf8')
  const issuingPem = readFileSync(join(dir, 'issuing.pem'), 'utf8')
  let n = 0
  // One writer at a time: each issue rewrites the CA's index.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn)
    queue = run.catch(() => undefined)
    return run
  }
  return {
    dir,
    caPin,
    pin,
    rootPem,
    rootDer: fromPem(rootPem, 'CERTIFICATE')[0] as Buffer,
    issuingPem,
    crlPems: () =>
      readFileSync(join(dir, 'crl.pem'), 'latin1').match(
        /-----BEGIN X509 CRL-----[^-]+-----END X509 CRL-----\n?/g,
      ) ?? [],
    issue: (holder) =>
      serial(async () => {
        const issued = await issueCertificate(dir, { ...holder, caPin, pin })
        const p12File = join(top, `holder-${++n}.p12`)
        writeFileSync(p12File, issued.p12)
        return {
          p12File,
          certificate: issued.certificate,
          pem: pemOf(issued.certificate),
          serialHex: issued.serialHex,
        }
      }),
    certifyKey: (holder, publicKey) =>
      serial(async () => {
        const issued = await issueCertificateForKey(dir, { ...holder, caPin, publicKey })
        return {
          certificate: issued.certificate,
          pem: pemOf(issued.certificate),
          serialHex: issued.serialHex,
        }
      }),
    revoke: (serialHex) =>
      serial(() => revokeCertificate(dir, serialHex, { caPin, reason: 'keyCompromise' })),
  }
}
