/**
 * Kyso's modification policy: what may change after a signature, by level (after pyHanko's
 * levels and DSS's warnings; the table is README "What may change after a signature").
 *
 * | level        | not certified           | DocMDP P=1       | P=2     | P=3              |
 * |--------------|-------------------------|------------------|---------|------------------|
 * | signatures   | allowed                 | DSS, document    | allowed | allowed          |
 * |              |                         | timestamps only  |         |                  |
 * | form-filling | allowed, warning        | no               | allowed | allowed          |
 * | annotations  | allowed, warning; not   | no               | no      | allowed; warning |
 * |              | over signed content     |                  |         | over content     |
 * | other        | no                      | no               | no      | no               |
 *
 * A field a FieldMDP lock covers may not be filled at any level (ISO 32000-2 §12.8.2.4). Kyso's
 * issuance fields (issue 13) filled from empty are expected form filling (no warning); changed once
 * they hold a value, they are "other".
 */
export type ModificationLevel = 'none' | 'signatures' | 'form-filling' | 'annotations' | 'other'

const LEVEL_RANK: Record<ModificationLevel, number> = {
  none: 0,
  signatures: 1,
  'form-filling': 2,
  annotations: 3,
  other: 4,
}

export type ChangeKind =
  | 'metadata'
  | 'catalog'
  | 'acroform'
  | 'page'
  | 'pages'
  | 'page-tree'
  | 'content'
  | 'annotation'
  | 'form-field'
  | 'signature-field'
  | 'signature-dictionary'
  | 'removed'
  | 'object'
  | 'certification'
  | 'document-timestamp'
  | 'structure'
  | 'unreadable'
  | 'issuance'

export interface Change {
  /** What sort of change, for readers that word it themselves (the CLI's Vietnamese report). */
  kind: ChangeKind
  /** Object number in the later revision, or null for a document-wide change (page count). */
  object: number | null
  /** 1-based page the change is on, when it can be told. */
  page: number | null
  what: string
  allowed: boolean
  /** The dictionary key that changed, or the /Subtype of an added annotation, when there is one. */
  key?: string
  /** Its modification level (pyHanko's scale: none < signatures < form filling < annotations < other). */
  level: ModificationLevel
  /** Allowed, but listed as a warning in the report (a change a reader should know of). */
  warning?: boolean
  /** An added or changed annotation that is visible over the signed page's text or images. */
  overContent?: boolean
  /** For annotations and fields: what happened to it. */
  action?: 'added' | 'removed' | 'changed'
  /** The form field concerned (fully qualified name), when there is one. */
  field?: string
}

/** A change as the analysis finds it, before the policy says whether it is allowed. */
export interface ChangeFact extends Omit<Change, 'allowed' | 'warning'> {
  /** Adds an approval signature (a document timestamp is kind 'document-timestamp'). */
  newSignature?: boolean
  /** Listed as a warning whatever the certification (e.g. a writer's private key). */
  notable?: boolean
  /** What the document was prepared for (Kyso's issuance fields filled at issuance): no warning. */
  expected?: boolean
}

export interface ChangePolicy {
  /** DocMDP level of a certification that covers this signature: 1 none, 2 form filling, 3 + annotations. */
  docMdp?: 1 | 2 | 3
  /** FieldMDP: true when the field (fully qualified name) is locked by this signature. */
  isLocked?: (field: string) => boolean
  /** Only signature-level changes are allowed (a signer's returned file, issue 11). */
  strict?: boolean
}

/** What adding revocation data or a document time-stamp touches (allowed even after P=1). */
const LTA_KINDS = new Set<ChangeKind>(['metadata', 'document-timestamp', 'catalog', 'acroform'])

export function worstLevel(changes: readonly { level: ModificationLevel }[]): ModificationLevel {
  return changes.reduce<ModificationLevel>(
    (a, c) => (LEVEL_RANK[c.level] > LEVEL_RANK[a] ? c.level : a),
    'none',
  )
}

/** Judges one change under the policy: allowed or not, and whether it is worth a warning. */
export function judgeChange(fact: ChangeFact, policy: ChangePolicy): Change {
  const { newSignature, notable, expected, ...change } = fact
  const field = fact.field
  const verdict = (allowed: boolean, warning = false): Change => ({
    ...change,
    allowed,
    ...(allowed && (warning || notable) && { warning: true }),
  })
  const p = policy.docMdp
  if (policy.strict && fact.level !== 'signatures') return verdict(false)
  switch (fact.level) {
    case 'none':
      return verdict(true)
    case 'signatures':
      // ISO 32000-2 §12.8.2.2.2 with EN 319 142-1 §5.4: after P=1 only DSS and document timestamps
      // (with the form entries and metadata they bring), no new signature.
      return verdict(p !== 1 || (LTA_KINDS.has(fact.kind) && newSignature !== true))
    case 'form-filling':
      if (field !== undefined && policy.isLocked?.(field)) {
        return {
          ...verdict(false),
          what: `${change.what}, but the field is locked by the signature (FieldMDP)`,
        }
      }
      if (p === 1) return verdict(false)
      return verdict(true, p === undefined && expected !== true)
    case 'annotations':
      if (p === 1 || p === 2) return verdict(false)
      if (p === 3) return verdict(true, fact.overContent === true)
      return verdict(fact.overContent !== true, true)
    default:
      return verdict(false)
  }
}
