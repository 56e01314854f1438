import { SigningError } from '../errors'

/** Signing-authority markers printed before the principal's title (see DOMAIN.md). */
export type SigningMarker = 'KT.' | 'TL.' | 'TUQ.' | 'TM.' | 'Q.'
const MARKERS: readonly string[] = ['KT.', 'TL.', 'TUQ.', 'TM.', 'Q.']

export interface AppearanceSpec {
  /**
   * personal: a full block (marker, title, image, name, time) for a document without a signer
   * block of its own; handwritten: the signature alone, for the space of the document's own block;
   * initials: an approval's small mark (ký nháy); seal: the organisation's seal; text: a framed
   * text box; stamp: an organisation's signature without image, its `lines` in the document's
   * typeface at 10 pt, black (an electronic copy's or an attachment's, issue 13).
   */
  kind: 'personal' | 'seal' | 'text' | 'handwritten' | 'initials' | 'stamp'
  /** The widget rectangle's size in points. */
  width: number
  height: number
  /** personal: the signer's full name; seal: the organisation's name. */
  signerName: string
  /** The signer's own title, e.g. 'Phó Chủ tịch'. */
  title?: string
  /** Printed above the title together with `principalTitle`: 'KT.' + 'Chủ tịch' -> 'KT. CHỦ TỊCH'. */
  marker?: SigningMarker
  principalTitle?: string
  organisation?: string
  /** Shown as ISO 8601 in Vietnam's time zone, e.g. 2024-07-25T09:15:30+07:00. */
  signingTime: Date
  /** personal: the handwritten signature; seal: the red seal. PNG, ideally with a transparent background. */
  imagePng?: Buffer
  reason?: string
  /** The form's /Matrix: an upright drawing turned to the page's /Rotate (geometry.uprightMatrix). */
  matrix?: readonly number[]
  /** stamp: the lines, top down (the first in bold: "SAO Y"). */
  lines?: string[]
}

export type AppearanceKind = AppearanceSpec['kind']

/**
 * A widget size that suits each kind at body-text scale. The seal's 100 pt is close to the real
 * size of an agency seal (35-40 mm), which Decree 30/2020 asks the image to keep.
 */
export function defaultSize(kind: AppearanceKind): { width: number; height: number } {
  switch (kind) {
    case 'personal':
      return { width: 200, height: 150 }
    case 'seal':
      return { width: 230, height: 100 }
    case 'text':
      return { width: 200, height: 64 }
    case 'handwritten':
      return { width: 150, height: 62 }
    case 'initials':
      return { width: 60, height: 24 }
    case 'stamp':
      return { width: 230, height: 40 }
    default:
      throw new SigningError('BAD_OPTION', `unknown appearance kind ${String(kind)}`)
  }
}

const KINDS: readonly string[] = ['personal', 'seal', 'text', 'handwritten', 'initials', 'stamp']
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0

/** Guard clauses for input that may come from a request body: bad options are the caller's error. */
export function checkSpec(spec: AppearanceSpec): void {
  const bad = (message: string): never => {
    throw new SigningError('BAD_OPTION', message)
  }
  if (!KINDS.includes(spec.kind)) bad(`unknown appearance kind ${String(spec.kind)}`)
  for (const side of [spec.width, spec.height]) {
    if (typeof side !== 'number' || !Number.isFinite(side) || side <= 0 || side > 14400) {
      bad('appearance width and height must be positive numbers of points (at most 14400)')
    }
  }
  if (!isText(spec.signerName)) bad('signerName is required')
  if (spec.marker !== undefined && !MARKERS.includes(spec.marker))
    bad(`unknown signing marker ${String(spec.marker)}`)
  if (spec.marker !== undefined && !isText(spec.principalTitle)) bad('a signing marker needs principalTitle')
  if (spec.imagePng !== undefined && !Buffer.isBuffer(spec.imagePng)) bad('imagePng must be a Buffer')
  if (spec.kind === 'stamp' && !(spec.lines ?? []).some(isText)) bad('a stamp needs its lines')
  if (spec.matrix !== undefined && (spec.matrix.length !== 6 || !spec.matrix.every(Number.isFinite)))
    bad('matrix: six numbers')
}
