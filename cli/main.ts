import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './pin'

export const HELP = `kyso: PAdES signing for Vietnamese agencies

  kyso ca init   [--dir DIR] [--name NAME] [--key rsa2048|rsa3072|p256]
  kyso ca issue  [--dir DIR] --name NAME [--title T] [--org ORG] [--seal] [--key rsa2048|rsa3072|p256] --out FILE.p12
                 [--crl-url URL] [--ocsp-url URL]
  kyso ca revoke [--dir DIR] --serial HEX [--reason R]
  kyso ca root | crl                     (the service's CA: its root certificate, its current CRLs, PEM)
  kyso keys generate FILE | status | rewrap [--data-dir DIR]
  kyso sign IN.pdf --out OUT.pdf --p12 FILE.p12 [--reason R] [--location L] [--marker KT.|TL.|TUQ.|TM.|Q.]
            [--principal TITLE] [--image PNG] [--appearance personal|seal|text]
            [--page N --rect x,y,w,h | --invisible] [--level B-B|B-T|B-LT|B-LTA] [--tsa URL|builtin]
            [--ca-dir DIR] [--crl PEM]... [--cert PEM]... [--fetch-crls-from URL-PREFIX]... [--certify 1|2|3]
  kyso extend IN.pdf --out OUT.pdf --level B-LT|B-LTA [--ca-dir DIR | --crl PEM...] [--cert PEM]...
            [--fetch-crls-from URL-PREFIX]... [--tsa URL|builtin]
  kyso verify IN.pdf [--trust PEM]... [--crl PEM]... [--fetch-crls-from URL-PREFIX]... [--at TIME] [--json]
            [--lang vi|en] [--isolate]
  kyso audit verify [--data-dir DIR]
  kyso migrate [--data-dir DIR]
  kyso backup OUT_DIR [--data-dir DIR]
  kyso agent --pkcs11-module PATH [--slot N] [--port 127.0.0.1:PORT] --origin URL [--origin URL]...
             [--pin-timeout SECONDS]

The service commands (audit, migrate, backup, keys, and ca without --dir) read the service's settings
(KYSO_DATA_DIR, KYSO_DATABASE_URL, KYSO_BLOB_STORE, KYSO_BLOB_DIR, KYSO_KEY_WRAP_FILE, ...);
--data-dir stands for KYSO_DATA_DIR. Without --dir, kyso ca works on the service's CA in its database.

PINs: KYSO_PIN (the signer's, and the PIN of a new .p12), KYSO_CA_PIN (the CA's; KYSO_PIN when unset),
or a prompt on a terminal. Never on the command line.
kyso agent lets the web interface (--origin) sign with a USB token through its PKCS#11 module; it
listens on loopback only (default port 8765) and asks for the token PIN on its own terminal.
Exit codes: 0 success / all signatures PASSED, 1 a signature not PASSED, 2 bad usage or unusable input.`

/** Parses options strictly: an unknown option is a usage error, not silently ignored. */
export function parse(args: string[], options: ParseArgsConfig['options']): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options: options ?? {}, allowPositionals: true, strict: true })
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals }
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

export function required(values: Record<string, unknown>, key: string): string {
  const v = values[key]
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${key} is required`)
  return v
}

/** Runs one CLI command and returns the exit code; a failure is one line on stderr. */
export async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  try {
    switch (cmd) {
      case 'ca':
        return await (require('./ca-command') as typeof import('./ca-command')).caCommand(rest)
      case 'sign':
        return await (require('./sign-command') as typeof import('./sign-command')).signCommand(rest)
      case 'extend':
        return await (require('./extend-command') as typeof import('./extend-command')).extendCommand(rest)
      case 'verify':
        return await (require('./verify-command') as typeof import('./verify-command')).verifyCommand(rest)
      case 'audit':
        return await (require('./audit-command') as typeof import('./audit-command')).auditCommand(rest)
      case 'migrate':
        return await (require('./migrate-command') as typeof import('./migrate-command')).migrateCommand(rest)
      case 'backup':
        return await (require('./backup-command') as typeof import('./backup-command')).backupCommand(rest)
      case 'keys':
        return await (require('./keys-command') as typeof import('./keys-command')).keysCommand(rest)
      case 'agent':
        return await (require('./agent-command') as typeof import('./agent-command')).agentCommand(rest)
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP + '\n')
        return cmd === undefined ? 2 : 0
      default:
        throw new UsageError(`unknown command '${cmd}'`)
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code
    const message = err instanceof Error ? err.message : String(err)
    if (err instanceof UsageError) process.stderr.write(`kyso: ${message} (kyso help for usage)\n`)
    else if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) process.stderr.write(`kyso: ${code}: ${message}\n`)
    else process.stderr.write(`kyso: INTERNAL: ${message}\n`)
    return 2
  }
}
