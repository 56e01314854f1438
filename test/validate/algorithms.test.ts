import { expect } from 'chai'
import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import type { HashName } from '../../signing/cms'
import { timestampPdf } from '../../signing/sign'
import { createTimestampToken } from '../../signing/tsa'
import { verifyPdf, type SignatureReport } from '../../signing/verify'
import { getAlgorithmPki, type LeafKey } from '../helpers/algorithm-pki'
import { keySourceOf, signPdfCustom, type Scheme } from '../helpers/custom-cms'
import { makePdf } from '../helpers/sample-pdfs'
import { extractSignatures, tempDir } from '../helpers/tools'

interface Case {
  key: LeafKey
  scheme: Scheme
  digest: HashName
  openssl: boolean
}

/** Every algorithm issue 17 names, signed here with node:crypto; `openssl` when OpenSSL's CMS checks it too. */
const ACCEPTED: Case[] = [
  { key: 'rsa2048', scheme: 'rsa-pkcs1', digest: 'sha256', openssl: true },
  { key: 'rsa2048', scheme: 'rsa-pkcs1', digest: 'sha384', openssl: true },
  { key: 'rsa3072', scheme: 'rsa-pkcs1', digest: 'sha512', openssl: true },
  { key: 'rsa2048', scheme: 'rsa-pkcs1', digest: 'sha3-256', openssl: true },
  { key: 'rsa2048', scheme: 'rsa-pkcs1', digest: 'sha3-512', openssl: true },
  { key: 'rsa2048', scheme: 'rsa-pss', digest: 'sha256', openssl: true },
  { key: 'rsa3072', scheme: 'rsa-pss', digest: 'sha512', openssl: true },
  { key: 'rsa2048', scheme: 'rsa-pss', digest: 'sha3-256', openssl: true },
  { key: 'rsa-pss', scheme: 'rsa-pss', digest: 'sha256', openssl: true },
  { key: 'p256', scheme: 'ecdsa', digest: 'sha256', openssl: true },
  { key: 'p384', scheme: 'ecdsa', digest: 'sha384', openssl: true },
  { key: 'p521', scheme: 'ecdsa', digest: 'sha512', openssl: true },
  { key: 'p256', scheme: 'ecdsa', digest: 'sha3-256', openssl: true },
  { key: 'brainpoolP256r1', scheme: 'ecdsa', digest: 'sha256', openssl: true },
  { key: 'brainpoolP384r1', scheme: 'ecdsa', digest: 'sha384', openssl: true },
  { key: 'brainpoolP512r1', scheme: 'ecdsa', digest: 'sha512', openssl: true },
  { key: 'p256', scheme: 'ecdsa-plain', digest: 'sha256', openssl: false },
  { key: 'p521', scheme: 'ecdsa-plain', digest: 'sha512', openssl: false },
  { key: 'brainpoolP256r1', scheme: 'ecdsa-plain', digest: 'sha256', openssl: false },
  { key: 'p384', scheme: 'ecdsa-plain', digest: 'sha3-384', openssl: false },
  // OpenSSL 3.0's CMS refuses EdDSA with any digest ("eddsa_digest_signverify_init: invalid
  // digest"), the iText samples included, so no independent check here.
  { key: 'ed25519', scheme: 'eddsa', digest: 'sha512', openssl: false },
  { key: 'ed448', scheme: 'eddsa', digest: 'shake256', openssl: false },
]

function only(report: ReturnType<typeof verifyPdf>): SignatureReport {
  const s = report.signatures.find((x) => x.kind === 'signature')
  expect(s, 'a signature').to.not.equal(undefined)
  return s as SignatureReport
}

function expectVerdict(s: SignatureReport, indication: string, sub: string | null): void {
  const why = JSON.stringify(s.problems)
  expect(s.indication, why).to.equal(indication)
  expect(s.subIndication, why).to.equal(sub)
}

/** `openssl cms -verify` of the signature's CMS over its ByteRange bytes (signature only, no chain). */
function opensslAccepts(pdf: Buffer): boolean {
  const dir = tempDir('kyso-alg-')
  const [sig] = extractSignatures(pdf)
  if (!sig) return false
  writeFileSync(join(dir, 'cms.der'), sig.cms)
  writeFileSync(join(dir, 'content.bin'), sig.signedData)
  const r = spawnSync(
    'openssl',
    [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      join(dir, 'cms.der'),
      '-content',
      join(dir, 'content.bin'),
      '-noverify',
      '-out',
      '/dev/null',
    ],
    { encoding: 'utf8' },
  )
  return r.status === 0 && /Verification successful/.test(r.stderr)
}

describe('signature algorithms (issue 17), signed here with node:crypto', function () {
  this.timeout(120_000)
  const pki = getAlgorithmPki()
  const trust = { trustAnchors: [pki.rootDer], crls: pki.crls }
  let base: Buffer

  before(async () => {
    base = await makePdf()
  })

  for (const c of ACCEPTED) {
    it(`passes ${c.scheme} with ${c.digest} on a ${c.key} key${c.openssl ? ', as openssl does' : ''}, and fails it once tampered`, async () => {
      const leaf = pki.leaf(c.key)
      const pdf = await signPdfCustom(base, { leaf, scheme: c.scheme, digest: c.digest })
      const s = only(verifyPdf(pdf, trust))
      expectVerdict(s, 'PASSED', null)
      expect(s.checks.find((x) => x.check === 'algorithms')?.detail).to.match(/^algorithms accepted/)
      if (c.openssl) expect(opensslAccepts(pdf), 'openssl cms -verify').to.equal(true)
      // The same signature over changed bytes, and a signature value from another key.
      const changed = Buffer.from(pdf)
      changed[10] = (changed[10] as number) ^ 0x01
      expectVerdict(only(verifyPdf(changed, trust)), 'FAILED', 'HASH_FAILURE')
      const otherLeaf = { certificate: leaf.certificate, privateKey: freshKey(c.key) }
      const forged = await signPdfCustom(base, { leaf: otherLeaf, scheme: c.scheme, digest: c.digest })
      expectVerdict(only(verifyPdf(forged, trust)), 'FAILED', 'SIG_CRYPTO_FAILURE')
    })
  }

  it('gives INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE, never FAILED, for SHA-1 after 2016', async () => {
    const pdf = await signPdfCustom(base, { leaf: pki.leaf('rsa2048'), scheme: 'rsa-pkcs1', digest: 'sha1' })
    const s = only(verifyPdf(pdf, trust))
    expectVerdict(s, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE')
    expect(s.problems.join(' ')).to.match(/SHA-1 is not accepted/)
    expect(s.checks.filter((x) => x.check === 'integrity').every((x) => x.passed)).to.equal(true)
  })

  it('gives INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE for an RSA key under 2048 bits (Circular 15/2025)', async () => {
    const pdf = await signPdfCustom(base, {
      leaf: pki.leaf('rsa1024'),
      scheme: 'rsa-pkcs1',
      digest: 'sha256',
    })
    const s = only(verifyPdf(pdf, trust))
    expectVerdict(s, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE')
    expect(s.problems.join(' ')).to.match(/RSA 1024-bit keys are too weak/)
  })

  it('gives INDETERMINATE for Ed25519 over a SHA-256 digest (RFC 8419 §3.1 wants SHA-512)', async () => {
    const pdf = await signPdfCustom(base, { leaf: pki.leaf('ed25519'), scheme: 'eddsa', digest: 'sha256' })
    const s = only(verifyPdf(pdf, trust))
    expectVerdict(s, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE')
    expect(s.problems.join(' ')).to.match(/RFC 8419/)
  })

  it('gives INDETERMINATE for RSASSA-PSS parameters node:crypto cannot check (MGF1 over another hash)', async () => {
    const pdf = await signPdfCustom(base, {
      leaf: pki.leaf('rsa2048'),
      scheme: 'rsa-pss',
      digest: 'sha256',
      pssMgfHash: 'sha1',
    })
    const s = only(verifyPdf(pdf, trust))
    expectVerdict(s, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE')
    expect(s.problems.join(' ')).to.match(/cannot be checked/)
  })

  it('accepts SHA-1 when a document timestamp proves the signature existed before 2017', async () => {
    const signingTime = new Date('2016-05-02T08:00:00Z')
    const signed = await signPdfCustom(base, {
      leaf: pki.leaf('rsa2048'),
      scheme: 'rsa-pkcs1',
      digest: 'sha1',
      signingTime,
    })
    const genTime = new Date('2016-06-01T00:00:00Z')
    const { pdf } = await timestampPdf(signed, {
      timestamp: (imprint) => createTimestampToken({ imprint, keySource: keySourceOf(pki.tsa), genTime }),
    })
    const report = verifyPdf(pdf, trust)
    const s = only(report)
    expectVerdict(s, 'PASSED', null)
    expect(s.proofOfExistence).to.deep.equal({
      time: genTime.toISOString(),
      source: 'document-timestamp',
      field: 'Timestamp1',
    })
    expect(report.signatures.find((x) => x.kind === 'document-timestamp')?.indication).to.equal('PASSED')
  })

  it('reads adbe.pkcs7.sha1 (the SHA-1 of the ranges encapsulated) and holds it to the SHA-1 rule', async () => {
    const pdf = await signPdfCustom(base, {
      leaf: pki.leaf('rsa2048'),
      scheme: 'rsa-pkcs1',
      digest: 'sha256',
      subFilter: 'adbe.pkcs7.sha1',
    })
    const s = only(verifyPdf(pdf, trust))
    expect(s.subFilter).to.equal('adbe.pkcs7.sha1')
    expect(s.checks.filter((x) => x.check === 'integrity').map((x) => x.passed)).to.deep.equal([
      true,
      true,
      true,
    ])
    expectVerdict(s, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE')
    const changed = Buffer.from(pdf)
    changed[10] = (changed[10] as number) ^ 0x01
    expectVerdict(only(verifyPdf(changed, trust)), 'FAILED', 'HASH_FAILURE')
  })

  it('fails signed attributes out of DER order, which it verifies as received (so does openssl)', async () => {
    const pdf = await signPdfCustom(base, {
      leaf: pki.leaf('rsa2048'),
      scheme: 'rsa-pkcs1',
      digest: 'sha256',
      unsortedAttributes: true,
    })
    expect(opensslAccepts(pdf), 'the signature value is over the attributes as written').to.equal(true)
    const s = only(verifyPdf(pdf, trust))
    expectVerdict(s, 'FAILED', 'FORMAT_FAILURE')
    expect(s.checks.filter((x) => x.check === 'integrity').every((x) => x.passed)).to.equal(true)
    expect(s.problems.join(' ')).to.match(/not DER-encoded: SET OF elements are not in ascending order/)
  })

  it('fails a detached signature that carries encapsulated content', async () => {
    const pdf = await signPdfCustom(base, {
      leaf: pki.leaf('p256'),
      scheme: 'ecdsa',
      digest: 'sha256',
      encapsulate: Buffer.from('Nội dung khác'),
    })
    const s = only(verifyPdf(pdf, trust))
    expectVerdict(s, 'FAILED', 'FORMAT_FAILURE')
    expect(s.problems.join(' ')).to.match(/detached signature carries \d+ bytes of encapsulated content/)
  })
})

/** A new key of the same kind, for a signature the certificate does not match. */
function freshKey(key: LeafKey) {
  const p = (curve: string) => generateKeyPairSync('ec', { namedCurve: curve }).privateKey
  switch (key) {
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey
    case 'ed448':
      return generateKeyPairSync('ed448').privateKey
    case 'p256':
      return p('P-256')
    case 'p384':
      return p('P-384')
    case 'p521':
      return p('P-521')
    case 'brainpoolP256r1':
    case 'brainpoolP384r1':
    case 'brainpoolP512r1':
      return p(key)
    case 'rsa-pss':
      return generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey
    default:
      return generateKeyPairSync('rsa', { modulusLength: key === 'rsa3072' ? 3072 : 2048 }).privateKey
  }
}
