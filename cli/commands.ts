/**
 * Every `kyso` command and subcommand with its options: what `parse` (args.ts) accepts and what
 * `--help` (help.ts) prints come from here, so neither can drift from the other.
 */

export interface OptionSpec {
  readonly type: 'string' | 'boolean'
  readonly multiple?: boolean
  /** The value's placeholder in the help (`--out OUT.pdf`). */
  readonly value?: string
  /** One line. */
  readonly help: string
}

export interface CommandSpec {
  /** What follows `kyso` and the command's name in its usage line. */
  readonly usage: string
  /** One or two sentences. */
  readonly summary: string
  readonly options: Readonly<Record<string, OptionSpec>>
}

export interface CommandGroup {
  readonly summary: string
  readonly subcommands: readonly string[]
}

const dataDir: OptionSpec = {
  type: 'string',
  value: 'DIR',
  help: "the service's data folder (stands for KYSO_DATA_DIR; the other KYSO_* settings apply)",
}
const caDir: OptionSpec = {
  type: 'string',
  value: 'DIR',
  help: 'a CA kept in this folder (without it: the service’s CA)',
}
const keyType: OptionSpec = {
  type: 'string',
  value: 'rsa2048|rsa3072|p256',
  help: 'the key type (default rsa2048)',
}

/** What `kyso sign --level B-LT|B-LTA` and `kyso extend` take to write validation data (issue 18). */
const LONG_TERM: Readonly<Record<string, OptionSpec>> = {
  'ca-dir': { type: 'string', value: 'DIR', help: 'a CA folder: its CRL, and its TSA key for --tsa builtin' },
  crl: { type: 'string', multiple: true, value: 'PEM', help: 'CRLs to embed, PEM or DER (repeatable)' },
  cert: {
    type: 'string',
    multiple: true,
    value: 'PEM',
    help: 'certificates that complete the chains (repeatable)',
  },
  'fetch-crls-from': {
    type: 'string',
    multiple: true,
    value: 'URL-PREFIX',
    help: 'fetch CRLs and OCSP answers only under this prefix (repeatable)',
  },
  tsa: {
    type: 'string',
    value: 'URL|builtin',
    help: 'the time-stamping authority (builtin: --ca-dir’s)',
  },
}

/** Keyed by the words after `kyso`: `sign`, `ca issue`. */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  'ca init': {
    usage: '[--dir DIR | --data-dir DIR] [--name NAME] [--key TYPE]',
    summary:
      'Creates the internal CA (root, issuing CA, time-stamping key): with --dir in that folder under\n' +
      'KYSO_CA_PIN, else in the service’s database under its key-wrapping key.',
    options: {
      dir: caDir,
      'data-dir': dataDir,
      name: { type: 'string', value: 'NAME', help: 'the CA’s name' },
      key: keyType,
    },
  },
  'ca issue': {
    usage:
      '[--dir DIR | --data-dir DIR] --name NAME [--title T] [--org ORG] [--seal] [--key TYPE] --out FILE.p12' +
      ' [--crl-url URL] [--ocsp-url URL]',
    summary: 'Issues a signing certificate and writes it with its new key as a PKCS#12 under KYSO_PIN.',
    options: {
      dir: caDir,
      'data-dir': dataDir,
      name: {
        type: 'string',
        value: 'NAME',
        help: 'the holder’s full name, or the agency’s for a seal (required)',
      },
      title: { type: 'string', value: 'T', help: 'the holder’s title (chức danh)' },
      org: { type: 'string', value: 'ORG', help: 'the agency' },
      seal: { type: 'boolean', help: 'a certificate for the agency’s seal rather than a person' },
      key: keyType,
      out: { type: 'string', value: 'FILE.p12', help: 'where the PKCS#12 goes (required)' },
      'crl-url': { type: 'string', value: 'URL', help: 'the CRL distribution point written into it' },
      'ocsp-url': { type: 'string', value: 'URL', help: 'the OCSP responder written into it' },
    },
  },
  'ca revoke': {
    usage: '[--dir DIR | --data-dir DIR] --serial HEX [--reason R]',
    summary: 'Revokes a certificate and publishes the new CRL.',
    options: {
      dir: caDir,
      'data-dir': dataDir,
      serial: { type: 'string', value: 'HEX', help: 'the certificate’s serial number (required)' },
      reason: {
        type: 'string',
        value: 'R',
        help: 'an RFC 5280 reason: keyCompromise, superseded, ... (default unspecified)',
      },
    },
  },
  'ca root': {
    usage: '[--data-dir DIR]',
    summary: 'Prints the root certificate of the service’s CA (PEM).',
    options: { 'data-dir': dataDir },
  },
  'ca crl': {
    usage: '[--data-dir DIR]',
    summary: 'Prints the current CRLs of the service’s CA (PEM).',
    options: { 'data-dir': dataDir },
  },
  'keys generate': {
    usage: 'FILE',
    summary: 'Writes a new key-wrapping key to FILE (never over an existing file) and prints its id.',
    options: {},
  },
  'keys status': {
    usage: '[--data-dir DIR]',
    summary:
      'Counts the stored keys by wrapping key; exit 1 while any is under another key than the current.',
    options: { 'data-dir': dataDir },
  },
  'keys rewrap': {
    usage: '[--data-dir DIR]',
    summary: 'Wraps every stored key again under the current key-wrapping key.',
    options: { 'data-dir': dataDir },
  },
  sign: {
    usage: 'IN.pdf --out OUT.pdf --p12 FILE.p12 [options]',
    summary:
      'Appends one PAdES signature to IN.pdf as an incremental update and writes OUT.pdf (PIN: KYSO_PIN).',
    options: {
      out: {
        type: 'string',
        value: 'OUT.pdf',
        help: 'where the signed PDF goes (required; never IN.pdf itself)',
      },
      p12: { type: 'string', value: 'FILE.p12', help: 'the signer’s key and certificate (required)' },
      reason: { type: 'string', value: 'R', help: 'the signature’s /Reason' },
      location: { type: 'string', value: 'L', help: 'the signature’s /Location' },
      marker: {
        type: 'string',
        value: 'KT.|TL.|TUQ.|TM.|Q.',
        help: 'the authority marker printed above the title',
      },
      principal: { type: 'string', value: 'TITLE', help: 'the title of the one signed for (with --marker)' },
      image: { type: 'string', value: 'PNG', help: 'a handwritten signature or seal image' },
      appearance: { type: 'string', value: 'personal|seal|text', help: 'what the appearance shows' },
      page: { type: 'string', value: 'N', help: 'the page of the appearance, from 1 (with --rect)' },
      rect: { type: 'string', value: 'x,y,w,h', help: 'the appearance’s rectangle in points' },
      invisible: { type: 'boolean', help: 'no appearance' },
      level: {
        type: 'string',
        value: 'B-B|B-T|B-LT|B-LTA',
        help: 'the PAdES level (B-T with --tsa; B-LT/B-LTA also embed validation data)',
      },
      ...LONG_TERM,
      certify: {
        type: 'string',
        value: '1|2|3',
        help: 'a certification signature: 1 no changes, 2 forms, 3 annotations',
      },
    },
  },
  extend: {
    usage: 'IN.pdf --out OUT.pdf --level B-LT|B-LTA [--ca-dir DIR | --crl PEM...] [options]',
    summary:
      'Adds the validation data of every signature (B-LT) and a document time-stamp (B-LTA) to IN.pdf\n' +
      'as incremental revisions, and writes OUT.pdf.',
    options: {
      out: { type: 'string', value: 'OUT.pdf', help: 'where the extended PDF goes (required; never IN.pdf)' },
      level: { type: 'string', value: 'B-LT|B-LTA', help: 'the level to reach (required)' },
      ...LONG_TERM,
    },
  },
  verify: {
    usage: 'IN.pdf [options]',
    summary: 'Reports on every signature of IN.pdf; exit 0 only when all PASSED, 1 otherwise.',
    options: {
      trust: { type: 'string', multiple: true, value: 'PEM', help: 'trust anchors (repeatable)' },
      crl: { type: 'string', multiple: true, value: 'PEM', help: 'CRLs, PEM or DER (repeatable)' },
      'fetch-crls-from': {
        type: 'string',
        multiple: true,
        value: 'URL-PREFIX',
        help: 'fetch CRLs under this prefix',
      },
      at: {
        type: 'string',
        value: 'TIME',
        help: 'validate at this ISO 8601 time, from what the file carries when no --crl is given',
      },
      json: { type: 'boolean', help: 'the report as JSON' },
      lang: { type: 'string', value: 'vi|en', help: 'the report’s language (default vi)' },
      isolate: {
        type: 'boolean',
        help: 'validate in a worker with time and memory limits, as the service does',
      },
    },
  },
  'audit verify': {
    usage: '[--data-dir DIR]',
    summary: 'Recomputes the audit hash chain and checks it against the newest signed checkpoint.',
    options: { 'data-dir': dataDir },
  },
  migrate: {
    usage: '[--data-dir DIR]',
    summary: 'Brings the service’s database to this build’s schema and stops.',
    options: { 'data-dir': dataDir },
  },
  backup: {
    usage: 'OUT_DIR [--data-dir DIR]',
    summary: 'Copies the database and its blobs into the empty folder OUT_DIR while the service runs.',
    options: { 'data-dir': dataDir },
  },
  agent: {
    usage: '--pkcs11-module PATH [--slot N] [--port 127.0.0.1:PORT] --origin URL... [--pin-timeout S]',
    summary: 'Lets the web interface sign with a USB token through its PKCS#11 module, on loopback only.',
    options: {
      'pkcs11-module': { type: 'string', value: 'PATH', help: 'the token’s PKCS#11 library (required)' },
      slot: {
        type: 'string',
        value: 'N',
        help: 'the index of the token’s slot (default 0, the first with a token)',
      },
      port: {
        type: 'string',
        value: '[HOST:]PORT',
        help: 'a loopback address to listen on (default 127.0.0.1:8765)',
      },
      origin: {
        type: 'string',
        multiple: true,
        value: 'URL',
        help: 'a web interface allowed to sign (required, repeatable)',
      },
      'pin-timeout': { type: 'string', value: 'SECONDS', help: 'how long a PIN prompt waits (default 120)' },
    },
  },
}

export const GROUPS: Readonly<Record<string, CommandGroup>> = {
  ca: {
    summary:
      'The internal CA: in a folder with --dir (offline use, tests), else the service’s CA in its database.',
    subcommands: ['init', 'issue', 'revoke', 'root', 'crl'],
  },
  keys: {
    summary: 'The key-wrapping key of the service (issue 15).',
    subcommands: ['generate', 'status', 'rewrap'],
  },
  audit: { summary: 'The audit log of the service.', subcommands: ['verify'] },
}

/** The spec of `kyso <name>`; commands call it with their own name, so a miss is a bug. */
export function spec(name: string): CommandSpec {
  const found = COMMANDS[name]
  if (!found) throw new Error(`no command spec for '${name}'`)
  return found
}
