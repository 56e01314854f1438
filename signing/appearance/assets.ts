import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { EncodedImage } from './png-image'

/** The metrics JSON written by scripts/build-assets.ts next to each TrueType file. */
export interface FontMetricsFile {
  file: string
  postScriptName: string
  unitsPerEm: number
  ascent: number
  descent: number
  capHeight: number
  italicAngle: number
  weightClass: number
  bbox: [number, number, number, number]
  numGlyphs: number
  notdefAdvance: number
  /** [code point, glyph id, advance width in font units], sorted by code point. */
  glyphs: Array<[number, number, number]>
}

/** Be Vietnam Pro regular and bold; Tinos (Times New Roman's metrics) for the document's own typeface. */
export type FaceName = 'regular' | 'bold' | 'serif' | 'serif-italic' | 'serif-bold'

/** A loaded face: the raw font program plus lookups, all in PDF glyph space (1/1000 em). */
export interface FontFace {
  readonly name: FaceName
  readonly metrics: FontMetricsFile
  readonly ttf: Buffer
  /** Code point -> glyph id. */
  readonly glyphOf: ReadonlyMap<number, number>
  /** Glyph id -> advance width in 1/1000 em, the unit of a PDF /W array. */
  readonly widthOf: ReadonlyMap<number, number>
  /** Height of the line box and of the tallest glyph above the baseline, in 1/1000 em. */
  readonly ascent: number
  readonly descent: number
  readonly maxAscent: number
}

/** dist/signing/appearance -> dist/assets: scripts/build-assets.ts puts everything there. */
const ASSET_DIR = path.join(__dirname, '../../assets')
const FONT_DIR = path.join(ASSET_DIR, 'fonts')
export const DEMO_SEAL_FILE = 'demo-seal.json'
const FILES: Record<FaceName, string> = {
  regular: 'be-vietnam-pro-regular',
  bold: 'be-vietnam-pro-bold',
  serif: 'tinos-regular',
  'serif-italic': 'tinos-italic',
  'serif-bold': 'tinos-bold',
}
const cache = new Map<FaceName, FontFace>()

function isMetricsFile(v: unknown): v is FontMetricsFile {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return (
    typeof o.unitsPerEm === 'number' &&
    typeof o.postScriptName === 'string' &&
    Array.isArray(o.bbox) &&
    Array.isArray(o.glyphs)
  )
}

/** Loads a face once per process; a missing asset is an installation fault, not bad input. */
export function loadFace(name: FaceName): FontFace {
  const cached = cache.get(name)
  if (cached) return cached
  const base = path.join(FONT_DIR, FILES[name])
  let metrics: unknown
  let ttf: Buffer
  try {
    metrics = JSON.parse(readFileSync(`${base}.json`, 'utf8'))
    ttf = readFileSync(`${base}.ttf`)
  } catch (err) {
    throw new Error(`font assets missing in ${FONT_DIR}: run \`npm run build\``, { cause: err })
  }
  if (!isMetricsFile(metrics)) throw new Error(`${base}.json is not a font metrics file`)
  const face = makeFace(name, metrics, ttf)
  cache.set(name, face)
  return face
}

/** What `DEMO_SEAL_FILE` holds: an EncodedImage with its planes in base64. */
export interface DemoSealFile {
  width: number
  height: number
  colourSpace: EncodedImage['colourSpace']
  colour: string
  alpha: string
}

let demoSeal: EncodedImage | undefined
/**
 * The demo CA's seal, drawn and deflated at build time: rasterising it at run time costs some
 * 80 ms in a cold process, more than the rest of the appearance.
 */
export function loadDemoSeal(): EncodedImage {
  if (demoSeal) return demoSeal
  const file = path.join(ASSET_DIR, DEMO_SEAL_FILE)
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new Error(`${file} missing: run \`npm run build\``, { cause: err })
  }
  const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<DemoSealFile>
  if (typeof o.width !== 'number' || typeof o.height !== 'number' || typeof o.colour !== 'string') {
    throw new Error(`${file} is not an encoded image`)
  }
  demoSeal = {
    width: o.width,
    height: o.height,
    colourSpace: o.colourSpace === 'DeviceGray' ? 'DeviceGray' : 'DeviceRGB',
    colour: Buffer.from(o.colour, 'base64'),
    ...(o.alpha ? { alpha: Buffer.from(o.alpha, 'base64') } : {}),
  }
  return demoSeal
}

function makeFace(name: FaceName, metrics: FontMetricsFile, ttf: Buffer): FontFace {
  const scale = 1000 / metrics.unitsPerEm
  const glyphOf = new Map<number, number>()
  const widthOf = new Map<number, number>([[0, Math.round(metrics.notdefAdvance * scale)]])
  for (const [cp, gid, advance] of metrics.glyphs) {
    glyphOf.set(cp, gid)
    widthOf.set(gid, Math.round(advance * scale))
  }
  return {
    name,
    metrics,
    ttf,
    glyphOf,
    widthOf,
    ascent: Math.round(metrics.ascent * scale),
    descent: Math.round(metrics.descent * scale),
    maxAscent: Math.round(Math.max(metrics.ascent, metrics.bbox[3]) * scale),
  }
}

/** One shown glyph and the text it stands for (what the ToUnicode CMap will map it back to). */
export interface ShapedGlyph {
  gid: number
  text: string
}

/**
 * Glyphs for a string, one per code point: Vietnamese in NFC is all precomposed letters, so no
 * shaping engine is needed. A character the font lacks falls back to its canonical decomposition
 * (base letter + combining marks), then to '?', so that what is printed is also what is extracted.
 */
export function glyphsFor(face: FontFace, text: string): ShapedGlyph[] {
  const out: ShapedGlyph[] = []
  for (const ch of text.normalize('NFC')) {
    const gid = face.glyphOf.get(ch.codePointAt(0) ?? 0)
    if (gid !== undefined) {
      out.push({ gid, text: ch })
      continue
    }
    const parts = [...ch.normalize('NFD')]
    const gids = parts.map((c) => face.glyphOf.get(c.codePointAt(0) ?? 0))
    if (parts.length > 1 && gids.every((g) => g !== undefined)) {
      gids.forEach((g, i) => out.push({ gid: g ?? 0, text: parts[i] ?? '' }))
    } else {
      out.push({ gid: face.glyphOf.get(0x3f) ?? 0, text: '?' })
    }
  }
  return out
}

/** Width of a glyph run in points at the given font size. */
export function measure(face: FontFace, glyphs: readonly ShapedGlyph[], size: number): number {
  let units = 0
  for (const g of glyphs) units += face.widthOf.get(g.gid) ?? 0
  return (units * size) / 1000
}
