import { deflateSync } from 'node:zlib'
import { SigningError } from '../errors'
import { PdfDict, PdfStream, name, type PdfRef, type PdfValue } from '../pdf/objects'

/** 8-bit RGBA pixels, row by row, as pngjs gives them whatever the PNG's colour type. */
export interface Raster {
  width: number
  height: number
  rgba: Buffer
}

type PngJs = typeof import('pngjs')
let pngjs: PngJs | undefined
/** Loaded on first use: a text-only appearance should not pay pngjs's ~10 ms start-up cost. */
export function loadPngJs(): PngJs {
  pngjs ??= require('pngjs') as PngJs
  return pngjs
}

/** Decodes any 8- or 16-bit PNG (grey, RGB, palette, with or without alpha) to RGBA. */
export function decodePng(png: Buffer): Raster {
  if (!Buffer.isBuffer(png) || png.length === 0)
    throw new SigningError('IMAGE_UNREADABLE', 'the image is empty')
  try {
    const { width, height, data } = loadPngJs().PNG.sync.read(png)
    if (width <= 0 || height <= 0 || data.length < width * height * 4) throw new Error('no pixels')
    return { width, height, rgba: data }
  } catch (err) {
    throw new SigningError('IMAGE_UNREADABLE', 'the image is not a readable PNG', { cause: err })
  }
}

/** An image ready for PDF: deflated colour samples and, unless opaque, a deflated alpha plane. */
export interface EncodedImage {
  width: number
  height: number
  colourSpace: 'DeviceRGB' | 'DeviceGray'
  colour: Buffer
  alpha?: Buffer
}

/**
 * Splits RGBA into what PDF needs (ISO 32000-2 §8.9.5, §11.6.5.3): the colour samples, and the
 * alpha channel for a soft mask so a transparent background stays transparent. Grey-only images
 * become /DeviceGray (a third of the data) and an opaque image gets no mask. Deflate level 6: level
 * 9 takes ten times as long for about 10% less.
 */
export function encodeImage(raster: Raster, level = 6): EncodedImage {
  const { width, height, rgba } = raster
  const pixels = width * height
  let opaque = true
  let grey = true
  for (let p = 0; p < pixels * 4; p += 4) {
    if (rgba[p + 3] !== 255) opaque = false
    if (rgba[p + 3] !== 0 && (rgba[p] !== rgba[p + 1] || rgba[p] !== rgba[p + 2])) grey = false
  }
  const colour = Buffer.alloc(pixels * (grey ? 1 : 3))
  const alpha = Buffer.alloc(opaque ? 0 : pixels)
  // Fully transparent pixels take the colour of the last visible one: they are masked out anyway,
  // and a near-uniform colour plane deflates to almost nothing (a signature is mostly background).
  let r = 0
  let g = 0
  let b = 0
  for (let i = 0, p = 0; i < pixels; i++, p += 4) {
    const a = rgba[p + 3] ?? 255
    if (a !== 0) {
      r = rgba[p] ?? 0
      g = rgba[p + 1] ?? 0
      b = rgba[p + 2] ?? 0
    }
    if (grey) {
      colour[i] = r
    } else {
      colour[i * 3] = r
      colour[i * 3 + 1] = g
      colour[i * 3 + 2] = b
    }
    if (!opaque) alpha[i] = a
  }
  return {
    width,
    height,
    colourSpace: grey ? 'DeviceGray' : 'DeviceRGB',
    colour: deflateSync(colour, { level }),
    ...(opaque ? {} : { alpha: deflateSync(alpha, { level }) }),
  }
}

/** Adds the image XObject (and its /SMask) to the revision; returns the image's ref. */
export function addImage(image: EncodedImage, add: (v: PdfValue) => PdfRef): PdfRef {
  const imageDict = (colourSpace: string): PdfDict =>
    new PdfDict({
      Type: name('XObject'),
      Subtype: name('Image'),
      Width: image.width,
      Height: image.height,
      ColorSpace: name(colourSpace),
      BitsPerComponent: 8,
      Filter: name('FlateDecode'),
    })
  const dict = imageDict(image.colourSpace)
  if (image.alpha) dict.set('SMask', add(new PdfStream(imageDict('DeviceGray'), image.alpha)))
  return add(new PdfStream(dict, image.colour))
}
