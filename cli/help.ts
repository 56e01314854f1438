/**
 * The help texts, made from the command table (commands.ts): `kyso help` lists every command,
 * `kyso ca --help` a group's subcommands, `kyso sign --help` a command's options, one line each.
 */
import { COMMANDS, GROUPS, type CommandSpec } from './commands'

const TITLE = 'kyso: PAdES signing for Vietnamese agencies'

const NOTES = `The service commands (audit, migrate, backup, keys, and ca without --dir) read the service's
settings (KYSO_DATA_DIR, KYSO_DATABASE_URL, KYSO_BLOB_STORE, KYSO_BLOB_DIR, KYSO_KEY_WRAP_FILE, ...);
--data-dir stands for KYSO_DATA_DIR. Without --dir, kyso ca works on the service's CA in its database.

PINs: KYSO_PIN (the signer's, and the PIN of a new .p12), KYSO_CA_PIN (the CA's; KYSO_PIN when
unset), or a prompt on a terminal. Never on the command line.
kyso agent lets the web interface (--origin) sign with a USB token through its PKCS#11 module; it
listens on loopback only (default port 8765) and asks for the token PIN on its own terminal.
Errors are one line on stderr, kyso: CODE: message (CODE is USAGE for bad usage).
Exit codes: 0 success / all signatures PASSED, 1 a signature not PASSED, 2 bad usage or unusable input.`

/** `kyso help`: every command's usage line. */
export function overview(): string {
  const lines = Object.entries(COMMANDS).map(([name, spec]) => `  kyso ${name} ${spec.usage}`)
  return [
    TITLE,
    '',
    ...lines,
    '  kyso COMMAND --help                  (a command’s options)',
    '  kyso --version',
    '',
    NOTES,
  ].join('\n')
}

/**
 * The help for `kyso <words>`: a command's, a group's (`ca`, `keys`, `audit`), or undefined when
 * the words name neither.
 */
export function helpFor(command: string | undefined, sub: string | undefined): string | undefined {
  if (command === undefined) return undefined
  const group = GROUPS[command]
  if (group) {
    const spec =
      sub !== undefined && group.subcommands.includes(sub) ? COMMANDS[`${command} ${sub}`] : undefined
    return spec
      ? commandHelp(`${command} ${sub}`, spec)
      : groupHelp(command, group.summary, group.subcommands)
  }
  const spec = COMMANDS[command]
  return spec ? commandHelp(command, spec) : undefined
}

function commandHelp(name: string, spec: CommandSpec): string {
  const rows: Array<[string, string]> = Object.entries(spec.options).map(([option, o]) => [
    `--${option}${o.value ? ` ${o.value}` : ''}`,
    `${o.help}${o.multiple && !o.help.includes('repeatable') ? ' (repeatable)' : ''}`,
  ])
  rows.push(['-h, --help', 'this help'])
  return [`Usage: kyso ${name} ${spec.usage}`, '', spec.summary, '', 'Options:', ...table(rows)].join('\n')
}

function groupHelp(command: string, summary: string, subcommands: readonly string[]): string {
  const rows: Array<[string, string]> = subcommands.map((sub) => [
    `kyso ${command} ${sub}`,
    COMMANDS[`${command} ${sub}`]?.summary ?? '',
  ])
  return [
    `Usage: kyso ${command} ${subcommands.join('|')} [options]`,
    '',
    summary,
    '',
    'Commands:',
    ...table(rows),
    '',
    `kyso ${command} COMMAND --help prints a command's options.`,
  ].join('\n')
}

function table(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`)
}
