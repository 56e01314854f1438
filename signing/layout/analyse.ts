import { findEndMark, findRecipientsEnd, type Anchor } from './anchors'
import { readPageLayouts, type PageLayout } from './read-pages'
import { locateSignerBlock, type SignerBlock } from './signer-block'

/** What placement needs to know of a document: plain data (it crosses a worker boundary). */
export interface LayoutReport {
  pageCount: number
  /** The pages read: the last ones, where the signer block, the end mark and "Nơi nhận" are. */
  pages: PageLayout[]
  block?: SignerBlock
  endMark?: Anchor
  recipientsEnd?: Anchor
}

/** How many pages from the end are read: an annex after the signed part is a page or two. */
export const PAGES_FROM_END = 6

/**
 * Reads the last pages of a document and finds where its people sign: the competent person's
 * block, the content's end mark "./." and the end of "Nơi nhận". Runs pdf.js in this thread; a
 * service reads untrusted drafts with `analyseLayoutIsolated` instead.
 */
export async function analyseLayout(pdf: Uint8Array): Promise<LayoutReport> {
  const { pageCount, pages } = await readPageLayouts(pdf, (count) =>
    Array.from({ length: Math.min(count, PAGES_FROM_END) }, (_, i) => count - i),
  )
  const block = locateSignerBlock(pages)
  const endMark = findEndMark(pages)
  const recipientsEnd = findRecipientsEnd(pages)
  return { pageCount, pages, ...(block && { block }), ...(endMark && { endMark }), ...(recipientsEnd && { recipientsEnd }) }
}
