import type { Rect } from './geometry'
import type { PageText } from './read-pages'
import type { TextLine } from './text-lines'

/** A line that marks a place in the document, on its page. */
export interface Anchor {
  page: number
  line: TextLine
}

/**
 * The content's end mark: Decree 30/2020 Appendix I ends the body with "./." (the head of the
 * drafting unit initials right after it). The last occurrence in the document; spaces inside
 * ("./ .") are tolerated, as some producers split it.
 */
export function findEndMark(pages: readonly PageText[]): Anchor | undefined {
  for (const page of [...pages].sort((a, b) => b.page - a.page)) {
    const lines = page.lines.filter((l) => l.upright && /\.\/\.$/.test(l.text.replace(/\s+/g, '')))
    const last = lines.sort((a, b) => a.box.y - b.box.y)[0]
    if (last) return { page: page.page, line: last }
  }
  return undefined
}

const isRecipientsHead = (l: TextLine): boolean => /^n[ơo]i nh[ậa]n\s*:?/iu.test(l.text.normalize('NFC'))
const isListItem = (l: TextLine): boolean => /^[-–+•*]/.test(l.text)

/**
 * The end of the "Nơi nhận:" block (recipients, bottom left; whoever checked the form initials
 * after it): the heading and the list lines under it ("- Như trên;", "- Lưu: VT, ..."), left
 * aligned with it and close together. The last line of the last such block.
 */
export function findRecipientsEnd(pages: readonly PageText[]): Anchor | undefined {
  for (const page of [...pages].sort((a, b) => b.page - a.page)) {
    const heads = page.lines.filter((l) => l.upright && isRecipientsHead(l)).sort((a, b) => a.box.y - b.box.y)
    const head = heads[0]
    if (!head) continue
    let last = head
    for (;;) {
      const next = page.lines
        .filter(
          (l) =>
            l.upright &&
            l !== last &&
            l.box.y + l.box.height <= last.box.y + 2 &&
            Math.abs(l.box.x - head.box.x) <= 2 * head.fontSize,
        )
        .sort((a, b) => b.box.y - a.box.y)[0]
      if (!next || !isListItem(next) || last.box.y - (next.box.y + next.box.height) > 1.2 * next.fontSize)
        break
      last = next
    }
    return { page: page.page, line: last }
  }
  return undefined
}

/**
 * The recipients listed under "Nơi nhận:" (Decree 30/2020 Appendix I item 9), without their dash
 * and final punctuation ("- Như Điều 3;" is "Như Điều 3"): the metadata's nơi nhận (Appendix VI).
 */
export function findRecipients(pages: readonly PageText[]): string[] {
  const end = findRecipientsEnd(pages)
  const page = end && pages.find((p) => p.page === end.page)
  if (!end || !page) return []
  const head = page.lines.filter((l) => l.upright && isRecipientsHead(l)).sort((a, b) => a.box.y - b.box.y)[0]
  if (!head) return []
  return page.lines
    .filter(
      (l) =>
        l.upright &&
        isListItem(l) &&
        l.box.y < head.box.y &&
        l.box.y >= end.line.box.y - 1 &&
        Math.abs(l.box.x - head.box.x) <= 2 * head.fontSize,
    )
    .sort((a, b) => b.box.y - a.box.y)
    .map((l) =>
      l.text
        .replace(/^[-–+•*]\s*/, '')
        .replace(/[;.,]+$/, '')
        .trim(),
    )
    .filter(Boolean)
}

/** The lowest point of the page's text (display space), or the page's top when it has none. */
export function textBottom(page: PageText): number {
  const ys = page.lines.map((l) => l.box.y)
  return ys.length > 0 ? Math.min(...ys) : page.height
}

export const boxOf = (a: Anchor): Rect => a.line.box
