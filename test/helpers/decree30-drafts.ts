/**
 * Drafts laid out as Decree 30/2020 Appendix I asks (Mẫu 1.4, a decision): agency top left,
 * motto top right, "Số:      /QĐ-SKHCN" and "ngày    tháng    năm" left blank, the body ending
 * with "./.", "Nơi nhận:" bottom left and the signer block bottom right. One model, written as
 * HTML (printed by Chromium) and as a flat ODT (converted by LibreOffice), the two producers whose
 * PDFs a drafter's office most often sends besides Word's.
 */

export interface Para {
  text: string
  /** A bold lead-in such as "Điều 1." before the text. */
  lead?: string
  align?: 'left' | 'center' | 'justify'
  bold?: boolean
  italic?: boolean
  size?: number
  indent?: boolean
  before?: number
  after?: number
}

export type Block =
  | { kind: 'para'; para: Para }
  | { kind: 'columns'; widths: [number, number]; left: Para[]; right: Para[]; before?: number }

export interface DraftSpec {
  name: string
  signer: { lines: string[]; name: string }
  /** Articles of the body; the last one ends with "./.". */
  articles: string[]
  /** A secrecy mark under the number ("MẬT"): such a draft must be refused (issue 13). */
  secrecy?: string
}

const GROUNDS = [
  'Căn cứ Luật Giao dịch điện tử ngày 22 tháng 6 năm 2023;',
  'Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;',
  'Theo đề nghị của Chánh Văn phòng Sở.',
]

const ARTICLE =
  'Các phòng, đơn vị thuộc Sở thực hiện ký số trên văn bản điện tử theo quy trình đã được phê duyệt, bảo đảm ' +
  'văn bản được phát hành đúng thể thức, kỹ thuật trình bày và lưu trữ theo quy định hiện hành.'

export function draftSpecs(): DraftSpec[] {
  const last =
    'Chánh Văn phòng Sở, Trưởng các phòng và cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.'
  return [
    {
      name: 'giam-doc',
      signer: { lines: ['GIÁM ĐỐC'], name: 'Võ Minh Thành' },
      articles: [ARTICLE, 'Quyết định này có hiệu lực kể từ ngày ký.', last],
    },
    {
      name: 'kt-pho-giam-doc',
      signer: { lines: ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], name: 'Phạm Thị Hoa' },
      articles: [ARTICLE, 'Quyết định này có hiệu lực kể từ ngày ký.', last],
    },
    {
      name: 'second-page',
      signer: { lines: ['GIÁM ĐỐC'], name: 'Võ Minh Thành' },
      articles: [
        ...Array.from({ length: 9 }, () => ARTICLE),
        'Quyết định này có hiệu lực kể từ ngày ký.',
        last,
      ],
    },
  ]
}

/** The document as blocks, top to bottom. Number and date are left blank for the records clerk. */
export function draftBlocks(spec: DraftSpec): Block[] {
  // Blanks as wide as a clerk's pen needs: a three-digit number, a two-digit day or month.
  const blank = '\u00a0'.repeat(7)
  const short = '\u00a0'.repeat(6)
  const p = (para: Para): Block => ({ kind: 'para', para })
  return [
    {
      kind: 'columns',
      widths: [38, 62],
      left: [
        { text: 'ỦY BAN NHÂN DÂN', align: 'center', size: 13 },
        { text: 'THÀNH PHỐ HỒ CHÍ MINH', align: 'center', size: 13 },
        { text: 'SỞ KHOA HỌC VÀ CÔNG NGHỆ', align: 'center', size: 13, bold: true, after: 6 },
        { text: `Số:${blank}/QĐ-SKHCN`, align: 'center', size: 13 },
        ...(spec.secrecy
          ? [{ text: spec.secrecy, align: 'center' as const, size: 13, bold: true, before: 6 }]
          : []),
      ],
      right: [
        { text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', align: 'center', size: 13, bold: true },
        { text: 'Độc lập - Tự do - Hạnh phúc', align: 'center', size: 14, bold: true, after: 21 },
        {
          text: `Thành phố Hồ Chí Minh, ngày${short}tháng${short}năm 2026`,
          align: 'center',
          size: 13,
          italic: true,
        },
      ],
    },
    p({ text: 'QUYẾT ĐỊNH', align: 'center', bold: true, before: 24 }),
    p({
      text: 'Về việc ban hành Quy chế sử dụng chữ ký số trong Sở',
      align: 'center',
      bold: true,
      after: 12,
    }),
    p({ text: 'GIÁM ĐỐC SỞ KHOA HỌC VÀ CÔNG NGHỆ', align: 'center', bold: true, after: 12 }),
    ...GROUNDS.map((text) => p({ text, align: 'justify', italic: true, indent: true, after: 6 })),
    p({ text: 'QUYẾT ĐỊNH:', align: 'center', bold: true, before: 6, after: 6 }),
    ...spec.articles.map((text, i) =>
      p({ lead: `Điều ${i + 1}.`, text, align: 'justify', indent: true, after: 6 }),
    ),
    {
      kind: 'columns',
      widths: [50, 50],
      before: 12,
      left: [
        { text: 'Nơi nhận:', bold: true, italic: true, size: 12 },
        { text: '- Như Điều 3;', size: 11 },
        { text: '- UBND Thành phố (để báo cáo);', size: 11 },
        { text: '- Lưu: VT, VP.', size: 11 },
      ],
      right: [
        ...spec.signer.lines.map((text) => ({ text, align: 'center' as const, bold: true })),
        ...[1, 2, 3, 4].map(() => ({ text: '\u00a0', align: 'center' as const })),
        { text: spec.signer.name, align: 'center', bold: true },
      ],
    },
  ]
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function htmlPara(p: Para): string {
  const style = [
    `text-align:${p.align ?? 'left'}`,
    `font-size:${p.size ?? 14}pt`,
    p.bold ? 'font-weight:bold' : '',
    p.italic ? 'font-style:italic' : '',
    p.indent ? 'text-indent:1cm' : '',
    `margin:${p.before ?? 0}pt 0 ${p.after ?? 0}pt 0`,
  ].filter(Boolean)
  return `<p style="${style.join(';')}">${p.lead ? `<b>${esc(p.lead)}</b> ` : ''}${esc(p.text)}</p>`
}

/** HTML for Chromium's `page.pdf()`: A4 with Decree 30's margins (top 20, bottom 20, left 30, right 15 mm). */
export function draftHtml(spec: DraftSpec): string {
  const body = draftBlocks(spec).map((b) => {
    if (b.kind === 'para') return htmlPara(b.para)
    const cell = (w: number, ps: Para[]): string =>
      `<td style="width:${w}%;vertical-align:top;padding:0">${ps.map(htmlPara).join('')}</td>`
    return `<table style="width:100%;border-collapse:collapse;margin-top:${b.before ?? 0}pt;page-break-inside:avoid"><tr>${cell(b.widths[0], b.left)}${cell(b.widths[1], b.right)}</tr></table>`
  })
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>@page{size:A4;margin:20mm 15mm 20mm 30mm}
body{margin:0;font-family:'Times New Roman','Liberation Serif',serif;line-height:1.2}</style></head><body>${body.join('\n')}</body></html>`
}

/** Flat ODT for `libreoffice --convert-to pdf`: the same blocks as paragraph and table styles. */
export function draftFodt(spec: DraftSpec): string {
  const styles: string[] = []
  const styleOf = new Map<string, string>()
  const paraStyle = (p: Para): string => {
    const key = JSON.stringify([p.align, p.bold, p.italic, p.size, p.indent, p.before, p.after])
    let name = styleOf.get(key)
    if (!name) {
      name = `P${styleOf.size + 1}`
      styleOf.set(key, name)
      const align = p.align === 'justify' ? 'justify' : p.align === 'center' ? 'center' : 'start'
      styles.push(
        `<style:style style:name="${name}" style:family="paragraph"><style:paragraph-properties fo:text-align="${align}" ` +
          `fo:margin-top="${p.before ?? 0}pt" fo:margin-bottom="${p.after ?? 0}pt" fo:text-indent="${p.indent ? '1cm' : '0cm'}"/>` +
          `<style:text-properties fo:font-size="${p.size ?? 14}pt" fo:font-weight="${p.bold ? 'bold' : 'normal'}" ` +
          `fo:font-style="${p.italic ? 'italic' : 'normal'}"/></style:style>`,
      )
    }
    return name
  }
  const para = (p: Para): string =>
    `<text:p text:style-name="${paraStyle(p)}">${p.lead ? `<text:span text:style-name="Tb">${esc(p.lead)}</text:span> ` : ''}${esc(p.text)}</text:p>`
  let tables = 0
  const body = draftBlocks(spec).map((b) => {
    if (b.kind === 'para') return para(b.para)
    const t = `Tab${++tables}`
    const width = 165
    styles.push(
      `<style:style style:name="${t}" style:family="table"><style:table-properties style:width="${width}mm" table:align="left" ` +
        `fo:margin-top="${b.before ?? 0}pt" style:may-break-between-rows="false"/></style:style>`,
      ...b.widths.map(
        (w, i) =>
          `<style:style style:name="${t}.${i}" style:family="table-column"><style:table-column-properties style:column-width="${(width * w) / 100}mm"/></style:style>`,
      ),
    )
    const cell = (ps: Para[]): string =>
      `<table:table-cell office:value-type="string">${ps.map(para).join('')}</table:table-cell>`
    return (
      `<table:table table:name="${t}" table:style-name="${t}"><table:table-column table:style-name="${t}.0"/><table:table-column table:style-name="${t}.1"/>` +
      `<table:table-row>${cell(b.left)}${cell(b.right)}</table:table-row></table:table>`
    )
  })
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="Times New Roman" svg:font-family="'Times New Roman'" style:font-family-generic="roman"/></office:font-face-decls>
<office:styles><style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-top="0pt" fo:margin-bottom="0pt"/>
<style:text-properties style:font-name="Times New Roman" fo:font-size="14pt" fo:language="vi" fo:country="VN"/></style:default-style></office:styles>
<office:automatic-styles>
<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm" fo:margin-top="20mm" fo:margin-bottom="20mm" fo:margin-left="30mm" fo:margin-right="15mm"/></style:page-layout>
<style:style style:name="Tb" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
${styles.join('\n')}
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>
<office:body><office:text>${body.join('\n')}</office:text></office:body></office:document>
`
}
