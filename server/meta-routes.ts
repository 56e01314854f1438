import express, { type Express } from 'express'
import type { KeySource } from '../signing/keys/key-source'
import { handleTimestampRequest } from '../signing/tsa'
import { WorkflowError } from '../shared/errors'
import { MESSAGES } from '../shared/messages'
import { openApi } from './openapi'

/** GET /api/openapi.json: the API's description (server/openapi.ts). */
export function mountOpenApi(app: Express): void {
  app.get('/api/openapi.json', (_req, res) => void res.json(openApi()))
}

/**
 * GET /api/messages: the catalogue of refusal texts by error code and reasons by sub-indication, in
 * Vietnamese and English (shared/messages.ts, issue 16), so every client of the API shows the same
 * words as the web interface and `kyso verify`. No sign-in: a login page needs it first.
 */
export function mountMessages(app: Express): void {
  app.get('/api/messages', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600')
    res.json(MESSAGES)
  })
}

/** RFC 3161 §3.4: the built-in timestamp authority over HTTP, when it has a key. */
export function mountTsa(app: Express, tsaKey: KeySource | undefined): void {
  app.get(
    '/tsa',
    (_req, res) =>
      void res
        .type('text/plain')
        .status(tsaKey ? 200 : 404)
        .send(
          tsaKey
            ? 'Kyso built-in RFC 3161 time-stamping authority: POST application/timestamp-query here.\n'
            : 'No built-in time-stamping authority is configured.\n',
        ),
  )
  app.post('/tsa', express.raw({ type: 'application/timestamp-query', limit: '64kb' }), (req, res, next) => {
    void (async () => {
      if (!tsaKey) throw new WorkflowError('NOT_FOUND', 'no built-in TSA configured')
      if (!Buffer.isBuffer(req.body))
        throw new WorkflowError('BAD_REQUEST', 'Content-Type: application/timestamp-query')
      const reply = await handleTimestampRequest(req.body, { keySource: tsaKey })
      res.type('application/timestamp-reply').send(reply)
    })().catch(next)
  })
}
