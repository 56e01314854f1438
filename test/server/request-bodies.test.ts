import { expect } from 'chai'
import { openApi } from '../../server/openapi'
import { type BodySchema, type Field, jsonSchemaOf, REQUEST_BODIES } from '../../server/schemas'
import { as, type Client, getService } from '../helpers/service'

type Json = Record<string, unknown>

/** Who may send each converted body far enough for the use case to read it, and the path's id. */
const SENDER: Record<string, string | undefined> = {
  'POST /api/auth/login': undefined,
  'POST /api/documents/{id}/submit': 'chuyenvien',
  'POST /api/steps/{id}/sign': 'chuyenvien',
  'POST /api/steps/{id}/reject': 'chuyenvien',
  'POST /api/steps/{id}/return': 'chuyenvien',
  'POST /api/delegations': 'giamdoc',
  'POST /api/admin/agencies': 'quantri',
  'POST /api/admin/users': 'quantri',
  'PATCH /api/admin/users/{id}': 'quantri',
  'POST /api/me/enrolments/{id}/activate': 'chuyenvien',
  'POST /api/me/certificates/{id}/pin': 'chuyenvien',
  'POST /api/me/certificates/{id}/unlock': 'chuyenvien',
}

function resolved(spec: Json, schema: Json): Json {
  const ref = schema.$ref
  if (typeof ref !== 'string') return schema
  return (spec.components as { schemas: Record<string, Json> }).schemas[
    ref.split('/').pop() as string
  ] as Json
}

/** A valid value for every required field, as the schema's examples give them. */
function validBody(schema: BodySchema): Json {
  const entries = Object.entries(schema.fields).filter(([, f]) => f.required)
  return Object.fromEntries(entries.map(([k, f]) => [k, f.example ?? 'x']))
}

/** A value no field of this type accepts. */
const wrongValue = (f: Field): unknown => (f.type === 'string' ? 42 : 'not-a-' + f.type)

describe('the JSON bodies of server/schemas.ts', function () {
  this.timeout(120_000)
  const spec = openApi()
  const clients: Record<string, Client> = {}

  before(async () => {
    await getService()
    for (const u of new Set(Object.values(SENDER)))
      if (u) clients[u] = await as(u, undefined, (await getService()).url)
  })

  async function send(route: string, body: Json): Promise<{ status: number; code: string; message: string }> {
    const [method, path] = route.split(' ') as [string, string]
    const { url } = await getService()
    const sender = SENDER[route]
    const client = sender ? clients[sender] : undefined
    const res = await fetch(`${url}${path.replace('{id}', '1')}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(client && { authorization: `Bearer ${client.token}` }),
      },
      body: JSON.stringify(body),
    })
    const answer = (await res.json()) as { error?: { code: string; message: string } }
    return { status: res.status, code: answer.error?.code ?? '', message: answer.error?.message ?? '' }
  }

  it('is what the OpenAPI document gives as each converted route’s requestBody', () => {
    const paths = spec.paths as Record<string, Record<string, Json>>
    for (const [route, schema] of Object.entries(REQUEST_BODIES)) {
      const [method, path] = route.split(' ') as [string, string]
      const op = paths[path]?.[method.toLowerCase()]
      expect(op, route).to.be.an('object')
      const body = op?.requestBody as { content: { 'application/json': { schema: Json } } }
      expect(resolved(spec, body.content['application/json'].schema), route).to.deep.equal(
        jsonSchemaOf(schema),
      )
    }
  })

  it('has a sender for every converted route', () => {
    expect(Object.keys(SENDER).sort()).to.deep.equal(Object.keys(REQUEST_BODIES).sort())
  })

  it('refuses a body missing a required field with 400, naming the field', async () => {
    for (const [route, schema] of Object.entries(REQUEST_BODIES)) {
      for (const [name, f] of Object.entries(schema.fields)) {
        if (!f.required) continue
        const { [name]: _, ...rest } = validBody(schema)
        const answer = await send(route, rest)
        expect(answer, `${route} without ${name}`).to.include({ status: 400, code: 'BAD_REQUEST' })
        expect(answer.message, `${route} without ${name}`).to.match(new RegExp(`^${name}:`))
      }
    }
    const submit = await send('POST /api/documents/{id}/submit', {})
    expect(submit).to.deep.equal({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'template or steps: give exactly one',
    })
  })

  it('refuses a field of the wrong type with 400, naming the field', async () => {
    for (const [route, schema] of Object.entries(REQUEST_BODIES)) {
      // Submitting reads its fields only once the document is the sender's own draft.
      if (route.endsWith('/submit')) continue
      for (const [name, f] of Object.entries(schema.fields)) {
        // A field the use case alone checks may take more than one type (procedureCode: any).
        if (f.useCase) continue
        const answer = await send(route, { ...validBody(schema), [name]: wrongValue(f) })
        expect(answer, `${route} ${name}`).to.include({ status: 400, code: 'BAD_REQUEST' })
        expect(answer.message, `${route} ${name}`).to.match(new RegExp(`^${name}:`))
      }
    }
  })

  it('reads every date through shared/dates.ts: 30 February and a time without its zone are 400', async () => {
    const clerk = await as('vanthu', undefined, (await getService()).url)
    const paper = { number: '9/SKHCN-VP', date: '2026-02-30', title: 'Giấy', signer: 'Lý Thị Ngọc' }
    const res = await clerk.post('/api/documents/paper', paper)
    expect([res.status, ((await res.json()) as { error: { message: string } }).error.message]).to.deep.equal([
      400,
      'date: YYYY-MM-DD',
    ])
    const kiemtra = await as('kiemtra', undefined, (await getService()).url)
    for (const at of ['2029-12-06T10:00', '2029-02-30', 'soon']) {
      const verification = await kiemtra.get(`/api/documents/1/verification?at=${at}`)
      expect(verification.status, at).to.equal(400)
    }
    const admin = await as('quantri', undefined, (await getService()).url)
    const targets = await fetch(`${(await getService()).url}/api/admin/coverage-targets/2026`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ deadline: '2026-02-29' }),
    })
    expect([
      targets.status,
      ((await targets.json()) as { error: { message: string } }).error.message,
    ]).to.deep.equal([400, 'deadline: a date YYYY-MM-DD'])
  })

  it('still answers FORBIDDEN, not 400, to someone the use case refuses whatever the body', async () => {
    const answer = await (clients.chuyenvien as Client).post('/api/admin/users', { username: 42 })
    expect(answer.status).to.equal(403)
    const delegation = await (clients.chuyenvien as Client).post('/api/delegations', {})
    expect(delegation.status).to.equal(403)
  })
})
