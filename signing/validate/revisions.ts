import type { PdfDocument } from '../pdf/document'
import { Lexer } from '../pdf/parser'
import { readSection } from '../pdf/xref'

export interface Revision {
  index: number
  /** Offset just after `%%EOF`. */
  eofEnd: number
  /** Offset after `%%EOF` and its end-of-line marker, where the next revision starts. */
  end: number
  /** The startxref value written before this `%%EOF`. */
  startxref: number
}

export interface RevisionProblem {
  /** The revision whose bytes are not a sound incremental update (index into revisions, or -1 for trailing bytes). */
  revision: number
  /** First byte that is not covered by a sound revision. */
  from: number
  problem: string
}

export interface RevisionScan {
  revisions: Revision[]
  problems: RevisionProblem[]
}

const STARTXREF_BEFORE_EOF = /startxref[\s\0]+(\d+)[\s\0]*$/

/**
 * Splits a file into revisions at each `startxref N %%EOF` (ISO 32000-2 §7.5.6). A `%%EOF` without
 * a startxref before it (inside a stream, say) is not a revision end.
 */
export function findRevisions(buf: Buffer): Revision[] {
  const out: Revision[] = []
  for (let at = buf.indexOf('%%EOF', 0, 'latin1'); at >= 0; at = buf.indexOf('%%EOF', at + 5, 'latin1')) {
    const m = STARTXREF_BEFORE_EOF.exec(buf.toString('latin1', Math.max(0, at - 64), at))
    if (!m) continue
    let end = at + 5
    if (buf[end] === 0x0d) end++
    if (buf[end] === 0x0a) end++
    out.push({ index: out.length, eofEnd: at + 5, end, startxref: Number(m[1]) })
  }
  return out
}

/**
 * Checks that every revision after `from` (the end of the earliest signed revision) is a sound
 * incremental update: its own cross-reference section lies inside it, every object written in it
 * is listed there at its offset, and the section is on the document's chain of /Prev links (so
 * its objects are the ones a reader reads, `doc` being the whole file as read). Objects appended
 * without an xref entry, a trailer without a section, a section no chain reaches, or bytes after
 * the last `%%EOF` are what the Incremental Saving Attack and shadow attacks hide behind.
 */
export function checkRevisionsAfter(
  buf: Buffer,
  revisions: Revision[],
  from: number,
  doc?: PdfDocument,
): RevisionProblem[] {
  const chain = doc && !doc.repaired ? new Set(doc.sections.map((s) => s.offset)) : undefined
  const headerOffset = doc?.headerOffset ?? 0
  const problems: RevisionProblem[] = []
  let prevEnd = from
  for (const rev of revisions) {
    if (rev.end <= from) continue
    const start = prevEnd
    prevEnd = rev.end
    // A file with bytes before `%PDF-` may count its offsets from the header (see PdfDocument).
    const base =
      headerOffset > 0 &&
      readableSectionAt(buf, rev.startxref) === null &&
      readableSectionAt(buf, rev.startxref + headerOffset)
        ? headerOffset
        : 0
    const startxref = rev.startxref + base
    if (startxref < start || startxref >= rev.eofEnd) {
      problems.push({
        revision: rev.index,
        from: start,
        problem: `revision ${rev.index + 1} has no cross-reference section of its own (startxref ${rev.startxref})`,
      })
      continue
    }
    const section = readableSectionAt(buf, startxref)
    if (!section) {
      problems.push({
        revision: rev.index,
        from: start,
        problem: `revision ${rev.index + 1}: no readable cross-reference section at ${rev.startxref}`,
      })
      continue
    }
    if (chain && !chain.has(rev.startxref) && !chain.has(rev.startxref + headerOffset)) {
      const problem = `revision ${rev.index + 1} is not on the document's chain of cross-reference sections: its objects are never read`
      problems.push({ revision: rev.index, from: start, problem })
      continue
    }
    for (const obj of objectHeaders(buf, start, rev.eofEnd)) {
      const e = section.entries.get(obj.num)
      if (
        e?.type !== 1 ||
        e.offset + base > obj.offset ||
        hasNonWhite(buf.subarray(0, obj.offset), e.offset + base)
      ) {
        problems.push({
          revision: rev.index,
          from: start,
          problem: `revision ${rev.index + 1} writes object ${obj.num} that its cross-reference section does not list there`,
        })
        break
      }
    }
  }
  const last = revisions[revisions.length - 1]
  const tailFrom = last ? last.end : 0
  if (hasNonWhite(buf, tailFrom)) {
    problems.push({
      revision: -1,
      from: tailFrom,
      problem: `${buf.length - tailFrom} bytes after the last %%EOF are not a revision`,
    })
  }
  return problems
}

function readableSectionAt(buf: Buffer, offset: number): ReturnType<typeof readSection> {
  try {
    return readSection(buf, offset)
  } catch {
    return null
  }
}

function hasNonWhite(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) {
    const c = buf[i]
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0x0c && c !== 0x00) return true
  }
  return false
}

/** `N G obj` headers at the start of a line within [start, end), skipping stream data. */
function objectHeaders(buf: Buffer, start: number, end: number): { num: number; offset: number }[] {
  const out: { num: number; offset: number }[] = []
  const text = buf.toString('latin1', start, end)
  const re = /(^|[\r\n])(\d{1,10})[ \t\r\n\0]+\d{1,5}[ \t\r\n\0]+obj\b/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const offset = start + m.index + (m[1] as string).length
    out.push({ num: Number(m[2]), offset })
    // Skip a stream's bytes so binary data cannot fake a header.
    const lx = new Lexer(buf, offset)
    if (!lx.readObjectHeader()) continue
    try {
      lx.parseIndirectBody(() => undefined)
      re.lastIndex = Math.max(re.lastIndex, lx.pos - start)
    } catch {
      /* an unparsable object is reported by the change analysis, not here */
    }
  }
  return out
}
