import { expect } from 'chai'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { generateAgencySealPng, generateSignaturePng } from '../../signing/appearance'
import { PdfDocument } from '../../signing/pdf/document'
import { signatureRects } from '../../signing/sign/placement'
import type { Running } from '../../server/start'
import { draftSpecs } from '../helpers/decree30-drafts'
import { convertWithLibreOffice } from '../helpers/draft-pdfs'
import { makePdf } from '../helpers/sample-pdfs'
import { as, pinOf, startIsolatedService, type Client } from '../helpers/service'
import { pdftotext, tempDir } from '../helpers/tools'

interface Placement {
  stepId: number
  page: number
  rect: number[]
  how: string
  look: string
  note?: string
}
interface Details {
  id: number
  placements: Placement[]
  myActions: { action: string; stepId?: number }[]
  history: { action: string; detail: Record<string, unknown> }[]
}

async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text()
  expect(res.status, text).to.equal(status)
  return JSON.parse(text) as T
}

async function refused(res: Response, status: number, code: string): Promise<void> {
  const body = (await res.json()) as { error: { code: string } }
  expect([res.status, body.error.code]).to.deep.equal([status, code])
}

function png(width: number, height: number, rgba: [number, number, number, number]): Buffer {
  const p = new PNG({ width, height })
  for (let i = 0; i < width * height; i++) p.data.set(rgba, i * 4)
  return PNG.sync.write(p)
}

describe('signature images, seals and where signatures go, through the API', function () {
  this.timeout(300_000)
  let svc: Running
  const c: Record<string, Client> = {}
  let giamDocDraft: Buffer
  const put = (who: string, path: string, body: BodyInit, type: string): Promise<Response> =>
    fetch(`${svc.url}${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${(c[who] as Client).token}`, 'content-type': type },
      body,
    })
  const putForm = (who: string, path: string, form: FormData): Promise<Response> =>
    fetch(`${svc.url}${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${(c[who] as Client).token}` },
      body: form,
    })
  const del = (who: string, path: string): Promise<Response> =>
    fetch(`${svc.url}${path}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${(c[who] as Client).token}` },
    })

  before(async () => {
    svc = await startIsolatedService()
    for (const u of [
      'chuyenvien',
      'truongphong1',
      'truongphong2',
      'giamdoc',
      'phogiamdoc',
      'vanthu',
      'quantri',
    ])
      c[u] = await as(u, undefined, svc.url)
    giamDocDraft = convertWithLibreOffice(draftSpecs()[0] as never)
  })
  after(async () => svc?.close())

  /** Uploads a PDF and submits it; returns the document with its placements. */
  async function submit(pdf: Buffer, steps: unknown[]): Promise<Details> {
    const doc = await json<Details>(await (c.chuyenvien as Client).upload(pdf), 201)
    return json<Details>(await (c.chuyenvien as Client).post(`/api/documents/${doc.id}/submit`, { steps }))
  }

  async function signAll(id: number, order: string[]): Promise<Buffer> {
    for (const u of order) {
      const d = await json<Details>(await (c[u] as Client).get(`/api/documents/${id}`))
      const act = d.myActions.find((a) => a.stepId !== undefined)
      await json(
        await (c[u] as Client).post(`/api/steps/${act?.stepId}/sign`, {
          pin: pinOf(u),
          ...(act?.action === 'seal' && { outgoingDate: '2026-03-05' }),
        }),
      )
    }
    return Buffer.from(await (await (c.chuyenvien as Client).get(`/api/documents/${id}/file`)).arrayBuffer())
  }

  it("keeps a user's signature image for them alone: upload (PNG body or form), checks and warnings, their own copy, delete", async () => {
    const mine = await json<{ width: number; warnings: string[] }>(
      await put(
        'giamdoc',
        '/api/me/signature-image',
        new Uint8Array(generateSignaturePng({ name: 'Võ Minh Thành' })),
        'image/png',
      ),
    )
    expect(mine.warnings).to.deep.equal([])
    const back = await (c.giamdoc as Client).get('/api/me/signature-image')
    expect([back.status, back.headers.get('content-type'), back.headers.get('cache-control')]).to.deep.equal([
      200,
      'image/png',
      'private, no-store',
    ])
    expect(PNG.sync.read(Buffer.from(await back.arrayBuffer())).width).to.equal(mine.width)
    // Another user reaches only their own image: there is no route to anybody else's.
    await refused(await (c.vanthu as Client).get('/api/me/signature-image'), 404, 'NOT_FOUND')
    const form = new FormData()
    form.set(
      'file',
      new Blob([new Uint8Array(png(200, 80, [0, 0, 0, 255]))], { type: 'image/png' }),
      'chu-ky.png',
    )
    const opaque = await json<{ warnings: string[] }>(
      await putForm('phogiamdoc', '/api/me/signature-image', form),
    )
    expect(opaque.warnings).to.deep.equal(['NO_TRANSPARENCY', 'NOT_BLUE'])
    await refused(
      await put(
        'phogiamdoc',
        '/api/me/signature-image',
        new Uint8Array(Buffer.from('%PDF-1.7 not an image')),
        'image/png',
      ),
      422,
      'IMAGE_UNREADABLE',
    )
    await refused(
      await put(
        'phogiamdoc',
        '/api/me/signature-image',
        new Uint8Array(png(10, 10, [0, 0, 200, 255])),
        'image/png',
      ),
      422,
      'IMAGE_UNSUITABLE',
    )
    await refused(
      await put('phogiamdoc', '/api/me/signature-image', new Uint8Array(2 * 1024 * 1024), 'image/png'),
      413,
      'UPLOAD_TOO_LARGE',
    )
    expect(await json(await del('phogiamdoc', '/api/me/signature-image'))).to.deep.equal({ deleted: true })
    await refused(await (c.phogiamdoc as Client).get('/api/me/signature-image'), 404, 'NOT_FOUND')
  })

  it("deletes a user's signature image with their account", async () => {
    await json(
      await put(
        'phogiamdoc',
        '/api/me/signature-image',
        new Uint8Array(generateSignaturePng({ name: 'Phạm Thị Hoa' })),
        'image/png',
      ),
    )
    const users = await json<{ id: number; username: string }[]>(
      await (c.quantri as Client).get('/api/admin/users'),
    )
    const id = users.find((u) => u.username === 'phogiamdoc')?.id
    const patch = await fetch(`${svc.url}/api/admin/users/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${(c.quantri as Client).token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: true }),
    })
    expect(patch.status).to.equal(200)
    expect(await svc.services.db('signature_images').where({ user_id: id }).first()).to.equal(undefined)
    await fetch(`${svc.url}/api/admin/users/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${(c.quantri as Client).token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: false }),
    })
    c.phogiamdoc = await as('phogiamdoc', undefined, svc.url)
  })

  it("takes an agency's seal from administrators only, at its real diameter, and draws it that size", async () => {
    const seal = generateAgencySealPng({ name: 'Sở Khoa học và Công nghệ', diameterPx: 300 })
    const form = (mm: string): FormData => {
      const f = new FormData()
      f.set('diameterMm', mm)
      f.set('file', new Blob([new Uint8Array(seal)], { type: 'image/png' }), 'dau.png')
      return f
    }
    await refused(
      await putForm('vanthu', '/api/admin/agencies/SKHCN/seal-image', form('40')),
      403,
      'FORBIDDEN',
    )
    await refused(
      await putForm('quantri', '/api/admin/agencies/SKHCN/seal-image', form('400')),
      400,
      'BAD_REQUEST',
    )
    expect(
      (
        await json<{ warnings: string[] }>(
          await putForm('quantri', '/api/admin/agencies/SKHCN/seal-image', form('40')),
        )
      ).warnings,
    ).to.deep.equal([])
    const d = await submit(giamDocDraft, [
      { action: 'sign', assignees: ['giamdoc'] },
      { action: 'seal', assignees: ['vanthu'] },
    ])
    const pdf = await signAll(d.id, ['giamdoc', 'vanthu'])
    const doc = new PdfDocument(pdf)
    const [image, sealRect] = signatureRects(doc, doc.dict(doc.pageRef(0)) as never)
    expect(sealRect?.width).to.be.closeTo((40 * 72) / 25.4, 0.05)
    expect(
      ((sealRect?.x ?? 0) + (sealRect?.width ?? 0) - (image?.x ?? 0)) / (image?.width ?? 1),
    ).to.be.within(0.15, 0.55)
  })

  it("lets the drafter fix a step's place, and refuses one outside the page", async () => {
    const outside = await (c.chuyenvien as Client).upload(await makePdf())
    const draft = await json<Details>(outside, 201)
    await refused(
      await (c.chuyenvien as Client).post(`/api/documents/${draft.id}/submit`, {
        steps: [
          { action: 'sign', assignees: ['giamdoc'], placement: { page: 1, rect: [500, 800, 200, 80] } },
        ],
      }),
      400,
      'BAD_REQUEST',
    )
    await refused(
      await (c.chuyenvien as Client).post(`/api/documents/${draft.id}/submit`, {
        steps: [
          { action: 'sign', assignees: ['giamdoc'], placement: { page: 2, rect: [100, 100, 200, 80] } },
        ],
      }),
      400,
      'BAD_REQUEST',
    )
    const d = await json<Details>(
      await (c.chuyenvien as Client).post(`/api/documents/${draft.id}/submit`, {
        steps: [{ action: 'sign', assignees: ['giamdoc'], placement: { page: 1, rect: [80, 120, 200, 80] } }],
      }),
    )
    expect(d.placements).to.deep.equal([
      {
        stepId: d.placements[0]?.stepId,
        page: 1,
        rect: [80, 120, 200, 80],
        how: 'explicit',
        look: 'personal',
      },
    ])
    const pdf = await signAll(d.id, ['giamdoc'])
    const doc = new PdfDocument(pdf)
    expect(signatureRects(doc, doc.dict(doc.pageRef(0)) as never)).to.deep.equal([
      { x: 80, y: 120, width: 200, height: 80 },
    ])
  })

  it('says where a document without a signer block is signed, in the answer and the audit', async () => {
    const d = await submit(await makePdf(), [
      { action: 'approve', assignees: ['truongphong1'] },
      { action: 'sign', assignees: ['giamdoc'] },
    ])
    expect(d.placements.map((p) => [p.look, p.how])).to.deep.equal([
      ['initials', 'free-space'],
      ['personal', 'free-space'],
    ])
    expect(d.placements[1]?.note).to.match(/free space on the last page/)
    const submitted = d.history.find((h) => h.action === 'document.submitted')
    expect(JSON.stringify(submitted?.detail.placements)).to.match(/free space on the last page/)
  })

  it('keeps approvals invisible when the agency says so (the evidence stays in the signatures)', async () => {
    const patch = (body: unknown): Promise<Response> =>
      fetch(`${svc.url}/api/admin/agencies/SKHCN`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${(c.quantri as Client).token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      })
    expect(await json(await patch({ approvalAppearance: 'invisible' }))).to.deep.equal({
      code: 'SKHCN',
      approvalMode: 'in-file',
      approvalAppearance: 'invisible',
    })
    try {
      const d = await submit(giamDocDraft, [
        { action: 'approve', assignees: ['truongphong1', 'truongphong2'] },
        { action: 'sign', assignees: ['giamdoc'] },
      ])
      expect(d.placements.map((p) => p.look)).to.deep.equal(['handwritten'])
      const pdf = await signAll(d.id, ['truongphong1', 'truongphong2', 'giamdoc'])
      const doc = new PdfDocument(pdf)
      const rects = signatureRects(doc, doc.dict(doc.pageRef(0)) as never)
      expect(rects, "only the leader's widget has a size").to.have.length(1)
      const file = join(tempDir(), 'invisible.pdf')
      writeFileSync(file, pdf)
      expect(pdftotext(file)).to.not.match(/TVH|LTM/)
    } finally {
      await json(await patch({ approvalAppearance: 'initials' }))
    }
  })

  it('writes a signer without an image as their name in a handwriting-like hand, never the title again', async () => {
    await json(await del('giamdoc', '/api/me/signature-image'))
    const d = await submit(giamDocDraft, [{ action: 'sign', assignees: ['giamdoc'] }])
    const pdf = await signAll(d.id, ['giamdoc'])
    const file = join(tempDir(), 'no-image.pdf')
    writeFileSync(file, pdf)
    const text = pdftotext(file)
    expect(text.split('Võ Minh Thành').length - 1, 'typed by the draft, and written in the block').to.equal(2)
    expect(text.split('GIÁM ĐỐC').length).to.equal(pdftotext(file).split('GIÁM ĐỐC').length)
  })
})
