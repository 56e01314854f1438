/**
 * Build step: the web interface's static files compressed once, with brotli and gzip, into
 * dist/precompressed/<URL path>.{br,gz}; server/web.ts sends them to browsers that accept them.
 * Compressing at build costs nothing per request (pdf.js alone is 1.7 MB, about 0.4 MB in brotli),
 * needs no dependency, and a file is only compressed again when its source changed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

export const PRECOMPRESSED = 'precompressed'

/** URL prefix -> the folder it is served from, and which of its files are worth compressing. */
export function staticSources(root: string): Array<{ prefix: string; dir: string; files: RegExp }> {
  const modules = path.join(root, 'node_modules')
  return [
    { prefix: '/app', dir: path.join(root, 'dist/web/client'), files: /\.js$/ },
    { prefix: '/static', dir: path.join(root, 'web/static'), files: /\.(css|svg)$/ },
    { prefix: '/vendor/pdfjs', dir: path.join(modules, 'pdfjs-dist/build'), files: /\.min\.mjs$/ },
    { prefix: '/vendor/preact', dir: path.join(modules, 'preact/dist'), files: /^preact\.mjs$/ },
    { prefix: '/vendor/preact', dir: path.join(modules, 'preact/hooks/dist'), files: /^hooks\.mjs$/ },
    {
      prefix: '/vendor/preact',
      dir: path.join(modules, 'preact/jsx-runtime/dist'),
      files: /^jsxRuntime\.mjs$/,
    },
  ]
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}

const fresh = (out: string, source: string): boolean =>
  existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs

export function precompress(root: string): number {
  let written = 0
  for (const { prefix, dir, files } of staticSources(root)) {
    for (const file of walk(dir).filter((f) => files.test(path.basename(f)))) {
      const url = `${prefix}/${path.relative(dir, file).split(path.sep).join('/')}`
      const out = path.join(root, 'dist', PRECOMPRESSED, url)
      if (fresh(`${out}.br`, file) && fresh(`${out}.gz`, file)) continue
      const body = readFileSync(file)
      mkdirSync(path.dirname(out), { recursive: true })
      // Quality 10 rather than 11: the large pdf.js worker compresses in a third of the time for
      // about 1% more bytes.
      writeFileSync(
        `${out}.br`,
        brotliCompressSync(body, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 10, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
        }),
      )
      writeFileSync(`${out}.gz`, gzipSync(body, { level: 9 }))
      written++
    }
  }
  return written
}
