/**
 * `npm run bench:verify`: verifications per second, as whole processes, for `kyso verify` and for
 * poppler's `pdfsig` on the same files in the same run (their ratio), plus in-process throughput
 * of verifyPdf. Files: one signature on one page, four signatures, and 20 MB with four signatures.
 * pdfsig checks integrity and the chain; kyso verify also checks revocation, coverage, the
 * revisions and every change after each signature.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../signing/keys/pkcs12'
import { loadCrls } from '../signing/pki'
import { appearanceFromCertificate, signPdf } from '../signing/sign'
import { verifyPdf } from '../signing/verify'
import { PIN, PLAIN_ENV, ROOT, benchPki, fixture, makeDoc, median, timeIt } from './fixtures'

function runOnce(cmd: string, args: string[], env: NodeJS.ProcessEnv = PLAIN_ENV): number {
  const t = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { encoding: 'utf8', env })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
  return Number(process.hrtime.bigint() - t) / 1e9
}

/** Medians of two commands run alternately, so that drift in the machine's load hits both alike. */
function timeAll(commands: [string, string[], NodeJS.ProcessEnv?][], runs: number): number[] {
  const times: number[][] = commands.map(() => [])
  for (let i = 0; i < runs; i++) commands.forEach(([cmd, args, env], j) => (times[j] as number[]).push(runOnce(cmd, args, env)))
  return times.map(median)
}

async function main(): Promise<void> {
  const { caDir, p12 } = await benchPki()
  const keySource = openPkcs12KeySource(p12, PIN)
  const appearance = appearanceFromCertificate(keySource.certificate)
  const signTimes = async (input: Buffer, n: number): Promise<Buffer> => {
    let pdf = input
    for (let i = 0; i < n; i++) pdf = (await signPdf(pdf, { keySource, appearance })).pdf
    return pdf
  }
  const files: Record<string, string> = {
    '1 signature, 1 page': await fixture('verify-1sig.pdf', async () => signTimes(await makeDoc(1), 1)),
    '4 signatures': await fixture('verify-4sig.pdf', async () => signTimes(await makeDoc(1), 4)),
    '20 MB, 4 signatures': await fixture('verify-20mb-4sig.pdf', async () => signTimes(await makeDoc(1, 20 * 1024 * 1024), 4)),
  }
  const nss = mkdtempSync(join(tmpdir(), 'kyso-bench-nss-'))
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password'])
  execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'root', '-t', 'CT,C,C', '-i', join(caDir, 'root.pem')])
  const trustAnchors = [readFileSync(join(caDir, 'root.pem'))].map((pem) => Buffer.from(pem.toString('latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64'))
  const crls = loadCrls(readFileSync(join(caDir, 'crl.pem')))

  console.log('Whole process, median of 11, run alternately (kyso verify --json with trust anchor and CRL; pdfsig with an NSS database trusting the same root)')
  console.log('| file | kyso verify | pdfsig | pdfsig time / kyso time | kyso verify with NODE_EXTRA_CA_CERTS | in-process verifyPdf |')
  console.log('|---|---|---|---|---|---|')
  for (const [label, file] of Object.entries(files)) {
    const pdf = readFileSync(file)
    const report = verifyPdf(pdf, { trustAnchors, crls })
    if (report.indication !== 'PASSED') throw new Error(`${label}: expected PASSED, got ${report.indication}`)
    const kysoArgs = [join(ROOT, 'bin/kyso.js'), 'verify', file, '--trust', join(caDir, 'root.pem'), '--crl', join(caDir, 'crl.pem'), '--json']
    const [kyso, pdfsig, kysoCa] = timeAll(
      [
        [process.execPath, kysoArgs],
        ['pdfsig', ['-nssdir', `sql:${nss}`, file]],
        [process.execPath, kysoArgs, process.env],
      ],
      11,
    ) as [number, number, number]
    const inProcess = await timeIt(() => verifyPdf(pdf, { trustAnchors, crls }))
    const ca = process.env.NODE_EXTRA_CA_CERTS ? `${(kysoCa * 1000).toFixed(0)} ms` : '(not set here)'
    console.log(`| ${label} | ${(kyso * 1000).toFixed(0)} ms (${(1 / kyso).toFixed(1)}/s) | ${(pdfsig * 1000).toFixed(0)} ms (${(1 / pdfsig).toFixed(1)}/s) | ${(pdfsig / kyso).toFixed(2)}x | ${ca} | ${(1 / inProcess).toFixed(1)}/s |`)
  }
  writeFileSync(join(nss, 'done'), '')
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
