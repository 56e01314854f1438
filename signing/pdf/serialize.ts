import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './objects'

const DELIMITER_OR_SPECIAL = /[^!-~]|[#()<>[\]{}/%]/g

/** A name token: `#xx` escapes for delimiters, white space and bytes outside printable ASCII (§7.3.5). */
function nameToken(n: string): string {
  const bytes = Buffer.from(n, 'latin1').toString('latin1')
  return '/' + bytes.replace(DELIMITER_OR_SPECIAL, (c) => '#' + c.charCodeAt(0).toString(16).padStart(2, '0'))
}

/** Numbers without exponent notation, which PDF does not have (§7.3.3). */
export function numberToken(n: number): string {
  if (!Number.isFinite(n)) return '0'
  if (Number.isInteger(n)) return String(n)
  const s = n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')
  return s === '-0' ? '0' : s
}

function literalString(bytes: Buffer): string {
  let out = '('
  for (const b of bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += '\\' + String.fromCharCode(b)
    else if (b === 0x0d) out += '\\r'
    else if (b === 0x0a) out += '\\n'
    else out += String.fromCharCode(b)
  }
  return out + ')'
}

/** Serialises a value as Latin-1 text (one char per byte); streams are written by `writeObject`. */
export function serializeValue(v: PdfValue): string {
  if (v === null) return 'null'
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'number') return numberToken(v)
  if (v instanceof PdfName) return nameToken(v.name)
  if (v instanceof PdfRef) return `${v.num} ${v.gen} R`
  if (v instanceof PdfString)
    return v.hex ? '<' + v.bytes.toString('hex').toUpperCase() + '>' : literalString(v.bytes)
  if (Array.isArray(v)) return '[' + v.map(serializeValue).join(' ') + ']'
  if (v instanceof PdfDict) {
    let out = '<<'
    for (const [k, val] of v.map) out += nameToken(k) + ' ' + serializeValue(val)
    return out + '>>'
  }
  if (v instanceof PdfStream) throw new TypeError('a stream must be an indirect object')
  throw new TypeError('not a PDF value')
}

/** `num gen obj ... endobj` bytes for an indirect object; a stream gets its exact /Length. */
export function writeObject(num: number, gen: number, v: PdfValue): Buffer {
  if (v instanceof PdfStream) {
    const dict = v.dict.clone().set('Length', v.data.length)
    return Buffer.concat([
      Buffer.from(`${num} ${gen} obj\n${serializeValue(dict)}\nstream\n`, 'latin1'),
      v.data,
      Buffer.from('\nendstream\nendobj\n', 'latin1'),
    ])
  }
  return Buffer.from(`${num} ${gen} obj\n${serializeValue(v)}\nendobj\n`, 'latin1')
}
