import { PDFDocument, StandardFonts } from 'pdf-lib'

/**
 * Documents made here for the tests (pdf-lib): with object streams and an xref stream (pdf-lib's
 * default), or with a classic xref table. Their text is ASCII so the standard fonts suffice.
 */
export async function makePdf(
  opts: { pages?: number; xref?: 'stream' | 'table'; title?: string } = {},
): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const pages = opts.pages ?? 1
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89])
    page.drawText(`${opts.title ?? 'CONG VAN'} - trang ${i + 1}`, { x: 72, y: 760, size: 14, font })
    page.drawText('Noi dung van ban thu nghiem.', { x: 72, y: 730, size: 11, font })
  }
  doc.setTitle(opts.title ?? 'Test document')
  return Buffer.from(await doc.save({ useObjectStreams: (opts.xref ?? 'stream') === 'stream' }))
}

/** A one-page form with a text field `hoten` (name) and a check box `dongy`, classic xref. */
export async function makeFormPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([595.28, 841.89])
  const font = await doc.embedFont(StandardFonts.Helvetica)
  page.drawText('TO KHAI', { x: 72, y: 760, size: 14, font })
  const form = doc.getForm()
  form.createTextField('hoten').addToPage(page, { x: 72, y: 700, width: 300, height: 24 })
  form.createCheckBox('dongy').addToPage(page, { x: 72, y: 660, width: 16, height: 16 })
  return Buffer.from(await doc.save({ useObjectStreams: false }))
}
