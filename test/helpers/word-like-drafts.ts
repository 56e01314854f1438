import fontkit from '@pdf-lib/fontkit'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { degrees, PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib'
import { decodeTcvn3 } from '../../signing/layout'

const FONT = join(
  __dirname,
  '../../../node_modules/@expo-google-fonts/be-vietnam-pro/400Regular/BeVietnamPro_400Regular.ttf',
)

export interface WordLikeOptions {
  /** One text-showing operation per glyph, as Word often writes (default: one per line). */
  perGlyph?: boolean
  /** Decomposed Vietnamese: base letters and combining marks (NFD). */
  nfd?: boolean
  /** TCVN3 (".VnTime") codes in a Latin-1 font instead of Unicode. */
  tcvn3?: boolean
  /** /Rotate of the page; the text is drawn so that it reads upright on the displayed page. */
  rotate?: 0 | 90 | 180 | 270
}

/**
 * Unicode -> TCVN3 codes: the inverse of the decoder's table, built from it. Capitals with marks
 * take the lower-case codes, as the ".VnTimeH" fonts draw them.
 */
const TO_TCVN3 = new Map<string, string>()
for (let code = 0xa0; code <= 0xff; code++) {
  const ch = String.fromCharCode(code)
  const letter = decodeTcvn3(ch)
  if (letter !== ch && !TO_TCVN3.has(letter)) TO_TCVN3.set(letter, ch)
}
const tcvn3 = (s: string): string =>
  [...s.normalize('NFC')].map((c) => TO_TCVN3.get(c) ?? TO_TCVN3.get(c.toLowerCase()) ?? c).join('')

/** The lines of a short decision: header, number and date left blank, body, "Nơi nhận", signer block. */
const LINES: Array<{ text: string; x: number; y: number; size: number }> = [
  { text: 'SỞ KHOA HỌC VÀ CÔNG NGHỆ', x: 70, y: 780, size: 12 },
  { text: 'Số:      /QĐ-SKHCN', x: 110, y: 750, size: 13 },
  { text: 'Thành phố Hồ Chí Minh, ngày    tháng    năm 2026', x: 270, y: 750, size: 13 },
  { text: 'QUYẾT ĐỊNH', x: 250, y: 700, size: 14 },
  {
    text: 'Điều 1. Các phòng thuộc Sở thực hiện ký số theo quy trình đã được phê duyệt.',
    x: 85,
    y: 660,
    size: 13,
  },
  { text: 'Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.', x: 85, y: 640, size: 13 },
  { text: 'Nơi nhận:', x: 85, y: 600, size: 12 },
  { text: '- Như Điều 2;', x: 85, y: 586, size: 11 },
  { text: '- Lưu: VT.', x: 85, y: 573, size: 11 },
  { text: 'GIÁM ĐỐC', x: 400, y: 600, size: 14 },
  { text: 'Võ Minh Thành', x: 392, y: 520, size: 14 },
]

/** Where (x, y) of an upright page lands on a page turned by `rotate` (595 x 842 user space). */
function place(rotate: number, x: number, y: number): { x: number; y: number } {
  if (rotate === 90) return { x: 595 - y * (595 / 842), y: x * (842 / 595) }
  if (rotate === 180) return { x: 595 - x, y: 842 - y }
  if (rotate === 270) return { x: y * (595 / 842), y: 842 - x * (842 / 595) }
  return { x, y }
}

function draw(
  page: PDFPage,
  font: PDFFont,
  text: string,
  at: { x: number; y: number; size: number },
  opts: WordLikeOptions,
): void {
  const rotate = opts.rotate ?? 0
  const shown = opts.tcvn3 ? tcvn3(text) : opts.nfd ? text.normalize('NFD') : text
  const pieces = opts.perGlyph ? [...shown] : [shown]
  let x = at.x
  for (const piece of pieces) {
    const p = place(rotate, x, at.y)
    // Text turned with the page's rotation reads upright once the viewer turns the page back.
    page.drawText(piece, { x: p.x, y: p.y, size: at.size, font, rotate: degrees(rotate) })
    x += font.widthOfTextAtSize(piece, at.size)
  }
}

/**
 * A one-page decision written the way office software writes drafts: per glyph, decomposed,
 * in TCVN3 codes, or on a rotated page (pdf-lib, with the bundled Be Vietnam Pro or, for TCVN3, a
 * standard font whose codes are the Latin-1 characters an extractor reads).
 */
export async function wordLikeDraft(opts: WordLikeOptions = {}): Promise<Buffer> {
  const doc = await PDFDocument.create()
  doc.registerFontkit(fontkit)
  const font = opts.tcvn3
    ? await doc.embedFont(StandardFonts.TimesRoman)
    : await doc.embedFont(readFileSync(FONT), { subset: false })
  const rotate = opts.rotate ?? 0
  const page = doc.addPage([595, 842])
  if (rotate) page.setRotation(degrees(rotate))
  for (const l of LINES) {
    // On a quarter-turned page the displayed page is 842 wide: stretch x to keep the layout.
    draw(page, font, l.text, l, opts)
  }
  return Buffer.from(await doc.save())
}
