/**
 * The CA directory: file names, the index of issued certificates, and opening the CA keys.
 *
 *   root.pem      trust anchor (self-signed root)
 *   issuing.pem   issuing CA certificate (signed by the root)
 *   root.p12      root key + certificate, protected by the CA PIN
 *   issuing.p12   issuing key + certificate + root, protected by the CA PIN
 *   index.json    every certificate issued, with revocation state
 *   crl.pem       current CRLs: the issuing CA's, then the root's
 *
 * One writer at a time: there is no lock, so two processes issuing into the same directory at
 * once could lose an index entry. Files are replaced by rename so a reader never sees half a file.
 */
import * as crypto from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { SigningError } from '../errors'
import { readPkcs12 } from '../keys/pkcs12'
import type { RevocationReason } from './crl-builder'

export const CA_FILES = {
  root: 'root.pem',
  issuing: 'issuing.pem',
  rootKey: 'root.p12',
  issuingKey: 'issuing.p12',
  index: 'index.json',
  crl: 'crl.pem',
} as const

export type CertificateKind = 'root-ca' | 'issuing-ca' | 'personal' | 'seal' | 'tsa' | 'service'

export interface CaIndexEntry {
  /** Upper-case hex, as `openssl x509 -serial` prints it. */
  serialHex: string
  subject: string
  kind: CertificateKind
  /** Which CA key signed it, hence which CRL lists it. */
  issuedBy: 'root' | 'issuing'
  notBefore: string
  notAfter: string
  revokedAt?: string
  reason?: RevocationReason
}

export interface CaIndex {
  version: 1
  /** Last CRL number used (RFC 5280 §5.2.3), shared by both CAs' CRLs. */
  crlNumber: number
  certificates: CaIndexEntry[]
}

export interface CaKey {
  key: crypto.KeyObject
  certificate: Buffer
}

export async function readIndex(dir: string): Promise<CaIndex> {
  let text: string
  try {
    text = await fs.readFile(path.join(dir, CA_FILES.index), 'utf8')
  } catch (err) {
    throw new SigningError('CA_NOT_FOUND', `Không tìm thấy CA trong thư mục ${dir}`, { cause: err })
  }
  let index: CaIndex | undefined
  try {
    index = JSON.parse(text) as CaIndex
  } catch {
    index = undefined
  }
  if (index?.version !== 1 || !Array.isArray(index.certificates)) {
    throw new SigningError('CA_NOT_FOUND', `${path.join(dir, CA_FILES.index)} is not a Kyso CA index`)
  }
  return index
}

export async function writeIndex(dir: string, index: CaIndex): Promise<void> {
  await writeFileAtomic(path.join(dir, CA_FILES.index), `${JSON.stringify(index, null, 2)}\n`)
}

/** Opens root.p12 or issuing.p12 with the CA PIN (PIN_INCORRECT when it is wrong). */
export async function openCaKey(dir: string, which: 'root' | 'issuing', caPin: string): Promise<CaKey> {
  const file = path.join(dir, which === 'root' ? CA_FILES.rootKey : CA_FILES.issuingKey)
  let p12: Buffer
  try {
    p12 = await fs.readFile(file)
  } catch (err) {
    throw new SigningError('CA_NOT_FOUND', `Không tìm thấy khóa CA ${file}`, { cause: err })
  }
  const { key, certificate } = readPkcs12(p12, caPin)
  return { key, certificate }
}

/** CA_EXISTS when any CA file is already in `dir`. */
export async function assertNoCa(dir: string): Promise<void> {
  for (const name of Object.values(CA_FILES)) {
    const exists = await fs.stat(path.join(dir, name)).then(
      () => true,
      () => false,
    )
    if (exists) throw new SigningError('CA_EXISTS', `Thư mục ${dir} đã chứa một CA (${name})`)
  }
}

/** Write to a temporary name, then rename over the target (atomic on one filesystem). */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const temporary = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`
  await fs.writeFile(temporary, data, { mode })
  await fs.rename(temporary, file)
}

/** "0a1b…" or "0A:1B:…" -> "0A1B…" without leading zero bytes, the form the index keeps. */
export function normaliseSerial(serialHex: string): string {
  const hex = serialHex
    .replace(/[:\s]/g, '')
    .toUpperCase()
    .replace(/^(00)+(?=..)/, '')
  return hex.length % 2 === 1 ? `0${hex}` : hex
}
