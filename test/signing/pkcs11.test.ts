import { expect } from 'chai'
import * as crypto from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hasCode } from '../../signing/errors'
import {
  ecdsaRawToDer,
  listTokenCertificates,
  listTokens,
  openPkcs11KeySource,
  signWithToken,
} from '../../signing/keys/pkcs11'
import { findObjects, login, openTokenSession, tokenError } from '../../signing/keys/pkcs11-module'
import { generateTokenKeyPair } from '../../signing/keys/pkcs11-provision'
import { loadCrls } from '../../signing/pki'
import { appearanceFromCertificate, signPdf } from '../../signing/sign'
import { verifyPdf } from '../../signing/verify'
import { makePdf } from '../helpers/sample-pdfs'
import { getSoftHsmToken, type SoftHsmToken } from '../helpers/softhsm'
import { getTestPki } from '../helpers/test-pki'
import { extractSignatures, nssDbTrusting, opensslCmsVerify, pdfsig, tempDir } from '../helpers/tools'

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

describe('PKCS#11 tokens (SoftHSM2)', function () {
  this.timeout(120_000)
  let token: SoftHsmToken

  before(async () => {
    token = await getSoftHsmToken()
  })

  it('lists the token and its certificates without a PIN, marking those with a key', () => {
    const [info, ...others] = listTokens(token.module)
    expect(others).to.deep.equal([])
    expect(info).to.include({ slot: 0, label: token.label, manufacturer: 'SoftHSM project' })
    expect(info?.serial).to.match(/^[0-9a-f]{16}$/)
    const listed = listTokenCertificates({ module: token.module, slot: token.slot })
    const byId = new Map(listed.map((c) => [c.id, c]))
    // The token is shared by the whole mocha process: suites that run earlier (the issue 11 chains)
    // add keys of their own to it, so the helper's four are looked for among what is listed.
    expect([...byId.keys()]).to.include.members([
      token.rsa.id,
      token.ec.id,
      token.caIds.issuing,
      token.caIds.root,
    ])
    expect(byId.get(token.rsa.id)).to.include({ hasPrivateKey: true, label: token.rsa.label })
    expect(byId.get(token.rsa.id)?.certificate.equals(token.rsa.certificate)).to.equal(true)
    expect(byId.get(token.ec.id)?.hasPrivateKey).to.equal(true)
    expect(byId.get(token.caIds.issuing)?.hasPrivateKey).to.equal(false)
    expect(byId.get(token.caIds.root)?.hasPrivateKey).to.equal(false)
  })

  for (const which of ['rsa', 'ec'] as const) {
    describe(`a ${which === 'rsa' ? 'RSA-2048' : 'P-256'} key generated on the token`, () => {
      it('signs a PDF that pdfsig, openssl cms -verify and verifyPdf accept', async () => {
        const pki = await getTestPki()
        const signer = token[which]
        const keySource = openPkcs11KeySource({
          module: token.module,
          slot: token.slot,
          pin: token.pin,
          keyId: signer.id,
        })
        let pdf: Buffer
        try {
          expect(keySource.keyAlgorithm).to.equal(signer.keyAlgorithm)
          expect(keySource.certificate.equals(signer.certificate)).to.equal(true)
          expect(keySource.chain.map((c) => c.toString('hex'))).to.deep.equal(
            [pki.issuingDer, pki.rootDer].map((c) => c.toString('hex')),
          )
          const appearance = appearanceFromCertificate(signer.certificate)
          pdf = (
            await signPdf(await makePdf({ xref: 'stream' }), {
              keySource,
              appearance,
              reason: 'Ký bằng USB token',
            })
          ).pdf
        } finally {
          keySource.close()
        }
        const dir = tempDir('kyso-pkcs11-')
        const file = join(dir, 'signed.pdf')
        writeFileSync(file, pdf)
        const [sig] = pdfsig(file, nssDbTrusting(pki.rootPem))
        expect(sig?.signatureStatus).to.equal('Signature is Valid.')
        expect(sig?.certificateStatus).to.equal('Certificate is Trusted.')
        const rootFile = join(dir, 'root.pem')
        writeFileSync(rootFile, pki.rootPem)
        const [extracted] = extractSignatures(pdf)
        const cms = opensslCmsVerify(extracted!.cms, extracted!.signedData, rootFile)
        expect(cms.ok, cms.output).to.equal(true)
        const report = verifyPdf(pdf, {
          trustAnchors: [pki.rootDer],
          crls: loadCrls(readFileSync(join(pki.dir, 'crl.pem'))),
        })
        expect(report.indication).to.equal('PASSED')
        expect(report.signatures[0]?.signer).to.equal(signer.name)
      })

      it('gives signatures node:crypto verifies with the certificate, two at once included', async () => {
        const signer = token[which]
        const keySource = openPkcs11KeySource({
          module: token.module,
          slot: token.slot,
          pin: token.pin,
          keyId: signer.id,
        })
        const data = [Buffer.from('signed attributes one'), Buffer.from('signed attributes two')]
        let signatures: Buffer[]
        try {
          signatures = await Promise.all(data.map((d) => keySource.sign(d)))
        } finally {
          keySource.close()
        }
        const publicKey = new crypto.X509Certificate(signer.certificate).publicKey
        data.forEach((d, i) =>
          expect(crypto.verify('sha256', d, publicKey, signatures[i]!), `signature ${i}`).to.equal(true),
        )
        expect(crypto.verify('sha256', Buffer.from('something else'), publicKey, signatures[0]!)).to.equal(
          false,
        )
      })
    })
  }

  it('signs once with signWithToken and leaves no logged-in session behind', async () => {
    const data = Buffer.from('one request of the agent')
    const result = await signWithToken({ module: token.module, pin: token.pin, keyId: token.ec.id, data })
    expect(result.signatureAlgorithm).to.equal('ecdsa-with-SHA256')
    expect(result.certificate.equals(token.ec.certificate)).to.equal(true)
    expect(
      crypto.verify(
        'sha256',
        data,
        new crypto.X509Certificate(token.ec.certificate).publicKey,
        result.signature,
      ),
    ).to.equal(true)
    // The login state is shared by all sessions of a process: a new session shows whether it ended.
    const session = openTokenSession({ module: token.module })
    try {
      const CKS_RO_PUBLIC_SESSION = 0 // PKCS#11 v2.40 base §5.6: not CKS_RO_USER_FUNCTIONS (1)
      expect(session.p11.C_GetSessionInfo(session.session).state).to.equal(CKS_RO_PUBLIC_SESSION)
    } finally {
      session.close()
    }
  })

  it('refuses a wrong PIN with PIN_INCORRECT, then opens with the right one', async () => {
    const opts = { module: token.module, keyId: token.rsa.id }
    expect(await codeOf(() => openPkcs11KeySource({ ...opts, pin: '9999' }))).to.equal('PIN_INCORRECT')
    openPkcs11KeySource({ ...opts, pin: token.pin }).close()
  })

  it('gives codes for a missing key, a CA certificate (no key), no token and a bad module', async () => {
    const opts = { module: token.module, pin: token.pin }
    expect(await codeOf(() => openPkcs11KeySource({ ...opts, keyId: 'ffff' }))).to.equal('KEY_NOT_FOUND')
    expect(await codeOf(() => openPkcs11KeySource({ ...opts, keyId: token.caIds.issuing }))).to.equal(
      'KEY_NOT_FOUND',
    )
    expect(await codeOf(() => openPkcs11KeySource({ ...opts, keyId: 'not hex' }))).to.equal('BAD_OPTION')
    expect(await codeOf(() => openPkcs11KeySource({ ...opts, slot: 3, keyId: token.rsa.id }))).to.equal(
      'TOKEN_NOT_FOUND',
    )
    expect(await codeOf(() => listTokenCertificates({ module: token.module, slot: 1 }))).to.equal(
      'TOKEN_NOT_FOUND',
    )
    expect(await codeOf(() => listTokens('/nonexistent/libpkcs11.so'))).to.equal('TOKEN_MODULE_FAILED')
  })

  it('maps CKR_PIN_LOCKED to PIN_LOCKED (SoftHSM2 never locks a PIN: the mapping alone)', () => {
    const err = tokenError(new Error('CKR_PIN_LOCKED'), 'log in')
    expect(err.code).to.equal('PIN_LOCKED')
    expect(tokenError(new Error('CKR_DEVICE_REMOVED'), 'sign').code).to.equal('TOKEN_NOT_FOUND')
    expect(tokenError(new Error('CKR_FUNCTION_FAILED'), 'sign').code).to.equal('TOKEN_FAILED')
  })

  it('keeps private keys sensitive: CKA_VALUE (EC), CKA_PRIVATE_EXPONENT (RSA) are refused', () => {
    const session = openTokenSession({ module: token.module })
    try {
      login(session, token.pin)
      const { lib, p11 } = session
      // An RSA private key has no CKA_VALUE (v2.40 mechanisms §2.1.3): its secrets are d, p, q.
      for (const [signer, secrets] of [
        [token.rsa, [lib.CKA_PRIVATE_EXPONENT, lib.CKA_PRIME_1]],
        [token.ec, [lib.CKA_VALUE]],
      ] as const) {
        const [key] = findObjects(session, [
          { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
          { type: lib.CKA_ID, value: Buffer.from(signer.id, 'hex') },
        ])
        expect(key, signer.id).to.be.instanceOf(Buffer)
        for (const type of secrets) {
          expect(() => p11.C_GetAttributeValue(session.session, key!, [{ type }])).to.throw(
            /^CKR_ATTRIBUTE_SENSITIVE$/,
          )
        }
        const flags = p11.C_GetAttributeValue(session.session, key!, [
          { type: lib.CKA_SENSITIVE },
          { type: lib.CKA_EXTRACTABLE },
          { type: lib.CKA_NEVER_EXTRACTABLE },
          { type: lib.CKA_LOCAL },
        ])
        expect(flags.map((a) => a.value[0])).to.deep.equal(
          [1, 0, 1, 1],
          'sensitive, not extractable, never extractable, made on the token',
        )
      }
    } finally {
      session.close()
    }
  })

  it('refuses to generate a key over an existing CKA_ID with BAD_OPTION', async () => {
    const opts = {
      module: token.module,
      slot: token.slot,
      pin: token.pin,
      label: 'again',
      id: token.rsa.id,
      keyType: 'p256' as const,
    }
    expect(await codeOf(() => generateTokenKeyPair(opts))).to.equal('BAD_OPTION')
  })
})

describe('ECDSA r||s to DER (RFC 3279 §2.2.3)', () => {
  it('matches node:crypto for 200 signatures, some with the top bit of r or s set', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    let sawHighBit = false
    for (let i = 0; i < 200; i++) {
      const data = Buffer.from(`message ${i}`)
      const raw = crypto.sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
      sawHighBit ||= (raw[0]! & 0x80) !== 0 || (raw[32]! & 0x80) !== 0
      const der = ecdsaRawToDer(raw)
      expect(
        crypto.verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der),
        `signature ${i}`,
      ).to.equal(true)
    }
    expect(sawHighBit).to.equal(true)
  })

  it('writes minimal INTEGERs (leading zeros dropped, 00 before a top bit), refuses odd lengths', () => {
    const r = Buffer.concat([Buffer.from([0x00, 0x00, 0x80]), Buffer.alloc(29, 0x11)])
    const s = Buffer.concat([Buffer.from([0x7f]), Buffer.alloc(31, 0x22)])
    const expected = Buffer.concat([
      Buffer.from([0x30, 0x43, 0x02, 0x1f, 0x00, 0x80]),
      Buffer.alloc(29, 0x11),
      Buffer.from([0x02, 0x20, 0x7f]),
      Buffer.alloc(31, 0x22),
    ])
    expect(ecdsaRawToDer(Buffer.concat([r, s])).toString('hex')).to.equal(expected.toString('hex'))
    expect(() => ecdsaRawToDer(Buffer.alloc(63))).to.throw(/63 bytes/)
  })
})
