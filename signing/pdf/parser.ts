import { SigningError } from '../errors'
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './objects'

/** Nesting deeper than this is refused: a hostile file must not blow the stack (§7.3, no limit set). */
const MAX_DEPTH = 200

const enum C {
  NUL = 0x00,
  TAB = 0x09,
  LF = 0x0a,
  FF = 0x0c,
  CR = 0x0d,
  SP = 0x20,
  PERCENT = 0x25,
  LPAREN = 0x28,
  RPAREN = 0x29,
  SLASH = 0x2f,
  LT = 0x3c,
  GT = 0x3e,
  LBRACKET = 0x5b,
  RBRACKET = 0x5d,
  LBRACE = 0x7b,
  RBRACE = 0x7d,
  BACKSLASH = 0x5c,
}

export function isWhite(b: number | undefined): boolean {
  return b === C.SP || b === C.LF || b === C.CR || b === C.TAB || b === C.FF || b === C.NUL
}
function isDelimiter(b: number | undefined): boolean {
  return (
    b === C.LPAREN ||
    b === C.RPAREN ||
    b === C.LT ||
    b === C.GT ||
    b === C.LBRACKET ||
    b === C.RBRACKET ||
    b === C.LBRACE ||
    b === C.RBRACE ||
    b === C.SLASH ||
    b === C.PERCENT
  )
}
function isRegular(b: number | undefined): boolean {
  return b !== undefined && !isWhite(b) && !isDelimiter(b)
}

export function unreadable(message: string): SigningError {
  return new SigningError('PDF_UNREADABLE', message)
}

class Keyword {
  constructor(readonly word: string) {}
}

/**
 * A tokenizer and object parser over the file's bytes (ISO 32000-2 §7.2-7.3). It parses only what
 * it is asked for, at a given offset, so signing a 10,000-page file reads a handful of objects.
 */
export class Lexer {
  pos: number
  constructor(
    readonly buf: Buffer,
    pos = 0,
  ) {
    this.pos = pos
  }

  skipWhite(): void {
    const b = this.buf
    for (;;) {
      const c = b[this.pos]
      if (c === undefined) return
      if (isWhite(c)) this.pos++
      else if (c === C.PERCENT) {
        while (this.pos < b.length && b[this.pos] !== C.LF && b[this.pos] !== C.CR) this.pos++
      } else return
    }
  }

  /** Reads a bare token of regular characters (a number or keyword) without interpreting it. */
  readRegular(): string {
    const start = this.pos
    while (isRegular(this.buf[this.pos])) this.pos++
    return this.buf.toString('latin1', start, this.pos)
  }

  /** Parses the next value; `N G R` references are recognised by looking ahead. */
  parseValue(depth = 0): PdfValue {
    const v = this.next(depth)
    if (v instanceof Keyword) throw unreadable(`unexpected keyword '${v.word}' at ${this.pos}`)
    return v
  }

  private next(depth: number): PdfValue | Keyword {
    if (depth > MAX_DEPTH) throw unreadable('objects nested too deeply')
    this.skipWhite()
    const b = this.buf
    const c = b[this.pos]
    if (c === undefined) throw unreadable('unexpected end of file')
    switch (c) {
      case C.SLASH:
        return this.parseName()
      case C.LPAREN:
        return this.parseLiteral()
      case C.LBRACKET: {
        this.pos++
        const arr: PdfValue[] = []
        for (;;) {
          this.skipWhite()
          if (b[this.pos] === C.RBRACKET) {
            this.pos++
            return arr
          }
          if (this.pos >= b.length) throw unreadable('unterminated array')
          const item = this.next(depth + 1)
          if (item instanceof Keyword) {
            if (item.word === 'R' && arr.length >= 2) {
              const gen = arr.pop()
              const num = arr.pop()
              if (typeof num === 'number' && typeof gen === 'number') {
                arr.push(new PdfRef(num, gen))
                continue
              }
            }
            throw unreadable(`unexpected '${item.word}' in array`)
          }
          arr.push(item)
        }
      }
      case C.LT:
        if (b[this.pos + 1] === C.LT) return this.parseDict(depth)
        return this.parseHex()
      case C.RBRACKET:
      case C.GT:
      case C.RPAREN:
      case C.LBRACE:
      case C.RBRACE:
        this.pos++
        throw unreadable(`unexpected delimiter at ${this.pos - 1}`)
    }
    const word = this.readRegular()
    if (word.length === 0) throw unreadable(`unexpected byte at ${this.pos}`)
    const first = word.charCodeAt(0)
    if ((first >= 0x30 && first <= 0x39) || first === 0x2b || first === 0x2d || first === 0x2e) {
      const n = Number(word)
      if (Number.isNaN(n)) {
        // Producers write "--5" or "0.0.1"; treat as 0 like mainstream readers do.
        return 0
      }
      if (Number.isInteger(n) && n >= 0 && !word.includes('.')) return this.maybeRef(n)
      return n
    }
    if (word === 'true') return true
    if (word === 'false') return false
    if (word === 'null') return null
    return new Keyword(word)
  }

  /** After a non-negative integer: `G R` makes it a reference, else rewind. */
  private maybeRef(num: number): PdfValue {
    const save = this.pos
    this.skipWhite()
    const gen = this.readRegular()
    if (/^\d+$/.test(gen)) {
      this.skipWhite()
      if (this.buf[this.pos] === 0x52 && !isRegular(this.buf[this.pos + 1])) {
        this.pos++
        return new PdfRef(num, Number(gen))
      }
    }
    this.pos = save
    return num
  }

  private parseName(): PdfName {
    this.pos++
    const start = this.pos
    while (isRegular(this.buf[this.pos])) this.pos++
    const raw = this.buf.toString('latin1', start, this.pos)
    return new PdfName(
      raw.includes('#')
        ? raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
        : raw,
    )
  }

  private parseLiteral(): PdfString {
    const b = this.buf
    this.pos++
    const out: number[] = []
    let nesting = 1
    while (this.pos < b.length) {
      let c = b[this.pos++] as number
      if (c === C.BACKSLASH) {
        c = b[this.pos++] as number
        switch (c) {
          case 0x6e:
            out.push(0x0a)
            break
          case 0x72:
            out.push(0x0d)
            break
          case 0x74:
            out.push(0x09)
            break
          case 0x62:
            out.push(0x08)
            break
          case 0x66:
            out.push(0x0c)
            break
          case C.CR:
            if (b[this.pos] === C.LF) this.pos++
            break
          case C.LF:
            break
          default:
            if (c >= 0x30 && c <= 0x37) {
              let v = c - 0x30
              for (
                let i = 0;
                i < 2 && (b[this.pos] as number) >= 0x30 && (b[this.pos] as number) <= 0x37;
                i++
              )
                v = v * 8 + ((b[this.pos++] as number) - 0x30)
              out.push(v & 0xff)
            } else if (c !== undefined) out.push(c)
        }
        continue
      }
      if (c === C.LPAREN) nesting++
      else if (c === C.RPAREN && --nesting === 0) return new PdfString(Buffer.from(out))
      out.push(c)
    }
    throw unreadable('unterminated string')
  }

  private parseHex(): PdfString {
    const b = this.buf
    const end = b.indexOf(C.GT, this.pos)
    if (end < 0) throw unreadable('unterminated hex string')
    let hex = b.toString('latin1', this.pos + 1, end).replace(/[\s\0]/g, '')
    this.pos = end + 1
    if (!/^[0-9a-fA-F]*$/.test(hex)) throw unreadable('bad hex string')
    if (hex.length % 2) hex += '0'
    return new PdfString(Buffer.from(hex, 'hex'), true)
  }

  private parseDict(depth: number): PdfDict {
    this.pos += 2
    const dict = new PdfDict()
    for (;;) {
      this.skipWhite()
      const b = this.buf
      if (b[this.pos] === C.GT && b[this.pos + 1] === C.GT) {
        this.pos += 2
        return dict
      }
      if (this.pos >= b.length) throw unreadable('unterminated dictionary')
      if (b[this.pos] !== C.SLASH) {
        // Tolerate junk between entries the way lenient readers do: skip one token.
        const skipped = this.next(depth + 1)
        if (skipped instanceof Keyword && skipped.word.length === 0) this.pos++
        continue
      }
      const key = this.parseName().name
      this.skipWhite()
      if (b[this.pos] === C.GT && b[this.pos + 1] === C.GT) {
        dict.set(key, null)
        continue
      }
      const v = this.next(depth + 1)
      dict.set(key, v instanceof Keyword ? null : v)
    }
  }

  /**
   * The next operand or operator of a content stream (ISO 32000-2 §7.8.2), undefined at its end.
   * Throws on a byte no token starts with; the caller may skip it and go on.
   */
  nextContentToken(): { operand: PdfValue } | { operator: string } | undefined {
    this.skipWhite()
    if (this.pos >= this.buf.length) return undefined
    const v = this.next(0)
    return v instanceof Keyword ? { operator: v.word } : { operand: v }
  }

  /** After an inline image's `ID` (§8.9.7): skips its data up to and including `EI`. */
  skipInlineImageData(): void {
    const b = this.buf
    for (let p = this.pos + 1; p + 1 < b.length; p++) {
      if (
        b[p] === 0x45 &&
        b[p + 1] === 0x49 &&
        isWhite(b[p - 1]) &&
        (p + 2 >= b.length || !isRegular(b[p + 2]))
      ) {
        this.pos = p + 2
        return
      }
    }
    this.pos = b.length
  }

  /** Reads `N G obj`; returns null when the bytes at `pos` are not an object header. */
  readObjectHeader(): { num: number; gen: number } | null {
    this.skipWhite()
    const num = this.readRegular()
    this.skipWhite()
    const gen = this.readRegular()
    this.skipWhite()
    const kw = this.readRegular()
    if (!/^\d+$/.test(num) || !/^\d+$/.test(gen) || kw !== 'obj') return null
    return { num: Number(num), gen: Number(gen) }
  }

  /**
   * Parses the value of an indirect object at the current position (after its header), including
   * a stream. `resolveLength` resolves an indirect /Length; when /Length is wrong, the stream ends
   * at the next `endstream`, as every mainstream reader does.
   */
  parseIndirectBody(resolveLength: (r: PdfRef) => number | undefined): PdfValue {
    const value = this.parseValue()
    if (!(value instanceof PdfDict)) return value
    const save = this.pos
    this.skipWhiteNoComment()
    if (this.buf.toString('latin1', this.pos, this.pos + 6) !== 'stream') {
      this.pos = save
      return value
    }
    this.pos += 6
    if (this.buf[this.pos] === C.CR) this.pos++
    if (this.buf[this.pos] === C.LF) this.pos++
    const start = this.pos
    let len = value.get('Length')
    if (len instanceof PdfRef) len = resolveLength(len)
    let end = typeof len === 'number' && len >= 0 ? start + len : -1
    if (end < 0 || end > this.buf.length || !this.endstreamNear(end)) {
      const found = this.buf.indexOf('endstream', start, 'latin1')
      if (found < 0) throw unreadable('stream without endstream')
      end = found
      if (this.buf[end - 1] === C.LF) end--
      if (this.buf[end - 1] === C.CR) end--
    }
    this.pos = end
    return new PdfStream(value, this.buf.subarray(start, end))
  }

  private skipWhiteNoComment(): void {
    while (isWhite(this.buf[this.pos])) this.pos++
  }

  private endstreamNear(end: number): boolean {
    let p = end
    while (p < end + 4 && isWhite(this.buf[p])) p++
    return this.buf.toString('latin1', p, p + 9) === 'endstream'
  }
}
