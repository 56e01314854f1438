/**
 * The CLI's entry and the environment (issue 16): no command imports cli/main.ts (which loads the
 * commands), and the PINs are read from the environment by config.ts and the CLI's PIN reader only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { expect } from 'chai'

const ROOT = join(__dirname, '../../..')
const SOURCE_DIRS = ['signing', 'cli', 'server', 'workflows', 'storage', 'reporting', 'web', 'scripts']

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (f === 'node_modules' || f === 'dist') return []
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : []
  })
}

const allSources = () => [
  ...SOURCE_DIRS.flatMap((d) => sources(join(ROOT, d))),
  ...readdirSync(ROOT)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(ROOT, f)),
]

describe('the CLI’s entry and the environment (issue 16)', () => {
  it('has no command importing cli/main.ts back (helpers live in cli/args.ts)', () => {
    const offenders = sources(join(ROOT, 'cli')).filter((f) =>
      /(?:from\s+|require\()\s*'\.\/main'/.test(readFileSync(f, 'utf8')),
    )
    expect(offenders.map((f) => relative(ROOT, f))).to.deep.equal([])
  })

  it('reads KYSO_PIN and KYSO_CA_PIN from the environment only in config.ts and cli/pin.ts', () => {
    const envRead = /(?:process\.env|\benv)\s*(?:\.\s*KYSO_(?:CA_)?PIN\b|\[\s*['"`]KYSO_(?:CA_)?PIN)/
    const dynamicRead = /process\.env\s*\[\s*[a-zA-Z_]/
    const offenders = allSources()
      .map((f) => relative(ROOT, f))
      .filter((f) => f !== 'config.ts' && f !== join('cli', 'pin.ts'))
      .filter((f) => {
        const code = readFileSync(join(ROOT, f), 'utf8').replace(/^\s*(?:\*|\/\/).*$/gm, '')
        return envRead.test(code) || dynamicRead.test(code)
      })
    expect(offenders).to.deep.equal([])
  })
})
