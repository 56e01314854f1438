import type { Rect } from './geometry'
import type { PageText } from './read-pages'
import type { TextLine } from './text-lines'

/**
 * The document's own signer block (Decree 30/2020 Appendix I, "chữ ký, họ tên và chức vụ của người
 * có thẩm quyền"): the authority lines ("GIÁM ĐỐC"; "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC"; "TM. ỦY
 * BAN NHÂN DÂN" over "CHỦ TỊCH"), the blank lines left for the signature, and the typed full name.
 */
export interface SignerBlock {
  page: number
  titleLines: TextLine[]
  nameLine: TextLine
  /** The blank space between the last title line and the name (display space). */
  space: Rect
}

/** Authority markers (DOMAIN.md) and the words of the titles that sign documents. */
const MARKER = /^(KT|TM|TL|TUQ|Q)\s*\.\s*\S/
const TITLE_WORDS = [
  'GIÁM ĐỐC',
  'CHỦ TỊCH',
  'TRƯỞNG',
  'CHÁNH VĂN PHÒNG',
  'CHÁNH THANH TRA',
  'CHÁNH ÁN',
  'VIỆN TRƯỞNG',
  'BÍ THƯ',
  'ỦY BAN NHÂN DÂN',
  'UỶ BAN NHÂN DÂN',
  'HỘI ĐỒNG',
  'TỔNG CỤC',
  'CỤC TRƯỞNG',
  'THỦ TRƯỞNG',
  'KẾ TOÁN',
  'THỦ QUỸ',
]

/** Upper case and without the punctuation that some drafts add ("GIÁM ĐỐC:"). */
const fold = (s: string): string =>
  s
    .normalize('NFC')
    .toUpperCase()
    .replace(/[:;,]+$/, '')
    .trim()

function isUpperCase(s: string): boolean {
  return /\p{L}/u.test(s) && s === s.toUpperCase()
}

/** A line that names an authority: capitals, short, with a marker or a title word. */
export function isAuthorityLine(line: TextLine): boolean {
  const t = fold(line.text)
  if (!line.upright || !isUpperCase(line.text) || t.split(/\s+/).length > 10) return false
  if (t.includes('CỘNG HÒA') || t.includes('CỘNG HOÀ')) return false
  return MARKER.test(t) || TITLE_WORDS.some((w) => new RegExp(`(^|\\s)${w}(\\s|$)`, 'u').test(t))
}

/** A typed full name: two to seven words, each starting with a capital, letters only. */
export function looksLikeName(line: TextLine): boolean {
  const words = line.text.trim().split(/\s+/)
  if (!line.upright || words.length < 2 || words.length > 7) return false
  if (isAuthorityLine(line)) return false
  return words.every((w) => /^\p{Lu}[\p{L}'’.-]*$/u.test(w))
}

const centre = (r: Rect): number => r.x + r.width / 2
const bottom = (l: TextLine): number => l.box.y
const top = (l: TextLine): number => l.box.y + l.box.height

/** The title lines stacked under `first` (the second line of "KT. GIÁM ĐỐC" / "PHÓ GIÁM ĐỐC"). */
function titleGroup(first: TextLine, lines: readonly TextLine[]): TextLine[] {
  const group = [first]
  for (;;) {
    const last = group[group.length - 1] as TextLine
    const next = lines.find(
      (l) =>
        l !== last &&
        l.upright &&
        isUpperCase(l.text) &&
        top(l) <= bottom(last) + 2 &&
        bottom(last) - top(l) <= 0.8 * last.fontSize &&
        Math.abs(centre(l.box) - centre(last.box)) <= Math.max(30, last.box.width / 2),
    )
    if (!next || group.includes(next)) return group
    group.push(next)
  }
}

/** The name under a title group: centred under it, after a blank space, nothing in between. */
function nameUnder(group: readonly TextLine[], lines: readonly TextLine[]): TextLine | undefined {
  const last = group[group.length - 1] as TextLine
  const left = Math.min(...group.map((l) => l.box.x))
  const right = Math.max(...group.map((l) => l.box.x + l.box.width))
  const mid = (left + right) / 2
  const below = lines
    .filter(
      (l) => l.upright && top(l) < bottom(last) && l.box.x < right + 40 && l.box.x + l.box.width > left - 40,
    )
    .sort((p, q) => top(q) - top(p))
  const next = below[0]
  if (!next || !looksLikeName(next)) return undefined
  if (Math.abs(centre(next.box) - mid) > Math.max(40, (right - left) / 2)) return undefined
  // The blank lines of the block: at least one and a half lines of the title's size.
  return bottom(last) - top(next) >= 1.5 * last.fontSize ? next : undefined
}

/** Signer blocks of one page, in reading order. */
export function signerBlocksOn(page: PageText): SignerBlock[] {
  const lines = page.lines
  const blocks: SignerBlock[] = []
  const used = new Set<TextLine>()
  for (const line of lines) {
    if (used.has(line) || !isAuthorityLine(line)) continue
    const group = titleGroup(line, lines)
    const name = nameUnder(group, lines)
    if (!name) continue
    group.forEach((l) => used.add(l))
    const last = group[group.length - 1] as TextLine
    const left = Math.min(name.box.x, ...group.map((l) => l.box.x))
    const right = Math.max(name.box.x + name.box.width, ...group.map((l) => l.box.x + l.box.width))
    blocks.push({
      page: page.page,
      titleLines: group,
      nameLine: name,
      space: { x: left, y: top(name), width: right - left, height: bottom(last) - top(name) },
    })
  }
  return blocks
}

/**
 * The block the competent person signs in: on the last page that has one, the last block of that
 * page (lowest, then rightmost). Undefined when no page has a block.
 */
export function locateSignerBlock(pages: readonly PageText[]): SignerBlock | undefined {
  for (const page of [...pages].sort((a, b) => b.page - a.page)) {
    if (page.readable !== 'ok') continue
    const blocks = signerBlocksOn(page)
    const lowest = blocks.sort((a, b) => a.space.y - b.space.y || b.space.x - a.space.x)[0]
    if (lowest) return lowest
  }
  return undefined
}
