import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Independent validators (poppler, qpdf, openssl), run as separate processes on real files. */

export function tempDir(prefix = 'kyso-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** An NSS database that trusts only `rootPem`, for pdfsig's certificate validation. */
export function nssDbTrusting(rootPem: string): string {
  const dir = tempDir('kyso-nss-')
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password'])
  writeFileSync(join(dir, 'root.pem'), rootPem)
  execFileSync('certutil', [
    '-A',
    '-d',
    `sql:${dir}`,
    '-n',
    'kyso-test-root',
    '-t',
    'CT,C,C',
    '-i',
    join(dir, 'root.pem'),
  ])
  return dir
}

export interface PdfsigSignature {
  field: string
  signatureValid: boolean
  signatureStatus: string
  certificateStatus: string
  totalDocumentSigned: boolean
}

/** Runs pdfsig and parses its lines (it exits 0 even on "Digest Mismatch", so the text decides). */
export function pdfsig(file: string, nssDir?: string): PdfsigSignature[] {
  const args = [...(nssDir ? ['-nssdir', `sql:${nssDir}`] : []), file]
  const r = spawnSync('pdfsig', args, { encoding: 'utf8', timeout: 60_000 })
  return parsePdfsig((r.stdout ?? '') + (r.stderr ?? ''))
}

/** pdfsig without its online OCSP check (`-no-ocsp`). */
export function pdfsigOffline(file: string, nssDir: string): PdfsigSignature[] {
  const args = ['-nssdir', `sql:${nssDir}`, '-no-ocsp', file]
  const r = spawnSync('pdfsig', args, { encoding: 'utf8', timeout: 60_000 })
  return parsePdfsig((r.stdout ?? '') + (r.stderr ?? ''))
}

/**
 * A tool as a child process that does not block this one: it may ask a service running in this
 * very process (the OCSP responder a certificate names, issue 18). Resolves with both streams.
 */
export function runAsync(
  cmd: string,
  args: string[],
  cwd?: string,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...(cwd && { cwd }) })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c))
    child.on('close', (code) => resolve({ code: code ?? -1, output }))
  })
}

/**
 * NSS's own check of a certificate with OCSP (vfychain, libpkix): the leaf's status asked of the
 * responder its authorityInfoAccess names, the answer required (`failIfNoInfo`).
 */
export async function nssOcspCheck(nssDir: string, certDer: string, issuerDer: string): Promise<string> {
  const revocation = ['-g', 'leaf', '-m', 'ocsp', '-s', 'failIfNoInfo']
  const args = ['-d', `sql:${nssDir}`, '-u', '4', '-pp', ...revocation, certDer, issuerDer]
  return (await runAsync('vfychain', args)).output
}

function parsePdfsig(out: string): PdfsigSignature[] {
  const sigs: PdfsigSignature[] = []
  for (const block of out.split(/^Signature #\d+:$/m).slice(1)) {
    const field = /Signature Field Name: (.*)$/m.exec(block)?.[1]?.trim() ?? ''
    const sv = /Signature Validation: (.*)$/m.exec(block)?.[1]?.trim() ?? ''
    const cv = /Certificate Validation: (.*)$/m.exec(block)?.[1]?.trim() ?? ''
    sigs.push({
      field,
      signatureStatus: sv,
      signatureValid: sv === 'Signature is Valid.',
      certificateStatus: cv,
      totalDocumentSigned: /^\s*- Total document signed/m.test(block),
    })
  }
  return sigs
}

export function qpdfCheck(file: string): { code: number; output: string } {
  const r = spawnSync('qpdf', ['--check', file], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status ?? -1, output: (r.stdout ?? '') + (r.stderr ?? '') }
}

export function pdftotext(file: string, page?: number): string {
  const args = [...(page ? ['-f', String(page), '-l', String(page)] : []), '-enc', 'UTF-8', file, '-']
  return execFileSync('pdftotext', args, { encoding: 'utf8' })
}

/** The signatures of a file as raw bytes, found by ByteRange text alone (independent of our reader). */
export function extractSignatures(pdf: Buffer): { cms: Buffer; signedData: Buffer; byteRange: number[] }[] {
  const out: { cms: Buffer; signedData: Buffer; byteRange: number[] }[] = []
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g
  const text = pdf.toString('latin1')
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number]
    const hex = pdf.toString('latin1', b + 1, c - 1)
    let der = Buffer.from(hex, 'hex')
    // Drop the zero padding after the DER SEQUENCE.
    const lenBytes = (der[1] as number) & 0x7f
    const len =
      (der[1] as number) < 0x80
        ? (der[1] as number)
        : der.subarray(2, 2 + lenBytes).reduce((n, x) => n * 256 + x, 0)
    der = der.subarray(0, 2 + ((der[1] as number) < 0x80 ? 0 : lenBytes) + len)
    out.push({
      cms: der,
      signedData: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]),
      byteRange: [a, b, c, d],
    })
  }
  return out
}

/** `openssl cms -verify` of one detached signature against a root; returns [ok, output]. */
export function opensslCmsVerify(
  cms: Buffer,
  content: Buffer,
  rootPemFile: string,
): { ok: boolean; output: string } {
  const dir = tempDir('kyso-cms-')
  writeFileSync(join(dir, 'sig.der'), cms)
  writeFileSync(join(dir, 'data.bin'), content)
  const r = spawnSync(
    'openssl',
    [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      join(dir, 'sig.der'),
      '-content',
      join(dir, 'data.bin'),
      '-CAfile',
      rootPemFile,
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ],
    { encoding: 'utf8' },
  )
  return { ok: r.status === 0, output: (r.stdout ?? '') + (r.stderr ?? '') }
}

/**
 * A copy of a signed file with one byte changed inside the signed range: one hex digit of the
 * /Producer string that pdf-lib writes (a classic-xref file made by `makePdf({ xref: 'table' })`),
 * so the file still parses and only the digest can tell.
 */
export function flipSignedByte(pdf: Buffer): Buffer {
  const at = pdf.indexOf('/Producer <FEFF00', 0, 'latin1')
  if (at < 0) throw new Error('no /Producer hex string to tamper with')
  const out = Buffer.from(pdf)
  const pos = at + '/Producer <FEFF00'.length
  out[pos] = out[pos] === 0x37 ? 0x36 : 0x37
  return out
}
