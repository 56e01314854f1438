/**
 * The certificate and CRL builders write OBJECT IDENTIFIERs and INTEGERs with the DER writer of
 * signing/cms since issue 16 (asn1js before): the same bytes, so certificates and CRLs built
 * before and after are encoded alike.
 */
import { expect } from 'chai'
import * as asn1js from 'asn1js'
import { int, oid } from '../../signing/pki/asn1'

describe('the DER writer of the certificate and CRL builders (issue 16)', () => {
  it('writes OBJECT IDENTIFIERs as asn1js wrote them', () => {
    const oids = [
      '2.5.4.3',
      '2.5.29.15',
      '1.2.840.113549.1.1.11',
      '1.2.840.10045.4.3.2',
      '1.3.6.1.5.5.7.48.1',
      '0.9.2342.19200300.100.1.1',
      '2.16.840.1.101.3.4.2.1',
      '1.3.6.1.4.1.311.60.2.1.3',
      '2.999.16383',
      '1.2.3.4294967296',
    ]
    for (const value of oids) {
      expect(oid(value).toString('hex'), value).to.equal(
        Buffer.from(new asn1js.ObjectIdentifier({ value }).toBER()).toString('hex'),
      )
    }
  })

  it('writes INTEGERs (versions, path lengths, CRL numbers) as asn1js wrote them', () => {
    for (const value of [
      0,
      1,
      2,
      127,
      128,
      255,
      256,
      32767,
      32768,
      65535,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 + 5,
      2 ** 48 - 1,
    ]) {
      expect(int(value).toString('hex'), String(value)).to.equal(
        Buffer.from(new asn1js.Integer({ value }).toBER()).toString('hex'),
      )
    }
  })
})
