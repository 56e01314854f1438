import type { PdfDocument } from '../pdf/document'
import type { IncrementalUpdate } from '../pdf/incremental'
import { PdfDict, PdfStream, name } from '../pdf/objects'

/**
 * The metadata of an electronic document (Decree 30/2020, Appendix VI): issuing organ and its
 * code, number and notation, date of issue, type, summary (trích yếu), signer, recipients, secrecy
 * and urgency. Written into the XMP packet in the seal's revision.
 */
export interface DocumentMetadata {
  organ: string
  organCode: string
  /** "số, ký hiệu": the whole "15/QĐ-SKHCN". */
  number: string
  /** ISO date (YYYY-MM-DD), Vietnam's calendar. */
  date: string
  /** The type's name ("Quyết định") and abbreviation ("QĐ"; none for a công văn). */
  type: string
  typeCode?: string
  summary: string
  signer: string
  recipients: string[]
  /** Độ mật: Kyso only ever holds documents that are not secret (Law 29/2018/QH14). */
  secrecy: string
  urgency: string
  /** Further Kyso facts (a copy's original and hash, a conversion note), name -> text. */
  extra?: Record<string, string>
}

/** The namespace of the Decree 30 properties (Kyso's; QCVN 102:2016 names the same facts for exchange). */
export const ND30_NS = 'urn:kyso:nd30:1.0:'

const esc = (s: string): string =>
  s
    .normalize('NFC')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')

const alt = (tag: string, v: string): string =>
  `<${tag}><rdf:Alt><rdf:li xml:lang="vi">${esc(v)}</rdf:li></rdf:Alt></${tag}>`

/**
 * The XMP packet (ISO 16684-1): `x:xmpmeta` around one `rdf:RDF` description with Dublin Core
 * (title as the summary, creator as the organ, date, identifier as the number) and the Decree 30
 * properties; the packet wrapper with room to grow. pyHanko rejects every earlier signature of a
 * file whose new XMP lacks the `x:xmpmeta` wrapper, so it is always there.
 */
export function xmpPacket(m: DocumentMetadata, producer = 'Kyso'): Buffer {
  const nd = (k: string, v: string | undefined): string => (v ? `<nd30:${k}>${esc(v)}</nd30:${k}>` : '')
  const bag = m.recipients.map((r) => `<rdf:li>${esc(r)}</rdf:li>`).join('')
  const extra = Object.entries(m.extra ?? {})
    .map(([k, v]) => nd(k, v))
    .join('\n      ')
  const body = `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
    <rdf:Description rdf:about=""
        xmlns:dc="http://purl.org/dc/elements/1.1/"
        xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
        xmlns:xmp="http://ns.adobe.com/xap/1.0/"
        xmlns:nd30="${ND30_NS}">
      ${alt('dc:title', m.summary)}
      <dc:creator><rdf:Seq><rdf:li>${esc(m.organ)}</rdf:li></rdf:Seq></dc:creator>
      <dc:identifier>${esc(m.number)}</dc:identifier>
      <dc:date><rdf:Seq><rdf:li>${esc(m.date)}</rdf:li></rdf:Seq></dc:date>
      <dc:language><rdf:Bag><rdf:li>vi</rdf:li></rdf:Bag></dc:language>
      <pdf:Producer>${esc(producer)}</pdf:Producer>
      <xmp:MetadataDate>${new Date().toISOString()}</xmp:MetadataDate>
      ${nd('CoQuanBanHanh', m.organ)}
      ${nd('MaCoQuan', m.organCode)}
      ${nd('SoKyHieu', m.number)}
      ${nd('NgayBanHanh', m.date)}
      ${nd('LoaiVanBan', m.type)}
      ${nd('MaLoaiVanBan', m.typeCode)}
      ${nd('TrichYeu', m.summary)}
      ${nd('NguoiKy', m.signer)}
      <nd30:NoiNhan><rdf:Bag>${bag}</rdf:Bag></nd30:NoiNhan>
      ${nd('DoMat', m.secrecy)}
      ${nd('DoKhan', m.urgency)}
      ${extra}
    </rdf:Description>
  </rdf:RDF>
</x:xmpmeta>
${' '.repeat(1024)}
<?xpacket end="w"?>`
  return Buffer.from(body.replace(/\n\s*\n/g, '\n'), 'utf8')
}

/**
 * Writes the packet as a new, uncompressed metadata stream (ISO 32000-2 §14.3.2: readers that do
 * not know PDF find it by its xpacket header) and points the catalog's /Metadata at it, in the
 * revision being written: the signature of that revision covers it.
 */
export function writeXmpMetadata(upd: IncrementalUpdate, doc: PdfDocument, m: DocumentMetadata): void {
  const stream = upd.add(
    new PdfStream(new PdfDict({ Type: name('Metadata'), Subtype: name('XML') }), xmpPacket(m)),
  )
  const catalogRef = doc.catalogRef()
  const current = upd.get(catalogRef)
  const catalog = current instanceof PdfDict ? current.clone() : doc.catalog().clone()
  upd.set(catalogRef, catalog.set('Metadata', stream))
}
