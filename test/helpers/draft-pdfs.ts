import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { draftFodt, draftHtml, type DraftSpec } from './decree30-drafts'
import { tempDir } from './tools'

const CHROMIUM = process.env.KYSO_CHROMIUM ?? '/usr/bin/chromium'

/** The draft printed to PDF by Debian's Chromium (the one the browser tests drive). */
export async function printWithChromium(spec: DraftSpec): Promise<Buffer> {
  const { chromium } = require('playwright-core') as typeof import('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  })
  try {
    const page = await browser.newPage()
    await page.setContent(draftHtml(spec), { waitUntil: 'load' })
    return Buffer.from(await page.pdf({ preferCSSPageSize: true, printBackground: false }))
  } finally {
    await browser.close()
  }
}

/**
 * The draft converted by LibreOffice from Debian (`libreoffice-writer-nogui`), from a flat ODT.
 * A private profile directory, so a LibreOffice the user has open does not take the job.
 */
export function convertWithLibreOffice(spec: DraftSpec): Buffer {
  const dir = tempDir('kyso-lo-')
  const src = join(dir, `${spec.name}.fodt`)
  writeFileSync(src, draftFodt(spec))
  const out = join(dir, 'out')
  mkdirSync(out)
  execFileSync(
    'libreoffice',
    [
      `-env:UserInstallation=file://${join(dir, 'profile')}`,
      '--headless',
      '--convert-to',
      'pdf',
      '--outdir',
      out,
      src,
    ],
    {
      timeout: 120_000,
      stdio: 'ignore',
    },
  )
  return readFileSync(join(out, `${spec.name}.pdf`))
}
