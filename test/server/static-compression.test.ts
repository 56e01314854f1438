import { expect } from 'chai'
import { request } from 'node:http'
import { getService } from '../helpers/service'

/** A raw GET (Node's fetch would decompress and hide the encoding). */
function get(
  url: string,
  acceptEncoding: string,
): Promise<{ status: number; headers: Record<string, unknown>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      let bytes = 0
      res.on('data', (c: Buffer) => (bytes += c.length))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('static files of the web interface', () => {
  it('are sent compressed (brotli, else gzip) to browsers that accept it, as they are otherwise', async () => {
    const { url } = await getService()
    const worker = `${url}/vendor/pdfjs/pdf.worker.min.mjs`
    const plain = await get(worker, 'identity')
    const br = await get(worker, 'gzip, deflate, br')
    const gz = await get(worker, 'gzip')
    expect([plain.status, br.status, gz.status]).to.deep.equal([200, 200, 200])
    expect(plain.headers['content-encoding']).to.equal(undefined)
    expect([br.headers['content-encoding'], br.headers.vary, br.headers['content-type']]).to.deep.equal([
      'br',
      'Accept-Encoding',
      'text/javascript; charset=utf-8',
    ])
    expect(gz.headers['content-encoding']).to.equal('gzip')
    expect(br.bytes / plain.bytes, 'pdf.js worker in brotli').to.be.below(0.3)
    for (const path of ['/app/main.js', '/static/styles.css', '/vendor/preact/preact.mjs']) {
      expect((await get(`${url}${path}`, 'br')).headers['content-encoding'], path).to.equal('br')
    }
  })
})
