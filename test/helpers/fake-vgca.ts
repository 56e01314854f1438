/**
 * A test-only stand-in for the VGCA signing plugin (no real plugin can be installed in CI). Like
 * the real one it has two halves: a script the page loads (`/vgcaplugin.js`, defining the global
 * `vgca_sign_approved` and `vgca_sign_issued`) and a service on the official's computer that does
 * the work. The script hands the JSON parameters to the service (here over HTTP; the real plugin
 * uses a WebSocket) and calls back with the service's JSON string `{Status, Message, FileServer}`.
 * The service downloads `FileName`, signs it with the `sign` function the test gives (library
 * code, as `kyso sign` does), posts the whole file to `FileUploadHandler` as multipart, and answers
 * with what that URL said as `FileServer`. Every call is recorded for the test to look at.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface VgcaCall {
  fn: string
  params: Record<string, unknown>
  /** What Kyso answered the upload (status and text). */
  upload?: { status: number; text: string }
}

export interface FakeVgca {
  /** The script's URL (KYSO_VGCA_PLUGIN_URL). */
  scriptUrl: string
  calls: VgcaCall[]
  close: () => Promise<void>
}

const SCRIPT = (origin: string): string => `(function () {
  function call(fn, params, callback) {
    var body = JSON.stringify({ fn: fn, params: JSON.parse(params) })
    fetch(${JSON.stringify(`${origin}/sign`)}, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: body })
      .then(function (r) { return r.text() })
      .then(callback, function () { callback(JSON.stringify({ Status: 1, Message: 'VGCA service not running' })) })
  }
  window.vgca_sign_approved = function (params, callback) { call('vgca_sign_approved', params, callback) }
  window.vgca_sign_issued = function (params, callback) { call('vgca_sign_issued', params, callback) }
})();
`

async function body(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Starts the fake on loopback; `sign` gets the downloaded PDF and the call, and returns the signed PDF. */
export async function startFakeVgca(
  sign: (pdf: Buffer, call: VgcaCall) => Promise<Buffer>,
): Promise<FakeVgca> {
  const calls: VgcaCall[] = []
  const server = http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*')
    if (req.method === 'GET' && req.url === '/vgcaplugin.js') {
      const { port } = server.address() as AddressInfo
      res.setHeader('Content-Type', 'text/javascript')
      return void res.end(SCRIPT(`http://127.0.0.1:${port}`))
    }
    if (req.method !== 'POST' || req.url !== '/sign') return void res.writeHead(404).end()
    void body(req).then(async (text) => {
      const call = JSON.parse(text) as VgcaCall
      calls.push(call)
      const answer = await serve(call, sign).catch((err: unknown) => ({ Status: 2, Message: String(err) }))
      res.setHeader('Content-Type', 'application/json')
      res.end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    scriptUrl: `http://127.0.0.1:${port}/vgcaplugin.js`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** What the real service does for one call: download, sign, upload, pass the answer back. */
async function serve(
  call: VgcaCall,
  sign: (pdf: Buffer, call: VgcaCall) => Promise<Buffer>,
): Promise<Record<string, unknown>> {
  const { FileName, FileUploadHandler } = call.params
  if (typeof FileName !== 'string' || typeof FileUploadHandler !== 'string')
    return { Status: 3, Message: 'FileName and FileUploadHandler required' }
  const got = await fetch(FileName)
  if (!got.ok) return { Status: 4, Message: `download failed: ${got.status}` }
  const signed = await sign(Buffer.from(await got.arrayBuffer()), call)
  const form = new FormData()
  form.set('uploadfile', new Blob([new Uint8Array(signed)], { type: 'application/pdf' }), 'signed.pdf')
  const up = await fetch(FileUploadHandler, { method: 'POST', body: form })
  const text = await up.text()
  call.upload = { status: up.status, text }
  return { Status: 0, Message: '', FileServer: text }
}
