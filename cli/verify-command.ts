import { readFileSync } from 'node:fs'
import { parse, UsageError } from './args'
import { spec } from './commands'
import { parseInstant } from '../shared/dates'
import { pemToDer } from './sign-command'

function readAll(paths: unknown, what: string): Buffer[] {
  const list = Array.isArray(paths) ? (paths as string[]) : []
  return list.map((p) => {
    try {
      return readFileSync(p)
    } catch (err) {
      throw new UsageError(`cannot read ${what} '${p}': ${(err as NodeJS.ErrnoException).code ?? ''}`)
    }
  })
}

/** Every PEM certificate in a file (a trust file may hold several), or the file itself as DER. */
function certificatesIn(file: Buffer): Buffer[] {
  const text = file.toString('latin1')
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)
  return blocks ? blocks.map(pemToDer) : [file]
}

/** `kyso verify`: a report per signature; exit 0 only when every signature PASSED. */
export async function verifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, spec('verify'))
  const input = positionals[0]
  if (!input || positionals.length > 1) throw new UsageError('give exactly one PDF to verify')
  const lang = (values.lang as string | undefined) ?? 'vi'
  if (lang !== 'vi' && lang !== 'en') throw new UsageError('--lang must be vi or en')
  const trustAnchors = readAll(values.trust, 'trust anchor').flatMap(certificatesIn)
  const { loadCrls } = require('../signing/pki/crl') as typeof import('../signing/pki/crl')
  const crls = readAll(values.crl, 'CRL').flatMap((b) => loadCrls(b))
  const pdf = readAll([input], 'PDF')[0] as Buffer
  // Issue 18: validate at a given time; with no --crl, from what the file carries (its DSS) alone.
  const now = validationTime(values.at)
  // In-process: this command is itself a process its user can stop, and the parser bounds its own
  // loops, nesting and decompression. The service validates in a worker (verifyPdfIsolated) so
  // that a hostile upload costs a request, not the server; `--isolate` does the same here.
  const allow = (values['fetch-crls-from'] as string[] | undefined) ?? []
  const verify = (): typeof import('../signing/verify') =>
    require('../signing/verify') as typeof import('../signing/verify')
  const isolatedInput = { pdf: { path: input }, trustAnchors, crls: readAll(values.crl, 'CRL'), ...now }
  const report = allow.length
    ? await verify().verifyPdfFetchingCrls(pdf, { trustAnchors, crls, crlFetch: { allow }, ...now })
    : values.isolate
      ? await verify().verifyPdfIsolated(isolatedInput, { timeoutMs: 60_000 })
      : (require('../signing/verify/verify-pdf') as typeof import('../signing/verify/verify-pdf')).verifyPdf(
          pdf,
          { trustAnchors, crls, ...now },
        )
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  else {
    const { renderReport } = require('./verify-report') as typeof import('./verify-report')
    process.stdout.write(renderReport(report, lang))
  }
  return report.indication === 'PASSED' ? 0 : 1
}

/** `--at TIME`: an ISO 8601 date or date-time (a date alone is midnight UTC). */
function validationTime(at: unknown): { now?: Date } {
  if (at === undefined) return {}
  const when = parseInstant(at)
  if (!when) {
    throw new UsageError(
      `--at must be an ISO 8601 time such as 2029-07-25T09:00:00+07:00, not '${String(at)}'`,
    )
  }
  return { now: when }
}
