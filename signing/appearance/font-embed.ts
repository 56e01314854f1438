import { createHash } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import { PdfDict, type PdfRef, PdfStream, PdfString, name, type PdfValue } from '../pdf/objects'
import type { FontFace, ShapedGlyph } from './assets'
import { subsetTrueType } from './truetype-subset'

/**
 * One face as used by one appearance: it records the glyphs drawn, then embeds just those as a
 * Type0 font (ISO 32000-2 §9.7): Identity-H encoding, so a content-stream string is 2-byte glyph
 * ids, a CIDFontType2 with /CIDToGIDMap /Identity and /W widths, and a ToUnicode CMap (§9.10.3)
 * so that text extraction gives back the Vietnamese exactly.
 */
export class FontUse {
  private readonly used = new Map<number, string>()

  constructor(
    readonly face: FontFace,
    readonly resourceName: string,
  ) {}

  /** Records the glyphs and returns the hex string operand for Tj. */
  show(glyphs: readonly ShapedGlyph[]): string {
    let hex = ''
    for (const g of glyphs) {
      if (!this.used.has(g.gid)) this.used.set(g.gid, g.text)
      hex += g.gid.toString(16).padStart(4, '0')
    }
    return `<${hex.toUpperCase()}>`
  }

  get isUsed(): boolean {
    return this.used.size > 0
  }

  /** Adds the font's five objects to the revision and returns the Type0 font dictionary's ref. */
  embed(add: (v: PdfValue) => PdfRef): PdfRef {
    const m = this.face.metrics
    const gids = [...this.used.keys()].sort((a, b) => a - b)
    const baseFont = `${subsetTag(this.face.name, gids)}+${m.postScriptName}`
    const scale = 1000 / m.unitsPerEm
    const program = subsetTrueType(this.face.ttf, gids)
    const fontFile = add(
      new PdfStream(
        new PdfDict({ Length1: program.length, Filter: name('FlateDecode') }),
        deflateSync(program, { level: 9 }),
      ),
    )
    const descriptor = add(
      new PdfDict({
        Type: name('FontDescriptor'),
        FontName: name(baseFont),
        // Symbolic (bit 3): the glyphs go beyond the Adobe standard Latin set (§9.8.2).
        Flags: 4,
        FontBBox: m.bbox.map((v) => Math.round(v * scale)),
        ItalicAngle: m.italicAngle,
        Ascent: this.face.ascent,
        Descent: this.face.descent,
        CapHeight: Math.round(m.capHeight * scale),
        StemV: stemV(m.weightClass),
        FontFile2: fontFile,
      }),
    )
    const toUnicode = add(
      new PdfStream(
        new PdfDict({ Filter: name('FlateDecode') }),
        deflateSync(toUnicodeCMap(this.used), { level: 9 }),
      ),
    )
    const cidFont = add(
      new PdfDict({
        Type: name('Font'),
        Subtype: name('CIDFontType2'),
        BaseFont: name(baseFont),
        CIDSystemInfo: new PdfDict({ Registry: ascii('Adobe'), Ordering: ascii('Identity'), Supplement: 0 }),
        FontDescriptor: descriptor,
        W: widthsArray(gids, this.face.widthOf),
        CIDToGIDMap: name('Identity'),
      }),
    )
    return add(
      new PdfDict({
        Type: name('Font'),
        Subtype: name('Type0'),
        BaseFont: name(baseFont),
        Encoding: name('Identity-H'),
        DescendantFonts: [cidFont],
        ToUnicode: toUnicode,
      }),
    )
  }
}

const ascii = (s: string): PdfString => new PdfString(Buffer.from(s, 'latin1'))

/** §9.6.4: a subset font's name starts with six capital letters unique to the subset; derived from its glyphs so output is reproducible. */
function subsetTag(face: string, gids: readonly number[]): string {
  const digest = createHash('sha256')
    .update(`${face}:${gids.join(',')}`)
    .digest()
  return [...digest.subarray(0, 6)].map((b) => String.fromCharCode(65 + (b % 26))).join('')
}

/** The fonts carry no stem width; this common estimate from the OS/2 weight class is what viewers use for substitution only. */
const stemV = (weightClass: number): number => Math.round(50 + (weightClass / 65) ** 2)

/** §9.7.4.3: `[first [w1 w2 ...] ...]`, one group per run of consecutive glyph ids. */
function widthsArray(gids: readonly number[], widthOf: ReadonlyMap<number, number>): PdfValue[] {
  const out: PdfValue[] = []
  let run: number[] = []
  gids.forEach((gid, i) => {
    if (i === 0 || gid !== (gids[i - 1] ?? -1) + 1) {
      run = []
      out.push(gid, run)
    }
    run.push(widthOf.get(gid) ?? 0)
  })
  return out
}

/** A ToUnicode CMap (Adobe technical note #5411): glyph id -> UTF-16BE, in blocks of at most 100. */
function toUnicodeCMap(used: ReadonlyMap<number, string>): Buffer {
  const entries = [...used].sort(([a], [b]) => a - b)
  const lines = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
  ]
  for (let i = 0; i < entries.length; i += 100) {
    const block = entries.slice(i, i + 100)
    lines.push(`${block.length} beginbfchar`)
    for (const [gid, text] of block) {
      const utf16 = Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase()
      lines.push(`<${gid.toString(16).padStart(4, '0').toUpperCase()}> <${utf16}>`)
    }
    lines.push('endbfchar')
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end')
  return Buffer.from(lines.join('\n'), 'latin1')
}
