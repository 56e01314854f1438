import { expect } from 'chai'
import { createUnlockedKeys } from '../../workflows/unlocked-keys'
import { getTestPki } from '../helpers/test-pki'

describe('opened keys kept for a few minutes (unlocked-keys.ts)', () => {
  it('never hands one PKCS#12\'s key to another with the same certificate id (two databases in one process)', async () => {
    const pki = await getTestPki()
    const hoan = pki.signers.hoan as { p12: Buffer; certificate: Buffer }
    const khai = pki.signers.khai as { p12: Buffer; certificate: Buffer }
    const one = createUnlockedKeys()
    const other = createUnlockedKeys()
    expect(one.unlock(424242, hoan.p12, pki.pin).certificate.equals(hoan.certificate)).to.equal(true)
    expect(other.unlock(424242, khai.p12, pki.pin).certificate.equals(khai.certificate)).to.equal(true)
    // A cache also refuses to serve an id whose PKCS#12 changed (a re-issued certificate row).
    expect(one.unlock(424242, khai.p12, pki.pin).certificate.equals(khai.certificate)).to.equal(true)
    expect(one.unlock(424242, hoan.p12, pki.pin).certificate.equals(hoan.certificate)).to.equal(true)
  })

  it('asks the PKCS#12 again for a wrong PIN, and after forget', async () => {
    const pki = await getTestPki()
    const hoan = pki.signers.hoan as { p12: Buffer; certificate: Buffer }
    const keys = createUnlockedKeys()
    const first = keys.unlock(7, hoan.p12, pki.pin)
    expect(keys.unlock(7, hoan.p12, pki.pin)).to.equal(first)
    expect(() => keys.unlock(7, hoan.p12, `${pki.pin}0`)).to.throw().with.property('code', 'PIN_INCORRECT')
    keys.forget(7)
    expect(keys.unlock(7, hoan.p12, pki.pin)).to.not.equal(first)
  })
})
