import { findEndMark, findRecipientsEnd, type Anchor } from './anchors'
import type { IssuanceSlots } from './issuance-slots'
import { readIssuanceSlots, readPageLayouts, type PageLayout } from './read-pages'
import { locateSignerBlock, type SignerBlock } from './signer-block'

/** What placement needs to know of a document: plain data (it crosses a worker boundary). */
export interface LayoutReport {
  pageCount: number
  /** The pages read: the last ones, where the signer block, the end mark and "Nơi nhận" are. */
  pages: PageLayout[]
  block?: SignerBlock
  endMark?: Anchor
  recipientsEnd?: Anchor
  /** Where the number and the date go on the first page (issue 13). */
  issuance: IssuanceSlots
}

/** How many pages from the end are read: an annex after the signed part is a page or two. */
export const PAGES_FROM_END = 6

/**
 * Reads the last pages of a document and finds where its people sign: the competent person's
 * block, the content's end mark "./." and the end of "Nơi nhận"; and on the first page the blanks
 * of the number and the date (issue 13). Runs pdf.js in this thread; a
 * service reads untrusted drafts with `analyseLayoutIsolated` instead.
 */
export async function analyseLayout(pdf: Uint8Array): Promise<LayoutReport> {
  const { pageCount, pages } = await readPageLayouts(pdf, (count) =>
    Array.from({ length: Math.min(count, PAGES_FROM_END) }, (_, i) => count - i),
  )
  const block = locateSignerBlock(pages)
  const endMark = findEndMark(pages)
  const recipientsEnd = findRecipientsEnd(pages)
  const issuance = await readIssuanceSlots(pdf)
  return {
    pageCount,
    pages,
    issuance,
    ...(block && { block }),
    ...(endMark && { endMark }),
    ...(recipientsEnd && { recipientsEnd }),
  }
}
