import { expect } from 'chai'
import { openApi } from '../../server/openapi'
import { type BodySchema, type Field, jsonSchemaOf, REQUEST_BODIES } from '../../server/schemas'
import { makePdf } from '../helpers/sample-pdfs'
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
  'POST /api/admin/certificates': 'quantri',
  'POST /api/admin/certificates/{id}/revoke': 'quantri',
  'POST /api/admin/certificates/{id}/reject': 'quantri',
  'POST /api/admin/trust-anchors': 'quantri',
  'POST /api/admin/crls': 'quantri',
  'PATCH /api/admin/agencies/{code}': 'quantri',
  'PUT /api/admin/coverage-targets/{year}': 'quantri',
  'POST /api/admin/standing-authorities': 'quantri',
  'POST /api/admin/users/{id}/erase': 'quantri',
  'POST /api/me/certificates/external': 'chuyenvien',
  'POST /api/admin/certificates/external': 'quantri',
  'POST /api/steps/{id}/prepare': 'truongphong1',
  'POST /api/steps/{id}/complete': 'truongphong1',
  'POST /api/steps/{id}/remote': 'truongphong1',
  'POST /api/steps/{id}/issuance': 'vanthu',
  'PUT /api/registers/outgoing/opening': 'vanthu',
  'POST /api/documents/{id}/copies': 'vanthu',
  'POST /api/documents/paper': 'vanthu',
}

/** The values the path's parameters take (a step's id: one waiting for its sender, made below). */
const PATH_VALUES: Record<string, string> = { '{id}': '1', '{code}': 'SKHCN', '{year}': '2026' }
const STEP_ROUTES = ['POST /api/steps/{id}/prepare', 'POST /api/steps/{id}/remote']
let waitingStep = ''

/**
 * Routes whose use case reads the body only once it has found the path's resource in a state no
 * demo record is in, and the suite that checks their fields instead.
 */
const CHECKED_ELSEWHERE: Record<string, string> = {
  'POST /api/admin/certificates/{id}/reject': 'external-keys.test.ts (a pending external certificate)',
  'POST /api/documents/{id}/copies pin': 'issuance.test.ts (an issued original)',
}
const elsewhere = (route: string, field: string): boolean =>
  CHECKED_ELSEWHERE[route] !== undefined || CHECKED_ELSEWHERE[`${route} ${field}`] !== undefined

/** Besides the required fields, what a body needs for the use case to read its every field. */
const EXTRA: Record<string, Json> = {
  // KT. reads the principal before from.
  'POST /api/admin/standing-authorities': { principal: 'giamdoc' },
}

function resolved(spec: Json, schema: Json): Json {
  const ref = schema.$ref
  if (typeof ref !== 'string') return schema
  return (spec.components as { schemas: Record<string, Json> }).schemas[
    ref.split('/').pop() as string
  ] as Json
}

/** A valid value for every required field, as the schema's examples give them. */
function validBody(route: string, schema: BodySchema): Json {
  const entries = Object.entries(schema.fields).filter(([, f]) => f.required)
  return { ...Object.fromEntries(entries.map(([k, f]) => [k, f.example ?? 'x'])), ...EXTRA[route] }
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
    // A readable CRL (the internal CA's first), so that the use case reads the issuer after it.
    const crls = await (await fetch(`${(await getService()).url}/api/ca/crl.pem`)).text()
    const crl = /-----BEGIN X509 CRL-----[^-]+-----END X509 CRL-----/.exec(crls)?.[0]
    EXTRA['POST /api/admin/crls'] = { pem: crl }
    // A readable certificate, so that the use case reads the chain after it.
    const certificate = await (await fetch(`${(await getService()).url}/api/ca/root.pem`)).text()
    EXTRA['POST /api/me/certificates/external'] = { certificate }
    EXTRA['POST /api/admin/certificates/external'] = { certificate }
    waitingStep = await stepWaitingFor('truongphong1')
  })

  /** A draft of chuyenvien's submitted to `assignee` alone: the id of that step. */
  async function stepWaitingFor(assignee: string): Promise<string> {
    const drafter = await as('chuyenvien', undefined, (await getService()).url)
    const up = await drafter.upload(await makePdf({ title: 'Request bodies' }), {
      title: 'Văn bản thử các thân yêu cầu',
      kind: 'internal',
    })
    const doc = (await up.json()) as { id: number }
    const steps = [{ action: 'approve', assignees: [assignee] }]
    const sub = await drafter.post(`/api/documents/${doc.id}/submit`, { steps })
    const body = (await sub.json()) as { workflows: { steps: { id: number }[] }[] }
    return String(body.workflows.at(-1)?.steps[0]?.id)
  }

  async function send(route: string, body: Json): Promise<{ status: number; code: string; message: string }> {
    const [method, path] = route.split(' ') as [string, string]
    const { url } = await getService()
    const sender = SENDER[route]
    const client = sender ? clients[sender] : undefined
    const values = STEP_ROUTES.includes(route) ? { ...PATH_VALUES, '{id}': waitingStep } : PATH_VALUES
    const res = await fetch(`${url}${path.replace(/\{\w+\}/g, (p) => values[p] ?? p)}`, {
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
        if (!f.required || elsewhere(route, name)) continue
        const { [name]: _, ...rest } = validBody(route, schema)
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
        if (f.useCase || elsewhere(route, name)) continue
        const answer = await send(route, { ...validBody(route, schema), [name]: wrongValue(f) })
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
