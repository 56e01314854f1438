import { builtinModules } from 'node:module'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { LanguageVariant, SyntaxKind } from 'typescript/unstable/ast'
import { createScanner, tokenIsIdentifierOrKeyword } from 'typescript/unstable/ast/scanner'

/** One import written in a source file: what it names, and whether it loads the module at run time. */
export interface ImportEdge {
  /** The specifier as written: `'../storage/db'`, `'express'`. */
  specifier: string
  /** `import type`, `{ type A }` only, `typeof import('x')`: erased by tsc, so no run-time edge. */
  typeOnly: boolean
  /** The repository-relative file it resolves to (posix slashes), or null for a package or an unresolved path. */
  target: string | null
}

/** File (repository-relative, posix slashes) -> the imports it makes. */
export type ImportGraph = Map<string, ImportEdge[]>

/** The folders at the root whose `.ts` and `.tsx` files make up the house: all but build output and packages. */
export function sourceFolders(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter(
      (e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules' && e.name !== 'dist',
    )
    .map((e) => e.name)
    .filter((name) => sourceFiles(join(root, name)).length > 0)
    .sort()
}

/** Every `.ts`/`.tsx` file under `dir`, recursively. */
export function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path)
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

/** A token of a source file: its kind, its text (a string literal's value, unquoted), its brace depth. */
interface Token {
  kind: SyntaxKind
  text: string
  /** 0 at the top level, where alone import and export declarations may stand. */
  depth: number
  /** Whether a line break comes before it: a statement here starts a line or follows `;` or `}`. */
  afterLineBreak: boolean
}

/**
 * The tokens of a file, comments dropped. TypeScript 7 has no parser in JavaScript (no
 * `ts.createSourceFile` or `ts.preProcessFile`), so this uses its scanner, so that strings, comments
 * and template literals can neither hide nor fake an import. Whether a `/` starts a regular
 * expression is told from the token before it (tsc's parser knows it from the grammar). JSX text is
 * not tokenised as such: a quote in it swallows at most the rest of its line.
 */
function tokensOf(text: string, jsx: boolean): Token[] {
  const scanner = createScanner(true, jsx ? LanguageVariant.JSX : LanguageVariant.Standard, text)
  const tokens: Token[] = []
  const braces: ('block' | 'template')[] = []
  for (let kind = scanner.scan(); kind !== SyntaxKind.EndOfFile; kind = scanner.scan()) {
    if (kind === SyntaxKind.TemplateHead) braces.push('template')
    else if (kind === SyntaxKind.OpenBraceToken) braces.push('block')
    else if (kind === SyntaxKind.CloseBraceToken && braces.at(-1) === 'template') {
      kind = scanner.reScanTemplateToken(false)
      if (kind === SyntaxKind.TemplateTail) braces.pop()
    } else if (kind === SyntaxKind.CloseBraceToken) braces.pop()
    else if (isSlash(kind) && regexMayStart(tokens.at(-1))) kind = scanner.reScanSlashToken()
    const literal = kind === SyntaxKind.StringLiteral || kind === SyntaxKind.NoSubstitutionTemplateLiteral
    const text = literal ? scanner.getTokenValue() : scanner.getTokenText()
    tokens.push({ kind, text, depth: braces.length, afterLineBreak: scanner.hasPrecedingLineBreak() })
  }
  return tokens
}

function isSlash(kind: SyntaxKind): boolean {
  return kind === SyntaxKind.SlashToken || kind === SyntaxKind.SlashEqualsToken
}

const ENDS_AN_OPERAND = new Set([')', ']', '}', 'this', 'super', 'true', 'false', 'null'])

function regexMayStart(previous: Token | undefined): boolean {
  if (!previous) return true
  if (previous.kind === SyntaxKind.Identifier || isLiteral(previous)) return false
  return !ENDS_AN_OPERAND.has(previous.text)
}

/** A literal that ends an operand (a template's head or middle opens an expression instead). */
function isLiteral(token: Token): boolean {
  const kind = token.kind
  return (
    (kind >= SyntaxKind.NumericLiteral && kind <= SyntaxKind.NoSubstitutionTemplateLiteral) ||
    kind === SyntaxKind.TemplateTail
  )
}

/** What an import or export clause is made of: names, keywords (`type`, `as`) and `{ } , *`. */
function mayBeInClause(token: Token): boolean {
  return tokenIsIdentifierOrKeyword(token.kind) || ['{', '}', ',', '*'].includes(token.text)
}

function isString(token: Token | undefined): token is Token {
  const kind = token?.kind
  return kind === SyntaxKind.StringLiteral || kind === SyntaxKind.NoSubstitutionTemplateLiteral
}

/** An import found in a file: its specifier, and whether tsc erases it. */
export interface FoundImport {
  specifier: string
  typeOnly: boolean
}

/**
 * The imports a file makes: `import ... from`, side-effect imports, `export ... from`,
 * `import x = require()`, `require('...')` and `import('...')` anywhere. Type-only are those tsc
 * erases, so they cannot make a run-time cycle: `import type`, `export type ... from`, imports whose
 * every named specifier is `type`, and `typeof import('...')` or `import('...').Name` in a type.
 */
export function importsInSource(fileName: string, text: string): FoundImport[] {
  const tokens = tokensOf(text, fileName.endsWith('.tsx'))
  const found: FoundImport[] = []
  tokens.forEach((token, i) => {
    const previous = tokens[i - 1]
    if (previous?.text === '.') return
    const startsStatement =
      !previous || token.afterLineBreak || previous.text === ';' || previous.text === '}'
    const mayDeclare = token.depth === 0 && startsStatement
    const specifier =
      token.text === 'import'
        ? importAt(tokens, i, mayDeclare)
        : token.text === 'export' && mayDeclare
          ? reExportAt(tokens, i)
          : token.text === 'require' && !isImportEquals(tokens, i)
            ? requireAt(tokens, i)
            : null
    if (specifier !== null) found.push(specifier)
  })
  return found
}

/** `import X = require('x')` (or `import type X = ...`): read by `importAt` already. */
function isImportEquals(tokens: Token[], i: number): boolean {
  return tokens[i - 1]?.text === '=' && (tokens[i - 3]?.text === 'import' || tokens[i - 4]?.text === 'import')
}

/** `require('x')` (or `import('x')`) at token i. */
function requireAt(tokens: Token[], i: number, typeOnly = false): FoundImport | null {
  const [open, name, close] = [tokens[i + 1], tokens[i + 2], tokens[i + 3]]
  return open?.text === '(' && isString(name) && close?.text === ')'
    ? { specifier: name.text, typeOnly }
    : null
}

/** At token i: an import declaration (where a top-level statement may start) or an `import()` (anywhere). */
function importAt(tokens: Token[], i: number, mayDeclare: boolean): FoundImport | null {
  const next = tokens[i + 1]
  if (next?.text === '.') return null
  if (next?.text === '(') return requireAt(tokens, i, isTypeImport(tokens, i))
  if (!mayDeclare) return null
  if (isString(next)) return { specifier: next.text, typeOnly: false }
  const clause: Token[] = []
  for (let j = i + 1; j < tokens.length; j++) {
    const token = tokens[j] as Token
    const from = tokens[j + 1]
    if (token.text === 'from' && isString(from))
      return { specifier: from.text, typeOnly: typeOnlyClause(clause) }
    if (token.text === '=' && tokens[j + 1]?.text === 'require') {
      return requireAt(tokens, j + 1, clause[0]?.text === 'type' && clause.length > 1)
    }
    if (!mayBeInClause(token) || token.text === 'import' || token.text === 'export') return null
    clause.push(token)
  }
  return null
}

/** `typeof import('x')` or `import('x').Name` (not followed by a call): an import type, erased. */
function isTypeImport(tokens: Token[], i: number): boolean {
  if (tokens[i - 1]?.text === 'typeof') return true
  return tokens[i + 4]?.text === '.' && tokens[i + 6]?.text !== '('
}

/** `export * from 'x'`, `export { a, b } from 'x'`, `export type { A } from 'x'` at token i. */
function reExportAt(tokens: Token[], i: number): FoundImport | null {
  const next = tokens[i + 1]
  const first = next?.text === 'type' ? tokens[i + 2] : next
  if (first?.text !== '*' && first?.text !== '{') return null
  const clause: Token[] = []
  for (let j = i + 1; j < tokens.length; j++) {
    const token = tokens[j] as Token
    const from = tokens[j + 1]
    if (token.text === 'from' && isString(from))
      return { specifier: from.text, typeOnly: typeOnlyClause(clause) }
    if (!mayBeInClause(token) || (token.text === '}' && tokens[j + 1]?.text !== 'from')) return null
    clause.push(token)
  }
  return null
}

/**
 * Whether an import or export clause names types only: `type { A }`, `type A`, `{ type A, type B }`.
 * A default or namespace binding (`A`, `* as a`, `A, { type B }`) loads the module.
 */
function typeOnlyClause(clause: Token[]): boolean {
  const [first, second] = clause
  if (first?.text === 'type' && second && second.text !== 'from' && second.text !== ',') return true
  if (first?.text !== '{') return false
  const inside = clause.slice(
    1,
    clause.findIndex((t) => t.text === '}'),
  )
  const elements: Token[][] = [[]]
  for (const token of inside) {
    if (token.text === ',') elements.push([])
    else elements.at(-1)!.push(token)
  }
  const named = elements.filter((e) => e.length > 0)
  // `{ type }` and `{ type as t }` import a binding named "type"; `{ type A }`, `{ type A as B }` a type.
  const isType = (e: Token[]): boolean =>
    e[0]?.text === 'type' && e.length > 1 && !(e.length === 3 && e[1]?.text === 'as')
  return named.length > 0 && named.every(isType)
}

const EXTENSIONS = ['.ts', '.tsx', '.d.ts', '/index.ts', '/index.tsx']

/**
 * Resolves a relative specifier the way tsc does here: `./x` -> x.ts, x.tsx, x.d.ts, x/index.ts;
 * `./x.js` -> x.ts (x.d.ts: a module the build writes, such as web/client/messages.js).
 */
export function resolveRelative(root: string, fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null
  const base = join(root, dirname(fromFile), specifier)
  const stripped = base.replace(/\.(js|mjs|cjs|jsx)$/, '')
  const candidates = [base, ...EXTENSIONS.map((e) => stripped + e)]
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile())
  return hit ? relative(root, hit).split(sep).join('/') : null
}

/** The import graph of the house: every source file under `folders` and every `.ts` file at the root. */
export function importGraph(root: string, folders: string[] = sourceFolders(root)): ImportGraph {
  const rootFiles = readdirSync(root)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, f))
  const files = [...rootFiles, ...folders.flatMap((f) => sourceFiles(join(root, f)))]
  const graph: ImportGraph = new Map()
  for (const path of files) {
    const file = relative(root, path).split(sep).join('/')
    const found = importsInSource(file, readFileSync(path, 'utf8'))
    graph.set(
      file,
      found.map((i) => ({ ...i, target: resolveRelative(root, file, i.specifier) })),
    )
  }
  return graph
}

/**
 * The layer of a file: its top folder, or the file itself for a root file (`config.ts`, `main.ts`).
 * `test/architecture/x.ts` -> `test`.
 */
export function layerOf(file: string): string {
  const slash = file.indexOf('/')
  return slash < 0 ? file : file.slice(0, slash)
}

/** Layer -> the other layers it may import. A layer missing from the table is not checked. */
export type LayerRules = Record<string, readonly string[]>

/** Each import from one layer into another that the rules do not allow, as `from imports to ('specifier')`. */
export function layerViolations(graph: ImportGraph, rules: LayerRules): string[] {
  const offenders: string[] = []
  for (const [file, edges] of graph) {
    const allowed = rules[layerOf(file)]
    if (!allowed) continue
    for (const { specifier, target } of edges) {
      if (!target) continue
      const layer = layerOf(target)
      if (layer !== layerOf(file) && !allowed.includes(layer)) {
        offenders.push(`${file} imports ${target} ('${specifier}')`)
      }
    }
  }
  return offenders
}

/**
 * Every import that is neither relative nor a package: a path alias (`@/storage/db`, `storage/db`),
 * or a relative path that names no file.
 */
export function nonRelativeOurs(graph: ImportGraph, packages: ReadonlySet<string>): string[] {
  const offenders: string[] = []
  for (const [file, edges] of graph) {
    for (const { specifier, target } of edges) {
      if (specifier.startsWith('.')) {
        if (!target && !/\.(json|css|svg)$/.test(specifier))
          offenders.push(`${file}: '${specifier}' names no file`)
      } else if (!isPackage(specifier, packages)) {
        offenders.push(`${file}: '${specifier}' is neither relative nor a package`)
      }
    }
  }
  return offenders
}

function isPackage(specifier: string, packages: ReadonlySet<string>): boolean {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return true
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '')
  return packages.has(name)
}

/**
 * The run-time cycles of the graph (type-only imports left out), each as a readable path
 * `a.ts -> b.ts -> a.ts`. Tarjan's algorithm finds the knots (strongly connected components); in
 * each, a shortest loop through every file not yet on a reported loop is reported, so that
 * `main.ts` importing ten commands that import it back reads as ten loops, not one.
 */
export function importCycles(graph: ImportGraph): string[] {
  const next = (file: string): string[] => {
    const targets = (graph.get(file) ?? []).filter((e) => !e.typeOnly).map((e) => e.target)
    return [...new Set(targets.filter((t): t is string => !!t && graph.has(t)))]
  }
  const components = stronglyConnected([...graph.keys()].sort(), next)
  const loops: string[] = []
  for (const component of components) {
    const within = new Set(component)
    const covered = new Set<string>()
    for (const file of [...component].sort()) {
      if (covered.has(file)) continue
      const loop = shortestLoop(file, within, next)
      if (loop.length === 2 && !next(file).includes(file)) continue
      loop.forEach((f) => covered.add(f))
      loops.push(loop.join(' -> '))
    }
  }
  return loops.sort()
}

function stronglyConnected(nodes: string[], next: (n: string) => string[]): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const connect = (node: string): void => {
    index.set(node, index.size)
    low.set(node, index.get(node) as number)
    stack.push(node)
    onStack.add(node)
    for (const to of next(node)) {
      if (!index.has(to)) {
        connect(to)
        low.set(node, Math.min(low.get(node) as number, low.get(to) as number))
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) as number, index.get(to) as number))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let top: string | undefined
    do {
      top = stack.pop() as string
      onStack.delete(top)
      component.push(top)
    } while (top !== node)
    components.push(component)
  }
  for (const node of nodes) if (!index.has(node)) connect(node)
  return components
}

/** Breadth-first from `start` back to itself, inside one component: the shortest loop through it. */
function shortestLoop(start: string, within: Set<string>, next: (n: string) => string[]): string[] {
  const cameFrom = new Map<string, string>()
  const queue = [start]
  while (queue.length > 0) {
    const node = queue.shift() as string
    for (const to of next(node)) {
      if (!within.has(to)) continue
      if (to === start) {
        const path = [node]
        while (path[0] !== start) path.unshift(cameFrom.get(path[0] as string) as string)
        return [...path, start]
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node)
        queue.push(to)
      }
    }
  }
  return [start, start]
}
