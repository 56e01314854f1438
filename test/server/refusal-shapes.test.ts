import { expect } from 'chai'
import { getService } from '../helpers/service'

async function refusal(res: Response): Promise<{ status: number; body: unknown }> {
  return { status: res.status, body: await res.json() }
}

const postJson = async (path: string, body: string): Promise<Response> =>
  fetch(`${(await getService()).url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  })

/** Issue 16: the refusals no route writes (unknown API, body-parser failures) go through the code table. */
describe('refusals outside the routes', function () {
  this.timeout(120_000)

  it('answers an unknown /api path 404 NOT_FOUND, in the error shape', async () => {
    const { url } = await getService()
    expect(await refusal(await fetch(`${url}/api/no-such-thing`))).to.deep.equal({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'Không có API này' } },
    })
  })

  it('answers a JSON body over 1 MB 413 UPLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(1024 * 1024 + 10), password: 'x' })
    expect(await refusal(await postJson('/api/auth/login', big))).to.deep.equal({
      status: 413,
      body: { error: { code: 'UPLOAD_TOO_LARGE', message: 'body too large' } },
    })
  })

  it('answers a body that is not JSON 400 BAD_REQUEST', async () => {
    expect(await refusal(await postJson('/api/auth/login', '{"username":'))).to.deep.equal({
      status: 400,
      body: { error: { code: 'BAD_REQUEST', message: 'body: invalid JSON' } },
    })
  })
})
