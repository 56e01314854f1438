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
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => pdfEqual(v, b[i], depth + 1))
  if (a instanceof PdfStream) return b instanceof PdfStream && a.data.equals(b.data) && dictEqual(a.dict, b.dict, depth, ['Length'])
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
