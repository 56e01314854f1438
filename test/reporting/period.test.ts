import { expect } from 'chai'
import { periodOf, daysUntil } from '../../shared/period'
import { agencyRow, DEFAULT_TARGETS } from '../../reporting/policy'
import { defaultTargets } from '../../reporting/targets'
import { rollUp } from '../../reporting/rollup'

describe('report periods and the targets policy', () => {
  it('reads from/to as inclusive dates in Vietnam time', () => {
    const p = periodOf({ from: '2024-07-25', to: '2024-07-25' })
    expect(p.start).to.equal('2024-07-24T17:00:00.000Z')
    expect(p.end).to.equal('2024-07-25T17:00:00.000Z')
  })

  it("defaults to 1 January of asOf's year (Vietnam) up to asOf", () => {
    const p = periodOf({ asOf: '2024-12-31T18:00:00Z' })
    expect(p.from).to.equal('2025-01-01')
    expect(p.to).to.equal('2025-01-01')
    expect(daysUntil('2024-12-31', p.asOf)).to.equal(-1)
  })

  it('refuses bad dates naming the parameter', () => {
    expect(() => periodOf({ from: '2024-13-01' })).to.throw(/from/)
    expect(() => periodOf({ from: '2024-02-01', to: '2024-01-01' })).to.throw(/to/)
  })

  it('never shows an agency with no documents as 100%', () => {
    const row = agencyRow(
      { code: 'X', name: 'X', parent: null },
      undefined,
      undefined,
      DEFAULT_TARGETS,
      periodOf({ asOf: '2024-06-01' }),
    )
    expect(row).to.deep.include({ rate: null, noActivity: true, signsInternally: false, status: 'behind' })
  })

  it('is met, on track, at risk or overdue by the stated rules', () => {
    const p = periodOf({ asOf: '2024-06-01' })
    const facts = (issued: number, signed: number, procedures: string[]) => ({
      issued,
      fullySigned: signed,
      paper: 0,
      stopped: 0,
      procedures,
    })
    const t = DEFAULT_TARGETS
    expect(
      agencyRow({ code: 'A', name: 'A', parent: null }, facts(2, 2, ['1', '2']), facts(1, 1, []), t, p)
        .status,
    ).to.equal('met')
    expect(
      agencyRow({ code: 'B', name: 'B', parent: null }, facts(4, 3, ['1']), facts(2, 2, ['1']), t, p).status,
    ).to.equal('on_track')
    expect(
      agencyRow({ code: 'C', name: 'C', parent: null }, facts(4, 1, []), facts(2, 1, []), t, p).status,
    ).to.equal('at_risk')
    const late = periodOf({ asOf: '2025-02-01' })
    const set = { ...defaultTargets(2024), deadlineSet: true }
    const row = agencyRow(
      { code: 'D', name: 'D', parent: null },
      facts(4, 3, ['1']),
      facts(2, 2, ['1']),
      set,
      late,
    )
    expect(row).to.deep.include({ status: 'behind', overdue: true })
    // Without a deadline set, the same agency is never overdue: it is judged on its trend.
    const unset = agencyRow(
      { code: 'D', name: 'D', parent: null },
      facts(4, 3, ['1']),
      facts(2, 2, ['1']),
      t,
      late,
    )
    expect(unset).to.deep.include({ status: 'on_track', overdue: false, deadlineSet: false })
  })

  it('rolls figures up the agency tree: counts summed, procedures as distinct codes', () => {
    const p = periodOf({ asOf: '2024-06-01' })
    const f = (issued: number, signed: number, procedures: string[]) => ({
      issued,
      fullySigned: signed,
      paper: 0,
      stopped: 0,
      procedures,
    })
    const nodes = [
      { id: 1, parent_id: null },
      { id: 2, parent_id: 1 },
      { id: 3, parent_id: 2 },
      { id: 4, parent_id: 1 },
    ]
    const facts = new Map([
      [2, f(2, 2, ['1'])],
      [3, f(3, 1, ['1', '2'])],
      [4, f(1, 1, [])],
    ])
    const tree = rollUp(nodes, facts, new Map())
    expect(tree.get(1)?.facts).to.deep.include({ issued: 6, fullySigned: 4, procedures: ['1', '2'] })
    expect(tree.get(1)?.agencies).to.equal(4)
    const parent = agencyRow(
      { code: 'P', name: 'P', parent: null },
      undefined,
      undefined,
      DEFAULT_TARGETS,
      p,
      tree.get(1),
    )
    expect(parent).to.deep.include({
      documents: 0,
      rate: null,
      noActivity: false,
      judgedOn: 'total',
      meetsTarget2: true,
    })
    expect(parent.total).to.deep.include({ documents: 6, fullySigned: 4, agencies: 4 })
  })
})
