import { expect } from 'chai'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchChromium, SHOTS, type Chromium } from '../helpers/browser'
import { json, tamperedSignedPdf } from '../helpers/coverage-flow'
import { as, getService } from '../helpers/service'

/**
 * Issue 14 in the browser: the dashboard without a deadline and with a parent rolled up, an
 * agency's evidence, an upload whose signatures fail flagged on its page, delegation limited to
 * those who may sign, and the administrator's targets, standing authorities and personal data.
 */
describe('coverage, signing authorities and personal data in Chromium', function () {
  this.timeout(120_000)
  let chrome: Chromium
  let base: string

  before(async () => {
    chrome = await launchChromium()
    base = (await getService()).url
  })

  after(async () => {
    await chrome?.close()
  })

  const signIn = (username: string): Promise<Page> => chrome.signIn(base, username)

  it('says the deadline is not set, and shows a parent with its unit\'s figures instead of "no activity"', async () => {
    const page = await signIn('kiemtra')
    await page.goto(`${base}/dashboard`)
    await page.waitForSelector('[data-testid=coverage-table] tr[data-agency=SNV]')
    expect(await page.textContent('[data-testid=tile-deadline]')).to.contain('Chưa đặt hạn')
    const snv = page.locator('[data-testid=coverage-table] tr[data-agency=SNV]')
    expect(await snv.getAttribute('data-status')).to.not.equal('behind')
    expect(await snv.locator('[data-testid=documents-total]').textContent()).to.match(
      /cả đơn vị trực thuộc: \d+/,
    )
    await page.click('[data-testid=coverage-table] tr[data-agency=SNV] a')
    await page.waitForSelector('[data-testid=units] tr[data-agency=BTDKT]')
    await page.goto(`${base}/dashboard/STP`)
    await page.waitForSelector('[data-testid=not-fully-signed]')
    expect(await page.textContent('[data-testid=rate-explained]')).to.match(/\d+ ký số đầy đủ \/ \d+ văn bản/)
    await page.screenshot({ path: join(SHOTS, 'agency-report.png'), fullPage: true })
  })

  it('flags, on the document page, an upload whose own signatures fail', async () => {
    const drafter = await as('chuyenvien')
    const doc = await json<{ id: number }>(
      await drafter.upload(await tamperedSignedPdf(), { title: 'Tờ trình có chữ ký hỏng', kind: 'internal' }),
      201,
    )
    const page = await signIn('chuyenvien')
    await page.goto(`${base}/documents/${doc.id}`)
    const note = page.locator('[data-testid=upload-check][data-indication=FAILED]')
    await note.waitFor()
    expect(await note.textContent())
      .to.contain('Võ Văn Hoan')
      .and.contain('không được tính là ký số đầy đủ')
  })

  it('offers TL. and lists only people who may sign under the chosen marker; a holder sees a standing authority', async () => {
    const page = await signIn('giamdoc')
    await page.goto(`${base}/delegations`)
    await page.waitForSelector('#del-marker option[value="TL."]', { state: 'attached' })
    const options = async (): Promise<string[]> =>
      page
        .locator('#del-delegate option')
        .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value))
    expect(await options())
      .to.include('phogiamdoc')
      .and.not.include.members(['vanthu', 'kiemtra', 'chanhvanphong'])
    await page.selectOption('#del-marker', 'TL.')
    expect(await options())
      .to.include.members(['chanhvanphong', 'truongphong1'])
      .and.not.include.members(['vanthu', 'kiemtra', 'chuyenvien'])
    const chief = await signIn('chanhvanphong')
    await chief.goto(`${base}/delegations`)
    await chief.waitForSelector('[data-testid=standing]')
    expect(await chief.textContent('[data-testid=standing]')).to.contain('TL. GIÁM ĐỐC')
    await chief.screenshot({ path: join(SHOTS, 'delegations-standing.png'), fullPage: true })
  })

  it("lets the administrator set a year's targets, see the standing authorities and open a person's data", async () => {
    const page = await signIn('quantri')
    await page.goto(`${base}/admin/targets`)
    await page.waitForSelector('[data-testid=targets-form]')
    await page.fill('#t-year', '2027')
    await page.fill('#t-deadline', '30/06/2027')
    await page.click('[data-testid=targets-form] button[type=submit]')
    await page.waitForSelector('[data-testid=targets] tr[data-year="2027"]')
    expect(await page.textContent('[data-testid=targets] tr[data-year="2027"]')).to.contain('30/06/2027')
    await page.goto(`${base}/admin/authorities`)
    await page.waitForSelector('[data-testid=authorities] tr[data-holder="ct.td"]')
    expect(await page.textContent('[data-testid=authorities] tr[data-holder="ct.td"]')).to.contain(
      'TM. ỦY BAN NHÂN DÂN',
    )
    await page.screenshot({ path: join(SHOTS, 'admin-authorities.png'), fullPage: true })
    await page.goto(`${base}/admin/users`)
    await page
      .locator('[data-testid=admin-users] tr', { hasText: 'cv.stp' })
      .locator('[data-testid=personal-data]')
      .click()
    await page.waitForSelector('dialog[open] [data-testid=personal-export]')
    expect(await page.getAttribute('dialog[open] [data-testid=personal-export]', 'href')).to.match(
      /^\/api\/admin\/users\/\d+\/personal-data$/,
    )
    expect(await page.isDisabled('dialog[open] button.danger'), 'no erasure without a reason').to.equal(true)
  })

  it('logged no console error on any page', () => {
    expect(chrome.errors).to.deep.equal([])
  })
})
