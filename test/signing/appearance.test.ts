import { expect } from 'chai'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PNG } from 'pngjs'
import {
  buildAppearance,
  defaultSize,
  formatSigningTime,
  generateSealPng,
  type AppearanceSpec,
} from '../../signing/appearance'
import { KysoError } from '../../signing/errors'
import { subsetTrueType } from '../../signing/appearance/truetype-subset'
import { PdfDict, PdfStream, isName, name, ref, type PdfRef, type PdfValue } from '../../signing/pdf/objects'
import { writeObject } from '../../signing/pdf/serialize'

/** Collects objects the way the incremental writer's `add` will, numbering from 1. */
class ObjectList {
  readonly objects: PdfValue[] = []
  readonly add = (v: PdfValue): PdfRef => {
    this.objects.push(v)
    return ref(this.objects.length)
  }
  bytes(from = 0): number {
    return this.objects
      .slice(from)
      .reduce<number>((sum, v, i) => sum + writeObject(from + i + 1, 0, v).length, 0)
  }
}

/** A complete one-page PDF (classic xref table) whose page draws each form at its place. */
function onePagePdf(list: ObjectList, placed: Array<{ form: PdfRef; x: number; y: number }>): Buffer {
  const xobjects = new PdfDict()
  const ops = placed.map((p, i) => {
    xobjects.set(`Ap${i}`, p.form)
    return `q 1 0 0 1 ${p.x} ${p.y} cm /Ap${i} Do Q`
  })
  const contents = list.add(new PdfStream(new PdfDict(), Buffer.from(ops.join('\n'), 'latin1')))
  const pagesNum = list.objects.length + 2
  const page = list.add(
    new PdfDict({
      Type: name('Page'),
      Parent: ref(pagesNum),
      MediaBox: [0, 0, 595, 842],
      Resources: new PdfDict({ XObject: xobjects }),
      Contents: contents,
    }),
  )
  list.add(new PdfDict({ Type: name('Pages'), Kids: [page], Count: 1 }))
  const root = list.add(new PdfDict({ Type: name('Catalog'), Pages: ref(pagesNum) }))
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')]
  const offsets: number[] = []
  let length = parts[0]?.length ?? 0
  list.objects.forEach((v, i) => {
    const obj = writeObject(i + 1, 0, v)
    offsets.push(length)
    parts.push(obj)
    length += obj.length
  })
  const size = list.objects.length + 1
  const xref = [
    'xref',
    `0 ${size}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
  ]
  const trailer = `trailer\n<< /Size ${size} /Root ${root.num} 0 R >>\nstartxref\n${length}\n%%EOF\n`
  parts.push(Buffer.from(xref.join('\r\n') + '\r\n' + trailer, 'latin1'))
  return Buffer.concat(parts)
}

/** A blue, cursive-looking stroke on a transparent background, like a scanned signature. */
function handwrittenPng(): Buffer {
  const png = new PNG({ width: 360, height: 140 })
  for (let t = 0; t <= 1; t += 0.0004) {
    const cx = 20 + 320 * t + 22 * Math.sin(t * 40)
    const cy = 70 + 38 * Math.sin(t * 9) * Math.cos(t * 23)
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = Math.round(cx + dx)
        const y = Math.round(cy + dy)
        const a = Math.max(0, Math.min(1, 3.5 - Math.hypot(dx, dy)))
        const p = (y * png.width + x) * 4
        if (x < 0 || y < 0 || x >= png.width || y >= png.height || a <= 0) continue
        png.data.set([20, 40, 170, Math.max(png.data[p + 3] ?? 0, Math.round(255 * a))], p)
      }
    }
  }
  return PNG.sync.write(png)
}

const TIME = new Date(Date.UTC(2024, 6, 25, 2, 15, 30))
const ORGANISATION = 'Ủy ban nhân dân Thành phố Hồ Chí Minh'
const personal: AppearanceSpec = {
  kind: 'personal',
  ...defaultSize('personal'),
  signerName: 'Võ Văn Hoan',
  title: 'Phó Chủ tịch',
  marker: 'KT.',
  principalTitle: 'Chủ tịch',
  signingTime: TIME,
  imagePng: handwrittenPng(),
}
const seal: AppearanceSpec = {
  kind: 'seal',
  ...defaultSize('seal'),
  signerName: ORGANISATION,
  signingTime: TIME,
}
const collapse = (s: string): string => s.normalize('NFC').replace(/\s+/g, ' ')

describe('signature appearances', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kyso-appearance-'))
  const file = path.join(dir, 'signed-look.pdf')
  const sizes: Record<string, number> = {}

  before(() => {
    const list = new ObjectList()
    const p = buildAppearance(personal, list.add)
    sizes.personal = list.bytes()
    const before = list.objects.length
    const s = buildAppearance(seal, list.add)
    sizes.seal = list.bytes(before)
    const text = buildAppearance(
      {
        kind: 'text',
        ...defaultSize('text'),
        signerName: 'Nguyễn Thị Ánh',
        title: 'Trưởng phòng',
        signingTime: TIME,
        reason: 'Đã duyệt',
      },
      list.add,
    )
    // As on an issued document: the seal's circle over the left third of the handwritten signature,
    // its text further left; a text-only approval box at the bottom.
    writeFileSync(
      file,
      onePagePdf(list, [
        { form: p, x: 340, y: 560 },
        { form: s, x: 180, y: 574 },
        { form: text, x: 50, y: 50 },
      ]),
    )
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('gives back every Vietnamese line exactly through pdftotext', () => {
    const text = collapse(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }))
    for (const expected of [
      'KT. CHỦ TỊCH',
      'PHÓ CHỦ TỊCH',
      'Võ Văn Hoan',
      ORGANISATION,
      '2024-07-25T09:15:30+07:00',
      'Nguyễn Thị Ánh',
      'Đã duyệt',
    ]) {
      expect(text).to.include(expected)
    }
  })

  it('writes a PDF that qpdf finds structurally sound', () => {
    const result = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' })
    expect(result.status, result.stdout + result.stderr).to.equal(0)
  })

  it('embeds subset Identity-H fonts with a ToUnicode map', () => {
    const rows = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2)
    expect(rows).to.have.length.greaterThan(0)
    for (const row of rows) {
      expect(row).to.match(
        /^[A-Z]{6}\+BeVietnamPro-(Regular|Bold)\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/,
      )
    }
  })

  it('adds only a few KB per signature: glyph subsets, deflated streams', () => {
    expect(sizes.personal).to.be.below(10_000)
    expect(sizes.seal).to.be.below(15_000)
  })

  it('renders the handwritten signature in blue and the seal in red', () => {
    execFileSync('pdftoppm', ['-png', '-r', '100', '-f', '1', '-singlefile', file, path.join(dir, 'page')])
    const page = PNG.sync.read(readFileSync(path.join(dir, 'page.png')))
    let blue = 0
    let red = 0
    for (let p = 0; p < page.data.length; p += 4) {
      const [r = 0, g = 0, b = 0] = page.data.subarray(p, p + 3)
      if (b > 120 && r < 90 && g < 110) blue++
      if (r > 170 && g < 80 && b < 90) red++
    }
    expect(blue).to.be.greaterThan(200)
    expect(red).to.be.greaterThan(500)
  })

  it('refuses an image that is not a PNG with IMAGE_UNREADABLE', () => {
    for (const bad of [Buffer.from('not a png'), handwrittenPng().subarray(0, 60), Buffer.alloc(0)]) {
      const attempt = (): PdfRef => buildAppearance({ ...personal, imagePng: bad }, new ObjectList().add)
      expect(attempt).to.throw(KysoError).with.property('code', 'IMAGE_UNREADABLE')
    }
  })

  it('writes an opaque grey PNG as a DeviceGray image without a soft mask', () => {
    const grey = new PNG({ width: 40, height: 20, colorType: 0 })
    grey.data.fill(255)
    const list = new ObjectList()
    buildAppearance({ ...seal, imagePng: PNG.sync.write(grey, { colorType: 0 }) }, list.add)
    const images = list.objects.filter(
      (v): v is PdfStream => v instanceof PdfStream && isName(v.dict.get('Subtype'), 'Image'),
    )
    expect(images).to.have.length(1)
    expect(images[0]?.dict.get('ColorSpace')).to.deep.equal(name('DeviceGray'))
    expect(images[0]?.dict.has('SMask')).to.equal(false)
  })

  it('refuses a marker without the principal it signs for, and an empty rectangle', () => {
    const noPrincipal = { ...personal, principalTitle: undefined }
    expect(() => buildAppearance(noPrincipal, new ObjectList().add))
      .to.throw(KysoError)
      .with.property('code', 'BAD_OPTION')
    expect(() => buildAppearance({ ...personal, width: 0 }, new ObjectList().add))
      .to.throw(KysoError)
      .with.property('code', 'BAD_OPTION')
  })

  it('formats the signing time in ISO 8601 at +07:00, across a date line', () => {
    expect(formatSigningTime(TIME)).to.equal('2024-07-25T09:15:30+07:00')
    expect(formatSigningTime(new Date('2024-12-31T20:00:00Z'))).to.equal('2025-01-01T03:00:00+07:00')
  })

  it('generates a round red seal with a transparent background', () => {
    const png = PNG.sync.read(generateSealPng({ diameterPx: 200 }))
    expect([png.width, png.height]).to.deep.equal([200, 200])
    const at = (x: number, y: number): number[] => [
      ...png.data.subarray((y * 200 + x) * 4, (y * 200 + x) * 4 + 4),
    ]
    for (const [x, y] of [
      [0, 0],
      [199, 0],
      [0, 199],
      [199, 199],
    ] as const)
      expect(at(x, y)[3]).to.equal(0)
    const [r = 0, g = 0, b = 0, a = 0] = at(100, 100)
    expect(r).to.be.greaterThan(180)
    expect(g + b).to.be.below(100)
    expect(a).to.equal(255)
  })
})

/** A four-glyph TrueType font: .notdef, a hinted triangle, a hinted composite of it, an unused triangle. */
function tinyFont(): Buffer {
  const triangle = Buffer.alloc(10 + 2 + 2 + 3 + 3 + 12)
  triangle.writeInt16BE(1, 0)
  triangle.writeInt16BE(500, 6)
  triangle.writeInt16BE(700, 8)
  triangle.writeUInt16BE(2, 10) // end point of the one contour
  triangle.writeUInt16BE(3, 12) // three bytes of hinting
  triangle.set([1, 2, 3, 1, 1, 1], 14) // instructions, then three on-curve flags (x and y as words)
  ;[0, 500, -250, 0, 0, 700].forEach((v, i) => triangle.writeInt16BE(v, 20 + 2 * i))
  const composite = Buffer.alloc(10 + 8 + 4)
  composite.writeInt16BE(-1, 0)
  composite.writeUInt16BE(0x0001 | 0x0100, 10) // ARG_1_AND_2_ARE_WORDS | WE_HAVE_INSTRUCTIONS
  composite.writeUInt16BE(1, 12) // component: glyph 1
  composite.writeUInt16BE(2, 18) // two bytes of hinting follow the component
  const glyphs = [Buffer.alloc(0), triangle, composite, triangle]
  const loca = Buffer.alloc(4 * 5)
  let offset = 0
  glyphs.forEach((g, i) => {
    loca.writeUInt32BE(offset, 4 * i)
    offset += g.length
  })
  loca.writeUInt32BE(offset, 16)
  const head = Buffer.alloc(54)
  head.writeUInt16BE(1000, 18)
  head.writeInt16BE(1, 50) // long loca
  const hhea = Buffer.alloc(36)
  hhea.writeUInt16BE(4, 34)
  const maxp = Buffer.from([0, 0, 0x50, 0, 0, 4])
  const hmtx = Buffer.alloc(16, 0)
  ;[500, 600, 600, 600].forEach((w, i) => hmtx.writeUInt16BE(w, 4 * i))
  const tables: Array<[string, Buffer]> = [
    ['glyf', Buffer.concat(glyphs)],
    ['head', head],
    ['hhea', hhea],
    ['hmtx', hmtx],
    ['loca', loca],
    ['maxp', maxp],
  ]
  const dir = Buffer.alloc(12 + 16 * tables.length)
  dir.writeUInt16BE(tables.length, 4)
  let at = dir.length
  tables.forEach(([tag, body], i) => {
    dir.write(tag, 12 + 16 * i, 'latin1')
    dir.writeUInt32BE(at, 12 + 16 * i + 8)
    dir.writeUInt32BE(body.length, 12 + 16 * i + 12)
    at += body.length
  })
  return Buffer.concat([dir, ...tables.map(([, body]) => body)])
}

/** Glyph id -> glyph bytes of a font written by subsetTrueType (short loca). */
function glyphsOf(font: Buffer): Buffer[] {
  const table = (tag: string): Buffer => {
    for (let i = 0; i < font.readUInt16BE(4); i++) {
      const rec = 12 + 16 * i
      if (font.toString('latin1', rec, rec + 4) === tag)
        return font.subarray(
          font.readUInt32BE(rec + 8),
          font.readUInt32BE(rec + 8) + font.readUInt32BE(rec + 12),
        )
    }
    throw new Error(tag)
  }
  const loca = table('loca')
  return [0, 1, 2, 3].map((g) =>
    table('glyf').subarray(loca.readUInt16BE(2 * g) * 2, loca.readUInt16BE(2 * g + 2) * 2),
  )
}

describe('TrueType glyph subset', () => {
  const [notdef, triangle, composite, unused] = glyphsOf(subsetTrueType(tinyFont(), [2]))

  it('keeps glyph ids, the composite and its component, and empties the rest', () => {
    expect(notdef).to.have.length(0)
    expect(unused).to.have.length(0)
    expect(composite?.readInt16BE(0)).to.equal(-1)
    expect(composite?.readUInt16BE(12)).to.equal(1)
    expect(triangle?.readInt16BE(0)).to.equal(1)
  })

  it('drops hinting from simple and composite glyphs', () => {
    expect(triangle?.readUInt16BE(12)).to.equal(0)
    expect(triangle?.subarray(14, 17)).to.deep.equal(Buffer.from([1, 1, 1]))
    expect((composite?.readUInt16BE(10) ?? 0) & 0x0100).to.equal(0)
    expect(composite).to.have.length(20)
  })
})
