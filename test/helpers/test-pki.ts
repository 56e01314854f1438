/**
 * The test PKI, declared in one place: a CA with a Vietnamese name and the signers every suite
 * uses. Created once per mocha process in a temporary directory (removed at exit) and cached.
 *
 * The CA is dated two years back so that the expired signer lies inside the CA's validity, as a
 * genuinely expired certificate would; crl.pem is current because the revocation below rewrites it.
 */
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  initCa,
  issueCertificate,
  issueTsaCertificate,
  revokeCertificate,
  type KeyType,
} from '../../signing/pki'
import { tempDir } from './tools'

export const TEST_ORG = 'Ủy ban nhân dân Thành phố Hồ Chí Minh'
export const TEST_CA_NAME = 'Sở Khoa học và Công nghệ (thử nghiệm)'

export type TestSignerKey = 'hoan' | 'khai' | 'luong' | 'seal' | 'tsa' | 'expired' | 'revoked'

export interface TestSigner {
  p12: Buffer
  certificate: Buffer
  name: string
  title?: string
  org?: string
  serialHex: string
}

export interface TestPki {
  dir: string
  rootPem: string
  rootDer: Buffer
  issuingPem: string
  issuingDer: Buffer
  /** Protects every signer's PKCS#12 (TSA included). */
  pin: string
  caPin: string
  /** Indexable by any string (undefined for unknown keys); the declared keys are always there. */
  signers: Record<string, TestSigner> & Record<TestSignerKey, TestSigner>
}

interface SignerRecipe {
  name: string
  title?: string
  org?: string
  seal?: boolean
  keyType?: KeyType
  email?: string
  notBefore?: Date
  notAfter?: Date
}

const DAY = 24 * 60 * 60 * 1000

function recipes(now: Date): Record<Exclude<TestSignerKey, 'tsa'>, SignerRecipe> {
  return {
    hoan: { name: 'Võ Văn Hoan', title: 'Phó Chủ tịch', org: TEST_ORG, email: 'vvhoan@tphcm.gov.vn' },
    khai: { name: 'Nguyễn Thị Minh Khai', title: 'Trưởng phòng Hành chính', org: TEST_ORG, keyType: 'p256' },
    luong: { name: 'Trần Đức Lương', title: 'Chánh Văn phòng', org: TEST_ORG },
    seal: { name: TEST_ORG, org: TEST_ORG, seal: true },
    expired: {
      name: 'Phạm Quốc Bảo',
      title: 'Chuyên viên',
      org: TEST_ORG,
      keyType: 'p256',
      notBefore: new Date(now.getTime() - 400 * DAY),
      notAfter: new Date(now.getTime() - 35 * DAY),
    },
    revoked: {
      name: 'Đặng Thị Thu Hà',
      title: 'Văn thư',
      org: TEST_ORG,
      keyType: 'p256',
      notBefore: new Date(now.getTime() - 30 * DAY),
    },
  }
}

let cached: Promise<TestPki> | undefined

/** The shared test PKI (first call creates it, ~1 s; later calls return the same object). */
export function getTestPki(): Promise<TestPki> {
  cached ??= createTestPki()
  return cached
}

async function createTestPki(): Promise<TestPki> {
  const dir = join(tempDir('kyso-test-pki-'), 'ca')
  process.once('exit', () => rmSync(join(dir, '..'), { recursive: true, force: true }))
  const pin = '123456'
  const caPin = 'ca-pin-2468'
  const now = new Date()
  await initCa(dir, { name: TEST_CA_NAME, pin: caPin, now: new Date(now.getTime() - 2 * 365 * DAY) })

  const signers: Partial<Record<TestSignerKey, TestSigner>> = {}
  // Sequential: each issue rewrites index.json.
  for (const [key, recipe] of Object.entries(recipes(now)) as Array<[TestSignerKey, SignerRecipe]>) {
    const issued = await issueCertificate(dir, { ...recipe, caPin, pin, now })
    signers[key] = {
      ...issued,
      name: recipe.name,
      ...(recipe.title && { title: recipe.title }),
      ...(recipe.org && { org: recipe.org }),
    }
  }
  // Backdated so that tests can make timestamps in the past that its validity still covers.
  const tsa = await issueTsaCertificate(dir, { caPin, pin, now: new Date(now.getTime() - 60 * DAY) })
  signers.tsa = { ...tsa, name: 'Kyso Time Stamping Authority' }
  await revokeCertificate(dir, signers.revoked!.serialHex, {
    caPin,
    reason: 'keyCompromise',
    now: new Date(now.getTime() - DAY),
  })

  const rootPem = readFileSync(join(dir, 'root.pem'), 'utf8')
  const issuingPem = readFileSync(join(dir, 'issuing.pem'), 'utf8')
  return {
    dir,
    rootPem,
    rootDer: pemToDer(rootPem),
    issuingPem,
    issuingDer: pemToDer(issuingPem),
    pin,
    caPin,
    signers: signers as TestPki['signers'],
  }
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64')
}
