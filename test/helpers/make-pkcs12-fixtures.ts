/**
 * Makes fixtures/asn1/*.p12 (issue 16): PKCS#12 files as Kyso and as `openssl pkcs12 -export`
 * write them, with every protection the reader knows (PBES2 with AES or 3DES, the older
 * PBE-SHA1-3DES, no MAC, no encryption, RC2 that it refuses). Run once, by hand:
 * `node dist/test/helpers/make-pkcs12-fixtures.js`; the files are committed, test keys only.
 */
import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readDer, type DerNode } from '../../signing/cms/der-read'
import { tlv } from '../../signing/cms/der-write'
import { writePkcs12 } from '../../signing/keys/pkcs12'
import { initCa, issueCertificate, issueCertificateForKey, toPem } from '../../signing/pki'
import { tempDir } from './tools'

export const PKCS12_FIXTURES = join(__dirname, '../../../fixtures/asn1')

/** File -> PIN of every fixture (the PINs are published: test keys). */
export const PKCS12_PINS: Record<string, string> = {
  'kyso-rsa.p12': '123456',
  'kyso-p256.p12': '123456',
  'kyso-ca-root.p12': 'ca-pin-2468',
  'kyso-ca-issuing.p12': 'ca-pin-2468',
  'kyso-friendly-name.p12': 'mật1',
  'openssl-default.p12': 'mật khẩu 2468',
  'openssl-p256.p12': '2468',
  'openssl-3des-sha1.p12': '2468',
  'openssl-aes128-sha512.p12': '2468',
  'openssl-nomac.p12': '2468',
  'openssl-plain.p12': '2468',
  'openssl-rc2-legacy.p12': '2468',
  'ber-indefinite.p12': 'mật khẩu 2468',
}

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`)
}

async function main(): Promise<void> {
  mkdirSync(PKCS12_FIXTURES, { recursive: true })
  const work = tempDir('kyso-p12-fixtures-')
  const ca = join(work, 'ca')
  const caPin = 'ca-pin-2468'
  await initCa(ca, { name: 'Sở Khoa học và Công nghệ (thử nghiệm)', pin: caPin })
  const org = 'Ủy ban nhân dân Thành phố Hồ Chí Minh'
  const rsa = await issueCertificate(ca, {
    name: 'Võ Văn Hoan',
    title: 'Phó Chủ tịch',
    org,
    caPin,
    pin: '123456',
    email: 'vvhoan@tphcm.gov.vn',
  })
  const p256 = await issueCertificate(ca, {
    name: 'Nguyễn Thị Minh Khai',
    org,
    caPin,
    pin: '123456',
    keyType: 'p256',
  })
  writeFileSync(join(PKCS12_FIXTURES, 'kyso-rsa.p12'), rsa.p12)
  writeFileSync(join(PKCS12_FIXTURES, 'kyso-p256.p12'), p256.p12)
  copyFileSync(join(ca, 'root.p12'), join(PKCS12_FIXTURES, 'kyso-ca-root.p12'))
  copyFileSync(join(ca, 'issuing.p12'), join(PKCS12_FIXTURES, 'kyso-ca-issuing.p12'))

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const own = await issueCertificateForKey(ca, {
    name: 'Trần Đức Lương',
    title: 'Chánh Văn phòng',
    caPin,
    publicKey,
  })
  const chain = ['issuing.pem', 'root.pem'].map((f) =>
    Buffer.from(readFileSync(join(ca, f), 'latin1').replace(/-----[^-]+-----|\s+/g, ''), 'base64'),
  )
  const named = writePkcs12({
    key: privateKey,
    certificate: own.certificate,
    chain,
    pin: 'mật1',
    friendlyName: 'Trần Đức Lương',
  })
  writeFileSync(join(PKCS12_FIXTURES, 'kyso-friendly-name.p12'), named)

  const keyFile = join(work, 'key.pem')
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }))
  const certFile = join(work, 'cert.pem')
  writeFileSync(certFile, toPem('CERTIFICATE', own.certificate))
  const chainFile = join(work, 'chain.pem')
  writeFileSync(
    chainFile,
    readFileSync(join(ca, 'root.pem'), 'latin1') + readFileSync(join(ca, 'issuing.pem'), 'latin1'),
  )
  const out = (name: string) => join(PKCS12_FIXTURES, name)
  const base = (name: string, pin: string) => [
    'pkcs12',
    '-export',
    '-inkey',
    keyFile,
    '-in',
    certFile,
    '-certfile',
    chainFile,
    '-out',
    out(name),
    '-passout',
    `pass:${pin}`,
  ]
  openssl([...base('openssl-default.p12', 'mật khẩu 2468'), '-name', 'Trần Đức Lương'])
  openssl([
    ...base('openssl-3des-sha1.p12', '2468'),
    '-keypbe',
    'PBE-SHA1-3DES',
    '-certpbe',
    'PBE-SHA1-3DES',
    '-macalg',
    'sha1',
  ])
  openssl([
    ...base('openssl-aes128-sha512.p12', '2468'),
    '-keypbe',
    'AES-128-CBC',
    '-certpbe',
    'AES-128-CBC',
    '-macalg',
    'sha512',
    '-iter',
    '1000',
  ])
  openssl([...base('openssl-nomac.p12', '2468'), '-nomac'])
  openssl([...base('openssl-plain.p12', '2468'), '-keypbe', 'NONE', '-certpbe', 'NONE'])
  openssl([...base('openssl-rc2-legacy.p12', '2468'), '-legacy'])

  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const ecCert = await issueCertificateForKey(ca, { name: 'Phạm Quốc Bảo', caPin, publicKey: ec.publicKey })
  writeFileSync(keyFile, ec.privateKey.export({ type: 'pkcs8', format: 'pem' }))
  writeFileSync(certFile, toPem('CERTIFICATE', ecCert.certificate))
  openssl([
    'pkcs12',
    '-export',
    '-inkey',
    keyFile,
    '-in',
    certFile,
    '-out',
    out('openssl-p256.p12'),
    '-passout',
    'pass:2468',
  ])
  writeFileSync(out('ber-indefinite.p12'), berIndefinite(readFileSync(out('openssl-default.p12'))))
}

/**
 * The same PFX in BER as some Java and Windows tools write it: indefinite lengths outside and the
 * authSafe as a constructed OCTET STRING in 1000-byte segments (X.690 §8.1.3.6, §8.7.3). The MAC
 * covers the octets, not their encoding, so it still verifies.
 */
function berIndefinite(der: Buffer): Buffer {
  const [version, authSafe, macData] = readDer(der, 'PFX').children as [DerNode, DerNode, DerNode]
  const [contentType, wrapped] = authSafe.children as [DerNode, DerNode]
  const octets = (wrapped.children[0] as DerNode).content
  const segments: Buffer[] = []
  for (let i = 0; i < octets.length; i += 1000) segments.push(tlv(0x04, octets.subarray(i, i + 1000)))
  const eoc = Buffer.alloc(2)
  const indefinite = (tag: number, ...parts: Buffer[]) =>
    Buffer.concat([Buffer.from([tag, 0x80]), ...parts, eoc])
  return indefinite(
    0x30,
    version.raw,
    indefinite(0x30, contentType.raw, indefinite(0xa0, indefinite(0x24, ...segments))),
    macData.raw,
  )
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
