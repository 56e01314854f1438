import { spawnSync } from 'node:child_process'
import * as crypto from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { hasCode } from '../../signing/errors'
import { openPkcs12KeySource, readPkcs12, writePkcs12 } from '../../signing/keys/pkcs12'
import {
  checkSignerCertificate,
  fromPem,
  initCa,
  isRevoked,
  issueCertificate,
  issueCertificateForKey,
  loadCrls,
  readCertificate,
  revokeCertificate,
  toPem,
} from '../../signing/pki'
import { getTestPki, TEST_ORG } from '../helpers/test-pki'
import { tempDir } from '../helpers/tools'

/** Runs openssl; stdout and stderr together, since `pkcs12 -info` reports on stderr. */
function openssl(args: string[]): { status: number; output: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 })
  return { status: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` }
}

/** The SigningError code thrown by `action` (sync or async), or fails the test. */
async function codeOf(action: () => unknown): Promise<string> {
  try {
    await action()
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string' && hasCode(err, code)) return code
    throw err
  }
  throw new Error('expected an error')
}

/** One scratch directory for the files handed to openssl, removed after the suites. */
let scratch: string | undefined
let fileCount = 0
function scratchPath(name: string): string {
  scratch ??= tempDir('kyso-pki-test-')
  return join(scratch, `${++fileCount}-${name}`)
}
function writeTemp(name: string, data: string | Buffer): string {
  const file = scratchPath(name)
  writeFileSync(file, data)
  return file
}
after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

describe('PKCS#12 key files', () => {
  it('round-trips an RSA key with its certificate and chain (issuing CA, then root)', async () => {
    const pki = await getTestPki()
    const first = readPkcs12(pki.signers.hoan.p12, pki.pin)
    expect(first.key.asymmetricKeyType).to.equal('rsa')
    expect(first.certificate.equals(pki.signers.hoan.certificate)).to.equal(true)
    expect(first.chain.map((c) => c.equals(pki.issuingDer))).to.deep.equal([true, false])
    expect(first.chain[1]!.equals(pki.rootDer)).to.equal(true)

    const again = readPkcs12(writePkcs12({ ...first, pin: '4321' }), '4321')
    expect(again.certificate.equals(first.certificate)).to.equal(true)
    expect(
      again.key
        .export({ type: 'pkcs8', format: 'der' })
        .equals(first.key.export({ type: 'pkcs8', format: 'der' })),
    ).to.equal(true)
  })

  it('round-trips a P-256 key and signs DER ECDSA that the certificate verifies', async () => {
    const pki = await getTestPki()
    const source = openPkcs12KeySource(pki.signers.khai.p12, pki.pin)
    expect(source.keyAlgorithm).to.equal('EC')
    const data = Buffer.from('thuộc tính đã ký')
    const signature = await source.sign(data)
    expect(signature[0]).to.equal(0x30) // Ecdsa-Sig-Value SEQUENCE, not raw r||s
    expect(
      crypto.verify('sha256', data, new crypto.X509Certificate(source.certificate).publicKey, signature),
    ).to.equal(true)
  })

  it('signs with RSASSA-PKCS1-v1_5 SHA-256 for RSA keys', async () => {
    const pki = await getTestPki()
    const source = openPkcs12KeySource(pki.signers.luong.p12, pki.pin)
    expect(source.keyAlgorithm).to.equal('RSA')
    const data = Buffer.from('văn bản')
    const signature = await source.sign(data)
    const publicKey = new crypto.X509Certificate(source.certificate).publicKey
    expect(
      crypto.verify(
        'sha256',
        data,
        { key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING },
        signature,
      ),
    ).to.equal(true)
  })

  it('writes files that openssl pkcs12 reads without -legacy (PBES2, AES-256-CBC, SHA-256 MAC)', async () => {
    const pki = await getTestPki()
    const file = writeTemp('hoan.p12', pki.signers.hoan.p12)
    const r = openssl(['pkcs12', '-info', '-in', file, '-passin', `pass:${pki.pin}`, '-nodes'])
    expect(r.status, r.output).to.equal(0)
    expect(r.output).to.contain('MAC: sha256')
    expect(r.output).to.contain('Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC')
    expect(r.output).to.contain('PRF hmacWithSHA256')
    expect(r.output).to.contain('-----BEGIN PRIVATE KEY-----')
    expect(r.output.match(/-----BEGIN CERTIFICATE-----/g)).to.have.length(3)
  })

  it('reads a file made by openssl pkcs12 -export with OpenSSL 3 defaults', async () => {
    const pki = await getTestPki()
    const { key } = readPkcs12(pki.signers.hoan.p12, pki.pin)
    const keyFile = writeTemp('key.pem', key.export({ type: 'pkcs8', format: 'pem' }))
    const certFile = writeTemp('cert.pem', toPem('CERTIFICATE', pki.signers.hoan.certificate))
    const chainFile = writeTemp('chain.pem', pki.rootPem + pki.issuingPem) // deliberately root first
    const out = scratchPath('openssl.p12')
    const pin = 'mật khẩu 2468' // OpenSSL turns UTF-8 into BMPString for the MAC (RFC 7292 App. B.1); so must we
    const r = openssl([
      'pkcs12',
      '-export',
      '-inkey',
      keyFile,
      '-in',
      certFile,
      '-certfile',
      chainFile,
      '-out',
      out,
      '-passout',
      `pass:${pin}`,
    ])
    expect(r.status, r.output).to.equal(0)

    const read = readPkcs12(readFileSync(out), pin)
    expect(read.certificate.equals(pki.signers.hoan.certificate)).to.equal(true)
    expect(read.chain.map((c) => c.toString('hex'))).to.deep.equal(
      [pki.issuingDer, pki.rootDer].map((c) => c.toString('hex')),
    )
  })

  it('reads an older PBE-SHA1-3DES file with a SHA-1 MAC', async () => {
    const pki = await getTestPki()
    const { key } = readPkcs12(pki.signers.luong.p12, pki.pin)
    const keyFile = writeTemp('key.pem', key.export({ type: 'pkcs8', format: 'pem' }))
    const certFile = writeTemp('cert.pem', toPem('CERTIFICATE', pki.signers.luong.certificate))
    const out = scratchPath('legacy.p12')
    const args = ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']
    const r = openssl([
      'pkcs12',
      '-export',
      '-inkey',
      keyFile,
      '-in',
      certFile,
      '-out',
      out,
      '-passout',
      'pass:2468',
      ...args,
    ])
    expect(r.status, r.output).to.equal(0)
    expect(readPkcs12(readFileSync(out), '2468').certificate.equals(pki.signers.luong.certificate)).to.equal(
      true,
    )
  })

  it('refuses a wrong PIN with PIN_INCORRECT, for our files and OpenSSL’s', async () => {
    const pki = await getTestPki()
    expect(await codeOf(() => readPkcs12(pki.signers.hoan.p12, '000000'))).to.equal('PIN_INCORRECT')
    expect(await codeOf(() => openPkcs12KeySource(pki.signers.khai.p12, `${pki.pin} `))).to.equal(
      'PIN_INCORRECT',
    )
    const { key } = readPkcs12(pki.signers.hoan.p12, pki.pin)
    const keyFile = writeTemp('key.pem', key.export({ type: 'pkcs8', format: 'pem' }))
    const certFile = writeTemp('cert.pem', toPem('CERTIFICATE', pki.signers.hoan.certificate))
    const out = scratchPath('o.p12')
    openssl(['pkcs12', '-export', '-inkey', keyFile, '-in', certFile, '-out', out, '-passout', 'pass:2468'])
    expect(await codeOf(() => readPkcs12(readFileSync(out), '1357'))).to.equal('PIN_INCORRECT')
  })

  it('refuses garbage, a truncated file and a certificate with KEY_UNREADABLE', async () => {
    const pki = await getTestPki()
    for (const input of [
      Buffer.alloc(0),
      crypto.randomBytes(300),
      Buffer.from('PIN 123456'),
      pki.signers.hoan.p12.subarray(0, 200),
      pki.rootDer,
    ]) {
      expect(await codeOf(() => readPkcs12(input, pki.pin))).to.equal('KEY_UNREADABLE')
    }
  })

  it('refuses a PIN under 4 characters or a certificate of another key when creating a file; accepts 4 characters', async () => {
    const pki = await getTestPki()
    const { key, certificate, chain } = readPkcs12(pki.signers.hoan.p12, pki.pin)
    expect(await codeOf(() => writePkcs12({ key, certificate, chain, pin: '123' }))).to.equal('PIN_TOO_SHORT')
    expect(await codeOf(() => writePkcs12({ key, certificate: pki.rootDer, chain, pin: '1234' }))).to.equal(
      'BAD_OPTION',
    )
    expect(
      readPkcs12(writePkcs12({ key, certificate, chain, pin: 'mật1' }), 'mật1').certificate.equals(
        certificate,
      ),
    ).to.equal(true)
  })

  it('opens a PKCS#12 in milliseconds (printed, not asserted)', async () => {
    const pki = await getTestPki()
    readPkcs12(pki.signers.hoan.p12, pki.pin)
    const runs = 10
    const start = process.hrtime.bigint()
    for (let i = 0; i < runs; i++) readPkcs12(pki.signers.hoan.p12, pki.pin)
    const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs
    console.log(`      opening a PKCS#12 (RSA-2048, 2048 iterations): ${ms.toFixed(1)} ms`)
  })
})

describe('internal CA', () => {
  it('issues certificates that openssl verify accepts against root.pem', async () => {
    const pki = await getTestPki()
    for (const who of ['hoan', 'khai', 'luong', 'seal', 'tsa'] as const) {
      const leaf = writeTemp(`${who}.pem`, toPem('CERTIFICATE', pki.signers[who].certificate))
      const r = openssl([
        'verify',
        '-CAfile',
        join(pki.dir, 'root.pem'),
        '-untrusted',
        join(pki.dir, 'issuing.pem'),
        leaf,
      ])
      expect(r.output.trim(), who).to.equal(`${leaf}: OK`)
    }
  })

  it('writes the Vietnamese subject as UTF8String, which openssl prints exactly', async () => {
    const pki = await getTestPki()
    const leaf = writeTemp('hoan.pem', toPem('CERTIFICATE', pki.signers.hoan.certificate))
    const r = openssl(['x509', '-in', leaf, '-noout', '-subject', '-nameopt', 'utf8'])
    expect(r.output.trim()).to.equal(`subject=C=VN, O=${TEST_ORG}, title=Phó Chủ tịch, CN=Võ Văn Hoan`)
    expect(readCertificate(pki.signers.hoan.certificate).subject).to.equal(
      `CN=Võ Văn Hoan, title=Phó Chủ tịch, O=${TEST_ORG}, C=VN`,
    )
    const parsed = openssl(['asn1parse', '-in', leaf]).output
    expect(parsed).to.match(/PRINTABLESTRING\s+:VN/)
    expect(parsed).to.match(/UTF8STRING\s+:V/)
  })

  it('certifies a public key it did not generate (a token key), recorded in index.json, no PKCS#12', async () => {
    const dir = scratchPath('ca-for-key')
    await initCa(dir, { pin: '9876', keyType: 'p256' })
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const issued = await issueCertificateForKey(dir, {
      name: 'Lê Văn Tám',
      title: 'Chuyên viên',
      caPin: '9876',
      publicKey,
    })
    expect(issued).to.not.have.property('p12')
    const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' })
    expect(spki(new crypto.X509Certificate(issued.certificate).publicKey).equals(spki(publicKey))).to.equal(
      true,
    )
    const leaf = writeTemp('for-key.pem', toPem('CERTIFICATE', issued.certificate))
    const r = openssl([
      'verify',
      '-CAfile',
      join(dir, 'root.pem'),
      '-untrusted',
      join(dir, 'issuing.pem'),
      leaf,
    ])
    expect(r.output.trim()).to.equal(`${leaf}: OK`)
    expect(readCertificate(issued.certificate).keyUsage).to.deep.equal(
      new Set(['digitalSignature', 'nonRepudiation']),
    )
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      certificates: Array<{ serialHex: string }>
    }
    expect(index.certificates.map((c) => c.serialHex)).to.include(issued.serialHex)
    expect(
      await codeOf(() => issueCertificateForKey(dir, { name: 'X', caPin: '9876', publicKey: privateKey })),
    ).to.equal('BAD_OPTION')
  })

  it('makes the root and issuing CA proper CAs (critical CA:TRUE, keyCertSign + cRLSign, pathlen 0 below the root)', async () => {
    const pki = await getTestPki()
    const root = openssl(['x509', '-in', join(pki.dir, 'root.pem'), '-noout', '-text']).output
    expect(root).to.match(/Basic Constraints: critical\s+CA:TRUE\s/)
    expect(root).to.match(/Key Usage: critical\s+Certificate Sign, CRL Sign/)
    const issuing = openssl(['x509', '-in', join(pki.dir, 'issuing.pem'), '-noout', '-text']).output
    expect(issuing).to.match(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/)
    expect(readCertificate(pki.issuingDer).issuer).to.equal(readCertificate(pki.rootDer).subject)
  })

  it('gives personal and seal certificates critical digitalSignature + nonRepudiation, seal named after the organisation', async () => {
    const pki = await getTestPki()
    for (const who of ['hoan', 'seal'] as const) {
      const text = openssl([
        'x509',
        '-inform',
        'der',
        '-in',
        writeTemp('c.der', pki.signers[who].certificate),
        '-noout',
        '-text',
      ]).output
      expect(text).to.match(/Key Usage: critical\s+Digital Signature, Non Repudiation/)
      expect(text).to.match(/Extended Key Usage: \s*E-mail Protection, 1\.3\.6\.1\.5\.5\.7\.3\.36/)
    }
    expect(readCertificate(pki.signers.seal.certificate).subject).to.equal(
      `CN=${TEST_ORG}, O=${TEST_ORG}, C=VN`,
    )
  })

  it('gives the TSA certificate a critical extKeyUsage of timeStamping alone', async () => {
    const pki = await getTestPki()
    const text = openssl([
      'x509',
      '-inform',
      'der',
      '-in',
      writeTemp('tsa.der', pki.signers.tsa.certificate),
      '-noout',
      '-text',
    ]).output
    expect(text).to.match(/Extended Key Usage: critical\s+Time Stamping\n/)
  })

  it('writes an OCSP responder URL into authorityInfoAccess when asked, read by openssl and readCertificate', async () => {
    const pki = await getTestPki()
    const ocspUrl = 'http://ocsp.kyso.example/issuing'
    const opts = { name: 'Lê Văn Tám', caPin: pki.caPin, pin: pki.pin, ocspUrl, keyType: 'p256' as const }
    const issued = await issueCertificate(pki.dir, opts)
    const x509 = ['x509', '-inform', 'der', '-in', writeTemp('aia.der', issued.certificate), '-noout']
    expect(openssl([...x509, '-ocsp_uri']).output.trim()).to.equal(ocspUrl)
    const aia = /Authority Information Access: \n\s+OCSP - URI:http:\/\/ocsp\.kyso\.example\/issuing\n/
    expect(openssl([...x509, '-text']).output).to.match(aia)
    expect(readCertificate(issued.certificate).ocspUrls).to.deep.equal([ocspUrl])
    expect(readCertificate(pki.signers.hoan.certificate).ocspUrls).to.deep.equal([])
    const bad = { name: 'Lê Văn Tám', caPin: pki.caPin, pin: pki.pin, ocspUrl: 'ftp://ocsp.kyso.example/' }
    expect(await codeOf(() => issueCertificate(pki.dir, bad))).to.equal('BAD_OPTION')
  })

  it('uses random positive 16-byte serials', async () => {
    const pki = await getTestPki()
    const serials = Object.values(pki.signers).map((s) => s.serialHex)
    for (const serial of serials) expect(serial).to.match(/^[4-7][0-9A-F]{31}$/)
    expect(new Set(serials).size).to.equal(serials.length)
  })

  it('writes crl.pem with CRLs from the issuing CA and the root that openssl crl -verify accepts', async () => {
    const pki = await getTestPki()
    const [issuingCrl, rootCrl] = fromPem(readFileSync(join(pki.dir, 'crl.pem'), 'latin1'), 'X509 CRL')
    for (const [crl, ca] of [
      [issuingCrl!, 'issuing.pem'],
      [rootCrl!, 'root.pem'],
    ] as const) {
      const r = openssl([
        'crl',
        '-in',
        writeTemp('c.pem', toPem('X509 CRL', crl)),
        '-noout',
        '-verify',
        '-CAfile',
        join(pki.dir, ca),
      ])
      expect(r.output.trim()).to.equal('verify OK')
    }
  })

  it('refuses to initialise over an existing CA with CA_EXISTS', async () => {
    const pki = await getTestPki()
    expect(await codeOf(() => initCa(pki.dir, { pin: pki.caPin }))).to.equal('CA_EXISTS')
  })

  it('refuses a wrong CA PIN with PIN_INCORRECT and records nothing', async () => {
    const pki = await getTestPki()
    const before = readFileSync(join(pki.dir, 'index.json'))
    const opts = { name: 'Lê Văn Tám', caPin: 'not-the-ca-pin', pin: pki.pin }
    expect(await codeOf(() => issueCertificate(pki.dir, opts))).to.equal('PIN_INCORRECT')
    expect(
      await codeOf(() => revokeCertificate(pki.dir, pki.signers.hoan.serialHex, { caPin: '0000' })),
    ).to.equal('PIN_INCORRECT')
    expect(readFileSync(join(pki.dir, 'index.json')).equals(before)).to.equal(true)
  })

  it('refuses a holder PIN under 4 characters, an unknown serial and a missing CA', async () => {
    const pki = await getTestPki()
    expect(
      await codeOf(() => issueCertificate(pki.dir, { name: 'Lê Văn Tám', caPin: pki.caPin, pin: '12' })),
    ).to.equal('PIN_TOO_SHORT')
    expect(await codeOf(() => revokeCertificate(pki.dir, '7FFF', { caPin: pki.caPin }))).to.equal(
      'SERIAL_UNKNOWN',
    )
    expect(
      await codeOf(() =>
        issueCertificate(scratchPath('no-ca'), { name: 'Lê Văn Tám', caPin: pki.caPin, pin: pki.pin }),
      ),
    ).to.equal('CA_NOT_FOUND')
  })
})

describe('revocation and the check before signing', () => {
  it('finds the revoked signer on the issuing CA’s verified CRL, with its reason', async () => {
    const pki = await getTestPki()
    const crls = loadCrls(readFileSync(join(pki.dir, 'crl.pem')))
    const status = isRevoked(pki.signers.revoked.certificate, crls, new Date(), [pki.issuingDer, pki.rootDer])
    expect(status).to.include({ revoked: true, reason: 'keyCompromise', crlFound: true })
    expect(isRevoked(pki.signers.hoan.certificate, crls, new Date(), [pki.issuingDer])).to.deep.equal({
      revoked: false,
      crlFound: true,
    })
  })

  it('treats a revoked certificate as good before its revocation date', async () => {
    const pki = await getTestPki()
    const crls = loadCrls(readFileSync(join(pki.dir, 'crl.pem'), 'utf8'))
    const before = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
    expect(isRevoked(pki.signers.revoked.certificate, crls, before).revoked).to.equal(false)
  })

  it('does not believe a CRL whose signature fails, nor one from another issuer', async () => {
    const pki = await getTestPki()
    const [issuingCrl] = loadCrls(readFileSync(join(pki.dir, 'crl.pem')))
    const tampered = Buffer.from(issuingCrl!.der)
    tampered[tampered.length - 5]! ^= 0x01
    const status = isRevoked(pki.signers.revoked.certificate, loadCrls(tampered), new Date(), [
      pki.issuingDer,
    ])
    expect(status.crlFound).to.equal(false)
    expect(isRevoked(pki.signers.revoked.certificate, loadCrls(tampered), new Date()).revoked).to.equal(true) // no issuers: unverified
    const rootOnly = loadCrls(readFileSync(join(pki.dir, 'crl.pem'))).slice(1)
    expect(isRevoked(pki.signers.revoked.certificate, rootOnly, new Date()).crlFound).to.equal(false)
  })

  it('refuses to sign with a revoked certificate: CERT_REVOKED naming the subject', async () => {
    const pki = await getTestPki()
    const crls = loadCrls(readFileSync(join(pki.dir, 'crl.pem')))
    const check = () =>
      checkSignerCertificate(pki.signers.revoked.certificate, {
        now: new Date(),
        crls,
        issuers: [pki.issuingDer],
      })
    expect(await codeOf(check)).to.equal('CERT_REVOKED')
    expect(check).to.throw(/Đặng Thị Thu Hà/)
    expect(
      openssl([
        'verify',
        '-crl_check',
        '-CAfile',
        join(pki.dir, 'root.pem'),
        '-untrusted',
        join(pki.dir, 'issuing.pem'),
        '-CRLfile',
        join(pki.dir, 'crl.pem'),
        writeTemp('r.pem', toPem('CERTIFICATE', pki.signers.revoked.certificate)),
      ]).output,
    ).to.contain('certificate revoked')
  })

  it('refuses an expired certificate with CERT_EXPIRED and a future one with CERT_NOT_YET_VALID', async () => {
    const pki = await getTestPki()
    expect(
      await codeOf(() => checkSignerCertificate(pki.signers.expired.certificate, { now: new Date() })),
    ).to.equal('CERT_EXPIRED')
    const longAgo = new Date('2020-01-01T00:00:00Z')
    expect(
      await codeOf(() => checkSignerCertificate(pki.signers.hoan.certificate, { now: longAgo })),
    ).to.equal('CERT_NOT_YET_VALID')
  })

  it('refuses a CA certificate and the TSA certificate for document signing with CERT_KEY_USAGE', async () => {
    const pki = await getTestPki()
    expect(await codeOf(() => checkSignerCertificate(pki.issuingDer, { now: new Date() }))).to.equal(
      'CERT_KEY_USAGE',
    )
    expect(
      await codeOf(() => checkSignerCertificate(pki.signers.tsa.certificate, { now: new Date() })),
    ).to.equal('CERT_KEY_USAGE')
  })

  it('accepts a current, unrevoked personal or seal certificate', async () => {
    const pki = await getTestPki()
    const crls = loadCrls(readFileSync(join(pki.dir, 'crl.pem')))
    for (const who of ['hoan', 'khai', 'luong', 'seal'] as const) {
      expect(() =>
        checkSignerCertificate(pki.signers[who].certificate, {
          now: new Date(),
          crls,
          issuers: [pki.issuingDer],
        }),
      ).not.to.throw()
    }
  })

  it('revokes in a fresh CA: index.json and crl.pem updated, revoking again changes nothing', async () => {
    const dir = scratchPath('ca')
    await initCa(dir, { pin: '9876', keyType: 'p256' })
    const issued = await issueCertificate(dir, {
      name: 'Lê Văn Tám',
      caPin: '9876',
      pin: '1111',
      keyType: 'p256',
    })
    await revokeCertificate(dir, issued.serialHex.toLowerCase(), {
      caPin: '9876',
      reason: 'affiliationChanged',
    })
    const crlAfterFirst = readFileSync(join(dir, 'crl.pem'))
    await revokeCertificate(dir, issued.serialHex, { caPin: '9876', reason: 'keyCompromise' })
    expect(readFileSync(join(dir, 'crl.pem')).equals(crlAfterFirst)).to.equal(true)
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      certificates: Array<{ serialHex: string; reason?: string }>
    }
    expect(index.certificates.find((c) => c.serialHex === issued.serialHex)?.reason).to.equal(
      'affiliationChanged',
    )
    expect(isRevoked(issued.certificate, loadCrls(crlAfterFirst), new Date()).reason).to.equal(
      'affiliationChanged',
    )
    expect(
      await codeOf(() => revokeCertificate(dir, issued.serialHex, { caPin: '9876', reason: 'tired' })),
    ).to.equal('BAD_OPTION')
  })
})
