/**
 * The PDF object model used by the reader and the incremental writer (ISO 32000-2 §7.3).
 * Values stay close to the bytes: strings keep their raw bytes, streams keep their encoded data,
 * so an object read from a file can be written back without changing its meaning.
 */
export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
  get key(): string {
    return `${this.num} ${this.gen}`
  }
}

export class PdfString {
  constructor(
    readonly bytes: Buffer,
    readonly hex = false,
  ) {}
}

export class PdfDict {
  readonly map = new Map<string, PdfValue>()
  constructor(entries?: Record<string, PdfValue | undefined>) {
    if (entries) for (const [k, v] of Object.entries(entries)) if (v !== undefined) this.map.set(k, v)
  }
  get(key: string): PdfValue | undefined {
    return this.map.get(key)
  }
  set(key: string, value: PdfValue): this {
    this.map.set(key, value)
    return this
  }
  has(key: string): boolean {
    return this.map.has(key)
  }
  delete(key: string): void {
    this.map.delete(key)
  }
  /** A shallow copy: the writer copies a dictionary before changing it in a new revision. */
  clone(): PdfDict {
    const copy = new PdfDict()
    for (const [k, v] of this.map) copy.map.set(k, Array.isArray(v) ? [...v] : v)
    return copy
  }
}

export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** The stream's bytes as stored in the file (still encoded by its /Filter). */
    readonly data: Buffer,
  ) {}
}

export type PdfValue =
  | null
  | boolean
  | number
  | PdfName
  | PdfString
  | PdfRef
  | PdfValue[]
  | PdfDict
  | PdfStream

export const name = (n: string): PdfName => new PdfName(n)
export const ref = (num: number, gen = 0): PdfRef => new PdfRef(num, gen)

/**
 * A text string (ISO 32000-2 §7.9.2.2) as UTF-16BE with a byte-order mark, NFC-normalised, so that
 * Vietnamese names survive every reader (PDFDocEncoding cannot hold most of them).
 */
export function textString(text: string): PdfString {
  const nfc = text.normalize('NFC')
  const body = Buffer.from(nfc, 'utf16le').swap16()
  return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), body]), true)
}

/** Decodes a text string: UTF-16BE with BOM, UTF-8 with BOM (PDF 2.0), or PDFDocEncoding (Latin-1 here). */
export function decodeTextString(s: PdfString): string {
  const b = s.bytes
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff)
    return Buffer.from(b.subarray(2)).swap16().toString('utf16le')
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8')
  return b.toString('latin1')
}

export function isName(v: PdfValue | undefined, n?: string): v is PdfName {
  return v instanceof PdfName && (n === undefined || v.name === n)
}
export function isDict(v: PdfValue | undefined): v is PdfDict {
  return v instanceof PdfDict
}
export function isRef(v: PdfValue | undefined): v is PdfRef {
  return v instanceof PdfRef
}
export function isNumber(v: PdfValue | undefined): v is number {
  return typeof v === 'number'
}
