import { expect } from 'chai'
import { join } from 'node:path'
import { launchChromium, SHOTS, type Chromium } from '../helpers/browser'
import { makePdf } from '../helpers/sample-pdfs'
import { as, pinOf, startIsolatedService } from '../helpers/service'
import type { Running } from '../../server/start'

async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

/** Issue 13 in the browser: the clerk's register page and an electronic copy made from a document's page. */
describe('the outgoing register and electronic copies in Chromium', function () {
  this.timeout(180_000)
  let chrome: Chromium
  let svc: Running
  let docId = 0
  let number = ''

  before(async () => {
    chrome = await launchChromium()
    svc = await startIsolatedService()
    const drafter = await as('chuyenvien', undefined, svc.url)
    const clerk = await as('vanthu', undefined, svc.url)
    const doc = await json<{ id: number }>(
      await drafter.upload(await makePdf(), { title: 'Thông báo lịch họp giao ban', kind: 'internal' }),
      201,
    )
    const d = await json<{ workflows: { steps: { id: number }[] }[] }>(
      await drafter.post(`/api/documents/${doc.id}/submit`, {
        steps: [{ action: 'seal', assignees: ['vanthu'] }],
      }),
    )
    const sealed = await json<{ outgoingNumber: string }>(
      await clerk.post(`/api/steps/${d.workflows[0]?.steps[0]?.id}/sign`, { pin: pinOf('vanthu') }),
    )
    docId = doc.id
    number = sealed.outgoingNumber
  })

  after(async () => {
    await chrome?.close()
    await svc?.close()
  })

  it('shows the clerk the register with the number the seal took, and the CSV link', async () => {
    const page = await chrome.signIn(svc.url, 'vanthu')
    await page.click('.nav a[href="/register"]')
    await page.waitForSelector('[data-testid=register] tr[data-status=used]')
    expect(await page.textContent('[data-testid=register]')).to.contain(number)
    expect(await page.getAttribute('a[download][href*="format=csv"]', 'href')).to.match(
      /^\/api\/registers\/outgoing\?year=\d{4}&format=csv$/,
    )
    await page.screenshot({ path: join(SHOTS, 'register.png'), fullPage: true })
  })

  it("makes a sao y from the issued document's page and opens the copy", async () => {
    const page = await chrome.signIn(svc.url, 'vanthu')
    await page.goto(`${svc.url}/documents/${docId}`)
    await page.waitForSelector('[data-testid=copies]')
    await page.selectOption('#copy-form', 'sao-y')
    await page.fill('#copy-pin', pinOf('vanthu'))
    await page.click('[data-testid=copies] button[type=submit]')
    await page.waitForFunction((id) => !location.pathname.endsWith(`/documents/${id}`), docId)
    await page.waitForSelector('[data-testid=document][data-status=issued]')
    expect(await page.textContent('.page-head'))
      .to.contain('SAO Y')
      .and.contain('01/SY-SKHCN')
    await page.screenshot({ path: join(SHOTS, 'copy-sao-y.png'), fullPage: true })
    expect(chrome.errors).to.deep.equal([])
  })
})
