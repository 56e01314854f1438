/**
 * The `kyso` command's conventions (issue 16): `--help` for every command and subcommand,
 * `--version`, one `kyso: CODE: message` line for every error, and where results and notes go.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { COMMANDS, GROUPS } from '../../cli/commands'

const ROOT = join(__dirname, '../../..')
const BIN = join(ROOT, 'bin/kyso.js')

function kyso(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 60_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

/** One line on stderr, `kyso: USAGE: ... (kyso <words> --help)`, nothing on stdout, exit 2. */
function expectUsageError(args: string[], help: string): void {
  const r = kyso(args)
  expect(r.code, args.join(' ')).to.equal(2)
  expect(r.stdout, args.join(' ')).to.equal('')
  expect(r.stderr, args.join(' ')).to.match(/^kyso: USAGE: [^\n]+\n$/)
  expect(r.stderr, args.join(' ')).to.contain(`(${help} --help)`)
}

describe('kyso --help and --version (issue 16)', function () {
  this.timeout(300_000)

  it('prints the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    const r = kyso(['--version'])
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, `kyso ${pkg.version}\n`, ''])
  })

  for (const [name, spec] of Object.entries(COMMANDS)) {
    it(`kyso ${name} --help and -h: exit 0, the usage and every option on a line of its own`, () => {
      for (const flag of ['--help', '-h']) {
        const r = kyso([...name.split(' '), flag])
        expect(r.code, `${name} ${flag}: ${r.stderr}`).to.equal(0)
        expect(r.stderr).to.equal('')
        expect(r.stdout.split('\n')[0]).to.equal(`Usage: kyso ${name} ${spec.usage}`)
        const optionLines = r.stdout.split('\n').filter((l) => /^ {2}-/.test(l))
        for (const option of Object.keys(spec.options)) {
          expect(
            optionLines.filter((l) => l.startsWith(`  --${option} `)),
            `--${option}`,
          ).to.have.length(1)
        }
        expect(optionLines).to.have.length(Object.keys(spec.options).length + 1)
        expect(optionLines.at(-1)).to.match(/^ {2}-h, --help +this help$/)
      }
    })
  }

  for (const [group, { subcommands }] of Object.entries(GROUPS)) {
    it(`kyso ${group} --help lists its subcommands`, () => {
      const r = kyso([group, '--help'])
      expect(r.code, r.stderr).to.equal(0)
      expect(r.stdout).to.match(new RegExp(`^Usage: kyso ${group} `))
      for (const sub of subcommands)
        expect(r.stdout).to.match(new RegExp(`^ {2}kyso ${group} ${sub} +\\S`, 'm'))
    })
  }

  it('answers --help wherever it stands among the options, and kyso help COMMAND alike', () => {
    const help = kyso(['sign', '--help']).stdout
    expect(kyso(['sign', 'in.pdf', '--out', 'x.pdf', '-h']).stdout).to.equal(help)
    expect(kyso(['help', 'sign']).stdout).to.equal(help)
    expect(kyso(['ca', 'issue', '--dir', 'ca', '--help']).stdout).to.match(/^Usage: kyso ca issue /)
  })

  it('lists every command in kyso help, with exit 0 (exit 2 with no command at all)', () => {
    const r = kyso(['help'])
    expect(r.code).to.equal(0)
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).to.contain(`kyso ${name} `)
    expect(kyso([]).code).to.equal(2)
    expect(kyso(['--help']).stdout).to.equal(r.stdout)
  })

  it('takes --help after -- as a file name, not as a request for help', () => {
    const r = kyso(['verify', '--', '--help'])
    expect(r.code).to.equal(2)
    expect(r.stderr).to.match(/^kyso: USAGE: cannot read PDF '--help'/)
  })
})

describe('kyso errors: one line, kyso: CODE: message (issue 16)', function () {
  this.timeout(300_000)

  it('names the command whose --help to read after every usage error', () => {
    expectUsageError(['frobnicate'], 'kyso')
    expectUsageError(['help', 'frobnicate'], 'kyso')
    expectUsageError(['sign', 'in.pdf', '--p12', 'x.p12'], 'kyso sign')
    expectUsageError(['sign', 'in.pdf', '--out', 'o.pdf', '--bogus'], 'kyso sign')
    expectUsageError(['sign', 'in.pdf', '--out', 'o.pdf', '--p12', 'x.p12', '--level', 'B-X'], 'kyso sign')
    expectUsageError(['verify'], 'kyso verify')
    expectUsageError(['verify', 'a.pdf', '--lang', 'fr'], 'kyso verify')
    expectUsageError(['ca', 'frob'], 'kyso ca')
    expectUsageError(['ca', 'issue', '--bogus'], 'kyso ca issue')
    expectUsageError(['ca', 'root', '--serial', '01'], 'kyso ca root')
    expectUsageError(['ca', 'init', '--dir', 'x', '--data-dir', 'y'], 'kyso ca init')
    expectUsageError(['keys', 'frob'], 'kyso keys')
    expectUsageError(['keys', 'generate'], 'kyso keys generate')
    expectUsageError(['keys', 'status', '--bogus'], 'kyso keys status')
    expectUsageError(['audit', 'frob'], 'kyso audit')
    expectUsageError(['audit', 'verify', '--bogus'], 'kyso audit verify')
    expectUsageError(['migrate', '--bogus'], 'kyso migrate')
    expectUsageError(['backup'], 'kyso backup')
    expectUsageError(['agent', '--origin', 'http://127.0.0.1:8080'], 'kyso agent')
  })

  it('prints other errors with their code, and no stack trace', () => {
    const r = kyso(['verify', join(ROOT, 'package.json')])
    expect(r.code).to.equal(2)
    expect(r.stderr).to.match(/^kyso: PDF_UNREADABLE: [^\n]+\n$/)
  })
})
