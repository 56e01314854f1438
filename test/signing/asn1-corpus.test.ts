/**
 * Issue 16: the one ASN.1 reader reads every certificate, CRL, CMS, OCSP response and PKCS#12 of
 * the corpus exactly as the readers before it did. fixtures/asn1/corpus-facts.json holds what
 * those readers (asn1js for certificates and PKCS#12, the first DER reader for the rest) made of
 * each object; KYSO_RECORD_ASN1_FACTS=1 rewrites it, which only a reviewed change may do.
 */
import { spawnSync } from 'node:child_process'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { readPkcs12 } from '../../signing/keys/pkcs12'
import { readCertificate } from '../../signing/pki'
import { asn1Corpus, type Asn1Kind } from '../helpers/asn1-corpus'
import { certificateFacts, factsOf, pkcs12Facts, type Facts } from '../helpers/asn1-facts'
import { PKCS12_FIXTURES, PKCS12_PINS } from '../helpers/make-pkcs12-fixtures'
import { getTestPki } from '../helpers/test-pki'
import { tempDir } from '../helpers/tools'

const SNAPSHOT = join(PKCS12_FIXTURES, 'corpus-facts.json')
const RECORD = process.env.KYSO_RECORD_ASN1_FACTS === '1'

type Snapshot = Record<string, { source: string; facts: Facts }>

/** The objects to compare: the corpus's, the PKCS#12 fixtures and the certificates inside them. */
function currentFacts(): Snapshot {
  const out: Snapshot = {}
  for (const item of asn1Corpus()) out[item.id] = { source: item.source, facts: factsOf(item.kind, item.der) }
  for (const [file, pin] of Object.entries(PKCS12_PINS)) {
    const p12 = readFileSync(join(PKCS12_FIXTURES, file))
    out[`pkcs12:${file}`] = { source: `fixtures/asn1/${file}`, facts: pkcs12Facts(p12, pin) }
    try {
      const { certificate, chain } = readPkcs12(p12, pin)
      chain.forEach(
        (der, i) => (out[`certificate:${file}#${i + 1}`] = { source: file, facts: certificateFacts(der) }),
      )
      out[`certificate:${file}#0`] = { source: file, facts: certificateFacts(certificate) }
    } catch {
      // a file the reader refuses has its refusal in its pkcs12 facts
    }
  }
  return out
}

/** One object a line, so that a reviewed change to the snapshot reads as a diff of objects. */
function serialise(snapshot: Snapshot): string {
  const lines = Object.keys(snapshot)
    .sort()
    .map((id) => `${JSON.stringify(id)}: ${JSON.stringify(snapshot[id])}`)
  return `{\n${lines.join(',\n')}\n}\n`
}

describe('one ASN.1 reader: the corpus read as before (issue 16)', function () {
  this.timeout(300_000)
  let expected: Snapshot
  let actual: Snapshot

  before(() => {
    actual = currentFacts()
    if (RECORD) writeFileSync(SNAPSHOT, serialise(actual))
    expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Snapshot
  })

  it('finds the same objects in the corpus (certificates, CRLs, CMS, OCSP responses, PKCS#12)', () => {
    expect(Object.keys(actual).sort()).to.deep.equal(Object.keys(expected).sort())
    const counts = (s: Snapshot): Record<string, number> => {
      const n: Record<string, number> = {}
      for (const id of Object.keys(s)) {
        const kind = id.split(':')[0] as string
        n[kind] = (n[kind] ?? 0) + 1
      }
      return n
    }
    console.log(`      compared: ${JSON.stringify(counts(actual))}`)
    expect(counts(actual).certificate).to.be.greaterThan(250)
    expect(counts(actual).cms).to.be.greaterThan(200)
    expect(counts(actual).crl).to.be.greaterThan(20)
    expect(counts(actual).ocsp).to.be.greaterThan(50)
    expect(counts(actual).pkcs12).to.equal(Object.keys(PKCS12_PINS).length)
  })

  for (const kind of ['certificate', 'crl', 'cms', 'ocsp', 'pkcs12'] as Array<Asn1Kind | 'pkcs12'>) {
    it(`gives every ${kind} of the corpus the same facts, bytes, names and errors`, () => {
      const ids = Object.keys(expected).filter((id) => id.startsWith(`${kind}:`))
      const differing = ids.filter(
        (id) => JSON.stringify(actual[id]?.facts) !== JSON.stringify(expected[id]?.facts),
      )
      const first = differing[0]
      if (first)
        expect(actual[first]?.facts, `${first} (${expected[first]?.source})`).to.deep.equal(
          expected[first]?.facts,
        )
      expect(differing).to.deep.equal([])
    })
  }

  it('reads certificates as node:crypto (OpenSSL) does: serial, validity, CA flag, public key', () => {
    let compared = 0
    for (const item of asn1Corpus().filter((i) => i.kind === 'certificate')) {
      let x509: X509Certificate
      try {
        x509 = new X509Certificate(item.der)
      } catch {
        continue // OpenSSL refuses it; the snapshot says what we make of it
      }
      const facts = readCertificate(item.der)
      const spki = (k: X509Certificate['publicKey']) =>
        k.export({ type: 'spki', format: 'der' }).toString('hex')
      // OpenSSL prints a negative serial (RFC 5280 §4.1.2.2 forbids them) with a minus; we keep its octets.
      if (!x509.serialNumber.startsWith('-')) {
        expect(facts.serialHex, item.source).to.equal(
          x509.serialNumber.replace(/^(00)+(?=.)/, '').toUpperCase(),
        )
      }
      expect(facts.notBefore.getTime(), item.source).to.equal(new Date(x509.validFrom).getTime())
      expect(facts.notAfter.getTime(), item.source).to.equal(new Date(x509.validTo).getTime())
      expect(facts.isCa, item.source).to.equal(x509.ca)
      expect(spki(facts.publicKey), item.source).to.equal(spki(x509.publicKey))
      compared++
    }
    expect(compared).to.be.greaterThan(250)
  })

  it('opens the test PKI’s PKCS#12 files to the key and certificates openssl pkcs12 finds', async () => {
    const pki = await getTestPki()
    const dir = tempDir('kyso-p12-compare-')
    const files = Object.entries(pki.signers).map(([name, s]) => ({ name, p12: s.p12, pin: pki.pin }))
    for (const name of ['root.p12', 'issuing.p12'])
      files.push({ name, p12: readFileSync(join(pki.dir, name)), pin: pki.caPin })
    for (const { name, p12, pin } of files) {
      const file = join(dir, `${name}.p12`)
      writeFileSync(file, p12)
      const dump = spawnSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${pin}`, '-nodes'], {
        encoding: 'utf8',
      })
      expect(dump.status, dump.stderr).to.equal(0)
      const read = readPkcs12(p12, pin)
      const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(
        dump.stdout,
      )?.[0] as string
      const pkcs8 = (k: ReturnType<typeof createPrivateKey>) =>
        k.export({ type: 'pkcs8', format: 'der' }).toString('hex')
      expect(pkcs8(read.key), name).to.equal(pkcs8(createPrivateKey(keyPem)))
      const certs = [
        ...dump.stdout.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g),
      ].map((m) => new X509Certificate(m[0]).raw.toString('hex'))
      expect([read.certificate, ...read.chain].map((c) => c.toString('hex')).sort(), name).to.deep.equal(
        certs.sort(),
      )
    }
  })

  it('has a snapshot to compare with', () => {
    expect(existsSync(SNAPSHOT)).to.equal(true)
  })
})
