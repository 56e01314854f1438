import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TSA_P12 } from './ca-command'
import { UsageError } from './args'
import { readPin } from './pin'
import type { ExtendOptions, LongTermLevel } from '../signing/ltv'

// Their options (--ca-dir, --crl, --cert, --fetch-crls-from, --tsa) are in commands.ts: LONG_TERM.

export function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    )
  }
}

/** Every certificate in a PEM file (several may be), or the file itself as DER. */
export function certificatesIn(file: Buffer): Buffer[] {
  const { fromPem } = require('../signing/pki/pem') as typeof import('../signing/pki/pem')
  const blocks = fromPem(file.toString('latin1'), 'CERTIFICATE')
  return blocks.length ? blocks : [file]
}

/** Time-stamp sources of one TSA: over a signature value (B-T) and over an imprint (B-LTA). */
export interface TsaSources {
  forSignature: (signatureValue: Buffer) => Promise<Buffer>
  forImprint: (imprint: Buffer) => Promise<Buffer>
}

/** `--tsa URL` (an RFC 3161 service over HTTP) or `--tsa builtin` (the TSA key of `--ca-dir`). */
export async function openTsa(tsa: string, caDir: string | undefined): Promise<TsaSources> {
  const tsaMod = require('../signing/tsa') as typeof import('../signing/tsa')
  if (tsa !== 'builtin')
    return { forSignature: tsaMod.httpTsa(tsa), forImprint: tsaMod.httpTsaForImprint(tsa) }
  if (!caDir || !existsSync(join(caDir, TSA_P12)))
    throw new UsageError('--tsa builtin needs --ca-dir DIR of a CA made by kyso ca init')
  const { openPkcs12KeySource } = require('../signing/keys/pkcs12') as typeof import('../signing/keys/pkcs12')
  const caPin = await readPin('KYSO_CA_PIN', 'CA PIN')
  const keySource = openPkcs12KeySource(readFileSync(join(caDir, TSA_P12)), caPin)
  return {
    forSignature: tsaMod.builtinTsa(keySource),
    forImprint: (imprint) => tsaMod.createTimestampToken({ imprint, keySource }),
  }
}

export function longTermLevel(v: unknown): LongTermLevel {
  if (v === 'B-LT' || v === 'B-LTA') return v
  throw new UsageError(`--level must be B-LT or B-LTA${v === undefined ? '' : `, not '${String(v)}'`}`)
}

/**
 * Where the validation data comes from: the CA directory (its CRLs, root and issuing
 * certificates), CRL files, certificates that complete paths, and allow-listed URL prefixes from
 * which CRLs and OCSP answers may be fetched (nothing else is ever requested).
 */
export function validationSources(
  values: Record<string, unknown>,
): Omit<ExtendOptions, 'level' | 'timestamp'> {
  const { loadCrls } = require('../signing/pki/crl') as typeof import('../signing/pki/crl')
  const caDir = values['ca-dir'] as string | undefined
  const list = (key: string): string[] => (Array.isArray(values[key]) ? (values[key] as string[]) : [])
  const crls = list('crl').flatMap((p) => loadCrls(readInput(p, 'CRL')))
  const certificates = list('cert').flatMap((p) => certificatesIn(readInput(p, 'certificate')))
  if (caDir) {
    const crlPath = join(caDir, 'crl.pem')
    if (!existsSync(crlPath)) throw new UsageError(`no CRL at ${crlPath}`)
    crls.push(...loadCrls(readFileSync(crlPath)))
    for (const f of ['issuing.pem', 'root.pem'].map((n) => join(caDir, n)).filter(existsSync)) {
      certificates.push(...certificatesIn(readFileSync(f)))
    }
  }
  const allow = list('fetch-crls-from')
  return { crls, certificates, ...(allow.length > 0 && { fetch: { allow } }) }
}
