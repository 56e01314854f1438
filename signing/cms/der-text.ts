/**
 * The text of a character string (X.680 §41), as a Name's attribute values hold them (RFC 5280
 * §4.1.2.4 DirectoryString, and the PrintableString and IA5String attributes). Decoded as asn1js
 * decoded them before issue 16, so that names print the same: UTF8String as UTF-8 (latin1 when it
 * is not valid UTF-8), BMPString as UTF-16BE, UniversalString as UTF-32BE, the others octet by
 * octet (Teletex, Printable, IA5, Visible, ...).
 */
import { Asn1Error } from './asn1-error'
import type { DerNode } from './der-read'

const UTF8 = 0x0c
const BMP = 0x1e
const UNIVERSAL = 0x1c
/** NumericString, PrintableString, TeletexString, VideotexString, IA5String, GraphicString,
 * VisibleString, GeneralString, CHARACTER STRING. */
const OCTET_STRINGS = new Set([0x12, 0x13, 0x14, 0x15, 0x16, 0x19, 0x1a, 0x1b, 0x1d])

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The string, or undefined when the node is not a (primitive) character string. */
export function textOf(node: DerNode): string | undefined {
  if (node.tagClass !== 'universal' || node.constructed) return undefined
  const content = node.content
  if (node.tag === UTF8) {
    try {
      return strictUtf8.decode(content)
    } catch {
      return content.toString('latin1')
    }
  }
  if (node.tag === BMP) return codeUnits(content, 2, 'BMPString')
  if (node.tag === UNIVERSAL) return codeUnits(content, 4, 'UniversalString')
  return OCTET_STRINGS.has(node.tag) ? content.toString('latin1') : undefined
}

/** Big-endian code units of `size` octets; lone surrogates are kept as they are. */
function codeUnits(content: Buffer, size: 2 | 4, type: string): string {
  if (content.length % size !== 0) throw new Asn1Error(`${type} of ${content.length} octets`)
  let text = ''
  for (let i = 0; i < content.length; i += size) {
    const unit = size === 2 ? content.readUInt16BE(i) : content.readUInt32BE(i)
    if (unit > 0x10ffff) throw new Asn1Error(`${type} character beyond U+10FFFF`)
    text += unit > 0xffff ? String.fromCodePoint(unit) : String.fromCharCode(unit)
  }
  return text
}
