import { decodeStream } from '../pdf/filters'
import type { PdfDocument } from '../pdf/document'
import { Lexer } from '../pdf/parser'
import { type PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from '../pdf/objects'
import { fontMetrics, type FontMetrics } from './font-metrics'

/** A rectangle in default user space: [x0, y0, x1, y1] with x0 <= x1, y0 <= y1. */
export type Box = [number, number, number, number]
type Matrix = [number, number, number, number, number, number]

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0]
/** Operators read per page, Form XObjects included: a hostile page cannot run forever. */
const OPERATOR_BUDGET = 400_000
const MAX_FORM_DEPTH = 8

/** m1 then m2 (ISO 32000-2 §8.3.4: CTM' = M × CTM). */
function multiply(m1: Matrix, m2: Matrix): Matrix {
  return [
    m1[0] * m2[0] + m1[1] * m2[2],
    m1[0] * m2[1] + m1[1] * m2[3],
    m1[2] * m2[0] + m1[3] * m2[2],
    m1[2] * m2[1] + m1[3] * m2[3],
    m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
    m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
  ]
}

/** The bounding box of a rectangle of its own space, mapped through `m`. */
function mapBox(x0: number, y0: number, x1: number, y1: number, m: Matrix): Box {
  const xs: number[] = []
  const ys: number[] = []
  for (const [x, y] of [
    [x0, y0],
    [x1, y0],
    [x0, y1],
    [x1, y1],
  ] as const) {
    xs.push(x * m[0] + y * m[2] + m[4])
    ys.push(x * m[1] + y * m[3] + m[5])
  }
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]
}

interface State {
  ctm: Matrix
  font: FontMetrics | null
  size: number
  charSpacing: number
  wordSpacing: number
  scale: number
  leading: number
  rise: number
  render: number
}

const isNum = (v: PdfValue | undefined): v is number => typeof v === 'number' && Number.isFinite(v)

/**
 * Where a page draws text and images (ISO 32000-2 §9.4 text objects, §8.9 images), as boxes in
 * default user space, read from its content streams and the Form XObjects they paint: the signed
 * content an annotation added later must not cover. Text boxes use the fonts' widths (or a broad
 * default) and their ascent and descent; clipping is ignored, so a box may be larger than what
 * shows, never smaller. Vector graphics are not counted.
 */
export function contentBoxes(doc: PdfDocument, page: PdfDict): Box[] {
  const out: Box[] = []
  let budget = OPERATOR_BUDGET
  const fonts = new Map<PdfValue, FontMetrics>()
  const run = (data: Buffer, resources: PdfDict | undefined, start: State, depth: number): void => {
    const lx = new Lexer(data, 0)
    const stack: State[] = []
    let gs: State = { ...start }
    let tm: Matrix = IDENTITY
    let tlm: Matrix = IDENTITY
    let operands: PdfValue[] = []
    const nums = (n: number): number[] | null => {
      const a = operands.slice(-n)
      return a.length === n && a.every(isNum) ? (a as number[]) : null
    }
    const moveText = (tx: number, ty: number): void => {
      tlm = multiply([1, 0, 0, 1, tx, ty], tlm)
      tm = tlm
    }
    const show = (items: PdfValue[]): void => {
      if (!gs.font || gs.render === 3 || gs.render === 7) return
      const f = gs.font
      let width = 0
      for (const it of items) {
        if (isNum(it)) width -= (it / 1000) * gs.size * gs.scale
        else if (it instanceof PdfString)
          width += f.advance(it.bytes, gs.size, gs.charSpacing, gs.wordSpacing) * gs.scale
      }
      const trm = multiply(tm, gs.ctm)
      const lo = Math.min(0, width)
      const hi = Math.max(0, width)
      out.push(mapBox(lo, f.descent * gs.size + gs.rise, hi, f.ascent * gs.size + gs.rise, trm))
      tm = multiply([1, 0, 0, 1, width, 0], tm)
    }
    for (let errors = 0; budget-- > 0; ) {
      let token: ReturnType<Lexer['nextContentToken']>
      try {
        token = lx.nextContentToken()
      } catch {
        if (++errors > 1000) return
        lx.pos++
        continue
      }
      if (!token) return
      if ('operand' in token) {
        operands.push(token.operand)
        continue
      }
      const op = token.operator
      switch (op) {
        case 'q':
          stack.push(gs)
          gs = { ...gs }
          break
        case 'Q':
          gs = stack.pop() ?? gs
          break
        case 'cm': {
          const m = nums(6)
          if (m) gs.ctm = multiply(m as Matrix, gs.ctm)
          break
        }
        case 'BT':
          tm = tlm = IDENTITY
          break
        case 'Tf': {
          const size = operands[operands.length - 1]
          const name = operands[operands.length - 2]
          if (isNum(size)) gs.size = size
          const fd =
            name instanceof PdfName ? doc.dict(doc.dict(resources?.get('Font'))?.get(name.name)) : undefined
          gs.font = fd ? (fonts.get(fd) ?? fonts.set(fd, fontMetrics(doc, fd)).get(fd) ?? null) : null
          break
        }
        case 'Tc': {
          const n = nums(1)
          if (n) gs.charSpacing = n[0] as number
          break
        }
        case 'Tw': {
          const n = nums(1)
          if (n) gs.wordSpacing = n[0] as number
          break
        }
        case 'Tz': {
          const n = nums(1)
          if (n) gs.scale = (n[0] as number) / 100
          break
        }
        case 'TL': {
          const n = nums(1)
          if (n) gs.leading = n[0] as number
          break
        }
        case 'Ts': {
          const n = nums(1)
          if (n) gs.rise = n[0] as number
          break
        }
        case 'Tr': {
          const n = nums(1)
          if (n) gs.render = n[0] as number
          break
        }
        case 'Td': {
          const n = nums(2)
          if (n) moveText(n[0] as number, n[1] as number)
          break
        }
        case 'TD': {
          const n = nums(2)
          if (n) {
            gs.leading = -(n[1] as number)
            moveText(n[0] as number, n[1] as number)
          }
          break
        }
        case 'Tm': {
          const m = nums(6)
          if (m) tm = tlm = m as Matrix
          break
        }
        case 'T*':
          moveText(0, -gs.leading)
          break
        case 'Tj':
          show(operands.slice(-1))
          break
        case "'":
          moveText(0, -gs.leading)
          show(operands.slice(-1))
          break
        case '"': {
          const [aw, ac] = operands.slice(-3)
          if (isNum(aw)) gs.wordSpacing = aw
          if (isNum(ac)) gs.charSpacing = ac
          moveText(0, -gs.leading)
          show(operands.slice(-1))
          break
        }
        case 'TJ': {
          const arr = operands[operands.length - 1]
          if (Array.isArray(arr)) show(arr)
          break
        }
        case 'ID':
          lx.skipInlineImageData()
          out.push(mapBox(0, 0, 1, 1, gs.ctm))
          break
        case 'Do': {
          const name = operands[operands.length - 1]
          const ref =
            name instanceof PdfName ? doc.dict(resources?.get('XObject'))?.get(name.name) : undefined
          paintXObject(ref, gs, depth)
          break
        }
      }
      operands = []
    }
  }
  const paintXObject = (ref: PdfValue | undefined, gs: State, depth: number): void => {
    const xo = doc.resolve(ref)
    if (!(xo instanceof PdfStream)) return
    const subtype = xo.dict.get('Subtype')
    if (subtype instanceof PdfName && subtype.name === 'Image') {
      out.push(mapBox(0, 0, 1, 1, gs.ctm))
      return
    }
    if (!(subtype instanceof PdfName) || subtype.name !== 'Form' || depth >= MAX_FORM_DEPTH) return
    const matrix = doc.resolve(xo.dict.get('Matrix'))
    const m =
      Array.isArray(matrix) && matrix.length === 6 && matrix.every(isNum) ? (matrix as Matrix) : IDENTITY
    const res = doc.dict(xo.dict.get('Resources'))
    const data = safeDecode(xo)
    if (data) run(data, res, { ...gs, ctm: multiply(m, gs.ctm) }, depth + 1)
  }
  const start: State = {
    ctm: IDENTITY,
    font: null,
    size: 0,
    charSpacing: 0,
    wordSpacing: 0,
    scale: 1,
    leading: 0,
    rise: 0,
    render: 0,
  }
  const resources = doc.dict(inherited(doc, page, 'Resources'))
  const contents = doc.resolve(page.get('Contents'))
  const streams = Array.isArray(contents) ? contents.map((c) => doc.resolve(c)) : [contents]
  // §7.8.2: a page's content streams are read as one, so operands may straddle them.
  const decoded = streams.map((s) => (s instanceof PdfStream ? safeDecode(s) : null) ?? Buffer.alloc(0))
  const data = Buffer.concat(decoded.flatMap((b) => [b, Buffer.from('\n')]))
  run(data, resources, start, 0)
  return out
}

function safeDecode(s: PdfStream): Buffer | null {
  try {
    return decodeStream(s.dict, s.data)
  } catch {
    return null
  }
}

/** A page attribute, inherited through the page tree (§7.7.3.4). */
function inherited(doc: PdfDocument, page: PdfDict, key: string): PdfValue | undefined {
  let node: PdfDict | undefined = page
  for (let i = 0; node && i < 32; i++) {
    const v = node.get(key)
    if (v !== undefined) return v
    const parent: PdfValue | undefined = node.get('Parent')
    node = parent instanceof PdfRef ? doc.dict(parent) : undefined
  }
  return undefined
}

/** Whether two boxes share an area larger than `min` square points (touching edges do not count). */
export function overlaps(a: Box, b: Box, min = 1): boolean {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0])
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1])
  return w > 0 && h > 0 && w * h > min
}
