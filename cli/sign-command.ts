import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { parse, required, UsageError } from './args'
import { spec } from './commands'
import { refuseOutputOverInput } from './output-path'
import { readPin } from './pin'
import { openTsa, readInput, validationSources } from './ltv-options'
import type { ParsedCrl } from '../signing/pki'

const MARKERS = ['KT.', 'TL.', 'TUQ.', 'TM.', 'Q.'] as const
const LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const

function parseRect(s: string): { x: number; y: number; width: number; height: number } {
  const n = s.split(',').map(Number)
  if (
    n.length !== 4 ||
    n.some((v) => !Number.isFinite(v)) ||
    (n[2] as number) <= 0 ||
    (n[3] as number) <= 0
  ) {
    throw new UsageError(`--rect must be x,y,w,h in points with w and h > 0, not '${s}'`)
  }
  const [x, y, width, height] = n as [number, number, number, number]
  return { x, y, width, height }
}

/** `kyso sign`: one PAdES signature appended to IN.pdf, written to OUT.pdf. */
export async function signCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, spec('sign'))
  const input = positionals[0]
  if (!input || positionals.length > 1) throw new UsageError('give exactly one input PDF')
  const out = required(values, 'out')
  refuseOutputOverInput(input, out)
  const marker = values.marker as string | undefined
  if (marker !== undefined && !(MARKERS as readonly string[]).includes(marker))
    throw new UsageError(`--marker must be one of ${MARKERS.join(' ')}`)
  const level = (values.level as string | undefined) ?? (values.tsa ? 'B-T' : 'B-B')
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--level must be one of ${LEVELS.join(', ')}`)
  }
  if (level !== 'B-B' && !values.tsa) {
    throw new UsageError(`--level ${level} needs --tsa URL or --tsa builtin`)
  }
  if (values.invisible && (values.rect || values.page))
    throw new UsageError('--invisible cannot go with --page or --rect')
  const page = values.page !== undefined ? Number(values.page) : undefined
  if (page !== undefined && (!Number.isInteger(page) || page < 1))
    throw new UsageError('--page must be a page number from 1')
  const certify = values.certify === undefined ? undefined : Number(values.certify)
  if (certify !== undefined && certify !== 1 && certify !== 2 && certify !== 3)
    throw new UsageError(
      '--certify must be 1 (no changes), 2 (form filling and signing) or 3 (also annotations)',
    )
  const kind = values.appearance as string | undefined
  if (kind !== undefined && kind !== 'personal' && kind !== 'seal' && kind !== 'text')
    throw new UsageError('--appearance must be personal, seal or text')

  const pdf = readInput(input, 'input PDF')
  const p12 = readInput(required(values, 'p12'), 'PKCS#12 file')
  const image = typeof values.image === 'string' ? readInput(values.image, 'image') : undefined
  const pin = await readPin('KYSO_PIN', 'PIN')

  const { openPkcs12KeySource } = require('../signing/keys/pkcs12') as typeof import('../signing/keys/pkcs12')
  const keySource = openPkcs12KeySource(p12, pin)
  const caDir = values['ca-dir'] as string | undefined
  const revocation = revocationData(caDir)

  const tsa = level === 'B-B' ? undefined : await openTsa(String(values.tsa), caDir)
  // B-LT and B-LTA (issue 18): the sources of the validation data, read before anything is signed.
  const longTerm = level === 'B-LT' || level === 'B-LTA' ? validationSources(values) : undefined

  const { signPdf, appearanceFromCertificate } =
    require('../signing/sign') as typeof import('../signing/sign')
  const appearance = values.invisible
    ? ('invisible' as const)
    : appearanceFromCertificate(keySource.certificate, {
        ...(kind !== undefined && { kind: kind as 'personal' | 'seal' | 'text' }),
        ...(marker !== undefined && { marker: marker as (typeof MARKERS)[number] }),
        ...(typeof values.principal === 'string' && { principalTitle: values.principal }),
        ...(image && { imagePng: image }),
      })
  const result = await signPdf(pdf, {
    keySource,
    appearance,
    ...(typeof values.reason === 'string' && { reason: values.reason }),
    ...(typeof values.location === 'string' && { location: values.location }),
    ...(page !== undefined && { page }),
    ...(typeof values.rect === 'string' && { rect: parseRect(values.rect) }),
    ...(tsa && { timestamp: tsa.forSignature }),
    ...(revocation && { revocation }),
    ...(certify !== undefined && { certify: certify as 1 | 2 | 3 }),
  })
  let signed = result.pdf
  if (longTerm && tsa && (level === 'B-LT' || level === 'B-LTA')) {
    const { extendPdf } = require('../signing/ltv') as typeof import('../signing/ltv')
    signed = (await extendPdf(signed, { level, ...longTerm, timestamp: tsa.forImprint })).pdf
  }
  // Write to a temporary name first so a crash never leaves a half-written OUT.pdf.
  const tmp = `${out}.kyso-tmp`
  writeFileSync(tmp, signed)
  renameSync(tmp, out)
  process.stdout.write(`signed ${result.fieldName} (${level}) -> ${out}\n`)
  return 0
}

/** The CA's CRLs from --ca-dir for the revocation check; without it, a warning (the check is skipped). */
function revocationData(caDir: string | undefined): { crls: ParsedCrl[]; issuers: Buffer[] } | undefined {
  if (!caDir) {
    process.stderr.write('kyso: warning: revocation was not checked (no --ca-dir)\n')
    return undefined
  }
  const pki = require('../signing/pki') as typeof import('../signing/pki')
  const crlPath = join(caDir, 'crl.pem')
  if (!existsSync(crlPath)) throw new UsageError(`no CRL at ${crlPath}`)
  const issuers = ['issuing.pem', 'root.pem']
    .map((f) => join(caDir, f))
    .filter(existsSync)
    .map((f) => pemToDer(readFileSync(f, 'latin1')))
  return { crls: pki.loadCrls(readFileSync(crlPath)), issuers }
}

export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END/.exec(pem)
  return Buffer.from(m ? (m[1] as string).replace(/\s+/g, '') : '', 'base64')
}
