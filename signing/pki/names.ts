/**
 * Distinguished names (RFC 5280 §4.1.2.4, §4.1.2.6): encoded with Vietnamese text as UTF8String
 * (the MUST for DirectoryString since 2004) and the country as PrintableString (X.520), and
 * displayed RFC 4514 style, most specific first: "CN=Võ Văn Hoan, title=Phó Chủ tịch, ..., C=VN".
 */
import { elementsOf, oidOf, textOf, type DerNode } from '../cms/der-read'
import { SigningError } from '../errors'
import { oid, printable, seq, set, utf8 } from './asn1'

export interface DistinguishedName {
  commonName: string
  title?: string
  organization?: string
  organizationalUnit?: string
  /** ISO 3166 two-letter code; 'VN' unless told otherwise. */
  country?: string
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.5': 'serialNumber',
  // Vietnamese CAs put "CMND:…", "CCCD:…" or "MST:…" (tax code) in UID.
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
}

/** RFC 5280 App. A upper bounds (ub-common-name, ub-organization-name, ub-title, ...): 64 characters. */
const UPPER_BOUND = 64

/**
 * The DER RDNSequence, most general first (C, O, OU, title, CN), one attribute per RDN. Text is
 * normalised to NFC so that the same name typed on different systems encodes the same way.
 */
export function encodeName(name: DistinguishedName): Buffer {
  const country = name.country ?? 'VN'
  if (!/^[A-Z]{2}$/.test(country))
    throw new SigningError('BAD_OPTION', `country must be two capital letters, got "${country}"`)
  const attributes: Array<[string, string | undefined]> = [
    ['2.5.4.10', name.organization],
    ['2.5.4.11', name.organizationalUnit],
    ['2.5.4.12', name.title],
    ['2.5.4.3', name.commonName],
  ]
  const rdns = [set(seq(oid('2.5.4.6'), printable(country)))]
  for (const [type, value] of attributes) {
    const text = value?.normalize('NFC').trim()
    if (!text) continue
    if ([...text].length > UPPER_BOUND) {
      throw new SigningError(
        'BAD_OPTION',
        `${ATTRIBUTE_NAMES[type]} is longer than ${UPPER_BOUND} characters: "${text}"`,
      )
    }
    rdns.push(set(seq(oid(type), utf8(text))))
  }
  return seq(...rdns)
}

/** "CN=…, title=…, O=…, C=VN" from a parsed Name (RFC 4514 §2.1: last RDN first). */
export function formatName(name: DerNode): string {
  const parts: string[] = []
  for (const rdn of elementsOf(name)) {
    const values = elementsOf(rdn, 1).map((atv) => {
      const [type, value] = elementsOf(atv, 2) as [DerNode, DerNode]
      const typeOid = oidOf(type)
      return `${ATTRIBUTE_NAMES[typeOid] ?? typeOid}=${escapeValue(stringOf(value))}`
    })
    parts.unshift(values.join('+'))
  }
  return parts.join(', ')
}

/** The first value of an attribute (default CN) in a parsed Name, or undefined. */
export function nameAttribute(name: DerNode, type = '2.5.4.3'): string | undefined {
  for (const rdn of elementsOf(name)) {
    for (const atv of elementsOf(rdn, 1)) {
      const [attributeType, value] = elementsOf(atv, 2) as [DerNode, DerNode]
      if (oidOf(attributeType) === type) return stringOf(value)
    }
  }
  return undefined
}

/** The value's text, or (RFC 4514 §2.4) '#' and the hex of its encoding when it is not a string. */
function stringOf(value: DerNode): string {
  return textOf(value) ?? `#${value.raw.toString('hex')}`
}

/** RFC 4514 §2.4: escape the special characters, a leading '#' or space and a trailing space. */
function escapeValue(value: string): string {
  return value
    .replace(/[\\,+"<>;]/g, (c) => `\\${c}`)
    .replace(/^[#\s]/, (c) => `\\${c}`)
    .replace(/\s$/, (c) => `\\${c}`)
}
