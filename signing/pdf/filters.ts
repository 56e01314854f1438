import { inflateSync, constants } from 'node:zlib'
import { PdfDict, PdfName, type PdfValue } from './objects'
import { unreadable } from './parser'

/**
 * Structural streams (xref and object streams) decoded past this are refused: a zip bomb must not
 * take the process down. Real files stay far below it (an xref stream for a million objects is
 * about 7 MB).
 */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024

function inflate(data: Buffer): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: MAX_DECODED_BYTES })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw unreadable(`a compressed stream inflates past ${MAX_DECODED_BYTES} bytes`)
    // A truncated stream still yields what was decoded, as lenient readers accept.
    try {
      return inflateSync(data, { maxOutputLength: MAX_DECODED_BYTES, finishFlush: constants.Z_SYNC_FLUSH })
    } catch {
      throw unreadable(`damaged compressed stream (${(err as Error).message})`)
    }
  }
}

function num(v: PdfValue | undefined, dflt: number): number {
  return typeof v === 'number' ? v : dflt
}

/** Undoes a PNG (10-15) or TIFF (2) predictor (ISO 32000-2 §7.4.4.4). */
function unpredict(data: Buffer, parms: PdfDict): Buffer {
  const predictor = num(parms.get('Predictor'), 1)
  if (predictor === 1) return data
  const colors = num(parms.get('Colors'), 1)
  const bpc = num(parms.get('BitsPerComponent'), 8)
  const columns = num(parms.get('Columns'), 1)
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8))
  const rowLen = Math.ceil((colors * bpc * columns) / 8)
  if (predictor === 2) {
    if (bpc !== 8) throw unreadable('TIFF predictor with other than 8 bits per component')
    const out = Buffer.from(data)
    for (let r = 0; r < out.length; r += rowLen)
      for (let i = r + bpp; i < r + rowLen && i < out.length; i++)
        out[i] = ((out[i] as number) + (out[i - bpp] as number)) & 0xff
    return out
  }
  const rows = Math.floor(data.length / (rowLen + 1))
  const out = Buffer.alloc(rows * rowLen)
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)]
    const src = r * (rowLen + 1) + 1
    const dst = r * rowLen
    for (let i = 0; i < rowLen; i++) {
      const raw = data[src + i] as number
      const left = i >= bpp ? (out[dst + i - bpp] as number) : 0
      const up = r > 0 ? (out[dst - rowLen + i] as number) : 0
      const upLeft = r > 0 && i >= bpp ? (out[dst - rowLen + i - bpp] as number) : 0
      let v: number
      switch (type) {
        case 0:
          v = raw
          break
        case 1:
          v = raw + left
          break
        case 2:
          v = raw + up
          break
        case 3:
          v = raw + ((left + up) >> 1)
          break
        case 4: {
          const p = left + up - upLeft
          const pa = Math.abs(p - left),
            pb = Math.abs(p - up),
            pc = Math.abs(p - upLeft)
          v = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft)
          break
        }
        default:
          throw unreadable(`bad PNG predictor row type ${type}`)
      }
      out[dst + i] = v & 0xff
    }
  }
  return out
}

/**
 * Decodes a stream that the signer must read itself (xref and object streams). Only FlateDecode
 * (with predictors) is needed there in practice; anything else is reported as unreadable.
 */
export function decodeStream(dict: PdfDict, data: Buffer): Buffer {
  const filter = dict.get('Filter')
  const filters = filter === undefined || filter === null ? [] : Array.isArray(filter) ? filter : [filter]
  const parmsV = dict.get('DecodeParms')
  const parmsList = Array.isArray(parmsV) ? parmsV : [parmsV]
  let out = data
  filters.forEach((f, i) => {
    if (!(f instanceof PdfName)) throw unreadable('bad /Filter')
    if (f.name !== 'FlateDecode' && f.name !== 'Fl')
      throw unreadable(`unsupported filter ${f.name} on a structural stream`)
    out = inflate(out)
    const parms = parmsList[i]
    if (parms instanceof PdfDict) out = unpredict(out, parms)
  })
  return out
}
