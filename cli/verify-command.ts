import { readFileSync } from 'node:fs'
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
    trust: { type: 'string', multiple: true }, crl: { type: 'string', multiple: true }, json: { type: 'boolean' },
  })
  const input = positionals[0]
  if (!input || positionals.length > 1) throw new UsageError('give exactly one PDF to verify')
  const pdf = readAll([input], 'PDF')[0] as Buffer
  const trustAnchors = readAll(values.trust, 'trust anchor').flatMap(certificatesIn)
  const { loadCrls } = require('../signing/pki') as typeof import('../signing/pki')
  const crls = readAll(values.crl, 'CRL').flatMap((b) => loadCrls(b))
  const { verifyPdf } = require('../signing/verify') as typeof import('../signing/verify')
  const report = verifyPdf(pdf, { trustAnchors, crls })
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  } else {
    if (report.signatures.length === 0) process.stdout.write('no signatures\n')
    for (const s of report.signatures) {
      process.stdout.write(
        `${s.field}: ${s.indication}${s.subIndication ? ' / ' + s.subIndication : ''}\n` +
          `  signer: ${s.signer ?? '?'}\n  signed at: ${s.signedAt ?? '?'}${s.signedAtProven ? ' (timestamp)' : ' (claimed)'}\n` +
          `  level: ${s.level ?? '?'}  covers whole document: ${s.coversWholeDocument ? 'yes' : 'no'}  revocation: ${s.revocation}\n` +
          s.problems.map((p) => `  - ${p}\n`).join(''),
      )
    }
    process.stdout.write(`overall: ${report.indication}\n`)
  }
  return report.indication === 'PASSED' ? 0 : 1
}
