import { expect } from 'chai'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../config'
import { testEnv } from '../helpers/database'
import { createApp } from '../../server/app'
import { STATUS } from '../../server/errors'
import { openApi } from '../../server/openapi'
import { startServer, type Running } from '../../server/start'

type Json = Record<string, unknown>
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Every `METHOD /path` the Express 5 app routes, with `:id` written as OpenAPI's `{id}`. */
function expressRoutes(app: ReturnType<typeof createApp>): string[] {
  const out: string[] = []
  for (const layer of app.router.stack) {
    const route: unknown = layer.route
    if (!isObject(route) || typeof route.path !== 'string' || !isObject(route.methods)) continue
    const path = route.path.replace(/:(\w+)/g, '{$1}')
    for (const [method, on] of Object.entries(route.methods))
      if (on === true && method !== '_all') out.push(`${method.toUpperCase()} ${path}`)
  }
  return out
}

function specOperations(spec: Json): Map<string, Json> {
  const ops = new Map<string, Json>()
  for (const [path, item] of Object.entries(spec.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json))
      if (METHODS.includes(method) && isObject(op)) ops.set(`${method.toUpperCase()} ${path}`, op)
  }
  return ops
}

/** Every `$ref` in the document, with where it was found. */
function refsIn(value: unknown, at = '#'): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => refsIn(v, `${at}/${i}`))
  if (!isObject(value)) return []
  return Object.entries(value).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [{ ref: v, at }] : refsIn(v, `${at}/${k}`),
  )
}

/** RFC 6901 JSON pointer inside the same document. */
function resolve(spec: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), spec)
}

describe('the OpenAPI description', () => {
  let dataDir: string
  let running: Running
  const spec = openApi()

  let cleanup: () => Promise<void> = async () => {}

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kyso-openapi-'))
    const t = await testEnv({ KYSO_DATA_DIR: dataDir, KYSO_DEMO: '0' })
    cleanup = t.cleanup
    running = await startServer(loadConfig(t.env))
  })

  after(async () => {
    await running?.close()
    await cleanup()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('describes every route the app registers, with its method', () => {
    const routes = expressRoutes(createApp(running.services))
    expect(routes).to.include('POST /api/steps/{id}/sign')
    const documented = [...specOperations(spec).keys()]
    expect(
      routes.filter((r) => !documented.includes(r)),
      'routes missing from the spec',
    ).to.deep.equal([])
    expect(
      documented.filter((d) => !routes.includes(d)),
      'operations the app does not serve',
    ).to.deep.equal([])
  })

  it('has no two routes one request could reach, so the order of the route modules shadows none', () => {
    const routes = expressRoutes(createApp(running.services)).map((r) => r.split(' ') as [string, string])
    const segments = (path: string): string[] => path.split('/')
    const param = (seg: string): boolean => /^\{\w+\}$/.test(seg)
    const both = (a: [string, string], b: [string, string]): boolean => {
      const [sa, sb] = [segments(a[1]), segments(b[1])]
      if (a[0] !== b[0] || sa.length !== sb.length) return false
      return sa.every((seg, i) => seg === sb[i] || param(seg) || param(sb[i] as string))
    }
    const clashes = routes.flatMap((a, i) =>
      routes.slice(i + 1).flatMap((b) => (both(a, b) ? [`${a.join(' ')} / ${b.join(' ')}`] : [])),
    )
    expect(clashes).to.deep.equal([])
  })

  it('is OpenAPI 3.1.0 with responses on every operation and path parameters declared', () => {
    expect(spec.openapi).to.equal('3.1.0')
    for (const [name, op] of specOperations(spec)) {
      expect(Object.keys(op.responses as Json), name).to.not.be.empty
      const names = ((op.parameters ?? []) as Json[])
        .map((p) => resolve(spec, p.$ref as string) as Json)
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
      const inPath = [...name.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
      expect(names, `${name} path parameters`).to.deep.equal(inPath)
    }
  })

  it('resolves every $ref inside the document', () => {
    const refs = refsIn(spec)
    expect(refs).to.not.be.empty
    expect(refs.filter((r) => resolve(spec, r.ref) === undefined)).to.deep.equal([])
  })

  it('documents every error as {"error": {"code", "message"}} under the status the code table gives it', () => {
    for (const [name, op] of specOperations(spec)) {
      for (const [status, response] of Object.entries(op.responses as Json)) {
        if (Number(status) < 400) continue
        const schema = ((response as Json).content as Json)['application/json'] as Json
        const [base, narrowed] = (schema.schema as { allOf: Json[] }).allOf as [Json, Json]
        expect(base.$ref, `${name} ${status}`).to.equal('#/components/schemas/Error')
        const codes = (
          ((narrowed.properties as Json).error as Json).properties as { code: { enum: string[] } }
        ).code.enum
        for (const code of codes)
          expect(STATUS[code as keyof typeof STATUS], `${name} ${status} ${code}`).to.equal(Number(status))
      }
    }
  })

  it('names the refusals the issue relies on', () => {
    const ops = specOperations(spec)
    const statuses = (key: string): string[] => Object.keys(ops.get(key)?.responses as Json)
    expect(statuses('POST /api/documents')).to.include.members([
      '201',
      '400',
      '401',
      '403',
      '413',
      '415',
      '422',
    ])
    expect(statuses('POST /api/steps/{id}/sign')).to.include.members([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
    ])
    expect(statuses('POST /api/auth/login')).to.include.members(['200', '401', '429'])
    expect(statuses('GET /api/audit/verify')).to.include.members(['200', '401', '403'])
  })

  it('is served at /api/openapi.json', async () => {
    const res = await fetch(`${running.url}/api/openapi.json`)
    expect(res.status).to.equal(200)
    expect(res.headers.get('content-type')).to.match(/^application\/json/)
    expect(await res.json()).to.deep.equal(JSON.parse(JSON.stringify(spec)))
  })
})
