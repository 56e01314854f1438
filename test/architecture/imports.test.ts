import { expect } from 'chai'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

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
    const offenders = ['signing', 'cli'].flatMap((d) => sources(join(ROOT, d))).filter((f) => importsOf(f).some((i) => i === 'pdf-lib' || i === '@pdf-lib/fontkit'))
    expect(offenders).to.deep.equal([])
  })
})
