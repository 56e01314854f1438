import { expect } from 'chai'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import {
  importCycles,
  sourceFiles,
  importGraph,
  importsInSource,
  layerViolations,
  nonRelativeOurs,
  sourceFolders,
  type ImportGraph,
  type LayerRules,
} from './import-graph'
import { sqlFindings } from './sql-rule'

const ROOT = join(__dirname, '../../..')

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : []
  })
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from\s+|require\()\s*'([^']+)'/g)].map((m) => m[1] as string)
}

describe('the shape of the house', () => {
  it('keeps signing/ free of our other folders (it knows nothing of HTTP, databases or config)', () => {
    const offenders = sources(join(ROOT, 'signing')).flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith('.') && !join(f, '..', i).startsWith(join(ROOT, 'signing')))
        .map((i) => `${relative(ROOT, f)} imports ${i}`),
    )
    expect(offenders).to.deep.equal([])
  })

  it('keeps express out of everything but server/', () => {
    const dirs = ['signing', 'cli'].map((d) => join(ROOT, d))
    const offenders = dirs.flatMap(sources).filter((f) => importsOf(f).includes('express'))
    expect(offenders).to.deep.equal([])
  })

  it('loads neither fontkit nor pdf-lib at run time (they are build and test tools here)', () => {
    const offenders = ['signing', 'cli']
      .flatMap((d) => sources(join(ROOT, d)))
      .filter((f) => importsOf(f).some((i) => i === 'pdf-lib' || i === '@pdf-lib/fontkit'))
    expect(offenders).to.deep.equal([])
  })
})

/**
 * The layer rule (issue 16): each folder may import itself and the layers listed, nothing else,
 * type-only imports included (a type is a dependency a reader follows too). Entry layers at the top
 * (main.ts, server/, cli/), then the use cases (workflows/ and reporting/, siblings that never import
 * each other), storage/ (data access), shared/ (what several layers need: WorkflowError, Vietnam-time
 * periods, access rules, the Actor type, CSV writing) and signing/ (ours-free). config.ts imports
 * nothing of ours and is read by the entry layers and by workflows/ (Services carries the Config).
 * test/ and bench/ are not checked (UNCHECKED); a new folder must be placed in one or the other.
 */
export const LAYERS: LayerRules = {
  'main.ts': ['config.ts', 'server', 'workflows', 'reporting', 'storage', 'shared', 'signing'],
  'config.ts': [],
  server: ['config.ts', 'workflows', 'reporting', 'storage', 'shared', 'signing'],
  cli: ['config.ts', 'workflows', 'reporting', 'storage', 'shared', 'signing'],
  workflows: ['config.ts', 'storage', 'shared', 'signing'],
  reporting: ['storage', 'shared', 'signing'],
  storage: ['shared', 'signing'],
  shared: ['signing'],
  signing: [],
  scripts: ['shared', 'signing'],
  web: [],
}

/** Folders whose imports are not checked against the layers: they exercise every layer. */
const UNCHECKED = ['test', 'bench']

function packagesOf(root: string): Set<string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string>
  >
  return new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})])
}

describe('the import graph of the house', () => {
  let graph: ImportGraph
  before(() => {
    graph = importGraph(ROOT)
  })

  it('places every folder of sources and every root file in the layer table, or among those left unchecked', () => {
    const rootFiles = readdirSync(ROOT).filter((f) => f.endsWith('.ts'))
    const unplaced = [...sourceFolders(ROOT), ...rootFiles].filter(
      (f) => !(f in LAYERS) && !UNCHECKED.includes(f),
    )
    expect(unplaced).to.deep.equal([])
  })

  it('runs the layers one way: entry -> workflows | reporting -> storage -> shared -> signing', () => {
    expect(layerViolations(graph, LAYERS)).to.deep.equal([])
  })

  it('has no run-time import cycle between files (type-only imports aside; require() and import() count)', () => {
    expect(importCycles(graph)).to.deep.equal([])
  })

  it('keeps SQL in storage/: no query, raw statement, transaction or knex import anywhere else', () => {
    const outside = [...sourceFolders(ROOT), ...readdirSync(ROOT).filter((f) => f.endsWith('.ts'))].filter(
      (f) => f !== 'storage' && !UNCHECKED.includes(f),
    )
    const files = outside.flatMap((f) => (f.endsWith('.ts') ? [join(ROOT, f)] : sourceFiles(join(ROOT, f))))
    expect(files.length).to.be.greaterThan(100)
    const findings = files.flatMap((f) => sqlFindings(relative(ROOT, f), readFileSync(f, 'utf8')))
    expect(findings).to.deep.equal([])
  })

  it('imports our own files by relative path only: no path aliases, no path that names no file', () => {
    expect(nonRelativeOurs(graph, packagesOf(ROOT))).to.deep.equal([])
    const options = (
      JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as {
        compilerOptions: Record<string, unknown>
      }
    ).compilerOptions
    expect(options).to.not.have.any.keys('paths', 'baseUrl')
  })
})

describe('the import checker reports what it is built to catch', () => {
  const edge = (specifier: string, target: string | null, typeOnly = false) => ({
    specifier,
    target,
    typeOnly,
  })

  it('reads every form of import, and tells the ones tsc erases', () => {
    const text = [
      "import { a } from './value'",
      "import type { B } from './type-only'",
      "import { type C, type D } from './named-types'",
      "import E, { type F } from './default-and-type'",
      "import './side-effect'",
      "export { g } from './re-export'",
      "export type { H } from './type-re-export'",
      "export * from './star'",
      "import I = require('./import-equals')",
      "const j = require('./lazy') as typeof import('./lazy-type')",
      "const k = () => import('./dynamic')",
      "let l: import('./inline-type').L",
      "// import { m } from './in-a-comment'",
      'const n = "import { n } from \'./in-a-string\'"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text the import reader is fed
      "const o = `${require('./in-a-template')} from './not-this'`",
      "const p = /'/.test(n) ? require('./after-a-regex') : 0",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text the import reader is fed
      "const q = `${/'/.test(n) ? require('./regex-in-a-template') : 0}`",
      "const r = <p>Please import the file from 'disk' first</p>",
    ].join('\n')
    const found = importsInSource('x.tsx', text).map((i) => `${i.specifier}${i.typeOnly ? ' (type)' : ''}`)
    expect(found).to.deep.equal([
      './value',
      './type-only (type)',
      './named-types (type)',
      './default-and-type',
      './side-effect',
      './re-export',
      './type-re-export (type)',
      './star',
      './import-equals',
      './lazy',
      './lazy-type (type)',
      './dynamic',
      './inline-type (type)',
      './in-a-template',
      './after-a-regex',
      './regex-in-a-template',
    ])
  })

  it('reports a folder that imports against the direction, a type-only import too', () => {
    const graph: ImportGraph = new Map([
      ['storage/seed.ts', [edge('../workflows/passwords', 'workflows/passwords.ts')]],
      ['reporting/coverage.ts', [edge('../workflows/context', 'workflows/context.ts', true)]],
      [
        'workflows/passwords.ts',
        [edge('../storage/db', 'storage/db.ts'), edge('./context', 'workflows/context.ts')],
      ],
      ['test/x.test.ts', [edge('../server/app', 'server/app.ts')]],
    ])
    expect(layerViolations(graph, LAYERS)).to.deep.equal([
      "storage/seed.ts imports workflows/passwords.ts ('../workflows/passwords')",
      "reporting/coverage.ts imports workflows/context.ts ('../workflows/context')",
    ])
  })

  it('reports each run-time cycle as a readable path, and none through a type-only import', () => {
    const graph: ImportGraph = new Map([
      ['workflows/documents.ts', [edge('./sign-step', 'workflows/sign-step.ts')]],
      ['workflows/sign-step.ts', [edge('./verdicts', 'workflows/verdicts.ts')]],
      ['workflows/verdicts.ts', [edge('./documents', 'workflows/documents.ts')]],
      [
        'cli/main.ts',
        [edge('./sign-command', 'cli/sign-command.ts'), edge('./ca-command', 'cli/ca-command.ts')],
      ],
      ['cli/sign-command.ts', [edge('./main', 'cli/main.ts')]],
      ['cli/ca-command.ts', [edge('./main', 'cli/main.ts')]],
      ['shared/a.ts', [edge('./b', 'shared/b.ts')]],
      ['shared/b.ts', [edge('./a', 'shared/a.ts', true)]],
    ])
    expect(importCycles(graph)).to.deep.equal([
      'cli/ca-command.ts -> cli/main.ts -> cli/ca-command.ts',
      'cli/sign-command.ts -> cli/main.ts -> cli/sign-command.ts',
      'workflows/documents.ts -> workflows/sign-step.ts -> workflows/verdicts.ts -> workflows/documents.ts',
    ])
  })

  it('reports SQL outside storage/, and not a comment that shows a query or a type from knex', () => {
    const source = [
      "import type { Knex } from 'knex'",
      "// const old = await s.db('users').first()",
      "/* trx('steps').update({ status }) */",
      "const row = await s.db('users').where({ id }).first()",
      "await trx('steps').update({ status: 'done' })",
      "await db.raw('select 1')",
      'await s.db.transaction(async (t) => t)',
      "const parse = express.raw({ type: 'image/png' })",
    ].join('\n')
    expect(sqlFindings('workflows/x.ts', source)).to.deep.equal([
      "workflows/x.ts:4: const row = await s.db('users').where({ id }).first()",
      "workflows/x.ts:5: await trx('steps').update({ status: 'done' })",
      "workflows/x.ts:6: await db.raw('select 1')",
      'workflows/x.ts:7: await s.db.transaction(async (t) => t)',
    ])
    expect(sqlFindings('server/y.ts', "import knex from 'knex'\nconst k = require('knex')")).to.deep.equal([
      'server/y.ts: imports knex at run time',
    ])
  })

  it('reports a path alias and a relative path that names no file', () => {
    const graph: ImportGraph = new Map([
      ['server/app.ts', [edge('@/storage/db', null), edge('storage/db', null), edge('express', null)]],
      ['workflows/x.ts', [edge('node:fs', null), edge('fs', null), edge('../storage/gone', null)]],
    ])
    expect(nonRelativeOurs(graph, new Set(['express']))).to.deep.equal([
      "server/app.ts: '@/storage/db' is neither relative nor a package",
      "server/app.ts: 'storage/db' is neither relative nor a package",
      "workflows/x.ts: '../storage/gone' names no file",
    ])
  })

  it('builds the graph from files on disk: x.ts, x/index.ts and x.js specifiers resolve', () => {
    const root = mkdtempSync(join(tmpdir(), 'kyso-imports-'))
    const write = (file: string, text: string): void => {
      mkdirSync(dirname(join(root, file)), { recursive: true })
      writeFileSync(join(root, file), text)
    }
    try {
      write('storage/db.ts', "import { hash } from '../workflows/passwords.js'\n")
      write('workflows/passwords.ts', "import { open } from '../storage/db'\nimport { x } from './rules'\n")
      write('workflows/rules/index.ts', 'export const x = 1\n')
      const graph = importGraph(root, ['storage', 'workflows'])
      expect(graph.get('workflows/passwords.ts')?.map((e) => e.target)).to.deep.equal([
        'storage/db.ts',
        'workflows/rules/index.ts',
      ])
      expect(layerViolations(graph, LAYERS)).to.deep.equal([
        "storage/db.ts imports workflows/passwords.ts ('../workflows/passwords.js')",
      ])
      expect(importCycles(graph)).to.deep.equal(['storage/db.ts -> workflows/passwords.ts -> storage/db.ts'])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
