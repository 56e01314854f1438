/**
 * `npm run bench:verify`: verifications per second, as whole processes, for `kyso verify` and for
 * poppler's `pdfsig` on the same files in the same run (their ratio), plus in-process throughput
 * of verifyPdf. Files: one signature on one page, four signatures, and 20 MB with four signatures.
 * pdfsig checks integrity and the chain; kyso verify also checks revocation, coverage, the
 * revisions and every change after each signature.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openPkcs12KeySource } from '../signing/keys/pkcs12'
import { extendPdf } from '../signing/ltv'
import { fromPem, issueTsaCertificate, loadCrls, publishCrls } from '../signing/pki'
import { createTimestampToken } from '../signing/tsa'
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
  for (let i = 0; i < runs; i++)
    commands.forEach(([cmd, args, env], j) => (times[j] as number[]).push(runOnce(cmd, args, env)))
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
    '20 MB, 4 signatures': await fixture('verify-20mb-4sig.pdf', async () =>
      signTimes(await makeDoc(1, 20 * 1024 * 1024), 4),
    ),
  }
  const nss = mkdtempSync(join(tmpdir(), 'kyso-bench-nss-'))
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password'])
  execFileSync('certutil', [
    '-A',
    '-d',
    `sql:${nss}`,
    '-n',
    'root',
    '-t',
    'CT,C,C',
    '-i',
    join(caDir, 'root.pem'),
  ])
  const trustAnchors = [readFileSync(join(caDir, 'root.pem'))].map((pem) =>
    Buffer.from(pem.toString('latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64'),
  )
  const crls = loadCrls(readFileSync(join(caDir, 'crl.pem')))

  console.log(
    'Whole process, median of 11, run alternately (kyso verify --json with trust anchor and CRL; pdfsig with an NSS database trusting the same root)',
  )
  console.log(
    '| file | kyso verify | pdfsig | pdfsig time / kyso time | kyso verify with NODE_EXTRA_CA_CERTS | in-process verifyPdf |',
  )
  console.log('|---|---|---|---|---|---|')
  for (const [label, file] of Object.entries(files)) {
    const pdf = readFileSync(file)
    const report = verifyPdf(pdf, { trustAnchors, crls })
    if (report.indication !== 'PASSED') throw new Error(`${label}: expected PASSED, got ${report.indication}`)
    const kysoArgs = [
      join(ROOT, 'bin/kyso.js'),
      'verify',
      file,
      '--trust',
      join(caDir, 'root.pem'),
      '--crl',
      join(caDir, 'crl.pem'),
      '--json',
    ]
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
    console.log(
      `| ${label} | ${(kyso * 1000).toFixed(0)} ms (${(1 / kyso).toFixed(1)}/s) | ${(pdfsig * 1000).toFixed(0)} ms (${(1 / pdfsig).toFixed(1)}/s) | ${(pdfsig / kyso).toFixed(2)}x | ${ca} | ${(1 / inProcess).toFixed(1)}/s |`,
    )
  }
  writeFileSync(join(nss, 'done'), '')
  await longTerm(files, caDir, trustAnchors)
}

/**
 * Issue 18, in process: extending each file to B-LTA (DSS with the CA's CRLs, a document
 * time-stamp by the built-in TSA) and validating the result, today with the CRL and three years on
 * from the file alone.
 */
async function longTerm(files: Record<string, string>, caDir: string, trustAnchors: Buffer[]): Promise<void> {
  // Current CRLs: the DSS must show the signers' status when the document time-stamp is made.
  await publishCrls(caDir, { caPin: PIN })
  const crls = loadCrls(readFileSync(join(caDir, 'crl.pem')))
  const tsaFile = join(caDir, '..', 'tsa.p12')
  if (!existsSync(tsaFile))
    writeFileSync(tsaFile, (await issueTsaCertificate(caDir, { caPin: PIN, pin: PIN })).p12)
  const tsa = openPkcs12KeySource(readFileSync(tsaFile), PIN)
  const timestamp = (imprint: Buffer) => createTimestampToken({ imprint, keySource: tsa })
  const certificates = ['issuing.pem', 'root.pem'].flatMap((f) =>
    fromPem(readFileSync(join(caDir, f), 'latin1'), 'CERTIFICATE'),
  )
  const later = new Date(Date.now() + 3 * 365 * 86_400_000)
  console.log('\nLong-term (issue 18), in process: extendPdf to B-LTA, then verifyPdf of the result')
  console.log(
    '| file | extend to B-LTA | verify B-LTA (CRL) | verify B-LTA three years on, file alone | verify as signed (CRL) |',
  )
  console.log('|---|---|---|---|---|')
  for (const [label, file] of Object.entries(files)) {
    const pdf = readFileSync(file)
    const extend = () => extendPdf(pdf, { level: 'B-LTA', crls, certificates, timestamp })
    const lta = (await extend()).pdf
    const offline = verifyPdf(lta, { trustAnchors, now: later })
    if (offline.indication !== 'PASSED')
      throw new Error(`${label}: B-LTA three years on is ${offline.indication}`)
    const ms = async (fn: () => unknown): Promise<string> => `${((await timeIt(fn)) * 1000).toFixed(1)} ms`
    const row = [
      await ms(extend),
      await ms(() => verifyPdf(lta, { trustAnchors, crls })),
      await ms(() => verifyPdf(lta, { trustAnchors, now: later })),
      await ms(() => verifyPdf(pdf, { trustAnchors, crls })),
    ]
    console.log(`| ${label} | ${row.join(' | ')} |`)
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
