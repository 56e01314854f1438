import express, { type Express, type Request, type RequestHandler, type Response } from 'express'
import type { Services } from '../workflows/context'
import { WorkflowError } from '../shared/errors'
import {
  agencySealImage,
  MAX_IMAGE_BYTES,
  mySignatureImage,
  mySignatureImageInfo,
  removeSignatureImage,
  setAgencySeal,
  setSignatureImage,
} from '../workflows/images'
import { actorOf, route } from './http'
import { readMultipart } from './multipart'

/** The image in a request: a raw `image/png` body, or the `file` part of a multipart form. */
async function pngOf(req: Request): Promise<{ png?: Buffer; fields: Record<string, string> }> {
  if (Buffer.isBuffer(req.body) && /^image\/png\b/i.test(req.headers['content-type'] ?? ''))
    return { png: req.body, fields: {} }
  if (/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
    const mp = await readMultipart(req, MAX_IMAGE_BYTES)
    return { ...(mp.file && { png: mp.file }), fields: mp.fields }
  }
  throw new WorkflowError(
    'BAD_REQUEST',
    'body: a PNG (Content-Type: image/png) or multipart/form-data with a file field',
  )
}

function sendPng(res: Response, png: Buffer): void {
  res.setHeader('Content-Type', 'image/png')
  // Personal data: never kept by a shared cache or the browser's disk cache.
  res.setHeader('Cache-Control', 'private, no-store')
  res.end(png)
}

/**
 * Images (issue 12): each user's handwritten signature (theirs alone: no route serves it to anyone
 * else; it appears only inside documents they signed) and each agency's seal (administrators).
 */
export function mountImages(app: Express, s: Services, auth: RequestHandler): void {
  const raw = express.raw({ type: 'image/png', limit: MAX_IMAGE_BYTES })
  app.put(
    '/api/me/signature-image',
    auth,
    raw,
    route(s, async (req, res) => {
      const { png } = await pngOf(req)
      if (!png) throw new WorkflowError('BAD_REQUEST', 'file: the signature image (PNG) is required')
      return setSignatureImage(s, actorOf(res), png)
    }),
  )
  app.get(
    '/api/me/signature-image',
    auth,
    route(s, async (req, res) => {
      if (req.query.info !== undefined) return { image: await mySignatureImageInfo(s, actorOf(res)) }
      sendPng(res, await mySignatureImage(s, actorOf(res)))
      return undefined
    }),
  )
  app.delete(
    '/api/me/signature-image',
    auth,
    route(s, async (_req, res) => removeSignatureImage(s, actorOf(res))),
  )
  app.put(
    '/api/admin/agencies/:code/seal-image',
    auth,
    raw,
    route(s, async (req, res) => {
      const { png, fields } = await pngOf(req)
      return setAgencySeal(
        s,
        actorOf(res),
        String(req.params.code),
        png,
        fields.diameterMm ?? req.query.diameterMm,
      )
    }),
  )
  app.get(
    '/api/admin/agencies/:code/seal-image',
    auth,
    route(s, async (req, res) => {
      sendPng(res, await agencySealImage(s, actorOf(res), String(req.params.code)))
      return undefined
    }),
  )
}
