import { expect } from 'chai'
import { isCalendarDate, parseInstant } from '../../shared/dates'

describe('the one reader of dates and times (shared/dates.ts)', () => {
  it('takes calendar dates that exist, and no other', () => {
    for (const d of ['2026-12-06', '2024-02-29', '2026-01-31', '2000-02-29'])
      expect(isCalendarDate(d), d).to.equal(true)
    const refused = [
      '2026-02-29',
      '2026-02-30',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-12-00',
      '1900-02-29',
    ]
    for (const d of [...refused, '2026-12-6', '06/12/2026', '2026-12-06T00:00:00Z', '', 20261206, null]) {
      expect(isCalendarDate(d), String(d)).to.equal(false)
    }
  })

  it('reads instants with their zone, a date alone as midnight UTC', () => {
    const read = (v: string) => parseInstant(v)?.toISOString()
    expect(read('2029-12-06')).to.equal('2029-12-06T00:00:00.000Z')
    expect(read('2029-12-06T10:00:00Z')).to.equal('2029-12-06T10:00:00.000Z')
    expect(read('2029-12-06T10:00:00+07:00')).to.equal('2029-12-06T03:00:00.000Z')
    expect(read('2029-12-06T10:00Z')).to.equal('2029-12-06T10:00:00.000Z')
    expect(read('2029-12-06T10:00:00.123Z')).to.equal('2029-12-06T10:00:00.123Z')
  })

  it('refuses what Date.parse would bend: no zone, days and hours that do not exist, other formats', () => {
    for (const v of [
      '2029-12-06T10:00',
      '2029-12-06 10:00:00',
      '2029-02-30T00:00:00Z',
      '2029-12-06T24:00:00Z',
      '2029-12-06T10:60:00Z',
      '2029-12-06T10:00:00+15:00',
      'soon',
      'Thu, 06 Dec 2029 10:00:00 GMT',
      '',
      undefined,
      1796515200000,
    ]) {
      expect(parseInstant(v), String(v)).to.equal(undefined)
    }
  })
})
