/**
 * Visible signature appearances (the widget's /AP /N form XObject), built as new objects for the
 * signature's own revision. Text is drawn with an embedded, per-signature subset of Be Vietnam Pro
 * (Type0 / Identity-H with a ToUnicode CMap) because the standard 14 fonts cannot encode Vietnamese.
 *
 * Run time reads only the assets prepared by scripts/build-assets.ts; no font engine is loaded.
 */
import type { PdfRef, PdfValue } from '../pdf/objects'
import { drawPersonal, drawSeal, drawText } from './blocks'
import { FormBuilder } from './form'
import { drawHandwritten, drawInitials, drawRealSizeSeal } from './marks'
import { checkSpec, type AppearanceSpec } from './spec'
import { buildTextLinesAppearance } from './document-text'

export { defaultSize, type AppearanceSpec, type SigningMarker } from './spec'
export { formatSigningTime } from './signing-time'
export { generateSealPng } from './seal-image'
export { initialsOf } from './marks'
export { generateAgencySealPng, type AgencySealOptions } from './agency-seal'
export { generateSignaturePng, type SignatureImageOptions } from './signature-image'
export { cropToInk, inspectPng, type InkColour, type PngInspection } from './image-check'
export {
  buildBlankTextAppearance,
  buildTextLinesAppearance,
  textLinesHeight,
  textLinesWidth,
  type BlankText,
} from './document-text'

/**
 * Builds the normal appearance (/AP /N) form XObject and every object it needs. `add` registers
 * a new indirect object in the revision being written and returns its reference.
 *
 * @example
 * const ap = buildAppearance(
 *   { kind: 'personal', ...defaultSize('personal'), signerName: 'Võ Văn Hoan', title: 'Phó Chủ tịch',
 *     marker: 'KT.', principalTitle: 'Chủ tịch', signingTime: new Date(), imagePng },
 *   (v) => writer.add(v),
 * )
 * widget.set('AP', new PdfDict({ N: ap }))
 * @throws SigningError BAD_OPTION for an unusable spec, IMAGE_UNREADABLE for a PNG that does not decode.
 */
export function buildAppearance(spec: AppearanceSpec, add: (v: PdfValue) => PdfRef): PdfRef {
  checkSpec(spec)
  if (spec.kind === 'stamp') {
    const lines = spec.lines ?? []
    return buildTextLinesAppearance(
      {
        width: spec.width,
        height: spec.height,
        size: 10,
        lines,
        ...(spec.matrix && { matrix: spec.matrix }),
      },
      add,
    )
  }
  const form = new FormBuilder(spec.width, spec.height, add)
  if (spec.kind === 'personal') drawPersonal(spec, form)
  else if (spec.kind === 'handwritten') drawHandwritten(spec, form)
  else if (spec.kind === 'initials') drawInitials(spec, form)
  // A square widget is the seal at its real size; a wide one keeps the seal with its text beside it.
  else if (spec.kind === 'seal' && spec.width <= spec.height * 1.3) drawRealSizeSeal(spec, form)
  else if (spec.kind === 'seal') drawSeal(spec, form)
  else drawText(spec, form)
  return form.finish(spec.matrix)
}
