import { execFileSync } from 'node:child_process'
import { createHash, createPrivateKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SigningError } from '../../signing/errors'
import type { KeySource } from '../../signing/keys/key-source'

/**
 * A second test PKI made by openssl, independent of our own CA code, for the CMS and TSA tests:
 * a root with a Vietnamese UTF8String name and leaves issued with given extensions.
 */
export const ROOT_SUBJECT = '/CN=Kyso CA – Ủy ban nhân dân/O=Ủy ban nhân dân Thành phố Hồ Chí Minh/C=VN'
export const LEAF_EXT = 'keyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\n'
export const TSA_EXT = 'keyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n'

export interface OpensslSigner {
  key: KeyObject
  certificate: Buffer
  keySource: KeySource
}

export function openssl(dir: string, args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** root.key and root.pem in `dir`. */
export function makeOpensslRoot(dir: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'root.key',
    '-out',
    'root.pem',
    '-days',
    '30',
    '-utf8',
    '-subj',
    ROOT_SUBJECT,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
}

/** A leaf signed by the root in `dir`, with its key as a KeySource (chain: the root). */
export function issueWithOpenssl(
  dir: string,
  name: string,
  newkey: string[],
  subject: string,
  ext = LEAF_EXT,
): OpensslSigner {
  openssl(dir, [
    'req',
    '-new',
    ...newkey,
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-utf8',
    '-subj',
    subject,
  ])
  writeFileSync(join(dir, `${name}.ext`), ext)
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-days',
    '30',
    '-set_serial',
    '0x' + randomBytes(12).toString('hex'),
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ])
  const key = createPrivateKey(readFileSync(join(dir, `${name}.key`)))
  const certificate = new X509Certificate(readFileSync(join(dir, `${name}.pem`))).raw
  const root = new X509Certificate(readFileSync(join(dir, 'root.pem'))).raw
  return { key, certificate, keySource: keySourceOf(key, certificate, [root]) }
}

/** A KeySource over a node:crypto private key. */
export function keySourceOf(key: KeyObject, certificate: Buffer, chain: Buffer[]): KeySource {
  return {
    certificate,
    chain,
    keyAlgorithm: key.asymmetricKeyType === 'ec' ? 'EC' : 'RSA',
    sign: async (data) => sign('sha256', data, key),
  }
}

export async function rejectionCode(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (err: unknown) => (err instanceof SigningError ? err.code : String(err)),
  )
}

export const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest()
