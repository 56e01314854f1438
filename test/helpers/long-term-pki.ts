/**
 * A PKI for long-term signatures (issue 18), apart from the shared test PKI: a CA and a TSA that
 * last (the CA ten years, the TSA five), a TSA of two years (to be outlived by its time-stamps),
 * and three officials whose certificates last one year, so that three years on they have expired
 * while the CA and the long TSA have not.
 */
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import type { KeySource } from '../../signing/keys/key-source'
import {
  fromPem,
  initCa,
  issueCertificate,
  issueTsaCertificate,
  loadCrls,
  type ParsedCrl,
} from '../../signing/pki'
import { appearanceFromCertificate, signPdf } from '../../signing/sign'
import { builtinTsa, createTimestampToken } from '../../signing/tsa'
import { tempDir } from './tools'

export const DAY = 86_400_000
export const YEAR = 365 * DAY

export interface LongTermPki {
  dir: string
  caPin: string
  root: Buffer
  issuing: Buffer
  rootPem: string
  crls: () => ParsedCrl[]
  /** Five years. */
  tsa: KeySource
  /** Two years: its time-stamps must be renewed by another before it expires. */
  shortTsa: KeySource
  /** Three officials, one year each. */
  signers: { name: string; keySource: KeySource; serialHex: string }[]
}

export const OFFICIALS = ['Võ Văn Hoan', 'Nguyễn Thị Minh Khai', 'Trần Đức Lương']

export async function makeLongTermPki(): Promise<LongTermPki> {
  const dir = join(tempDir('kyso-ltv-pki-'), 'ca')
  process.once('exit', () => rmSync(join(dir, '..'), { recursive: true, force: true }))
  const caPin = 'ca-pin-2468'
  const pin = '123456'
  const now = new Date(Date.now() - DAY)
  await initCa(dir, { name: 'Lưu trữ dài hạn (thử nghiệm)', pin: caPin, now })
  const tsa = await issueTsaCertificate(dir, { caPin, pin, now, name: 'Kyso TSA 5 năm' })
  const shortTsa = await issueTsaCertificate(dir, {
    caPin,
    pin,
    now,
    name: 'Kyso TSA 2 năm',
    validityDays: 730,
  })
  const signers: LongTermPki['signers'] = []
  for (const name of OFFICIALS) {
    const issued = await issueCertificate(dir, {
      name,
      title: 'Chuyên viên',
      org: 'Sở Nội vụ',
      caPin,
      pin,
      now,
      validityDays: 365,
    })
    signers.push({ name, keySource: openPkcs12KeySource(issued.p12, pin), serialHex: issued.serialHex })
  }
  const rootPem = readFileSync(join(dir, 'root.pem'), 'latin1')
  return {
    dir,
    caPin,
    root: fromPem(rootPem, 'CERTIFICATE')[0] as Buffer,
    issuing: fromPem(readFileSync(join(dir, 'issuing.pem'), 'latin1'), 'CERTIFICATE')[0] as Buffer,
    rootPem,
    crls: () => loadCrls(readFileSync(join(dir, 'crl.pem'))),
    tsa: openPkcs12KeySource(tsa.p12, pin),
    shortTsa: openPkcs12KeySource(shortTsa.p12, pin),
    signers,
  }
}

/** A chain of three B-T signatures, one per official, time-stamped by `tsa`. */
export async function threeSignatures(
  pki: LongTermPki,
  pdf: Buffer,
  tsa: KeySource = pki.tsa,
): Promise<Buffer> {
  let out = pdf
  for (const s of pki.signers) {
    const appearance = appearanceFromCertificate(s.keySource.certificate)
    out = (await signPdf(out, { keySource: s.keySource, appearance, timestamp: builtinTsa(tsa) })).pdf
  }
  return out
}

/** A document time-stamp source (an imprint in, a token out) from a TSA key. */
export function stampsBy(tsa: KeySource): (imprint: Buffer) => Promise<Buffer> {
  return (imprint) => createTimestampToken({ imprint, keySource: tsa })
}
