import { expect } from 'chai'
import { forgetKey, unlockKey } from '../../workflows/unlocked-keys'
import { getTestPki } from '../helpers/test-pki'

describe('opened keys kept for a few minutes (unlockKey)', () => {
  it('never hands one PKCS#12\'s key to another with the same certificate id (two databases in one process)', async () => {
    const pki = await getTestPki()
    const hoan = pki.signers.hoan as { p12: Buffer; certificate: Buffer }
    const khai = pki.signers.khai as { p12: Buffer; certificate: Buffer }
    expect(unlockKey(424242, hoan.p12, pki.pin).certificate.equals(hoan.certificate)).to.equal(true)
    expect(unlockKey(424242, khai.p12, pki.pin).certificate.equals(khai.certificate)).to.equal(true)
    expect(unlockKey(424242, hoan.p12, pki.pin).certificate.equals(hoan.certificate)).to.equal(true)
    forgetKey(424242)
  })
})
