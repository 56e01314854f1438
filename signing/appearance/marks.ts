import { glyphsFor, loadDemoSeal, loadFace, measure } from './assets'
import type { FormBuilder, Ink } from './form'
import type { Box, PlacedText } from './layout'
import { decodePng, encodeImage, type EncodedImage } from './png-image'
import { formatSigningTime } from './signing-time'
import type { AppearanceSpec } from './spec'

/** Decree 30/2020 Appendix I: the competent person's signature image is blue. */
const BLUE_INK: Ink = [0.08, 0.2, 0.62]
/** The seal's red (the same as the generated seals'). */
const SEAL_INK: Ink = [0.72, 0.05, 0.1]
/** tan 15°: the slant of the handwriting-like hand. */
const SLANT = 0.27

function fit(image: EncodedImage, box: Box): Box {
  const scale = Math.min(box.width / image.width, box.height / image.height)
  const width = image.width * scale
  const height = image.height * scale
  return { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height }
}

/** One line of `text` at the largest size that fits `box` (no larger than `maxSize`), centred. */
function line(
  text: string,
  face: ReturnType<typeof loadFace>,
  box: Box,
  maxSize: number,
  heightShare = 0.7,
): PlacedText {
  const glyphs = glyphsFor(face, text)
  const widthAt1 = measure(face, glyphs, 1)
  const size = Math.max(
    2,
    Math.min(
      maxSize,
      (box.height * heightShare * 1000) / (face.ascent - face.descent),
      widthAt1 > 0 ? box.width / widthAt1 : maxSize,
    ),
  )
  const width = widthAt1 * size
  const baseline = box.y + (box.height - ((face.ascent + face.descent) * size) / 1000) / 2
  return { face, size, x: box.x + (box.width - width) / 2, y: baseline, glyphs }
}

/** An ink flourish under a hand-written word: one sweep from lower left to the right. */
function flourish(form: FormBuilder, box: Box, under: PlacedText): void {
  const y = under.y - under.size * 0.28
  const x0 = Math.max(box.x + 1, under.x - under.size * 0.2)
  const x1 = Math.min(
    box.x + box.width - 1,
    under.x + measure(under.face, under.glyphs, under.size) + under.size * 0.6,
  )
  const lift = Math.min(under.size * 0.35, box.y + box.height - y - 1)
  form.curve(
    [
      [x0, y],
      [x0 + (x1 - x0) * 0.35, y - lift * 0.6],
      [x0 + (x1 - x0) * 0.7, y + lift * 0.2],
      [x1, y + lift],
    ],
    BLUE_INK,
    Math.max(0.4, under.size * 0.06),
  )
}

/**
 * The competent person's signature for the space of the document's own block, between the
 * title and the typed name: the handwritten-signature image, scaled to fit and centred; without
 * one, the name in a slanted blue hand with a flourish (never the title again: the document has
 * it). No time: the document's date line carries the issuing date (Decree 30/2020 Appendix I).
 */
export function drawHandwritten(spec: AppearanceSpec, form: FormBuilder): void {
  const box = { x: 1, y: 1, width: form.width - 2, height: form.height - 2 }
  if (spec.imagePng) {
    const image = encodeImage(decodePng(spec.imagePng))
    form.image(image, fit(image, box))
    return
  }
  const name = line(
    spec.signerName,
    loadFace('regular'),
    { ...box, y: box.y + box.height * 0.2, height: box.height * 0.75 },
    28,
    0.8,
  )
  form.text([name], BLUE_INK, SLANT)
  flourish(form, box, name)
}

/** "Trần Văn Hùng" -> "TVH": the letters an approver initials with. */
export function initialsOf(name: string): string {
  const words = name.normalize('NFC').trim().split(/\s+/).filter(Boolean)
  return words
    .map((w) => [...w][0] ?? '')
    .join('')
    .toUpperCase()
}

/**
 * An approval's mark (ký nháy, ký tắt): the approver's initials in a slanted blue hand with a
 * stroke under them, small and legible. Evidence of review, not a second signer block: no
 * title, no name, no time in the page (they are in the signature itself).
 */
export function drawInitials(spec: AppearanceSpec, form: FormBuilder): void {
  const box = { x: 1, y: 1, width: form.width - 2, height: form.height - 2 }
  const mark = line(
    initialsOf(spec.signerName),
    loadFace('regular'),
    { x: box.x, y: box.y + box.height * 0.22, width: box.width * 0.85, height: box.height * 0.78 },
    30,
    0.85,
  )
  form.text([mark], BLUE_INK, SLANT)
  flourish(form, box, mark)
}

/**
 * The seal at its real size (the widget is the image's bounds): the red seal image, and the
 * signing time in ISO 8601 with +07:00 (Decree 30/2020 Appendix I) in two short lines in the
 * seal's lower inner area, where the generated seals leave room for it. The organisation's
 * name is on the seal's ring.
 */
export function drawRealSizeSeal(spec: AppearanceSpec, form: FormBuilder): void {
  const image = spec.imagePng ? encodeImage(decodePng(spec.imagePng)) : loadDemoSeal()
  const placed = fit(image, { x: 0, y: 0, width: form.width, height: form.height })
  form.image(image, placed)
  const [date, time] = formatSigningTime(spec.signingTime).split('T') as [string, string]
  const d = Math.min(placed.width, placed.height)
  const cx = placed.x + placed.width / 2
  const cy = placed.y + placed.height / 2
  // Inside the inner ring (a radius of about 0.28 of the diameter), just under the centre, where
  // the ring leaves a chord of at least 0.44 of the diameter for the lower line.
  const width = d * 0.4
  const lineHeight = d * 0.075
  const face = loadFace('bold')
  const first = line(
    `${date}T`,
    face,
    { x: cx - width / 2, y: cy - d * 0.09, width, height: lineHeight },
    9,
    0.95,
  )
  const second = line(
    time,
    face,
    { x: cx - width / 2, y: cy - d * 0.09 - lineHeight, width, height: lineHeight },
    9,
    0.95,
  )
  const size = Math.min(first.size, second.size)
  const resized = [first, second].map((l) => {
    const w = measure(face, l.glyphs, size)
    return { ...l, size, x: cx - w / 2 }
  })
  form.text(resized, SEAL_INK)
}
