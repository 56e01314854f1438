/**
 * Chromium for the web suites, driven by playwright-core: one browser per suite, a fresh profile
 * per person, every console error and uncaught exception recorded for the suite's last check.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'

export const CHROMIUM = process.env.KYSO_CHROMIUM ?? '/usr/bin/chromium'
/** Kept by CI (the README names it). */
export const SHOTS = join(__dirname, '../../../test-artifacts/screenshots')
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface ConsoleError {
  text: string
  url: string
  page: string
}

export interface Chromium {
  errors: ConsoleError[]
  /** A fresh browser profile for one person. */
  /** `bypassCSP` only for the accessibility audit, whose script axe-core injects inline. */
  open: (viewport?: { width: number; height: number }, bypassCSP?: boolean) => Promise<Page>
  /** Opens `base`, signs in with the demo password, waits for the menu. */
  signIn: (
    base: string,
    username: string,
    viewport?: { width: number; height: number },
    bypassCSP?: boolean,
  ) => Promise<Page>
  close: () => Promise<void>
}

export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (see .ci/run)`)
  const { chromium } = require('playwright-core') as typeof import('playwright-core')
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
  mkdirSync(SHOTS, { recursive: true })
  const contexts: BrowserContext[] = []
  const errors: ConsoleError[] = []
  const open = async (viewport = { width: 1366, height: 768 }, bypassCSP = false): Promise<Page> => {
    const context = await browser.newContext({
      viewport,
      bypassCSP,
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
      acceptDownloads: true,
    })
    contexts.push(context)
    const page = await context.newPage()
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push({ text: m.text(), url: m.location().url, page: page.url() })
    })
    page.on('pageerror', (e) => errors.push({ text: `uncaught: ${e.message}`, url: '', page: page.url() }))
    return page
  }
  return {
    errors,
    open,
    signIn: async (base, username, viewport, bypassCSP) => {
      const page = await open(viewport, bypassCSP)
      await page.goto(`${base}/`)
      await page.fill('#login-username', username)
      await page.fill('#login-password', 'Kyso@2024')
      await page.click('form button[type=submit]')
      await page.waitForSelector('.nav')
      return page
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined)
      await browser.close()
    },
  }
}
