/** Shared benchmark fixtures: a CA, a signer, and generated PDFs, cached in .bench/ (git-ignored). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { initCa, issueCertificate } from '../signing/pki'

export const ROOT = join(__dirname, '../..')
export const WORK = join(ROOT, '.bench')
export const PIN = '1234'

export async function makeDoc(pages: number, bigBytes = 0): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  for (let i = 0; i < pages; i++) {
    const p = doc.addPage([595.28, 841.89])
    p.drawText(`Trang ${i + 1}`, { x: 72, y: 760, size: 14, font })
  }
  // An incompressible attachment makes the file large without making it many objects.
  if (bigBytes > 0)
    await doc.attach(randomBytes(bigBytes), 'data.bin', { mimeType: 'application/octet-stream' })
  return Buffer.from(await doc.save())
}

export async function fixture(name: string, make: () => Promise<Buffer>): Promise<string> {
  mkdirSync(WORK, { recursive: true })
  const file = join(WORK, name)
  if (!existsSync(file)) writeFileSync(file, await make())
  return file
}

/** The bench CA (root.pem, crl.pem in .bench/ca) and an RSA-2048 signer's PKCS#12. */
export async function benchPki(): Promise<{ caDir: string; p12File: string; p12: Buffer }> {
  mkdirSync(WORK, { recursive: true })
  const caDir = join(WORK, 'ca')
  if (!existsSync(join(caDir, 'root.pem'))) await initCa(caDir, { pin: PIN })
  const p12File = join(WORK, 'signer.p12')
  if (!existsSync(p12File)) {
    const issued = await issueCertificate(caDir, {
      name: 'Nguyễn Văn Bench',
      title: 'Chuyên viên',
      org: 'Sở Khoa học và Công nghệ',
      caPin: PIN,
      pin: PIN,
      keyType: 'rsa2048',
    })
    writeFileSync(p12File, issued.p12)
  }
  return { caDir, p12File, p12: readFileSync(p12File) }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

/** Mean seconds per call of `fn`, after one warm-up, over at least `minMs` and `minRuns`. */
export async function timeIt(fn: () => unknown, minMs = 1500, minRuns = 3): Promise<number> {
  await fn()
  const start = process.hrtime.bigint()
  let runs = 0
  while (runs < minRuns || Number(process.hrtime.bigint() - start) / 1e6 < minMs) {
    await fn()
    runs++
  }
  return Number(process.hrtime.bigint() - start) / 1e9 / runs
}

/**
 * A child environment without NODE_EXTRA_CA_CERTS: when it is set (as on this workplace's
 * machines) every Node process parses that CA bundle at start-up, ~60-90 ms here, before any of
 * our code runs. A deployment does not need it; whole-process figures use this environment and
 * say so.
 */
export const PLAIN_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'),
)
