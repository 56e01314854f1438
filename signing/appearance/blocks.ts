import { loadDemoSeal, loadFace } from './assets'
import type { FormBuilder } from './form'
import { layoutStack, type Box, type StackItem } from './layout'
import { decodePng, encodeImage, type EncodedImage } from './png-image'
import { formatSigningTime } from './signing-time'
import type { AppearanceSpec } from './spec'

const PADDING = 3
const upper = (s: string): string => s.normalize('NFC').toUpperCase()

/** Fits a picture of any aspect ratio into `box`, centred. */
function fit(image: EncodedImage, box: Box): Box {
  const scale = Math.min(box.width / image.width, box.height / image.height)
  const width = image.width * scale
  const height = image.height * scale
  return { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height }
}

/**
 * The competent person's block as on a paper document (Decree 30/2020 Appendix I): authority line
 * ('KT. CHỦ TỊCH') and title in bold capitals, the handwritten signature between the title and the
 * full name, then the signing time in small type. Centred, shrunk to fit the widget.
 */
export function drawPersonal(spec: AppearanceSpec, form: FormBuilder): void {
  const bold = loadFace('bold')
  const regular = loadFace('regular')
  const signature = spec.imagePng ? encodeImage(decodePng(spec.imagePng)) : undefined
  const items: StackItem[] = []
  if (spec.marker && spec.principalTitle) {
    items.push({ kind: 'text', text: `${spec.marker} ${upper(spec.principalTitle)}`, face: bold, scale: 1 })
  }
  if (spec.title) items.push({ kind: 'text', text: upper(spec.title), face: bold, scale: 1 })
  if (signature) items.push({ kind: 'image', aspect: signature.width / signature.height, minShare: 0.35 })
  // Without a signature image, a little air between the title and the name still reads as a signature block.
  const nameGap = signature ? 0 : items.length > 0 ? 0.8 : 0
  items.push({ kind: 'text', text: spec.signerName, face: bold, scale: 1, gap: nameGap })
  items.push({
    kind: 'text',
    text: formatSigningTime(spec.signingTime),
    face: regular,
    scale: 0.75,
    gap: 0.15,
  })
  const box = { x: PADDING, y: PADDING, width: form.width - 2 * PADDING, height: form.height - 2 * PADDING }
  const layout = layoutStack(items, box, { maxSize: 11, minSize: 4, align: 'center' })
  const slot = layout.images[0]
  if (signature && slot) form.image(signature, slot)
  form.text(layout.texts)
}

/**
 * The organisation's block: the red seal image with the organisation's name and the signing time
 * (Decree 30/2020 Appendix I asks for both). The seal sits at the right end of the widget and the
 * text to its left, right-aligned: the seal must overlap the left third of the handwritten
 * signature, so the only free space beside it is on the signature's left. Text on the seal's other
 * side would run over the signature and the signer's name.
 */
export function drawSeal(spec: AppearanceSpec, form: FormBuilder): void {
  const image = spec.imagePng ? encodeImage(decodePng(spec.imagePng)) : loadDemoSeal()
  const diameter = Math.min(form.height, form.width * 0.5)
  const seal = {
    x: form.width - diameter,
    y: (form.height - diameter) / 2,
    width: diameter,
    height: diameter,
  }
  form.image(image, fit(image, seal))
  const box = { x: PADDING, y: PADDING, width: seal.x - 4 - PADDING, height: form.height - 2 * PADDING }
  const items: StackItem[] = [
    { kind: 'text', text: spec.signerName, face: loadFace('bold'), scale: 1 },
    {
      kind: 'text',
      text: formatSigningTime(spec.signingTime),
      face: loadFace('regular'),
      scale: 0.8,
      gap: 0.3,
    },
  ]
  form.text(layoutStack(items, box, { maxSize: 10, minSize: 4, align: 'right' }).texts)
}

/** A text-only box for approvals and attachments: who, as what, when and why, in a thin frame. */
export function drawText(spec: AppearanceSpec, form: FormBuilder): void {
  const bold = loadFace('bold')
  const regular = loadFace('regular')
  const items: StackItem[] = [{ kind: 'text', text: spec.signerName, face: bold, scale: 1 }]
  for (const line of [spec.title, spec.organisation]) {
    if (line) items.push({ kind: 'text', text: line, face: regular, scale: 1, gap: 0.1 })
  }
  items.push({
    kind: 'text',
    text: formatSigningTime(spec.signingTime),
    face: regular,
    scale: 0.85,
    gap: 0.1,
  })
  if (spec.reason) items.push({ kind: 'text', text: spec.reason, face: regular, scale: 0.85, gap: 0.1 })
  form.frame(0.5, 0.35)
  const inset = PADDING + 1
  const box = { x: inset, y: inset, width: form.width - 2 * inset, height: form.height - 2 * inset }
  form.text(layoutStack(items, box, { maxSize: 10, minSize: 4, align: 'left' }).texts)
}
