import type { PdfDocument } from '../pdf/document'
import { PdfDict, PdfRef, PdfStream, type PdfValue } from '../pdf/objects'

/** Upper bound on objects read when looking for other references to an object. */
const REFERENCE_SCAN_BUDGET = 50_000

/**
 * Whether any object other than `except` (or the trailer) refers to object `target`: an
 * appearance replaced in place may be one that other paths of the document also show.
 */
export function referencedElsewhere(
  doc: PdfDocument,
  target: number,
  except: number | ReadonlySet<number>,
): boolean {
  const skip = typeof except === 'number' ? new Set([except]) : except
  const refers = (v: PdfValue | undefined, depth: number): boolean => {
    if (v === undefined || depth > 64) return false
    if (v instanceof PdfRef) return v.num === target
    if (Array.isArray(v)) return v.some((x) => refers(x, depth + 1))
    if (v instanceof PdfDict) return [...v.map.values()].some((x) => refers(x, depth + 1))
    if (v instanceof PdfStream) return refers(v.dict, depth + 1)
    return false
  }
  if (refers(doc.trailer, 0)) return true
  let budget = REFERENCE_SCAN_BUDGET
  for (const [num, e] of doc.entries) {
    if (skip.has(num) || num === target || e.type === 0) continue
    // Past the budget, assume it is: replacing a shared appearance must never pass unseen.
    if (budget-- <= 0) return true
    let v: PdfValue | undefined
    try {
      v = doc.get(num)
    } catch {
      continue
    }
    if (refers(v, 0)) return true
  }
  return false
}
