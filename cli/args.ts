/**
 * Reading a command's arguments against its declared options (commands.ts), so that what a command
 * accepts and what its `--help` lists are one table. Imported by every command; imports none.
 */
import { parseArgs } from 'node:util'
import { KysoError } from '../signing/errors'
import type { CommandSpec } from './commands'

/** Bad usage: printed as `kyso: USAGE: message`, with the command's `--help` to read, exit 2. */
export class UsageError extends KysoError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message)
  }
}

export type Values = Record<string, string | boolean | string[] | undefined>

/** Parses options strictly: an option the command does not declare is a usage error, not ignored. */
export function parse(args: string[], spec: CommandSpec): { values: Values; positionals: string[] } {
  const options: NonNullable<Parameters<typeof parseArgs>[0]>['options'] = {}
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = { type: option.type, ...(option.multiple && { multiple: true }) }
  }
  try {
    const r = parseArgs({ args, options, allowPositionals: true, strict: true })
    return { values: r.values as Values, positionals: r.positionals }
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

export function required(values: Values, key: string): string {
  const v = values[key]
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${key} is required`)
  return v
}

/** True when `--help` or `-h` comes before any `--` (after which every argument is a file name). */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--')
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h')
}
