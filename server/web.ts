import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { extname, join } from 'node:path'
import express, { type RequestHandler, type Router } from 'express'
import type { Config } from '../config'

const ROOT = join(__dirname, '../..')
const NODE_MODULES = join(ROOT, 'node_modules')

/**
 * The browser modules resolve their bare imports through this map; no bundler: the client is
 * compiled by tsc (web/tsconfig.json) to ES modules and Preact is served from node_modules.
 */
const IMPORT_MAP = JSON.stringify({
  imports: {
    preact: '/vendor/preact/preact.mjs',
    'preact/hooks': '/vendor/preact/hooks.mjs',
    'preact/jsx-runtime': '/vendor/preact/jsxRuntime.mjs',
  },
})

const PREACT_FILES: Record<string, string> = {
  'preact.mjs': 'preact/dist/preact.mjs',
  'hooks.mjs': 'preact/hooks/dist/hooks.mjs',
  'jsxRuntime.mjs': 'preact/jsx-runtime/dist/jsxRuntime.mjs',
}

/** Paths the client router renders; anything else under / is not ours (404 from the app). */
const PAGES = [
  '/',
  '/login',
  '/inbox',
  '/sent',
  '/issued',
  '/new',
  '/documents/:id',
  '/delegations',
  '/register',
  '/certificates',
  '/signature',
  '/dashboard',
  '/dashboard/:code',
  '/admin',
  '/admin/:tab',
]

/** Where the sign dialog may look for keys Kyso never holds (issue 11), from the configuration. */
export type SigningToolsConfig = Pick<Config, 'agentUrl' | 'vgcaPluginUrl'>

/** The VGCA plugin script's origin, or undefined when none is configured or it is this origin (a path). */
function pluginOrigin(url: string | undefined): string | undefined {
  if (!url || url.startsWith('/')) return undefined
  try {
    const u = new URL(url)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined
  } catch {
    return undefined
  }
}

/**
 * Content-Security-Policy: scripts only from this origin plus the one inline import map (by hash);
 * pdf.js runs its worker from this origin and compiles its image decoders (JPEG 2000, JBIG2 in
 * scans) as WebAssembly. No inline styles: Preact sets styles through the CSSOM, which CSP allows.
 *
 * Keys Kyso never holds (issue 11) add, and only add:
 * - connect-src: the configured `kyso agent` origin exactly (KYSO_AGENT_URL, loopback by config);
 * - when KYSO_VGCA_PLUGIN_URL names another origin: that origin in script-src (the plugin script)
 *   and connect-src (a script may call back where it is served). The VGCA plugin signs through a
 *   service on the official's own computer reached over a WebSocket on loopback (its port is the
 *   plugin's business, 8987 in the builds seen), hence ws:/wss: to 127.0.0.1 and localhost, any
 *   port; this is an assumption about the plugin, not something Kyso can check.
 */
export function contentSecurityPolicy(tools: SigningToolsConfig): string {
  const mapHash = createHash('sha256').update(IMPORT_MAP).digest('base64')
  const plugin = pluginOrigin(tools.vgcaPluginUrl)
  const loopbackSockets = ['ws://127.0.0.1:*', 'wss://127.0.0.1:*', 'ws://localhost:*', 'wss://localhost:*']
  const vgca = tools.vgcaPluginUrl ? loopbackSockets : []
  const connect = ["'self'", new URL(tools.agentUrl).origin, ...(plugin ? [plugin] : []), ...vgca]
  const scripts = ["'self'", `'sha256-${mapHash}'`, "'wasm-unsafe-eval'", ...(plugin ? [plugin] : [])]
  return [
    "default-src 'self'",
    `script-src ${scripts.join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "worker-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ')
}

/**
 * The agent probe's worker (web/client/agent-worker.ts) runs under a policy of its own, from its
 * response: it may only reach the agent.
 */
function workerPolicy(tools: SigningToolsConfig): string {
  return `default-src 'none'; connect-src ${new URL(tools.agentUrl).origin}`
}

function shell(): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kyso – Ký số văn bản</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/styles.css">
<script type="importmap">${IMPORT_MAP}</script>
<link rel="modulepreload" href="/vendor/preact/preact.mjs">
<script type="module" src="/app/main.js"></script>
</head>
<body>
<div id="app"><div class="boot" role="status">Đang tải…</div></div>
<noscript>Kyso cần JavaScript để chạy trong trình duyệt.</noscript>
</body>
</html>
`
}

const PRECOMPRESSED = join(ROOT, 'dist/precompressed')

/**
 * Static files compressed at build (scripts/precompress.ts), brotli or gzip as the browser
 * accepts: pdf.js is 1.7 MB as it is, about 0.4 MB in brotli, and compressing once at build costs
 * no CPU per request. Anything not precompressed falls through to express.static.
 */
function precompressed(maxAgeSeconds: number): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next()
    const accepts = String(req.headers['accept-encoding'] ?? '')
    const urlPath = decodeURIComponent(req.originalUrl.split('?')[0] ?? '')
    if (urlPath.includes('..')) return next()
    for (const [encoding, ext] of [
      ['br', '.br'],
      ['gzip', '.gz'],
    ] as const) {
      if (!new RegExp(`\\b${encoding}\\b`).test(accepts)) continue
      const file = join(PRECOMPRESSED, `${urlPath}${ext}`)
      if (!existsSync(file)) continue
      res.setHeader('Content-Encoding', encoding)
      res.setHeader('Vary', 'Accept-Encoding')
      res.setHeader('Cache-Control', `public, max-age=${maxAgeSeconds}`)
      res.type(extname(urlPath) === '.mjs' ? 'text/javascript' : extname(urlPath))
      return res.sendFile(file, { headers: { 'Content-Type': res.getHeader('Content-Type') as string } })
    }
    next()
  }
}

/**
 * The web interface (issue 6): static assets and the page shell. The pages call the same JSON API
 * as every other client, so sessions, access rules and refusals are the API's.
 */
export function webRouter(tools: SigningToolsConfig): Router {
  const router = express.Router()
  const clientDir = join(ROOT, 'dist/web/client')
  const html = shell()
  const csp = contentSecurityPolicy(tools)
  const agentWorkerCsp = workerPolicy(tools)
  const immutable = { maxAge: '1d', index: false }

  router.use(['/app', '/static', '/vendor/pdfjs', '/vendor/preact'], precompressed(86400))
  router.get('/vendor/preact/:file', (req, res) => {
    const rel = PREACT_FILES[String(req.params.file)]
    if (!rel) return void res.status(404).end()
    res.type('text/javascript').setHeader('Cache-Control', 'public, max-age=86400')
    res.sendFile(join(NODE_MODULES, rel))
  })
  router.use(
    '/vendor/pdfjs/standard_fonts',
    express.static(join(NODE_MODULES, 'pdfjs-dist/standard_fonts'), immutable),
  )
  router.use('/vendor/pdfjs/cmaps', express.static(join(NODE_MODULES, 'pdfjs-dist/cmaps'), immutable))
  router.use('/vendor/pdfjs/wasm', express.static(join(NODE_MODULES, 'pdfjs-dist/wasm'), immutable))
  router.use('/vendor/pdfjs', express.static(join(NODE_MODULES, 'pdfjs-dist/build'), immutable))
  router.use('/static/fonts', express.static(join(ROOT, 'dist/assets/fonts'), immutable))
  router.use('/static', express.static(join(ROOT, 'web/static'), { index: false }))
  router.use(
    '/app',
    express.static(clientDir, {
      index: false,
      setHeaders: (res, file) => {
        if (file.endsWith('agent-worker.js')) res.setHeader('Content-Security-Policy', agentWorkerCsp)
      },
    }),
  )
  router.get(PAGES, (_req, res) => {
    if (!existsSync(join(clientDir, 'main.js')))
      return void res
        .status(503)
        .type('text/plain')
        .send('The web interface is not built: run npm run build.\n')
    res.setHeader('Content-Security-Policy', csp)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'same-origin')
    res.setHeader('Cache-Control', 'no-cache')
    res.type('html').send(html)
  })
  return router
}
