import { renameSync, writeFileSync } from 'node:fs'
import { parse, required, UsageError } from './args'
import { spec } from './commands'
import { refuseOutputOverInput } from './output-path'
import { longTermLevel, openTsa, readInput, validationSources } from './ltv-options'

/**
 * `kyso extend FILE --out OUT --level B-LT|B-LTA`: the validation data of every signature in a
 * DSS (B-LT), and for B-LTA a document time-stamp over it, each an incremental revision (issue 18).
 */
export async function extendCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, spec('extend'))
  const input = positionals[0]
  if (!input || positionals.length > 1) throw new UsageError('give exactly one PDF to extend')
  const out = required(values, 'out')
  refuseOutputOverInput(input, out)
  const level = longTermLevel(values.level)
  if (level === 'B-LTA' && !values.tsa) throw new UsageError('--level B-LTA needs --tsa URL or --tsa builtin')
  const sources = validationSources(values)
  const caDir = values['ca-dir'] as string | undefined
  const tsa = typeof values.tsa === 'string' ? await openTsa(values.tsa, caDir) : undefined
  const { extendPdf } = require('../signing/ltv') as typeof import('../signing/ltv')
  const result = await extendPdf(readInput(input, 'input PDF'), {
    level,
    ...sources,
    ...(tsa && { timestamp: tsa.forImprint }),
  })
  const tmp = `${out}.kyso-tmp`
  writeFileSync(tmp, result.pdf)
  renameSync(tmp, out)
  const stamp = result.timestampField ? `, document timestamp ${result.timestampField}` : ''
  process.stdout.write(`extended to ${level} (${result.revisions} revision(s)${stamp}) -> ${out}\n`)
  return 0
}
