/**
 * The PKI behind the test CSC provider: a CA standing in for a licensed public CA under the
 * national root, separate from the agency's own test CA (test-pki.ts), and the holders whose keys
 * the provider keeps. Created once per mocha process in a temporary directory (removed at exit).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fromPem, initCa, issueCertificate, loadCrls, type KeyType, type ParsedCrl } from '../../signing/pki'
import { tempDir } from './tools'

export const CSC_CA_NAME = 'Test National Root CA (Kyso tests)'
export const CSC_ORG = 'Ủy ban nhân dân tỉnh Bình Dương'

/** Holders and their keys: An has RSA 2048 and P-256, Bình P-256 only. */
const HOLDERS = {
  anRsa: { name: 'Nguyễn Văn An', title: 'Giám đốc Sở', keyType: 'rsa2048' },
  anEc: { name: 'Nguyễn Văn An', title: 'Giám đốc Sở', keyType: 'p256' },
  binhEc: { name: 'Trần Thị Bình', title: 'Chánh Văn phòng', keyType: 'p256' },
} as const satisfies Record<string, { name: string; title: string; keyType: KeyType }>

export type CscHolderKey = keyof typeof HOLDERS

export interface CscTestPki {
  rootDer: Buffer
  rootPem: string
  /** The CA's current CRLs, so a validator can check revocation. */
  crls: ParsedCrl[]
  /** PIN of every PKCS#12 file below. */
  pin: string
  /** PKCS#12 file of each holder key. */
  p12Files: Record<CscHolderKey, string>
}

let cached: Promise<CscTestPki> | undefined

/** The provider's PKI (first call creates it, about a second; later calls share it). */
export function getCscTestPki(): Promise<CscTestPki> {
  cached ??= createCscTestPki()
  return cached
}

async function createCscTestPki(): Promise<CscTestPki> {
  const top = tempDir('kyso-csc-pki-')
  process.once('exit', () => rmSync(top, { recursive: true, force: true }))
  const dir = join(top, 'ca')
  const pin = '246810'
  const caPin = 'csc-ca-pin-1357'
  await initCa(dir, { name: CSC_CA_NAME, pin: caPin })
  const p12Files: Partial<Record<CscHolderKey, string>> = {}
  // Sequential: each issue rewrites the CA's index.json.
  for (const key of Object.keys(HOLDERS) as CscHolderKey[]) {
    const holder = HOLDERS[key]
    const { p12 } = await issueCertificate(dir, { ...holder, org: CSC_ORG, caPin, pin })
    const file = join(top, `${key}.p12`)
    writeFileSync(file, p12)
    p12Files[key] = file
  }
  const rootPem = readFileSync(join(dir, 'root.pem'), 'utf8')
  return {
    rootDer: fromPem(rootPem, 'CERTIFICATE')[0]!,
    rootPem,
    crls: loadCrls(readFileSync(join(dir, 'crl.pem'))),
    pin,
    p12Files: p12Files as Record<CscHolderKey, string>,
  }
}
