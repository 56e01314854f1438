import { deflateSync } from 'node:zlib'
import { PdfDict, PdfStream, name, type PdfRef, type PdfValue } from '../pdf/objects'
import { numberToken } from '../pdf/serialize'
import type { FaceName } from './assets'
import { FontUse } from './font-embed'
import type { Box, PlacedText } from './layout'
import { addImage, type EncodedImage } from './png-image'

const n = numberToken

/** Ink: a DeviceGray level (0 black) or DeviceRGB components from 0 to 1. */
export type Ink = number | readonly [number, number, number]
const fillOf = (ink: Ink): string =>
  typeof ink === 'number' ? `${n(ink)} g` : `${n(ink[0])} ${n(ink[1])} ${n(ink[2])} rg`
const strokeOf = (ink: Ink): string =>
  typeof ink === 'number' ? `${n(ink)} G` : `${n(ink[0])} ${n(ink[1])} ${n(ink[2])} RG`

/**
 * Collects the drawing of one appearance and turns it into a form XObject (ISO 32000-2 §8.10)
 * with its resources. Images are added to the revision as they are drawn; fonts only at the end,
 * when the set of glyphs to embed is known.
 */
export class FormBuilder {
  private readonly ops: string[] = []
  private readonly fonts = new Map<FaceName, FontUse>()
  private readonly images = new Map<string, PdfRef>()

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly add: (v: PdfValue) => PdfRef,
  ) {}

  /** Draws an image scaled into `box` (an image XObject is a unit square until `cm` maps it, §8.9.4). */
  image(image: EncodedImage, box: Box): void {
    if (box.width <= 0 || box.height <= 0) return
    const resource = `Im${this.images.size + 1}`
    this.images.set(resource, addImage(image, this.add))
    this.ops.push(`q ${n(box.width)} 0 0 ${n(box.height)} ${n(box.x)} ${n(box.y)} cm /${resource} Do Q`)
  }

  /**
   * Shows laid-out lines in `ink` (a DeviceGray level, or DeviceRGB components), slanted by `skew`
   * (the text matrix's horizontal shear, tan of the slant angle) for a handwriting-like hand.
   */
  text(lines: readonly PlacedText[], ink: Ink = 0, skew = 0): void {
    if (lines.length === 0) return
    this.ops.push(`BT ${fillOf(ink)}`)
    let current = ''
    let scale = 100
    for (const line of lines) {
      const font = this.fontFor(line.face.name, line)
      const tf = `/${font.resourceName} ${n(line.size)} Tf`
      if (tf !== current) this.ops.push(tf)
      current = tf
      if ((line.hScale ?? 100) !== scale) this.ops.push(`${n(line.hScale ?? 100)} Tz`)
      scale = line.hScale ?? 100
      this.ops.push(`1 0 ${n(skew)} 1 ${n(line.x)} ${n(line.y)} Tm ${font.show(line.glyphs)} Tj`)
    }
    this.ops.push('ET')
  }

  /** A stroked cubic Bézier path through `points` (a start, then three points per segment). */
  curve(points: ReadonlyArray<readonly [number, number]>, ink: Ink, lineWidth: number): void {
    const [start, ...rest] = points
    if (!start || rest.length < 3) return
    const segs: string[] = []
    for (let i = 0; i + 2 < rest.length; i += 3) {
      const [a, b, c] = [rest[i], rest[i + 1], rest[i + 2]] as [
        readonly [number, number],
        readonly [number, number],
        readonly [number, number],
      ]
      segs.push(`${n(a[0])} ${n(a[1])} ${n(b[0])} ${n(b[1])} ${n(c[0])} ${n(c[1])} c`)
    }
    this.ops.push(
      `q ${strokeOf(ink)} ${n(lineWidth)} w 1 J 1 j ${n(start[0])} ${n(start[1])} m ${segs.join(' ')} S Q`,
    )
  }

  /** A thin frame just inside the form's edge. */
  frame(lineWidth: number, grey: number): void {
    const inset = lineWidth / 2
    this.ops.push(
      `q ${n(lineWidth)} w ${n(grey)} G ${n(inset)} ${n(inset)} ${n(this.width - lineWidth)} ${n(this.height - lineWidth)} re S Q`,
    )
  }

  /**
   * Adds the fonts and the form XObject itself; returns the form's ref for /AP /N. `matrix` turns
   * an appearance drawn upright into the page's rotation (ISO 32000-2 §12.5.5).
   */
  finish(matrix?: readonly number[]): PdfRef {
    const fonts = new PdfDict()
    for (const use of this.fonts.values()) if (use.isUsed) fonts.set(use.resourceName, use.embed(this.add))
    const xobjects = new PdfDict()
    for (const [resource, ref] of this.images) xobjects.set(resource, ref)
    const resources = new PdfDict()
    if (fonts.map.size > 0) resources.set('Font', fonts)
    if (xobjects.map.size > 0) resources.set('XObject', xobjects)
    const content = Buffer.from(this.ops.join('\n'), 'latin1')
    const dict = new PdfDict({
      Type: name('XObject'),
      Subtype: name('Form'),
      BBox: [0, 0, this.width, this.height],
      Resources: resources,
      Filter: name('FlateDecode'),
    })
    if (matrix && matrix.join(' ') !== '1 0 0 1 0 0') dict.set('Matrix', [...matrix])
    return this.add(new PdfStream(dict, deflateSync(content, { level: 9 })))
  }

  private fontFor(face: FaceName, line: PlacedText): FontUse {
    let use = this.fonts.get(face)
    if (!use) {
      use = new FontUse(line.face, `F${this.fonts.size + 1}`)
      this.fonts.set(face, use)
    }
    return use
  }
}
