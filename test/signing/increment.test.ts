import { expect } from 'chai'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { signPdf } from '../../signing/sign'
import { analyseIncrement } from '../../signing/verify'
import { makePdf } from '../helpers/sample-pdfs'
import { getTestPki } from '../helpers/test-pki'

async function signed(pdf: Buffer): Promise<Buffer> {
  const pki = await getTestPki()
  const s = pki.signers.hoan as { p12: Buffer }
  return (await signPdf(pdf, { keySource: openPkcs12KeySource(s.p12, pki.pin) })).pdf
}

describe('what a returned file added to the version served (analyseIncrement)', function () {
  this.timeout(60_000)

  it('counts one revision for one signature on a file ending without an end-of-line after %%EOF', async () => {
    const base = await makePdf()
    expect(base.subarray(-5).toString('latin1')).to.equal('%%EOF')
    const report = analyseIncrement(base, await signed(base))
    expect([report.extendsBase, report.addedRevisions, report.newSignatures.length]).to.deep.equal([
      true,
      1,
      1,
    ])
  })

  it('counts one revision on a file ending with an end-of-line, and two for two signatures', async () => {
    const base = Buffer.concat([await makePdf(), Buffer.from('\n')])
    const once = await signed(base)
    expect(analyseIncrement(base, once).addedRevisions).to.equal(1)
    expect(analyseIncrement(base, await signed(once)).addedRevisions).to.equal(2)
  })
})
