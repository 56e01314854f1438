/**
 * `npm run bench:sign`: signatures per second for Kyso and for the stock @signpdf flow
 * (placeholder-pdf-lib + signer-p12) in the same run, against the floor (SHA-256 of the bytes plus
 * one RSA-2048 signature with node:crypto), on 1, 100 and 1,000 pages and a 20 MB file; then whole
 * processes (`kyso sign` against `node bench/stock.js`) on 1 page, 20 MB and 10,000 pages.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash, createPrivateKey, sign as rsaSign } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12KeySource, readPkcs12 } from '../signing/keys/pkcs12'
import { signPdf } from '../signing/sign'
import { PIN, PLAIN_ENV, ROOT, WORK, benchPki, fixture, makeDoc, median, timeIt } from './fixtures'

function timeProcess(cmd: string[], runs: number): number {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    const r = spawnSync(process.execPath, cmd, { env: { ...PLAIN_ENV, KYSO_PIN: PIN }, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`)
    times.push(Number(process.hrtime.bigint() - t) / 1e9)
  }
  return median(times)
}

async function main(): Promise<void> {
  const { p12File } = await benchPki()
  // node-forge (inside signer-p12) reads only legacy PKCS#12 encryption: give it the same key that way.
  const legacyP12 = join(WORK, 'signer-legacy.p12')
  if (!existsSync(legacyP12)) {
    const { key, certificate } = readPkcs12(readFileSync(p12File), PIN)
    writeFileSync(join(WORK, 'key.pem'), key.export({ type: 'pkcs8', format: 'pem' }))
    writeFileSync(
      join(WORK, 'cert.pem'),
      `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64')}\n-----END CERTIFICATE-----\n`,
    )
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      join(WORK, 'key.pem'),
      '-in',
      join(WORK, 'cert.pem'),
      '-out',
      legacyP12,
      '-passout',
      `pass:${PIN}`,
      '-keypbe',
      'PBE-SHA1-3DES',
      '-certpbe',
      'PBE-SHA1-3DES',
      '-macalg',
      'sha1',
    ])
  }
  const files = {
    '1 page': await fixture('1-page.pdf', () => makeDoc(1)),
    '100 pages': await fixture('100-pages.pdf', () => makeDoc(100)),
    '1,000 pages': await fixture('1000-pages.pdf', () => makeDoc(1000)),
    '20 MB': await fixture('20mb.pdf', () => makeDoc(1, 20 * 1024 * 1024)),
    '10,000 pages': await fixture('10000-pages.pdf', () => makeDoc(10000)),
  }
  const keySource = openPkcs12KeySource(readFileSync(p12File), PIN)
  const { key } = readPkcs12(readFileSync(p12File), PIN)
  const rsaKey = createPrivateKey(key.export({ type: 'pkcs8', format: 'pem' }))
  const stock = require(join(ROOT, 'bench/stock.js')) as { main: () => Promise<void> }

  console.log('In-process signatures per second (RSA-2048, visible appearance for Kyso)')
  console.log('| file | size | Kyso | stock @signpdf | Kyso / stock | floor | Kyso time / floor time |')
  console.log('|---|---|---|---|---|---|---|')
  const perSecond: Record<string, number> = {}
  for (const [label, file] of Object.entries(files)) {
    if (label === '10,000 pages') continue
    const pdf = readFileSync(file)
    const kyso = await timeIt(() => signPdf(pdf, { keySource }))
    const out = join(WORK, 'stock-out.pdf')
    const argv = process.argv
    const stockTime = await timeIt(
      async () => {
        process.argv = [argv[0] as string, 'stock.js', file, out, legacyP12]
        process.env.KYSO_PIN = PIN
        await stock.main()
        process.argv = argv
      },
      1500,
      2,
    )
    const floor = await timeIt(async () => {
      rsaSign('sha256', createHash('sha256').update(pdf).digest(), rsaKey)
    })
    perSecond[label] = 1 / kyso
    console.log(
      `| ${label} | ${(pdf.length / 1e6).toFixed(2)} MB | ${(1 / kyso).toFixed(1)}/s | ${(1 / stockTime).toFixed(1)}/s | ${(stockTime / kyso).toFixed(1)}x | ${(1 / floor).toFixed(1)}/s | ${(kyso / floor).toFixed(2)}x |`,
    )
  }
  console.log(
    `1,000 pages cost ${((perSecond['1 page'] as number) / (perSecond['1,000 pages'] as number)).toFixed(2)}x the 1-page signature`,
  )

  console.log(
    '\nWhole process, median of 5 (kyso sign vs node bench/stock.js; both without NODE_EXTRA_CA_CERTS, see bench/fixtures.ts)',
  )
  console.log('| file | kyso sign | stock script | stock / kyso |')
  console.log('|---|---|---|---|')
  for (const label of ['1 page', '20 MB', '10,000 pages'] as const) {
    const file = files[label]
    const k = timeProcess(
      [join(ROOT, 'bin/kyso.js'), 'sign', file, '--out', join(WORK, 'k.pdf'), '--p12', p12File],
      5,
    )
    const s = timeProcess([join(ROOT, 'bench/stock.js'), file, join(WORK, 's.pdf'), legacyP12], 5)
    console.log(
      `| ${label} | ${(k * 1000).toFixed(0)} ms | ${(s * 1000).toFixed(0)} ms | ${(s / k).toFixed(2)}x |`,
    )
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
