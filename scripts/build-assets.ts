/**
 * Build step (`npm run build`): prepares what the signature appearances need at run time into
 * `dist/assets/`, so `kyso sign` never loads fontkit (about 0.15 s of start-up on its own).
 *
 * For each weight of Be Vietnam Pro and Tinos it writes the TrueType file as is and a compact metrics JSON
 * (code point -> glyph id and advance, plus the font-wide numbers a PDF FontDescriptor needs).
 * The run-time code subsets the glyph outlines per signature itself (signing/appearance/truetype-subset.ts).
 * It also draws and deflates the demo CA's seal once, so signing with it costs no rasterising, and
 * writes the catalogue of refusals and reasons for the web client (issue 16).
 */
import * as fontkit from '@pdf-lib/fontkit'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { DEMO_SEAL_FILE, type DemoSealFile, type FontMetricsFile } from '../signing/appearance/assets'
import { OUTLINES_FILE, type OutlinesFile } from '../signing/appearance/outlines'
import { encodeImage } from '../signing/appearance/png-image'
import { DEMO_SEAL_PX, sealRaster } from '../signing/appearance/seal-image'
import { MESSAGES } from '../shared/messages'
import { precompress } from './precompress'

const ROOT = path.join(__dirname, '../..')
const FONT_PACKAGES = path.join(ROOT, 'node_modules/@expo-google-fonts')
const ASSETS = path.join(ROOT, 'dist/assets')
const OUT = path.join(ASSETS, 'fonts')

/**
 * Be Vietnam Pro for the appearances; Tinos (issue 13) for what is printed in the document's own
 * typeface (the number and date, copies' and attachments' signatures): metric-compatible with Times
 * New Roman, the face Decree 30 drafts are set in, and shipped as TrueType by the same publisher.
 */
const FACES = [
  { source: 'be-vietnam-pro/400Regular/BeVietnamPro_400Regular.ttf', out: 'be-vietnam-pro-regular' },
  { source: 'be-vietnam-pro/700Bold/BeVietnamPro_700Bold.ttf', out: 'be-vietnam-pro-bold' },
  { source: 'tinos/400Regular/Tinos_400Regular.ttf', out: 'tinos-regular' },
  { source: 'tinos/400Regular_Italic/Tinos_400Regular_Italic.ttf', out: 'tinos-italic' },
  { source: 'tinos/700Bold/Tinos_700Bold.ttf', out: 'tinos-bold' },
]

/** Every letter of the Vietnamese alphabet with every tone, in NFC: the build fails if one is missing. */
const VIETNAMESE = 'aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ'

function metricsOf(font: fontkit.Font, file: string): FontMetricsFile {
  const glyphs: Array<[number, number, number]> = []
  for (const cp of [...font.characterSet].sort((a, b) => a - b)) {
    const glyph = font.glyphForCodePoint(cp)
    if (glyph.id !== 0) glyphs.push([cp, glyph.id, Math.round(glyph.advanceWidth)])
  }
  const os2 = font['OS/2'] as unknown as { usWeightClass?: number }
  const notdef = font.getGlyph(0)
  return {
    file,
    postScriptName: font.postscriptName ?? path.basename(file, '.ttf'),
    unitsPerEm: font.unitsPerEm,
    ascent: font.ascent,
    descent: font.descent,
    capHeight: font.capHeight,
    italicAngle: font.italicAngle,
    weightClass: os2.usWeightClass ?? 400,
    bbox: [font.bbox.minX, font.bbox.minY, font.bbox.maxX, font.bbox.maxY],
    numGlyphs: font.numGlyphs,
    notdefAdvance: Math.round(notdef.advanceWidth),
    glyphs,
  }
}

function checkCoverage(metrics: FontMetricsFile): void {
  const mapped = new Set(metrics.glyphs.map(([cp]) => cp))
  const letters = VIETNAMESE + VIETNAMESE.toUpperCase() + '0123456789 .,:;-+/()'
  const missing = [...letters.normalize('NFC')].filter((c) => !mapped.has(c.codePointAt(0) ?? 0))
  if (missing.length > 0) throw new Error(`${metrics.postScriptName} lacks ${missing.join('')}`)
}

function writeDemoSeal(): void {
  const image = encodeImage(sealRaster(DEMO_SEAL_PX), 9)
  const file: DemoSealFile = {
    width: image.width,
    height: image.height,
    colourSpace: image.colourSpace,
    colour: image.colour.toString('base64'),
    alpha: image.alpha?.toString('base64') ?? '',
  }
  writeFileSync(path.join(ASSETS, DEMO_SEAL_FILE), JSON.stringify(file))
}

/**
 * Glyph outlines of the bold face for the letters a seal's ring carries (capitals with every tone,
 * digits, a few signs): the seal generator draws them along the ring without a font engine.
 */
function writeOutlines(font: fontkit.Font): void {
  const chars = [
    ...new Set([...(VIETNAMESE.toUpperCase() + VIETNAMESE + '0123456789 .,-–*/()★•').normalize('NFC')]),
  ]
  const glyphs: OutlinesFile['glyphs'] = {}
  for (const ch of chars) {
    const glyph = font.glyphForCodePoint(ch.codePointAt(0) ?? 0)
    if (glyph.id === 0) continue
    // fontkit's typings omit the path's commands; they are { command, args } records.
    const commands = (glyph.path as unknown as { commands: Array<{ command: string; args: number[] }> })
      .commands
    const path = commands.map(
      (c) => [c.command, ...c.args.map((v) => Math.round(v))] as [string, ...number[]],
    )
    glyphs[ch] = { advance: Math.round(glyph.advanceWidth), path }
  }
  const file: OutlinesFile = {
    unitsPerEm: font.unitsPerEm,
    ascent: font.ascent,
    descent: font.descent,
    glyphs,
  }
  writeFileSync(path.join(OUT, OUTLINES_FILE), JSON.stringify(file))
}

/**
 * shared/messages.ts as an ES module beside the compiled client (dist/web/client/messages.js, declared
 * by web/client/messages.d.ts): the client cannot import shared/, its tsc project being rooted in
 * web/client and the browser loading modules without a bundler. Written only when it changed, so
 * precompress() below, which runs after, compresses it again only then.
 */
function writeMessages(): void {
  const file = path.join(ROOT, 'dist/web/client/messages.js')
  const text =
    `// Written by scripts/build-assets.ts from shared/messages.ts: edit that file, not this one.\n` +
    `export const MESSAGES = ${JSON.stringify(MESSAGES, null, 2)}\n`
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, text)
}

function main(): void {
  mkdirSync(OUT, { recursive: true })
  for (const face of FACES) {
    const ttf = readFileSync(path.join(FONT_PACKAGES, face.source))
    const font = fontkit.create(ttf)
    const metrics = metricsOf(font, `${face.out}.ttf`)
    checkCoverage(metrics)
    writeFileSync(path.join(OUT, `${face.out}.ttf`), ttf)
    writeFileSync(path.join(OUT, `${face.out}.json`), JSON.stringify(metrics))
    if (face.out === 'be-vietnam-pro-bold') writeOutlines(font)
  }
  // OFL 1.1 §2: the licence travels with every copy of the font files we ship.
  copyFileSync(path.join(ROOT, 'assets/OFL-BeVietnamPro.txt'), path.join(OUT, 'OFL-BeVietnamPro.txt'))
  copyFileSync(path.join(FONT_PACKAGES, 'tinos/LICENSE_FONT'), path.join(OUT, 'OFL-Tinos.txt'))
  writeDemoSeal()
  writeMessages()
  precompress(ROOT)
}

main()
