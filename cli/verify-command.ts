import { existsSync, readFileSync } from 'node:fs'
import { parse } from './main'
import { UsageError } from './pin'
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
  const { values, positionals } = parse(args, {
    trust: { type: 'string', multiple: true }, crl: { type: 'string', multiple: true }, json: { type: 'boolean' }, lang: { type: 'string' },
  })
  const input = positionals[0]
  if (!input || positionals.length > 1) throw new UsageError('give exactly one PDF to verify')
  const lang = (values.lang as string | undefined) ?? 'vi'
  if (lang !== 'vi' && lang !== 'en') throw new UsageError('--lang must be vi or en')
  if (!existsSync(input)) throw new UsageError(`cannot read PDF '${input}': ENOENT`)
  const trustAnchors = readAll(values.trust, 'trust anchor').flatMap(certificatesIn)
  const crls = readAll(values.crl, 'CRL')
  const { loadCrls } = require('../signing/pki') as typeof import('../signing/pki')
  crls.forEach((c) => loadCrls(c)) // a broken CRL file is a usage error here, not inside the worker
  const { verifyPdfIsolated } = require('../signing/verify') as typeof import('../signing/verify')
  // The file is read and parsed in a worker with time and memory limits: a hostile PDF ends in
  // an error code, never in a hung or crashed command.
  const report = await verifyPdfIsolated({ pdf: { path: input }, trustAnchors, crls }, { timeoutMs: 60_000 })
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  else {
    const { renderReport } = require('./verify-report') as typeof import('./verify-report')
    process.stdout.write(renderReport(report, lang))
  }
  return report.indication === 'PASSED' ? 0 : 1
}
