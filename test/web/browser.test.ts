import { expect } from 'chai'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchChromium, SHOTS, type Chromium } from '../helpers/browser'
import { as, getService, pinOf } from '../helpers/service'
import { makePdf } from '../helpers/sample-pdfs'
import { getTestPki } from '../helpers/test-pki'
import { openPkcs12KeySource } from '../../signing/keys/pkcs12'
import { PdfDocument } from '../../signing/pdf/document'
import { IncrementalUpdate } from '../../signing/pdf/incremental'
import { PdfDict, name, textString } from '../../signing/pdf/objects'
import { signPdf } from '../../signing/sign'
import { draftSpecs } from '../helpers/decree30-drafts'
import { convertWithLibreOffice } from '../helpers/draft-pdfs'

/**
 * The web interface end to end in Debian's Chromium, driven by playwright-core: the whole chain
 * from the browser, the validation shown on the page, the dashboard moving, access refused.
 * Screenshots go to test-artifacts/screenshots/ (the README names it; CI keeps it).
 */
describe('the web interface in Chromium', function () {
  this.timeout(120_000)
  let chrome: Chromium
  let base: string
  /** Responses the test provokes on purpose (wrong password, wrong PIN, another agency's document). */
  const expectedFailures: RegExp[] = []
  let documentId = 0
  let documentsBefore = ''
  /** A Decree 30 decision with its own "GIÁM ĐỐC" block, as LibreOffice prints it (issue 12). */
  let decision: Buffer

  before(async () => {
    chrome = await launchChromium()
    base = (await getService()).url
    decision = convertWithLibreOffice(draftSpecs()[0] as never)
  })

  after(async () => {
    await chrome?.close()
  })

  /** A fresh browser profile for one person, recording every console error and uncaught exception. */
  const open = (viewport?: { width: number; height: number }, bypassCSP = false): Promise<Page> =>
    chrome.open(viewport, bypassCSP)
  const signIn = (
    username: string,
    viewport?: { width: number; height: number },
    bypassCSP = false,
  ): Promise<Page> => chrome.signIn(base, username, viewport, bypassCSP)

  async function openFromInbox(page: Page): Promise<void> {
    await page.goto(`${base}/inbox`)
    const row = page.locator(`[data-testid=inbox] tr[data-document="${documentId}"]`)
    await row.waitFor()
    await row.locator('a').click()
    await page.waitForSelector('[data-testid=actions]')
    await page.waitForSelector('[data-testid=pdf-pages][data-rendered]')
  }

  /** Opens the PIN dialog and signs from the keyboard: the PIN field has the focus, Enter submits. */
  async function act(
    page: Page,
    action: 'approve' | 'sign' | 'seal',
    pin: string,
    extra?: () => Promise<void>,
  ): Promise<void> {
    await page.click(`[data-testid=actions] button[data-action=${action}]`)
    await page.waitForSelector('dialog[open] #sign-pin')
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('sign-pin')
    if (extra) await extra()
    await page.focus('#sign-pin')
    await page.keyboard.type(pin)
    await page.keyboard.press('Enter')
  }

  it('shows the sign-in page in Vietnamese and a clear message for a wrong password and for throttling', async () => {
    const page = await open()
    await page.goto(`${base}/inbox`)
    await page.waitForSelector('#login-username')
    expect(await page.textContent('h1')).to.equal('Đăng nhập')
    expect(new URL(page.url()).searchParams.get('next')).to.equal('/inbox')
    expectedFailures.push(/\/api\/auth\/login$/)
    await page.fill('#login-username', 'chuyenvien')
    await page.fill('#login-password', 'sai-mat-khau')
    await page.click('form button[type=submit]')
    const note = page.locator('.error-note[data-code=LOGIN_FAILED]')
    await note.waitFor()
    expect(await note.textContent()).to.contain('không đúng')
    // A username that does not exist is throttled like one that does, after five failures.
    for (let i = 0; i < 6; i++) {
      await page.fill('#login-username', 'nguoi.la')
      await page.fill('#login-password', `sai-${i}`)
      await page.click('form button[type=submit]')
      await page.waitForSelector(`.error-note[data-code=${i < 5 ? 'LOGIN_FAILED' : 'LOGIN_THROTTLED'}]`)
    }
    expect(await page.textContent('.error-note')).to.contain('quá nhiều lần')
  })

  it('a compliance officer sees the dashboard before the chain', async () => {
    const page = await signIn('kiemtra')
    await page.goto(`${base}/dashboard`)
    const cell = page.locator('[data-testid=coverage-table] tr[data-agency=SKHCN] [data-testid=documents]')
    await cell.waitFor()
    documentsBefore = (await cell.textContent()) ?? ''
    expect(documentsBefore).to.match(/^\d+/)
  })

  it('a drafter uploads a PDF and submits it along the agency template', async () => {
    const page = await signIn('chuyenvien')
    await page.click('a.nav-item[href="/new"]')
    await page.waitForSelector('#new-file')
    // Submitting with nothing filled shows each error next to its field.
    await page.click('[data-testid=submit-route]')
    await page.waitForSelector('#new-file-error')
    await page.waitForSelector('#new-title-error')
    await page.setInputFiles('#new-file', {
      name: 'quyet-dinh.pdf',
      mimeType: 'application/pdf',
      buffer: decision,
    })
    await page.fill('#new-title', 'Quyết định ban hành Quy chế sử dụng chữ ký số trong Sở')
    await page.click('[data-testid=submit-route]')
    await page.waitForURL(/\/documents\/\d+$/)
    documentId = Number(/\/documents\/(\d+)$/.exec(page.url())?.[1])
    await page.waitForSelector('[data-testid=document][data-status=in_progress]')
    expect(await page.textContent('h1')).to.equal('Quyết định ban hành Quy chế sử dụng chữ ký số trong Sở')
    await page.waitForSelector('[data-testid=pdf-pages][data-rendered="1"]')
  })

  it('two heads approve from their inbox with their PIN', async () => {
    for (const head of ['truongphong1', 'truongphong2']) {
      const page = await signIn(head)
      if (head === 'truongphong1') {
        await page.goto(`${base}/inbox`)
        await page.waitForSelector(`[data-testid=inbox] tr[data-document="${documentId}"]`)
        const rows = await page.locator('[data-testid=inbox] tbody tr').count()
        expect(await page.textContent('[data-testid=waiting-count]')).to.equal(String(rows))
        await page.screenshot({ path: join(SHOTS, 'inbox.png'), fullPage: true })
      }
      await openFromInbox(page)
      await act(page, 'approve', pinOf(head))
      await page.waitForSelector('.notice')
      expect(await page.textContent('.notice')).to.contain('Đã duyệt')
    }
  })

  it('the leader signs: the dialog shows where on the page; a wrong PIN shows the error in the dialog, the right one signs', async () => {
    const page = await signIn('giamdoc')
    await openFromInbox(page)
    expectedFailures.push(/\/api\/steps\/\d+\/sign$/)
    await act(page, 'sign', '0000', async () => {
      // The page with the box where the signature will go, before the PIN (issue 12).
      const box = page.locator(
        'dialog[open] [data-testid=page-placement][data-ready] [data-testid=placement-box]',
      )
      await box.waitFor()
      const canvas = await page.locator('dialog[open] [data-testid=page-placement] canvas').boundingBox()
      const b = await box.boundingBox()
      expect(
        b && canvas && b.x > canvas.x + canvas.width / 2 && b.y > canvas.y + canvas.height / 3,
        'the box in the signer block (bottom right)',
      ).to.equal(true)
      await page.screenshot({ path: join(SHOTS, 'sign-dialog-placement.png') })
    })
    const err = page.locator('#sign-pin-error')
    await err.waitFor()
    // How many tries are left before the key locks (issue 15).
    expect(await err.textContent()).to.match(/^Mã PIN không đúng\. Còn [1-4] lần thử\.$/)
    await page.fill('#sign-pin', pinOf('giamdoc'))
    await page.click('[data-testid=confirm-sign]')
    await page.waitForSelector('.notice')
    expect(await page.textContent('.notice')).to.contain('Đã ký số')
  })

  it('the clerk seals with an outgoing number; the page then shows four valid signatures', async () => {
    const page = await signIn('vanthu')
    await openFromInbox(page)
    const waiting = Number(await page.textContent('[data-testid=waiting-count]'))
    await act(page, 'seal', pinOf('vanthu'), async () => {
      await page.fill('#sign-number', '1501/QĐ-SKHCN')
    })
    await page.waitForSelector('[data-testid=document][data-status=issued]')
    // The count beside the inbox follows at once, without leaving the page.
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=waiting-count]')?.textContent ?? 0) === n,
      waiting - 1,
    )
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=validation] li[data-indication]').length >= 4,
    )
    const verdicts = await page
      .locator('[data-testid=validation] li[data-indication]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-indication')))
    expect(verdicts).to.deep.equal(['PASSED', 'PASSED', 'PASSED', 'PASSED'])
    expect(await page.textContent('.page-head .sub')).to.contain('1501/QĐ-SKHCN')
    await page.waitForSelector('[data-testid=pdf-pages][data-rendered="1"]')
    await page.screenshot({ path: join(SHOTS, 'document.png'), fullPage: true })
    await page.screenshot({ path: join(SHOTS, 'issued-1366x768.png') })
    // The same screen scrolled to the signer block: initials, the leader's image, the seal.
    await page.evaluate(() => window.scrollTo(0, 430))
    await page.screenshot({ path: join(SHOTS, 'issued-1366x768-signatures.png') })
    await page.evaluate(() => window.scrollTo(0, 0))
  })

  it("the compliance officer opens the dashboard and the agency's figures changed", async () => {
    const page = await signIn('kiemtra')
    await page.goto(`${base}/dashboard`)
    const cell = page.locator('[data-testid=coverage-table] tr[data-agency=SKHCN] [data-testid=documents]')
    await cell.waitFor()
    expect(Number(/^\d+/.exec((await cell.textContent()) ?? '')?.[0])).to.equal(
      Number(/^\d+/.exec(documentsBefore)?.[0]) + 1,
    )
    await page.waitForSelector('.chart svg')
    await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true })
    await page.click('[data-testid=coverage-table] tr[data-agency=SKHCN] a')
    await page.waitForSelector('[data-testid=agency-report]')
  })

  it("another agency's user cannot open the document", async () => {
    const page = await signIn('cv.stp')
    expectedFailures.push(new RegExp(`/api/documents/${documentId}(/verification)?$`))
    await page.goto(`${base}/documents/${documentId}`)
    await page.waitForSelector('[data-testid=not-found]')
    expect(await page.locator('[data-testid=document]').count()).to.equal(0)
  })

  it('works at phone width: the document page shows the document first, then the cards', async () => {
    const page = await signIn('giamdoc', { width: 390, height: 844 })
    await page.goto(`${base}/documents/${documentId}`)
    await page.waitForSelector('[data-testid=validation] li[data-indication]')
    await page.waitForSelector('[data-testid=pdf-pages][data-rendered="1"]')
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    )
    expect(overflow).to.be.at.most(0)
    const pdfTop = (await page.locator('.pdf-card').boundingBox())?.y ?? Infinity
    const cardsTop = (await page.locator('.doc-side').boundingBox())?.y ?? -Infinity
    expect(pdfTop, 'the PDF above the cards').to.be.below(cardsTop)
    expect(pdfTop, 'the PDF within the first screen').to.be.below(844)
    await page.screenshot({ path: join(SHOTS, 'document-phone.png'), fullPage: false })
    await page.screenshot({ path: join(SHOTS, 'issued-390x844.png'), fullPage: false })
  })

  it('a leader delegates to a deputy from the delegations page, sees it in force, and ends it', async () => {
    const page = await signIn('giamdoc')
    await page.click('a.nav-item[href="/delegations"]')
    await page.waitForSelector('#del-delegate')
    await page.click('form.form-grid button[type=submit]')
    await page.waitForSelector('#del-delegate-error')
    await page.selectOption('#del-delegate', 'phogiamdoc')
    await page.fill('#del-to', '31/12/2099')
    await page.click('form.form-grid button[type=submit]')
    const row = page.locator('table tr', { hasText: 'Phạm Thị Hoa' }).first()
    await row.locator('.badge.ok').waitFor()
    await row.locator('button').click()
    await page.locator('table tr', { hasText: 'Phạm Thị Hoa' }).first().locator('.badge.muted').waitFor()
  })

  it('switches to English and back, keeping the choice across pages', async () => {
    const page = await signIn('kiemtra')
    await page.click('.lang button:has-text("EN")')
    await page.waitForSelector('a.nav-item:has-text("Coverage")')
    await page.goto(`${base}/issued`)
    expect(await page.textContent('h1')).to.equal('Issued documents')
    expect(await page.getAttribute('html', 'lang')).to.equal('en')
    await page.click('.lang button:has-text("VI")')
    await page.waitForSelector('h1:has-text("Văn bản đã phát hành")')
  })

  it('an admin authorises a certificate; the holder sets the PIN in their own page', async () => {
    const admin = await signIn('quantri')
    await admin.goto(`${base}/admin/certificates`)
    await admin.waitForSelector('#c-user option[value="phogiamdoc"]', { state: 'attached' })
    await admin.selectOption('#c-user', 'phogiamdoc')
    await admin.click('form.form-grid button[type=submit]')
    await admin.locator('[data-testid=admin-certificates] .badge.warn').first().waitFor()
    const holder = await signIn('phogiamdoc')
    await holder.goto(`${base}/certificates`)
    await holder.click('.notice-card button')
    await holder.fill('#pin-1', '1234')
    await holder.fill('#pin-2', '4321')
    await holder.click('dialog[open] button[type=submit]')
    await holder.waitForSelector('#pin-1-error')
    await holder.fill('#pin-2', '1234')
    await holder.click('dialog[open] button[type=submit]')
    await holder.waitForSelector('.notice-card', { state: 'detached' })
    expect(await holder.locator('table tbody tr').count()).to.equal(2)
  })

  it('a key locked by five wrong PINs: the admin issues an unlock code, the holder unlocks with it and changes the PIN', async () => {
    const drafter = await as('chuyenvien')
    const doc = (await (
      await drafter.upload(await makePdf(), { title: 'Khóa PIN', kind: 'internal' })
    ).json()) as { id: number }
    const sub = (await (
      await drafter.post(`/api/documents/${doc.id}/submit`, {
        steps: [{ action: 'approve', assignees: ['truongphong2'] }],
      })
    ).json()) as { workflows: { steps: { id: number }[] }[] }
    const api2 = await as('truongphong2')
    for (let i = 0; i < 5; i++)
      await api2.post(`/api/steps/${(sub.workflows[0]?.steps[0] as { id: number }).id}/sign`, { pin: '0000' })
    const admin = await signIn('quantri')
    await admin.goto(`${base}/admin/certificates`)
    const locked = admin
      .locator('[data-testid=admin-certificates] tr', { has: admin.locator('[data-key=locked]') })
      .filter({ hasText: 'Lê Thị Mai' })
    await locked.locator('button', { hasText: 'Cấp mã mở khóa' }).click()
    const code = (await admin.locator('[data-testid=unlock-code]').textContent()) as string
    expect(code).to.match(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/)
    const holder = await signIn('truongphong2')
    await holder.goto(`${base}/certificates`)
    await holder
      .locator('tr', { has: holder.locator('[data-key=locked]') })
      .locator('button', { hasText: 'Mở khóa bằng mã' })
      .click()
    await holder.fill('#unlock-code', code)
    await holder.click('dialog[open] button[type=submit]')
    await holder.waitForSelector('[data-key=locked]', { state: 'detached' })
    await holder.locator('button', { hasText: 'Đổi mã PIN' }).first().click()
    await holder.fill('#pin-old', '1234')
    await holder.fill('#pin-new', '13579')
    await holder.fill('#pin-again', '13579')
    await holder.click('dialog[open] button[type=submit]')
    await holder.waitForSelector('dialog[open]', { state: 'detached' })
    await holder.screenshot({ path: join(SHOTS, 'my-certificates-pin.png'), fullPage: true })
    // Back to the demo PIN for the suites after this one.
    const mine = (await (await api2.get('/api/me/certificates')).json()) as {
      certificates: { id: number; kind: string; source: string }[]
    }
    const id = (
      mine.certificates.find((c) => c.kind === 'personal' && c.source === 'internal') as { id: number }
    ).id
    expect(
      (await api2.post(`/api/me/certificates/${id}/pin`, { oldPin: '13579', newPin: '1234' })).status,
    ).to.equal(200)
  })

  it('a head returns a document with a reason; the drafter uploads a revision and submits it again', async () => {
    const drafter = await as('chuyenvien')
    const doc = (await (
      await drafter.upload(await makePdf(), { title: 'Tờ trình cần sửa', kind: 'internal' })
    ).json()) as { id: number }
    await drafter.post(`/api/documents/${doc.id}/submit`, {
      steps: [
        { action: 'approve', assignees: ['truongphong2'] },
        { action: 'sign', assignees: ['giamdoc'] },
      ],
    })
    const head = await signIn('truongphong2')
    await head.goto(`${base}/documents/${doc.id}`)
    await head.click('[data-testid=actions] button[data-action=return]')
    await head.waitForSelector('dialog[open] #reason')
    expect(await head.evaluate(() => document.activeElement?.id)).to.equal('reason')
    await head.click('dialog[open] button[type=submit]')
    await head.waitForSelector('#reason-error')
    await head.fill('#reason', 'Bổ sung số liệu quý III')
    await head.click('dialog[open] button[type=submit]')
    await head.waitForSelector('[data-testid=document][data-status=returned]')
    const page = await signIn('chuyenvien')
    await page.goto(`${base}/documents/${doc.id}`)
    expect(await page.textContent('[data-testid=timeline]')).to.contain('Bổ sung số liệu quý III')
    await page.click('[data-testid=actions] button[data-action=revise]')
    await page.setInputFiles('#revise-file', {
      name: 'sua.pdf',
      mimeType: 'application/pdf',
      buffer: await makePdf({ title: 'Ban sua' }),
    })
    await page.click('dialog[open] button[type=submit]')
    await page.waitForSelector('[data-testid=document][data-status=draft]')
    await page.click('[data-testid=actions] button[data-action=submit]')
    await page.waitForSelector('dialog[open] [data-testid=submit-route]')
    await page.click('dialog[open] input[name=route-mode] >> nth=1')
    await page.click('dialog[open] .step-edit >> nth=0 >> text=Lê Thị Mai')
    await page.click('dialog[open] [data-testid=submit-route]')
    await page.waitForSelector('[data-testid=document][data-status=in_progress]')
    expect(await page.locator('.versions li').count()).to.equal(2)
  })

  it("a deputy signs by delegation: the chain shows who signed, with KT. and the principal's title", async () => {
    const leader = await as('giamdoc')
    const now = Date.now()
    await leader.post('/api/delegations', {
      delegate: 'phogiamdoc',
      marker: 'KT.',
      from: new Date(now - 60_000).toISOString(),
      to: new Date(now + 3_600_000).toISOString(),
    })
    const drafter = await as('chuyenvien')
    const doc = (await (
      await drafter.upload(await makePdf(), { title: 'Quyết định ký thay', kind: 'internal' })
    ).json()) as { id: number }
    await drafter.post(`/api/documents/${doc.id}/submit`, {
      steps: [{ action: 'sign', assignees: ['giamdoc'] }],
    })
    const page = await signIn('phogiamdoc')
    await page.goto(`${base}/inbox`)
    const row = page.locator(`[data-testid=inbox] tr[data-document="${doc.id}"]`)
    await row.waitFor()
    expect(await row.textContent()).to.contain('Ủy quyền')
    await row.locator('a').click()
    await page.waitForSelector('[data-testid=actions]')
    await act(page, 'sign', pinOf('phogiamdoc'))
    await page.waitForSelector('[data-testid=document][data-status=issued]')
    const step = (await page.textContent('[data-testid=timeline] .steps')) ?? ''
    expect(step).to.contain('Phạm Thị Hoa').and.contain('KT. Giám đốc')
    await page.waitForSelector('[data-testid=validation] li[data-indication=PASSED]')
  })

  it("the drafter fixes the leader's place by dragging a box on the page; the round keeps it", async () => {
    const drafter = await as('chuyenvien')
    const doc = (await (
      await drafter.upload(decision, { title: 'Quyết định có vị trí ký chọn tay', kind: 'internal' })
    ).json()) as { id: number }
    const page = await signIn('chuyenvien')
    await page.goto(`${base}/documents/${doc.id}`)
    await page.click('[data-testid=actions] button[data-action=submit]')
    await page.waitForSelector('dialog[open] [data-testid=submit-route]')
    await page.click('dialog[open] input[name=route-mode] >> nth=1')
    await page.click('dialog[open] [data-testid=pick-place-1]')
    const canvas = page.locator('dialog[open] [data-testid=page-placement][data-ready] .page-canvas')
    await canvas.waitFor()
    await canvas.scrollIntoViewIfNeeded()
    const b = await canvas.boundingBox()
    if (!b) throw new Error('no page drawn')
    // From a quarter across and a tenth down (in view in the dialog), a box a third of the page wide.
    await page.mouse.move(b.x + b.width * 0.25, b.y + b.height * 0.1)
    await page.mouse.down()
    await page.mouse.move(b.x + b.width * 0.45, b.y + b.height * 0.13, { steps: 5 })
    await page.mouse.move(b.x + b.width * 0.58, b.y + b.height * 0.16, { steps: 5 })
    await page.mouse.up()
    await page.waitForSelector('dialog[open] [data-testid=placement-box]')
    await page.screenshot({ path: join(SHOTS, 'composer-drag.png') })
    expect(await page.textContent('dialog[open] .step-edit >> nth=1')).to.contain('do bạn chọn')
    await page.click('dialog[open] [data-testid=submit-route]')
    await page.waitForSelector('[data-testid=document][data-status=in_progress]')
    const d = (await (await drafter.get(`/api/documents/${doc.id}`)).json()) as {
      placements: { how: string; page: number; rect: number[] }[]
    }
    // The template's steps: two approvals (each their own place), the leader, the seal.
    expect(d.placements.map((p) => p.how)).to.deep.equal(['end-mark', 'end-mark', 'explicit', 'explicit'])
    const first = d.placements[2]
    expect(first?.how).to.equal('explicit')
    expect(first?.page).to.equal(1)
    // A third of an A4 page's width (595 pt), where it was dragged: x about a quarter across.
    expect(first?.rect[2]).to.be.closeTo(595 * 0.33, 12)
    expect(first?.rect[0]).to.be.closeTo(595 * 0.25, 12)
  })

  it("lists, on the validation card, a comment added after an upload's own signature (issue 17 warnings)", async () => {
    // A draft signed elsewhere, then commented in its margin: allowed, but the reader is told.
    const pki = await getTestPki()
    const signed = (
      await signPdf(await makePdf({ title: 'Da ky truoc' }), {
        keySource: openPkcs12KeySource(pki.signers.khai.p12, pki.pin),
      })
    ).pdf
    const doc0 = new PdfDocument(signed)
    const upd = new IncrementalUpdate(doc0)
    const pageRef = doc0.pageRef(0)
    const page = (doc0.get(pageRef) as PdfDict).clone()
    const note = upd.add(
      new PdfDict({
        Type: name('Annot'),
        Subtype: name('FreeText'),
        Rect: [20, 20, 120, 40],
        Contents: textString('Ghi chú'),
        P: pageRef,
      }),
    )
    upd.set(pageRef, page.set('Annots', [note]))
    const drafter = await as('chuyenvien')
    const doc = (await (
      await drafter.upload(upd.write(), { title: 'Văn bản có ghi chú sau chữ ký', kind: 'internal' })
    ).json()) as { id: number }
    const viewer = await signIn('chuyenvien')
    await viewer.goto(`${base}/documents/${doc.id}`)
    await viewer.waitForSelector('[data-testid=signature-warnings]')
    expect(await viewer.textContent('[data-testid=signature-warnings]')).to.match(
      /Trang 1: chú thích \/FreeText được thêm sau khi ký/,
    )
  })

  it('axe finds no serious or critical accessibility violation on any page', async () => {
    const axe = require.resolve('axe-core/axe.min.js')
    const pages: Array<[string, string[]]> = [
      [
        'giamdoc',
        [
          '/inbox',
          '/sent',
          '/issued',
          '/new',
          `/documents/${documentId}`,
          '/delegations',
          '/certificates',
          '/signature',
          '/dashboard',
          '/dashboard/SKHCN',
        ],
      ],
      ['quantri', ['/admin', '/admin/agencies', '/admin/certificates', '/admin/trust-anchors']],
    ]
    const found: string[] = []
    const login = await open(undefined, true)
    await login.goto(`${base}/login`)
    await login.waitForSelector('#login-username')
    found.push(...(await audit(login, axe, '/login')))
    for (const [who, paths] of pages) {
      const page = await signIn(who, undefined, true)
      for (const path of paths) {
        await page.goto(`${base}${path}`)
        await page.waitForSelector('main h1, h1')
        await page.waitForLoadState('networkidle')
        found.push(...(await audit(page, axe, path)))
      }
    }
    expect(found).to.deep.equal([])
  })

  /** axe-core's violations of impact serious or critical on the page, one line each. */
  async function audit(page: Page, axePath: string, label: string): Promise<string[]> {
    await page.addScriptTag({ path: axePath })
    const violations = await page.evaluate(async () => {
      const w = window as unknown as {
        axe: {
          run: (
            ctx: Document,
            o: unknown,
          ) => Promise<{
            violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>
          }>
        }
      }
      const r = await w.axe.run(document, { resultTypes: ['violations'] })
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.map((n) => n.target.join(' ')),
      }))
    })
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).join(', ')}`)
  }

  it('logged no console error on any page, but for the refusals provoked above', () => {
    // Chromium logs a fetch answered 4xx as "Failed to load resource"; those of the provoked
    // refusals are expected, nothing else is.
    const unexpected = chrome.errors.filter(
      (e) =>
        !(
          /Failed to load resource: the server responded with a status of (401|403|404|429)/.test(e.text) &&
          expectedFailures.some((re) => re.test(e.url))
        ),
    )
    expect(unexpected).to.deep.equal([])
  })
})
