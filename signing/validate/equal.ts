import type { PdfDocument } from '../pdf/document'
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from '../pdf/objects'

/** Semantic equality of two PDF values: same structure, same strings, same stream bytes. */
export function pdfEqual(a: PdfValue | undefined, b: PdfValue | undefined, depth = 0): boolean {
  if (depth > 100) return false
  if (a === b) return true
  if (a === undefined || b === undefined || a === null || b === null) return false
  if (typeof a === 'number' || typeof a === 'boolean') return a === b
  if (a instanceof PdfName) return b instanceof PdfName && a.name === b.name
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen
  if (a instanceof PdfString) return b instanceof PdfString && a.bytes.equals(b.bytes)
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => pdfEqual(v, b[i], depth + 1))
  if (a instanceof PdfStream)
    return b instanceof PdfStream && a.data.equals(b.data) && dictEqual(a.dict, b.dict, depth, ['Length'])
  if (a instanceof PdfDict) return b instanceof PdfDict && dictEqual(a, b, depth, [])
  return false
}

function dictEqual(a: PdfDict, b: PdfDict, depth: number, ignore: string[]): boolean {
  const keys = new Set([...a.map.keys(), ...b.map.keys()])
  for (const k of keys) if (!ignore.includes(k) && !pdfEqual(a.get(k), b.get(k), depth + 1)) return false
  return true
}

/** Keys whose values differ between two dictionaries. */
export function changedKeys(a: PdfDict, b: PdfDict): string[] {
  const keys = new Set([...a.map.keys(), ...b.map.keys()])
  return [...keys].filter((k) => !pdfEqual(a.get(k), b.get(k)))
}

/** Budget of objects two values may pull in when compared across revisions. */
const ACROSS_BUDGET = 200

/**
 * Whether `a` (in the signed revision `before`) and `b` (in the later revision `after`) draw the
 * same thing: like pdfEqual, but a reference to a different object number is followed on both
 * sides, so a resources dictionary rewritten as an identical new object is no change. The same
 * object number on both sides counts as equal here: its own change is judged on its own.
 */
export function sameAcross(
  before: PdfDocument,
  a: PdfValue | undefined,
  after: PdfDocument,
  b: PdfValue | undefined,
): boolean {
  let budget = ACROSS_BUDGET
  const same = (x: PdfValue | undefined, y: PdfValue | undefined, depth: number): boolean => {
    if (depth > 16 || budget-- <= 0) return false
    if (x instanceof PdfRef && y instanceof PdfRef) {
      if (x.num === y.num) return x.gen === y.gen
      return same(
        safely(() => before.get(x)),
        safely(() => after.get(y)),
        depth + 1,
      )
    }
    if (x instanceof PdfRef || y instanceof PdfRef) return false
    if (Array.isArray(x))
      return Array.isArray(y) && x.length === y.length && x.every((v, i) => same(v, y[i], depth + 1))
    if (x instanceof PdfStream)
      return y instanceof PdfStream && x.data.equals(y.data) && sameDict(x.dict, y.dict, depth, ['Length'])
    if (x instanceof PdfDict) return y instanceof PdfDict && sameDict(x, y, depth, [])
    return pdfEqual(x, y)
  }
  const sameDict = (x: PdfDict, y: PdfDict, depth: number, ignore: string[]): boolean => {
    for (const k of new Set([...x.map.keys(), ...y.map.keys()]))
      if (!ignore.includes(k) && !same(x.get(k), y.get(k), depth + 1)) return false
    return true
  }
  return same(a, b, 0)
}

function safely(read: () => PdfValue): PdfValue | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}
