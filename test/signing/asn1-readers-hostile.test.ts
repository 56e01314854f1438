/**
 * Every public reader over the one ASN.1 reader (issue 16), given each truncation and thousands of
 * corrupted copies of a real certificate, CRL, CMS, OCSP response and PKCS#12 file: it answers with
 * its own error code (or reads what is still well-formed), never with a TypeError or a hang.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { Asn1Error, readDer, type DerNode } from '../../signing/cms/der-read'
import { sequence } from '../../signing/cms/der-write'
import { parseSignedData } from '../../signing/cms/parse'
import { readPkcs12 } from '../../signing/keys/pkcs12'
import { parseCrl } from '../../signing/pki/crl'
import { readCertificate } from '../../signing/pki/certificate-info'
import { readOcspResponse } from '../../signing/pki/ocsp-response'
import { asn1Corpus } from '../helpers/asn1-corpus'
import { PKCS12_FIXTURES } from '../helpers/make-pkcs12-fixtures'

/** What a reader may throw: its own code, or Asn1Error for the low-level readers. */
function outcome(read: () => unknown): string {
  try {
    read()
    return 'read'
  } catch (err) {
    if (err instanceof Asn1Error) return 'Asn1Error'
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code
    throw err
  }
}

/** A deterministic stream of numbers (a linear congruential generator): the same corruptions every run. */
function random(seed: number): () => number {
  let state = seed
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
}

/** Each prefix, then `count` copies with one to three bytes changed. */
function* hostileCopies(der: Buffer, count: number): Generator<Buffer> {
  for (let length = 0; length < der.length; length++) yield der.subarray(0, length)
  const next = random(der.length)
  for (let i = 0; i < count; i++) {
    const copy = Buffer.from(der)
    for (let k = 0; k <= Math.floor(next() * 3); k++)
      copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256)
    yield copy
  }
}

function outcomes(der: Buffer, count: number, read: (b: Buffer) => unknown): Set<string> {
  const seen = new Set<string>()
  for (const copy of hostileCopies(der, count)) seen.add(outcome(() => read(copy)))
  return seen
}

const firstOf = (kind: string, source: RegExp) => {
  const item = asn1Corpus().find((i) => i.kind === kind && source.test(i.source))
  if (!item) throw new Error(`no ${kind} from ${source} in the corpus`)
  return item.der
}

describe('the readers over the one ASN.1 reader, on truncated and corrupted input (issue 16)', function () {
  this.timeout(300_000)

  it('certificates: CERT_UNREADABLE or a reading', () => {
    const der = firstOf('certificate', /Certipost/)
    expect([...outcomes(der, 3000, (b) => readCertificate(Buffer.from(b)))])
      .to.include('CERT_UNREADABLE')
      .and.satisfy((seen: string[]) => seen.every((o) => o === 'CERT_UNREADABLE' || o === 'read'))
  })

  it('CRLs: CRL_UNREADABLE or a reading', () => {
    const der = firstOf('crl', /./)
    const seen = outcomes(der, 3000, (b) => parseCrl(b))
    expect(
      [...seen].every((o) => o === 'CRL_UNREADABLE' || o === 'read'),
      [...seen].join(),
    ).to.equal(true)
  })

  it('CMS with a time-stamp token: CMS_UNREADABLE or a reading', () => {
    const der = asn1Corpus().find(
      (i) => i.kind === 'cms' && i.der.includes(Buffer.from('060b2a864886f70d010910020e', 'hex')),
    )?.der
    expect(der, 'a CMS with a signature-time-stamp attribute').to.be.instanceOf(Buffer)
    const seen = outcomes(der as Buffer, 3000, (b) => parseSignedData(b))
    expect(
      [...seen].every((o) => o === 'CMS_UNREADABLE' || o === 'read'),
      [...seen].join(),
    ).to.equal(true)
  })

  it('OCSP responses: Asn1Error or a reading', () => {
    const der = firstOf('ocsp', /./)
    const seen = outcomes(der, 3000, (b) => readOcspResponse(b))
    expect(
      [...seen].every((o) => o === 'Asn1Error' || o === 'read'),
      [...seen].join(),
    ).to.equal(true)
  })

  it('PKCS#12 files: KEY_UNREADABLE, PIN_INCORRECT (the MAC no longer matches) or a reading', () => {
    for (const [file, pin] of [
      ['openssl-plain.p12', '2468'],
      ['ber-indefinite.p12', 'mật khẩu 2468'],
    ] as const) {
      const der = readFileSync(join(PKCS12_FIXTURES, file))
      const seen = outcomes(der, 500, (b) => readPkcs12(b, pin))
      expect(
        [...seen].every((o) => ['KEY_UNREADABLE', 'PIN_INCORRECT', 'read'].includes(o)),
        `${file}: ${[...seen].join()}`,
      ).to.equal(true)
    }
  })

  it('refuses a PKCS#12 whose MAC asks for 2^64 iterations, at once, with KEY_UNREADABLE', () => {
    const der = readFileSync(join(PKCS12_FIXTURES, 'openssl-default.p12'))
    const [version, authSafe, macData] = readDer(der, 'PFX').children as [DerNode, DerNode, DerNode]
    const [digestInfo, salt] = macData.children as [DerNode, DerNode]
    const huge = Buffer.from('020900ffffffffffffffff', 'hex')
    const hostile = sequence(version.raw, authSafe.raw, sequence(digestInfo.raw, salt.raw, huge))
    const start = Date.now()
    expect(outcome(() => readPkcs12(hostile, 'mật khẩu 2468'))).to.equal('KEY_UNREADABLE')
    expect(Date.now() - start).to.be.below(2000)
  })
})
