import { expect } from 'chai'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { createUnlockedKeys } from '../../workflows/unlocked-keys'
import { getTestPki } from '../helpers/test-pki'

const open = (p12: Buffer, pin: string) => async () => openPkcs12KeySource(p12, pin)

async function codeOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => 'no error',
    (err: { code?: unknown }) => err.code,
  )
}

describe('opened keys kept for a few minutes (unlocked-keys.ts)', () => {
  it("never hands one PKCS#12's key to another with the same certificate id (two databases in one process)", async () => {
    const pki = await getTestPki()
    const hoan = pki.signers.hoan as { p12: Buffer; certificate: Buffer }
    const khai = pki.signers.khai as { p12: Buffer; certificate: Buffer }
    const one = createUnlockedKeys()
    const other = createUnlockedKeys()
    expect(
      (await one.unlock(424242, hoan.p12, pki.pin, open(hoan.p12, pki.pin))).certificate.equals(
        hoan.certificate,
      ),
    ).to.equal(true)
    expect(
      (await other.unlock(424242, khai.p12, pki.pin, open(khai.p12, pki.pin))).certificate.equals(
        khai.certificate,
      ),
    ).to.equal(true)
    // A cache also refuses to serve an id whose stored key changed (a re-issued row, a new PIN, a rotation).
    expect(
      (await one.unlock(424242, khai.p12, pki.pin, open(khai.p12, pki.pin))).certificate.equals(
        khai.certificate,
      ),
    ).to.equal(true)
    expect(
      (await one.unlock(424242, hoan.p12, pki.pin, open(hoan.p12, pki.pin))).certificate.equals(
        hoan.certificate,
      ),
    ).to.equal(true)
  })

  it('asks the stored key again for a wrong PIN, and after forget', async () => {
    const pki = await getTestPki()
    const hoan = pki.signers.hoan as { p12: Buffer; certificate: Buffer }
    const keys = createUnlockedKeys()
    const first = await keys.unlock(7, hoan.p12, pki.pin, open(hoan.p12, pki.pin))
    expect(await keys.unlock(7, hoan.p12, pki.pin, open(hoan.p12, pki.pin))).to.equal(first)
    expect(await codeOf(keys.unlock(7, hoan.p12, `${pki.pin}0`, open(hoan.p12, `${pki.pin}0`)))).to.equal(
      'PIN_INCORRECT',
    )
    keys.forget(7)
    expect(await keys.unlock(7, hoan.p12, pki.pin, open(hoan.p12, pki.pin))).to.not.equal(first)
  })
})
