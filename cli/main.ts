import { UsageError, wantsHelp } from './args'
import { GROUPS } from './commands'
import { helpFor, overview } from './help'
import { packageVersion } from './version'

/** The command modules, loaded when their command runs (a `kyso verify` never loads the CA). */
const COMMAND_MODULES: Record<string, () => (args: string[]) => Promise<number>> = {
  ca: () => (require('./ca-command') as typeof import('./ca-command')).caCommand,
  sign: () => (require('./sign-command') as typeof import('./sign-command')).signCommand,
  extend: () => (require('./extend-command') as typeof import('./extend-command')).extendCommand,
  verify: () => (require('./verify-command') as typeof import('./verify-command')).verifyCommand,
  audit: () => (require('./audit-command') as typeof import('./audit-command')).auditCommand,
  migrate: () => (require('./migrate-command') as typeof import('./migrate-command')).migrateCommand,
  backup: () => (require('./backup-command') as typeof import('./backup-command')).backupCommand,
  keys: () => (require('./keys-command') as typeof import('./keys-command')).keysCommand,
  agent: () => (require('./agent-command') as typeof import('./agent-command')).agentCommand,
}

/**
 * Runs one CLI command and returns the exit code. Results go to stdout; notes and the one line of
 * a failure, `kyso: CODE: message`, to stderr (exit 2; USAGE for bad usage, INTERNAL for a bug).
 */
export async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  try {
    if (cmd === undefined) {
      process.stdout.write(overview() + '\n')
      return 2
    }
    if (cmd === '--version') {
      process.stdout.write(`kyso ${packageVersion()}\n`)
      return 0
    }
    if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
      const text = rest.length ? helpFor(rest[0], rest[1]) : overview()
      if (text === undefined) throw new UsageError(`no command '${rest.join(' ')}'`)
      process.stdout.write(text + '\n')
      return 0
    }
    const command = COMMAND_MODULES[cmd]
    if (!command) throw new UsageError(`unknown command '${cmd}'`)
    if (wantsHelp(rest)) {
      process.stdout.write(`${helpFor(cmd, rest[0])}\n`)
      return 0
    }
    return await command()(rest)
  } catch (err) {
    process.stderr.write(errorLine(err, cmd, rest[0]))
    return 2
  }
}

/** `kyso: CODE: message`, with where to read the usage after a USAGE error. */
function errorLine(err: unknown, cmd: string | undefined, sub: string | undefined): string {
  const code = (err as { code?: unknown }).code
  const message = err instanceof Error ? err.message : String(err)
  if (err instanceof UsageError) {
    const known = cmd !== undefined && cmd in COMMAND_MODULES
    const group = cmd !== undefined ? GROUPS[cmd] : undefined
    const words = !known
      ? ''
      : group && sub !== undefined && group.subcommands.includes(sub)
        ? ` ${cmd} ${sub}`
        : ` ${cmd}`
    return `kyso: USAGE: ${message} (kyso${words} --help)\n`
  }
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return `kyso: ${code}: ${message}\n`
  return `kyso: INTERNAL: ${message}\n`
}
