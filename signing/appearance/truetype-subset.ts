/**
 * A glyph subsetter for TrueType outlines that keeps every glyph id where it is: unused glyphs
 * become empty (zero-length in `loca`, zero metrics), so content streams can use glyph ids as CIDs
 * with /CIDToGIDMap /Identity and the embedded font costs only the outlines actually drawn.
 *
 * The result holds only head, hhea, maxp, hmtx, loca and glyf: ISO 32000-2 §9.9 needs no cmap
 * for a CIDFontType2, and hinting (fpgm, prep, cvt and per-glyph instructions) is dropped because
 * PDF viewers scale glyphs freely and the bytecode would dominate a few-glyph subset.
 */

const REQUIRED = ['head', 'hhea', 'maxp', 'hmtx', 'loca', 'glyf'] as const
type TableTag = (typeof REQUIRED)[number]

// Composite glyph flags (OpenType 'glyf' table).
const ARG_1_AND_2_ARE_WORDS = 0x0001
const WE_HAVE_A_SCALE = 0x0008
const MORE_COMPONENTS = 0x0020
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
const WE_HAVE_A_TWO_BY_TWO = 0x0080
const WE_HAVE_INSTRUCTIONS = 0x0100

function readTables(font: Buffer): Record<TableTag, Buffer> {
  const numTables = font.readUInt16BE(4)
  const found: Partial<Record<TableTag, Buffer>> = {}
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i
    const tag = font.toString('latin1', rec, rec + 4)
    const offset = font.readUInt32BE(rec + 8)
    const length = font.readUInt32BE(rec + 12)
    if ((REQUIRED as readonly string[]).includes(tag))
      found[tag as TableTag] = font.subarray(offset, offset + length)
  }
  for (const tag of REQUIRED) if (!found[tag]) throw new Error(`TrueType font has no '${tag}' table`)
  return found as Record<TableTag, Buffer>
}

/** Walks a composite glyph's component records: their glyph ids and where the records end. */
function components(glyph: Buffer): { gids: number[]; end: number; lastFlagsAt: number } {
  const gids: number[] = []
  let pos = 10
  let lastFlagsAt = pos
  for (;;) {
    const flags = glyph.readUInt16BE(pos)
    lastFlagsAt = pos
    gids.push(glyph.readUInt16BE(pos + 2))
    pos += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2)
    if (flags & WE_HAVE_A_SCALE) pos += 2
    else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) pos += 4
    else if (flags & WE_HAVE_A_TWO_BY_TWO) pos += 8
    if (!(flags & MORE_COMPONENTS)) return { gids, end: pos, lastFlagsAt }
  }
}

/** The glyph without its hinting bytecode (instructionLength set to 0 / WE_HAVE_INSTRUCTIONS cleared). */
function withoutInstructions(glyph: Buffer): Buffer {
  if (glyph.length === 0) return glyph
  const contours = glyph.readInt16BE(0)
  if (contours < 0) {
    const { end, lastFlagsAt } = components(glyph)
    const copy = Buffer.from(glyph.subarray(0, end))
    copy.writeUInt16BE(copy.readUInt16BE(lastFlagsAt) & ~WE_HAVE_INSTRUCTIONS, lastFlagsAt)
    return copy
  }
  const lengthAt = 10 + 2 * contours
  const instructionLength = glyph.readUInt16BE(lengthAt)
  return Buffer.concat([
    glyph.subarray(0, lengthAt),
    Buffer.alloc(2),
    glyph.subarray(lengthAt + 2 + instructionLength),
  ])
}

function checksum(data: Buffer): number {
  let sum = 0
  for (let i = 0; i < data.length; i += 4) sum = (sum + data.readUInt32BE(i)) >>> 0
  return sum
}

const pad4 = (b: Buffer): Buffer =>
  b.length % 4 === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))])

/** An sfnt file from whole tables (OpenType "Organization of an OpenType font"), head checksum fixed. */
function writeSfnt(tables: Record<TableTag, Buffer>): Buffer {
  const tags = Object.keys(tables).sort() as TableTag[]
  const entrySelector = Math.floor(Math.log2(tags.length))
  const header = Buffer.alloc(12 + 16 * tags.length)
  header.writeUInt32BE(0x00010000, 0)
  header.writeUInt16BE(tags.length, 4)
  header.writeUInt16BE(16 * 2 ** entrySelector, 6)
  header.writeUInt16BE(entrySelector, 8)
  header.writeUInt16BE(16 * tags.length - 16 * 2 ** entrySelector, 10)
  const bodies: Buffer[] = []
  let offset = header.length
  tags.forEach((tag, i) => {
    const body = pad4(tables[tag])
    const rec = 12 + 16 * i
    header.write(tag, rec, 'latin1')
    header.writeUInt32BE(checksum(body), rec + 4)
    header.writeUInt32BE(offset, rec + 8)
    header.writeUInt32BE(tables[tag].length, rec + 12)
    bodies.push(body)
    offset += body.length
  })
  const font = Buffer.concat([header, ...bodies])
  const headAt = header.readUInt32BE(12 + 16 * tags.indexOf('head') + 8)
  font.writeUInt32BE((0xb1b0afba - checksum(font)) >>> 0, headAt + 8)
  return font
}

/**
 * A font program holding the outlines of `keep` (plus .notdef and composite components) and no
 * others, every glyph id unchanged.
 */
export function subsetTrueType(font: Buffer, keep: Iterable<number>): Buffer {
  const t = readTables(font)
  const numGlyphs = t.maxp.readUInt16BE(4)
  const longLoca = t.head.readInt16BE(50) === 1
  const offsetOf = (gid: number): number =>
    longLoca ? t.loca.readUInt32BE(gid * 4) : t.loca.readUInt16BE(gid * 2) * 2
  const glyphData = (gid: number): Buffer => t.glyf.subarray(offsetOf(gid), offsetOf(gid + 1))

  // 1. The closure: requested glyphs, .notdef, and the components of composite glyphs.
  const kept = new Set<number>()
  const queue = [0, ...keep].filter((g) => g >= 0 && g < numGlyphs)
  for (let gid = queue.pop(); gid !== undefined; gid = queue.pop()) {
    if (kept.has(gid)) continue
    kept.add(gid)
    const g = glyphData(gid)
    if (g.length > 0 && g.readInt16BE(0) < 0) queue.push(...components(g).gids.filter((c) => c < numGlyphs))
  }

  // 2. glyf and a short-format loca (offsets / 2), every kept glyph padded to 4 bytes.
  const outlines: Buffer[] = []
  const loca = Buffer.alloc(2 * (numGlyphs + 1))
  let length = 0
  for (let gid = 0; gid < numGlyphs; gid++) {
    loca.writeUInt16BE(length / 2, gid * 2)
    if (!kept.has(gid)) continue
    const g = pad4(withoutInstructions(glyphData(gid)))
    outlines.push(g)
    length += g.length
  }
  if (length / 2 > 0xffff) throw new Error('glyph subset too large for a short loca table')
  loca.writeUInt16BE(length / 2, numGlyphs * 2)

  // 3. hmtx with full metrics up to the last kept glyph, zeros for glyphs that are not drawn.
  const oldMetrics = t.hhea.readUInt16BE(34)
  const metricCount = Math.max(...kept) + 1
  const hmtx = Buffer.alloc(4 * metricCount + 2 * (numGlyphs - metricCount))
  for (const gid of kept) {
    const advance = t.hmtx.readUInt16BE(4 * Math.min(gid, oldMetrics - 1))
    const lsb =
      gid < oldMetrics
        ? t.hmtx.readInt16BE(4 * gid + 2)
        : t.hmtx.readInt16BE(4 * oldMetrics + 2 * (gid - oldMetrics))
    hmtx.writeUInt16BE(advance, 4 * gid)
    hmtx.writeInt16BE(lsb, 4 * gid + 2)
  }

  const head = Buffer.from(t.head)
  head.writeUInt32BE(0, 8)
  head.writeInt16BE(0, 50)
  const hhea = Buffer.from(t.hhea)
  hhea.writeUInt16BE(metricCount, 34)
  return writeSfnt({ head, hhea, maxp: t.maxp, hmtx, loca, glyf: Buffer.concat(outlines) })
}
