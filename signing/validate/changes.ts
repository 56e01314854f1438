import type { PdfDocument } from '../pdf/document'
import { PdfName, PdfRef, PdfStream, type PdfValue } from '../pdf/objects'
import { annotationsOn, SignedContent } from './annotations'
import { judgeRole } from './change-rules'
import type { Context } from './rule-kit'
import { pdfEqual } from './equal'
import { judgeChange, type Change, type ChangeFact, type ChangePolicy } from './modification-policy'
import { mapDocument, type Role } from './roles'
import { StructureTree } from './structure-tree'

export type { Change, ChangeKind, ChangePolicy, ModificationLevel } from './modification-policy'
export { worstLevel } from './modification-policy'

function isContainer(v: PdfValue | undefined): boolean {
  const t = v instanceof PdfStream ? v.dict.get('Type') : undefined
  return t instanceof PdfName && (t.name === 'XRef' || t.name === 'ObjStm')
}

function entryKey(doc: PdfDocument, num: number): string {
  const e = doc.entries.get(num)
  if (!e || e.type === 0) return 'free'
  return e.type === 1 ? `1:${e.offset}` : `2:${e.stream}:${e.index}`
}

type Read = { value: PdfValue } | { unreadable: string } | { absent: true }

function read(doc: PdfDocument, num: number): Read {
  if (!doc.entries.get(num)?.type) return { absent: true }
  try {
    const value = doc.get(num)
    return value === null ? { absent: true } : { value }
  } catch (err) {
    return { unreadable: (err as Error).message }
  }
}

/**
 * Compares a later revision with the signed one, object by object, and judges each difference by
 * what the object is (its role in the signed revision) under the modification policy: see
 * modification-policy.ts for the levels and README "What may change after a signature".
 * Objects a later revision writes but that cannot be read are findings (kind 'unreadable'),
 * never skipped.
 */
export function analyseChanges(before: PdfDocument, after: PdfDocument, policy: ChangePolicy = {}): Change[] {
  const map = mapDocument(before)
  const content = new SignedContent(before, map.pages)
  const ctx: Context = { before, after, map, content, structure: new StructureTree(before) }
  const facts: ChangeFact[] = []
  const nums = new Set([...before.entries.keys(), ...after.entries.keys()])
  for (const num of nums) {
    if (entryKey(before, num) === entryKey(after, num)) continue
    const oldR = read(before, num)
    const newR = read(after, num)
    const unreadable = (what: string): void => {
      facts.push({ kind: 'unreadable', object: num, page: null, level: 'other', what })
    }
    if ('unreadable' in newR) {
      unreadable(`object ${num} of a later revision cannot be read (${newR.unreadable})`)
      continue
    }
    if ('unreadable' in oldR) {
      unreadable(`object ${num} of the signed revision cannot be read, so its change cannot be judged`)
      continue
    }
    if ('absent' in oldR) continue // a new object: judged where it is referenced
    if ('value' in newR && (isContainer(newR.value) || isContainer(oldR.value))) continue
    const role = map.roles.get(num)
    if ('absent' in newR) {
      facts.push(...removed(ctx, num, role))
      continue
    }
    if (pdfEqual(oldR.value, newR.value)) continue
    facts.push(...judgeRole(ctx, num, role, oldR.value, newR.value))
  }
  // The catalog itself replaced by a new object (trailer /Root moved) hides nothing either.
  if (after.catalogRef().num !== before.catalogRef().num) {
    facts.push(
      ...judgeRole(ctx, after.catalogRef().num, { kind: 'catalog' }, before.catalog(), after.catalog()),
    )
  }
  const pagesAfter = after.collectPages().map((r) => r.num)
  if (pagesAfter.length !== map.pages.length || pagesAfter.some((n, i) => n !== map.pages[i])) {
    const what = `the pages changed: ${map.pages.length} signed, ${pagesAfter.length} now`
    facts.push({ kind: 'pages', object: null, page: null, level: 'other', what })
  }
  return facts.map((f) => judgeChange(f, policy))
}

/** An object of the signed revision that a later revision frees (or drops from the xref). */
function removed(ctx: Context, num: number, role: Role | undefined): ChangeFact[] {
  const page = role && 'page' in role && role.page !== null ? role.page + 1 : null
  const pageNum = page !== null ? ctx.map.pages[page - 1] : undefined
  const stillShown = pageNum !== undefined && annotationsOn(ctx.after, pageNum).has(num)
  if (role?.kind === 'annots-array' && pageNum !== undefined) {
    const annots = ctx.after.dict(new PdfRef(pageNum, 0))?.get('Annots')
    if (!(annots instanceof PdfRef && annots.num === num)) {
      // Its annotations are judged one by one where the page's /Annots changed.
      const what = `the annotation list of page ${page} was removed`
      return [{ kind: 'annotation', object: num, page, level: 'annotations', what, action: 'removed' }]
    }
  }
  if (
    (role?.kind === 'annotation' || (role?.kind === 'appearance' && role.field === undefined)) &&
    !stillShown
  )
    return []
  return [
    { kind: 'removed', object: num, page, level: 'other', what: `${describe(role)} ${num} was removed` },
  ]
}

function describe(role: Role | undefined): string {
  if (!role) return 'object'
  switch (role.kind) {
    case 'page':
      return `page ${role.page + 1}`
    case 'page-content':
      return `content of page ${role.page + 1}, object`
    case 'annotation':
      return `annotation on page ${role.page + 1}, object`
    case 'field':
      return `form field '${role.name}', object`
    case 'signature-dictionary':
      return `signature dictionary of '${role.field}', object`
    case 'appearance':
      return role.field
        ? `appearance of field '${role.field.name}', object`
        : 'appearance of an annotation, object'
    default:
      return `${role.kind} object`
  }
}
