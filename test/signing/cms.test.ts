import { expect } from 'chai'
import { createHash, randomBytes, sign } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  buildPadesSignature,
  certificateInfo,
  contentTypeAttribute,
  derWrite as w,
  extractSignatureValue,
  HASH_OID,
  messageDigestAttribute,
  OID,
  parseSignedData,
  signingCertificateV2Attribute,
  verifyCmsSignature,
} from '../../signing/cms'
import { SigningError } from '../../signing/errors'
import type { KeySource } from '../../signing/keys/key-source'
import { opensslCmsVerify, tempDir } from '../helpers/tools'
import {
  issueWithOpenssl,
  keySourceOf,
  makeOpensslRoot,
  openssl,
  rejectionCode,
  sha256,
  type OpensslSigner,
} from '../helpers/openssl-pki'

type Signer = OpensslSigner

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof SigningError ? err.code : `not a SigningError: ${String(err)}`
  }
  return undefined
}

describe('signing/cms', () => {
  let dir: string
  let rsa: Signer
  let ec: Signer
  const content = randomBytes(50_000)

  before(() => {
    dir = tempDir('kyso-cms-test-')
    makeOpensslRoot(dir)
    rsa = issueWithOpenssl(dir, 'rsa', ['-newkey', 'rsa:2048'], '/CN=Nguyễn Văn An/O=Sở Tư pháp/C=VN')
    ec = issueWithOpenssl(
      dir,
      'ec',
      ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      '/CN=Trần Thị Bình/C=VN',
    )
    writeFileSync(join(dir, 'data.bin'), content)
  })

  describe('buildPadesSignature', () => {
    for (const [label, signer] of [
      ['RSA-2048', () => rsa],
      ['EC P-256', () => ec],
    ] as const) {
      it(`builds a detached CMS that openssl cms -verify accepts (${label} signer, Vietnamese CA name)`, async () => {
        const cms = await buildPadesSignature({ digest: sha256(content), keySource: signer().keySource })
        const result = opensslCmsVerify(cms, content, join(dir, 'root.pem'))
        expect(result.ok, result.output).to.equal(true)
      })

      it(`is refused by openssl cms -verify once the content changes (${label})`, async () => {
        const cms = await buildPadesSignature({ digest: sha256(content), keySource: signer().keySource })
        const changed = Buffer.from(content)
        changed[1000]! ^= 0x01
        expect(opensslCmsVerify(cms, changed, join(dir, 'root.pem')).ok).to.equal(false)
      })
    }

    it('carries signingCertificateV2 and no signingTime (EN 319 142-1 §5.3)', async () => {
      const cms = await buildPadesSignature({ digest: sha256(content), keySource: rsa.keySource })
      writeFileSync(join(dir, 'print.der'), cms)
      const printed = openssl(dir, ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'print.der'])
      expect(printed).to.match(/signingCertificateV2/)
      expect(printed).to.match(/contentType/)
      expect(printed).to.match(/messageDigest/)
      expect(printed).not.to.match(/signingTime/)
      expect(printed).to.match(/eContent: <ABSENT>/)
    })

    it('copies the UTF8String issuer name byte for byte into issuerAndSerialNumber and issuerSerial', async () => {
      const cms = await buildPadesSignature({ digest: sha256(content), keySource: ec.keySource })
      const { issuer, serialNumber } = certificateInfo(ec.certificate)
      expect(issuer.includes(Buffer.from('Ủy ban nhân dân', 'utf8')), 'a UTF8String issuer').to.equal(true)
      const signerInfo = parseSignedData(cms).signerInfos[0]!
      expect(signerInfo.sid).to.deep.equal({ issuer, serialNumber })
      expect(signerInfo.signedAttributes!.der.includes(issuer), 'ESSCertIDv2.issuerSerial').to.equal(true)
    })

    it('is version 1 with sha256, detached id-data and the signer plus chain', async () => {
      const cms = await buildPadesSignature({ digest: sha256(content), keySource: rsa.keySource })
      const parsed = parseSignedData(cms)
      expect(parsed.version).to.equal(1)
      expect(parsed.digestAlgorithms).to.deep.equal([HASH_OID.sha256])
      expect(parsed.contentType).to.equal(OID.data)
      expect(parsed.content).to.equal(undefined)
      expect(parsed.certificates).to.have.length(2)
      expect(parsed.certificates.some((c) => c.equals(rsa.certificate))).to.equal(true)
      expect(parsed.signerInfos[0]!.signatureAlgorithm.oid).to.equal(OID.sha256WithRSAEncryption)
      const ecInfo = parseSignedData(
        await buildPadesSignature({ digest: sha256(content), keySource: ec.keySource }),
      )
      expect(ecInfo.signerInfos[0]!.signatureAlgorithm.oid).to.equal(OID.ecdsaWithSha256)
    })

    it('refuses a digest that is not 32 bytes', async () => {
      const digest = createHash('sha1').update(content).digest()
      expect(await rejectionCode(buildPadesSignature({ digest, keySource: rsa.keySource }))).to.equal(
        'BAD_OPTION',
      )
    })

    it('refuses a key source whose key does not match its certificate', async () => {
      const keySource = keySourceOf(ec.key, rsa.certificate, [])
      expect(await rejectionCode(buildPadesSignature({ digest: sha256(content), keySource }))).to.equal(
        'KEY_MISMATCH',
      )
    })

    it('refuses a key source whose certificate is not a certificate', async () => {
      const keySource = keySourceOf(rsa.key, Buffer.from('not a certificate'), [])
      expect(await rejectionCode(buildPadesSignature({ digest: sha256(content), keySource }))).to.equal(
        'KEY_UNREADABLE',
      )
    })
  })

  describe('verifyCmsSignature', () => {
    it('reports every check passing for our own signature', async () => {
      const cms = await buildPadesSignature({ digest: sha256(content), keySource: ec.keySource })
      const check = verifyCmsSignature(cms, sha256(content))
      expect(check).to.include({
        digestAlgorithm: 'sha256',
        messageDigestMatches: true,
        signatureValid: true,
        signingCertificateV2: 'match',
        signingCertificateV1: 'absent',
        contentType: OID.data,
        hasContentTypeAttr: true,
      })
      expect(check.signerCertificate?.equals(ec.certificate)).to.equal(true)
      expect(check.signingTimeAttribute).to.equal(undefined)
      expect(check.timestampToken).to.equal(undefined)
      expect(check.problems).to.deep.equal([])
    })

    it('reads the CMS out of a zero-padded PDF /Contents value', async () => {
      const cms = await buildPadesSignature({ digest: sha256(content), keySource: rsa.keySource })
      const padded = Buffer.concat([cms, Buffer.alloc(4000)])
      expect(verifyCmsSignature(padded, sha256(content)).signatureValid).to.equal(true)
    })

    it('reports messageDigestMatches false when the document digest differs', async () => {
      const cms = await buildPadesSignature({ digest: sha256(content), keySource: rsa.keySource })
      const digest = sha256(content)
      digest[0]! ^= 0x01
      const check = verifyCmsSignature(cms, digest)
      expect(check.messageDigestMatches).to.equal(false)
      expect(check.signatureValid).to.equal(true)
    })

    for (const [label, signer] of [
      ['RSA', () => rsa],
      ['ECDSA', () => ec],
    ] as const) {
      it(`reports signatureValid false when one byte of the ${label} signature value is flipped`, async () => {
        const cms = await buildPadesSignature({ digest: sha256(content), keySource: signer().keySource })
        const at = cms.indexOf(extractSignatureValue(cms)) + 10
        cms[at]! ^= 0x01
        const check = verifyCmsSignature(cms, sha256(content))
        expect(check.signatureValid).to.equal(false)
        expect(check.messageDigestMatches).to.equal(true)
      })
    }

    it('never throws anything but CMS_UNREADABLE, whatever bytes of a signature are corrupted', async () => {
      const cms = await buildPadesSignature({ digest: sha256(content), keySource: rsa.keySource })
      let seed = 7
      const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
      const codes = new Set<string | undefined>()
      for (let i = 0; i < 2000; i++) {
        const corrupted = Buffer.from(cms)
        for (let k = 0; k <= i % 3; k++) corrupted[next() % corrupted.length] = next() % 256
        codes.add(
          codeOf(() =>
            verifyCmsSignature(
              corrupted.subarray(0, i % 5 === 0 ? next() % cms.length : cms.length),
              sha256(content),
            ),
          ),
        )
      }
      expect([...codes].sort()).to.deep.equal(['CMS_UNREADABLE', undefined])
    })

    it('throws CMS_UNREADABLE for bytes that are not CMS SignedData', () => {
      expect(codeOf(() => verifyCmsSignature(randomBytes(300), sha256(content)))).to.equal('CMS_UNREADABLE')
      expect(codeOf(() => verifyCmsSignature(Buffer.alloc(0), sha256(content)))).to.equal('CMS_UNREADABLE')
      expect(codeOf(() => verifyCmsSignature(rsa.certificate, sha256(content)))).to.equal('CMS_UNREADABLE')
    })

    describe('signatures made by other tools (openssl cms -sign)', () => {
      const opensslSign = (name: string, args: string[]): Buffer => {
        openssl(dir, [
          'cms',
          '-sign',
          '-binary',
          '-in',
          'data.bin',
          '-outform',
          'DER',
          '-out',
          `${name}.der`,
          ...args,
        ])
        return readFileSync(join(dir, `${name}.der`))
      }
      const digestOf = (hash: string): Buffer => createHash(hash).update(content).digest()

      for (const md of ['sha1', 'sha384', 'sha512']) {
        it(`checks an RSA signature over ${md} with a signing-time attribute`, () => {
          const check = verifyCmsSignature(
            opensslSign(`rsa-${md}`, ['-signer', 'rsa.pem', '-inkey', 'rsa.key', '-md', md]),
            digestOf,
          )
          expect(check).to.include({ digestAlgorithm: md, messageDigestMatches: true, signatureValid: true })
          expect(check.signingTimeAttribute).to.be.instanceOf(Date)
        })
      }

      it('reads BER with indefinite lengths (openssl -stream)', () => {
        const cms = opensslSign('stream', ['-signer', 'rsa.pem', '-inkey', 'rsa.key', '-stream'])
        expect(cms.subarray(0, 2)).to.deep.equal(Buffer.from([0x30, 0x80]))
        expect(verifyCmsSignature(cms, digestOf)).to.include({
          signatureValid: true,
          messageDigestMatches: true,
        })
      })

      it('checks RSASSA-PSS', () => {
        const cms = opensslSign('pss', [
          '-signer',
          'rsa.pem',
          '-inkey',
          'rsa.key',
          '-keyopt',
          'rsa_padding_mode:pss',
        ])
        expect(parseSignedData(cms).signerInfos[0]!.signatureAlgorithm.oid).to.equal(OID.rsassaPss)
        expect(verifyCmsSignature(cms, digestOf).signatureValid).to.equal(true)
      })

      it('finds the signer by subjectKeyIdentifier', () => {
        const check = verifyCmsSignature(
          opensslSign('keyid', ['-signer', 'ec.pem', '-inkey', 'ec.key', '-keyid']),
          digestOf,
        )
        expect(check.signerCertificate?.equals(ec.certificate)).to.equal(true)
        expect(check.signatureValid).to.equal(true)
      })

      it('reports a signer certificate that is missing from the CMS', () => {
        const check = verifyCmsSignature(
          opensslSign('nocerts', ['-signer', 'rsa.pem', '-inkey', 'rsa.key', '-nocerts']),
          digestOf,
        )
        expect(check.signerCertificate).to.equal(undefined)
        expect(check.signatureValid).to.equal(false)
        const withExtra = verifyCmsSignature(readFileSync(join(dir, 'nocerts.der')), digestOf, {
          extraCertificates: [rsa.certificate],
        })
        expect(withExtra.signatureValid).to.equal(true)
      })

      it('checks ESS signing-certificate v1 (SHA-1) and v2 written by openssl -cades', () => {
        const v1 = verifyCmsSignature(
          opensslSign('cades1', ['-signer', 'rsa.pem', '-inkey', 'rsa.key', '-cades', '-md', 'sha1']),
          digestOf,
        )
        expect([v1.signingCertificateV1, v1.signingCertificateV2]).to.deep.equal(['match', 'absent'])
        const v2 = verifyCmsSignature(
          opensslSign('cades2', ['-signer', 'ec.pem', '-inkey', 'ec.key', '-cades']),
          digestOf,
        )
        expect([v2.signingCertificateV1, v2.signingCertificateV2]).to.deep.equal(['absent', 'match'])
      })

      it('checks a signature without signed attributes (adbe.pkcs7.detached from old tools)', () => {
        const cms = opensslSign('noattr', ['-signer', 'rsa.pem', '-inkey', 'rsa.key', '-noattr'])
        expect(parseSignedData(cms).signerInfos[0]!.signedAttributes).to.equal(undefined)
        expect(verifyCmsSignature(cms, digestOf)).to.include({
          signatureValid: true,
          messageDigestMatches: true,
          hasContentTypeAttr: false,
        })
        const other = verifyCmsSignature(cms, sha256(randomBytes(10)))
        expect(other).to.include({ signatureValid: true, messageDigestMatches: false })
      })

      it('reports a digest of the wrong length instead of comparing it', () => {
        const check = verifyCmsSignature(readFileSync(join(dir, 'rsa-sha384.der')), sha256(content))
        expect(check.messageDigestMatches).to.equal(false)
        expect(check.problems.join()).to.match(/sha384/)
      })
    })

    describe('hand-made SignerInfos', () => {
      /** A CMS signed by `signer` over the given signed attributes, written as given (not sorted). */
      const handMade = (signer: Signer, attributes: Buffer[]): Buffer => {
        const info = certificateInfo(signer.certificate)
        const signedAttributes = w.tlv(0x31, ...attributes)
        const signerInfo = w.sequence(
          w.integer(1),
          w.sequence(info.issuer, info.serialNumber),
          w.algorithmIdentifier(HASH_OID.sha256),
          w.retag(signedAttributes, 0xa0),
          w.algorithmIdentifier(OID.sha256WithRSAEncryption, w.NULL),
          w.octetString(sign('sha256', signedAttributes, signer.key)),
        )
        const signedData = w.sequence(
          w.integer(1),
          w.setOf([w.algorithmIdentifier(HASH_OID.sha256)]),
          w.sequence(w.oid(OID.data)),
          w.contextConstructed(0, signer.certificate),
          w.setOf([signerInfo]),
        )
        return w.sequence(w.oid(OID.signedData), w.contextConstructed(0, signedData))
      }

      it('verifies the signed attributes as received, without re-encoding them (unsorted SET)', () => {
        const attributes = [
          contentTypeAttribute(OID.data),
          messageDigestAttribute(sha256(content)),
          signingCertificateV2Attribute(certificateInfo(rsa.certificate)),
        ]
        const unsorted = [...attributes].sort(Buffer.compare).reverse()
        const check = verifyCmsSignature(handMade(rsa, unsorted), sha256(content))
        expect(check).to.include({
          signatureValid: true,
          messageDigestMatches: true,
          signingCertificateV2: 'match',
        })
      })

      it('reports signingCertificateV2 mismatch when it names another certificate', () => {
        const attributes = [
          contentTypeAttribute(OID.data),
          messageDigestAttribute(sha256(content)),
          signingCertificateV2Attribute(certificateInfo(ec.certificate)),
        ]
        const check = verifyCmsSignature(handMade(rsa, attributes), sha256(content))
        expect(check.signatureValid).to.equal(true)
        expect(check.signingCertificateV2).to.equal('mismatch')
      })

      it('reports signed attributes without content-type or message-digest', () => {
        const check = verifyCmsSignature(
          handMade(rsa, [signingCertificateV2Attribute(certificateInfo(rsa.certificate))]),
          sha256(content),
        )
        expect(check).to.include({
          hasContentTypeAttr: false,
          messageDigestMatches: false,
          signatureValid: true,
        })
        expect(check.problems).to.include.members([
          'signed attributes lack content-type',
          'signed attributes lack message-digest',
        ])
      })
    })
  })

  describe('extractSignatureValue', () => {
    it('returns exactly the value the key source produced', async () => {
      let produced: Buffer | undefined
      const keySource: KeySource = {
        ...rsa.keySource,
        sign: async (data) => (produced = await rsa.keySource.sign(data)),
      }
      const cms = await buildPadesSignature({ digest: sha256(content), keySource })
      expect(extractSignatureValue(cms).equals(produced!)).to.equal(true)
    })

    it('throws CMS_UNREADABLE for garbage', () => {
      expect(codeOf(() => extractSignatureValue(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])))).to.equal(
        'CMS_UNREADABLE',
      )
    })
  })

  after(() => rmSync(dir, { recursive: true, force: true }))
})
