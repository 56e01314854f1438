/**
 * The one ASN.1 reader on hostile input (issue 16): every refusal is an Asn1Error naming what was
 * read, never a TypeError, a RangeError, a hang or a wrong value.
 */
import { expect } from 'chai'
import { derProblem } from '../../signing/cms/der-check'
import {
  Asn1Error,
  bitStringOf,
  booleanOf,
  DER_LIMITS,
  integerOf,
  octetsOf,
  oidOf,
  readDer,
  smallIntegerOf,
  textOf,
  timeOf,
  type DerNode,
} from '../../signing/cms/der-read'

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex')
const read = (h: string) => readDer(hex(h), 'test')

/** The Asn1Error message `action` throws; fails the test on any other outcome. */
function refusal(action: () => unknown): string {
  try {
    action()
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(Asn1Error)
    return (err as Error).message
  }
  throw new Error('expected an Asn1Error')
}

/** A primitive TLV with a definite length, in the minimal form. */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]
  return Buffer.concat([Buffer.from([tag, ...length]), content])
}

const nested = (depth: number): Buffer => (depth === 0 ? hex('0500') : tlv(0x30, nested(depth - 1)))
const time = (tag: 0x17 | 0x18, text: string): DerNode =>
  readDer(tlv(tag, Buffer.from(text, 'latin1')), 'time')

describe('the ASN.1 reader on hostile input (issue 16)', () => {
  describe('lengths', () => {
    it('refuses empty input and a TLV cut before, inside or after its length', () => {
      expect(refusal(() => read(''))).to.match(/empty input/)
      expect(refusal(() => read('30'))).to.match(/truncated before its length/)
      expect(refusal(() => read('30 82 01'))).to.match(/truncated in its length/)
      expect(refusal(() => read('30 05 02 01 05'))).to.match(/truncated: 5 content octets announced, 3 there/)
      expect(refusal(() => read('04 84 7f ff ff ff 00'))).to.match(/truncated/)
    })

    it('refuses a child whose length runs past the end of its parent', () => {
      expect(refusal(() => read('30 03 04 05 00 00 00 00 00'))).to.match(/truncated/)
    })

    it('refuses the reserved length octet FF and lengths of more than 4 octets', () => {
      expect(refusal(() => read('04 ff 00'))).to.match(/reserved length octet FF/)
      expect(refusal(() => read('04 85 00 00 00 00 01 00'))).to.match(/length of more than 4 octets/)
    })

    it('reads a long-form length padded with zeros as BER allows (X.690 §8.1.3.5), not as DER', () => {
      const node = read('02 84 00 00 00 01 05')
      expect(integerOf(node)).to.equal(5n)
      expect(node.raw.length).to.equal(7)
      expect(derProblem(node)).to.match(/not minimal/)
      expect(derProblem(read('02 81 01 05'))).to.match(/not minimal/)
      expect(derProblem(read('02 01 05'))).to.equal(undefined)
    })

    it('ignores bytes after the first TLV (the zero padding of a PDF /Contents)', () => {
      expect(read('02 01 05 00 00 00').raw.length).to.equal(3)
    })
  })

  describe('indefinite lengths', () => {
    it('reads nested indefinite lengths: content up to, raw through the end-of-contents octets', () => {
      const node = read('30 80 30 80 02 01 05 00 00 00 00 ff')
      expect(node.raw.length).to.equal(11)
      expect(node.content.length).to.equal(7)
      expect(integerOf(node.children[0]?.children[0])).to.equal(5n)
      expect(derProblem(node)).to.match(/indefinite/)
    })

    it('refuses an indefinite length on a primitive encoding', () => {
      expect(refusal(() => read('04 80 01 02 00 00'))).to.match(/indefinite length on a primitive/)
    })

    it('refuses an indefinite length whose end-of-contents octets never come', () => {
      expect(refusal(() => read('30 80 02 01 05'))).to.match(/without end-of-contents/)
      expect(refusal(() => read('30 80 02 01 05 00'))).to.match(/without end-of-contents|truncated/)
    })

    it('refuses end-of-contents octets where no indefinite length ends, and one with a length', () => {
      expect(refusal(() => read('30 02 00 00'))).to.match(/end-of-contents/)
      expect(refusal(() => read('00 00'))).to.match(/end-of-contents/)
      expect(refusal(() => read('30 80 00 01 00 00 00'))).to.match(/end-of-contents/)
      expect(refusal(() => read('20 00'))).to.match(/end-of-contents/)
    })

    it('refuses an indefinite length inside a definite one that ends first', () => {
      expect(refusal(() => read('30 04 30 80 05 00 00 00'))).to.match(/without end-of-contents/)
    })
  })

  describe('tags', () => {
    it('reads the high-tag-number form for tag numbers from 31', () => {
      const node = read('9f 1f 01 07')
      expect(node.tagClass).to.equal('context')
      expect(node.tag).to.equal(31)
      expect(read('bf 81 00 00').tag).to.equal(128)
    })

    it('refuses a truncated, zero-padded, too large or needless high tag number', () => {
      expect(refusal(() => read('1f'))).to.match(/truncated in its tag number/)
      expect(refusal(() => read('1f 81'))).to.match(/truncated in its tag number/)
      expect(refusal(() => read('1f 80 1f 00'))).to.match(/leading zero octet/)
      expect(refusal(() => read('1f 05 00'))).to.match(/tag number 5 in the high-tag-number form/)
      expect(refusal(() => read('1f ff ff ff ff 7f 00'))).to.match(/tag number too large/)
    })
  })

  describe('limits', () => {
    it(`reads ${DER_LIMITS.maxDepth + 1} levels of nesting and refuses one more`, () => {
      expect(readDer(nested(DER_LIMITS.maxDepth), 'deep').children).to.have.length(1)
      expect(refusal(() => readDer(nested(DER_LIMITS.maxDepth + 1), 'deep'))).to.match(
        /nested more than 64 deep/,
      )
    })

    it('refuses 100,000 levels of indefinite nesting without exhausting the stack', () => {
      const deep = Buffer.concat([
        Buffer.alloc(200_000, 0x30).map((b, i) => (i % 2 ? 0x80 : b)),
        Buffer.alloc(200_000),
      ])
      expect(refusal(() => readDer(deep, 'deep'))).to.match(/nested more than 64 deep/)
    })

    it(`reads ${DER_LIMITS.maxNodes.toLocaleString('en')} elements, refuses one more, quickly`, function () {
      this.timeout(60_000)
      const nulls = (n: number) => tlv(0x30, Buffer.alloc(2 * n).fill(hex('0500')))
      expect(readDer(nulls(DER_LIMITS.maxNodes - 1), 'many').children).to.have.length(DER_LIMITS.maxNodes - 1)
      const start = Date.now()
      expect(refusal(() => readDer(nulls(DER_LIMITS.maxNodes), 'many'))).to.match(
        /more than 2000000 elements/,
      )
      expect(Date.now() - start).to.be.below(10_000)
    })
  })

  describe('values', () => {
    it('reads OBJECT IDENTIFIERs, including a 2.25 UUID arc of 128 bits', () => {
      expect(oidOf(read('06 09 2a 86 48 86 f7 0d 01 07 02'))).to.equal('1.2.840.113549.1.7.2')
      const uuid = (1n << 128n) - 1n
      const arc: number[] = []
      for (let v = uuid; v > 0n; v >>= 7n) arc.unshift(Number(v & 0x7fn) | (arc.length ? 0x80 : 0))
      expect(oidOf(readDer(tlv(0x06, Buffer.from([0x69, ...arc])), 'uuid'))).to.equal(`2.25.${uuid}`)
    })

    it('refuses truncated or 80-padded arcs, an empty or oversized OBJECT IDENTIFIER, another type', () => {
      expect(refusal(() => oidOf(read('06 02 2a 86')))).to.match(/truncated in its last arc/)
      expect(refusal(() => oidOf(read('06 03 2a 80 01')))).to.match(/leading zero octet/)
      expect(refusal(() => oidOf(read('06 00')))).to.match(/empty/)
      expect(
        refusal(() => oidOf(readDer(tlv(0x06, Buffer.from([0x2a, ...Array(20).fill(0x81), 0x01])), 'long'))),
      ).to.match(/longer than 20 octets/)
      expect(refusal(() => oidOf(read('86 01 2a')))).to.match(/expected an OBJECT IDENTIFIER/)
      expect(refusal(() => oidOf(undefined))).to.match(/expected an OBJECT IDENTIFIER/)
    })

    it('reads INTEGERs in two’s complement and refuses empty, oversized and out-of-range ones', () => {
      expect(integerOf(read('02 01 ff'))).to.equal(-1n)
      expect(integerOf(read('02 02 00 80'))).to.equal(128n)
      expect(refusal(() => integerOf(read('02 00')))).to.match(/empty INTEGER/)
      expect(refusal(() => integerOf(readDer(tlv(0x02, Buffer.alloc(1025, 1)), 'big')))).to.match(
        /longer than 1024 octets/,
      )
      expect(smallIntegerOf(read('02 02 08 00'), 2048)).to.equal(2048)
      expect(refusal(() => smallIntegerOf(read('02 09 00 ff ff ff ff ff ff ff ff'), 1_000_000))).to.match(
        /out of range/,
      )
      expect(refusal(() => smallIntegerOf(read('02 01 ff'), 10))).to.match(/out of range/)
      expect(refusal(() => integerOf(read('22 03 02 01 05')))).to.match(/expected an INTEGER/)
    })

    it('reads BOOLEANs as BER does and refuses other lengths', () => {
      expect(booleanOf(read('01 01 ff'))).to.equal(true)
      expect(booleanOf(read('01 01 01'))).to.equal(true)
      expect(booleanOf(read('01 01 00'))).to.equal(false)
      expect(refusal(() => booleanOf(read('01 02 00 ff')))).to.match(/one octet/)
      expect(refusal(() => booleanOf(read('01 00')))).to.match(/one octet/)
      expect(refusal(() => booleanOf(read('02 01 ff')))).to.match(/expected a BOOLEAN/)
    })

    it('reads BIT STRINGs and refuses more than 7 unused bits, or unused bits of nothing', () => {
      expect(bitStringOf(read('03 02 07 80'))).to.deep.include({ unusedBits: 7 })
      expect(bitStringOf(read('03 01 00')).bytes.length).to.equal(0)
      expect(refusal(() => bitStringOf(read('03 02 08 80')))).to.match(/8 unused bits/)
      expect(refusal(() => bitStringOf(read('03 01 03')))).to.match(/3 unused bits/)
      expect(refusal(() => bitStringOf(read('03 00')))).to.match(/initial octet/)
    })

    it('joins a constructed OCTET STRING and refuses segments of another type', () => {
      expect(octetsOf(read('24 80 04 01 61 24 03 04 01 62 00 00')).toString()).to.equal('ab')
      expect(octetsOf(read('80 02 61 62')).toString()).to.equal('ab')
      expect(refusal(() => octetsOf(read('24 05 04 01 61 02 00')))).to.match(
        /something else than OCTET STRINGs/,
      )
      expect(refusal(() => octetsOf(read('02 01 05')))).to.match(/expected an OCTET STRING/)
    })

    it('decodes the strings of names as they were decoded before (UTF-8, UTF-16BE, UTF-32BE, octets)', () => {
      expect(textOf(readDer(tlv(0x0c, Buffer.from('Võ Văn Hoan')), 'utf8'))).to.equal('Võ Văn Hoan')
      expect(textOf(read('0c 02 c3 28'))).to.equal('Ã(') // not UTF-8: read octet by octet
      expect(textOf(readDer(tlv(0x1e, Buffer.from('Hà Nội', 'utf16le').swap16()), 'bmp'))).to.equal('Hà Nội')
      expect(textOf(read('1c 04 00 01 f6 00'))).to.equal('\u{1f600}')
      expect(textOf(read('13 02 56 4e'))).to.equal('VN')
      expect(textOf(read('02 01 05'))).to.equal(undefined)
      expect(refusal(() => textOf(read('1e 03 00 48 00')))).to.match(/BMPString of 3 octets/)
      expect(refusal(() => textOf(read('1c 04 00 11 00 00')))).to.match(/beyond U\+10FFFF/)
    })
  })

  describe('times', () => {
    it('reads UTCTime years 00-49 as 20YY and 50-99 as 19YY (RFC 5280 §4.1.2.5.1)', () => {
      expect(timeOf(time(0x17, '491231235959Z')).toISOString()).to.equal('2049-12-31T23:59:59.000Z')
      expect(timeOf(time(0x17, '500101000000Z')).toISOString()).to.equal('1950-01-01T00:00:00.000Z')
    })

    it('reads GeneralizedTime with a fraction cut to milliseconds, and years before 100 as they are', () => {
      expect(timeOf(time(0x18, '20240229120000.5Z')).toISOString()).to.equal('2024-02-29T12:00:00.500Z')
      expect(timeOf(time(0x18, '20240229120000.123456Z')).toISOString()).to.equal('2024-02-29T12:00:00.123Z')
      expect(timeOf(time(0x18, '20000229000000Z')).getUTCDate()).to.equal(29)
      expect(timeOf(time(0x18, '00500101000000Z')).getUTCFullYear()).to.equal(50)
    })

    it('refuses dates that do not exist instead of rolling them over', () => {
      for (const text of [
        '20231301000000Z',
        '20230001000000Z',
        '20230100000000Z',
        '20230132000000Z',
        '20230229000000Z',
        '21000229000000Z',
        '20230431000000Z',
        '20230101240000Z',
        '20230101236000Z',
        '20230101235960Z',
      ]) {
        expect(
          refusal(() => timeOf(time(0x18, text))),
          text,
        ).to.match(/out of range/)
      }
      expect(refusal(() => timeOf(time(0x17, '230229000000Z')))).to.match(/out of range/)
    })

    it('refuses local times, offsets, missing seconds, a comma and stray characters', () => {
      for (const [tag, text] of [
        [0x18, '20230101000000'],
        [0x18, '20230101000000+0700'],
        [0x17, '2301010000Z'],
        [0x18, '202301010000Z'],
        [0x18, '20230101000000,5Z'],
        [0x18, '20230101000000.Z'],
        [0x17, '23010100000OZ'],
        [0x17, ' 30101000000Z'],
        [0x18, '２0230101000000Z'],
      ] as Array<[0x17 | 0x18, string]>) {
        expect(
          refusal(() => timeOf(time(tag, text))),
          text,
        ).to.match(/unsupported time value/)
      }
    })

    it('refuses a time of another type, or a constructed one', () => {
      expect(refusal(() => timeOf(readDer(tlv(0x13, Buffer.from('230101000000Z')), 'printable')))).to.match(
        /expected a UTCTime/,
      )
      expect(refusal(() => timeOf(read('37 0f 17 0d 32 33 30 31 30 31 30 30 30 30 30 30 5a')))).to.match(
        /expected a UTCTime/,
      )
    })
  })
})
