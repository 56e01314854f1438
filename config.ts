/**
 * The one reader of process.env (the CLI entry may read KYSO_PIN / KYSO_CA_PIN itself). Everything
 * is parsed once and checked; start-up stops with every problem listed by its variable name.
 */
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'

export interface Config {
  port: number
  host: string
  dataDir: string
  /** Seed the demo agencies, users and certificates on an empty database. */
  demo: boolean
  /** Largest accepted upload, bytes. */
  maxUploadBytes: number
  /** Session lifetime, seconds. */
  sessionTtlSeconds: number
  /** Failed logins per username within loginWindowSeconds before further attempts are refused. */
  loginMaxFailures: number
  loginWindowSeconds: number
  /** Time a validation of an uploaded or signed file may take (worker), ms. */
  validationTimeoutMs: number
  /** Time reading a draft's text for placement may take (worker), ms; past it, a fallback place. */
  layoutTimeoutMs: number
  /** PostgreSQL (postgres://user:password@host:port/database); SQLite in dataDir when unset. */
  databaseUrl?: string
  /** Most connections each instance opens to PostgreSQL (SQLite always uses one). */
  dbPoolMax: number
  /** Where document versions are kept: files in blobDir (shared by every instance), or a database table. */
  blobStore: 'files' | 'database'
  blobDir: string
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  logLevel: string
  /** On SIGTERM: how long in-flight requests may take to finish before connections are cut, ms. */
  shutdownTimeoutMs: number
  /**
   * URL prefixes from which CRLs and OCSP answers may be fetched when a certificate is checked
   * before signing (a URL written in a submitted certificate is never requested otherwise).
   */
  revocationFetchPrefixes: string[]
  /** How long a prepared two-phase signature (signingId) may wait for its value, seconds. */
  signingSessionTtlSeconds: number
  /** How long a remote signature may wait for the signer's confirmation on their phone, seconds. */
  remoteConfirmTimeoutSeconds: number
  /** A Cloud Signature Consortium API v2 provider (remote signing), when configured. */
  csc?: { provider: string; baseUrl: string; clientId: string; clientSecret: string }
  /** The VGCA signing plugin's script, as the agency serves it (loaded by the sign dialog). */
  vgcaPluginUrl?: string
  /** Where the web page looks for `kyso agent` (USB tokens without a vendor plugin). */
  agentUrl: string
  /**
   * The service's public address (https://kyso.example.gov.vn): certificates the internal CA
   * issues name its CRL (/api/ca/crl.crl) and OCSP responder (/ocsp) there (issue 18).
   */
  publicUrl?: string
  /** An RFC 3161 time-stamping service (the national one); the built-in TSA when unset. */
  tsaUrl?: string
  /** What an issued document is made at issuance: B-T as signed, or extended to B-LT or B-LTA. */
  issueLevel: 'B-T' | 'B-LT' | 'B-LTA'
  /** The re-timestamping of archived documents (issue 18): how often, how early, how many a round. */
  retimestamp: { intervalSeconds: number; marginDays: number; batch: number }
  /**
   * The key-wrapping key (issue 15): every key the service stores is sealed under it as well as
   * under its holder's PIN. A file outside the data folder (made on first start when the database
   * holds no wrapped key yet), the key itself from the environment, or an AES key in the HSM.
   */
  keyWrap: KeyWrapConfig
  /** The service's HSM (PKCS#11): seal keys and a new CA's keys are made in it when set. */
  pkcs11?: { module: string; slot?: number; tokenLabel?: string; pin: string }
  /** Signers' PINs: shortest accepted, and consecutive wrong ones before the key locks. */
  pinPolicy: { minLength: number; maxTries: number }
  /** Express `trust proxy`: which proxies' X-Forwarded-* headers to believe (false: none). */
  trustProxy: boolean | number | string
  /** scrypt cost N for password hashes (2^17 by default; older hashes are redone at login). */
  passwordHashN: number
  /** Where the signed audit checkpoints are written, and how often (issue 15). */
  auditCheckpoint: { dir: string; intervalSeconds: number }
  /** The CA PIN of a DATA_DIR/ca made before issue 15, to move it into the database once. */
  caPin?: string
}

export interface KeyWrapConfig {
  file: string
  /** The key itself (KYSO_KEY_WRAP_KEY, base64): an environment secret instead of the file. */
  key?: Buffer
  /** An AES-256 key of this label in the HSM (KYSO_PKCS11_MODULE) instead of the file. */
  pkcs11Label?: string
  /** Older keys that still open envelopes during a rotation (KYSO_KEY_WRAP_PREVIOUS_FILES). */
  previousFiles: string[]
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`)
  }
}

type Env = Record<string, string | undefined>

function int(
  env: Env,
  key: string,
  dflt: number,
  problems: string[],
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[key]
  if (raw === undefined || raw === '') return dflt
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${key} must be an integer from ${min} to ${max}, got '${raw}'`)
    return dflt
  }
  return n
}

function bool(env: Env, key: string, dflt: boolean, problems: string[]): boolean {
  const raw = env[key]
  if (raw === undefined || raw === '') return dflt
  if (['1', 'true', 'yes'].includes(raw)) return true
  if (['0', 'false', 'no'].includes(raw)) return false
  problems.push(`${key} must be 0 or 1, got '${raw}'`)
  return dflt
}

function oneOf<T extends string>(
  env: Env,
  key: string,
  values: readonly T[],
  dflt: T,
  problems: string[],
): T {
  const raw = env[key]
  if (raw === undefined || raw === '') return dflt
  if ((values as readonly string[]).includes(raw)) return raw as T
  problems.push(`${key} must be one of ${values.join(', ')}, got '${raw}'`)
  return dflt
}

function databaseUrl(env: Env, problems: string[]): string | undefined {
  const raw = env.KYSO_DATABASE_URL
  if (raw === undefined || raw === '') return undefined
  if (!/^postgres(ql)?:\/\/[^/]+\/[^/?]+/.test(raw)) {
    // The URL may carry a password: name the setting, never echo the value.
    problems.push('KYSO_DATABASE_URL must look like postgres://user:password@host:5432/database')
    return undefined
  }
  return raw
}

function urlPrefixes(env: Env, key: string, problems: string[]): string[] {
  const raw = env[key]
  if (raw === undefined || raw.trim() === '') return []
  const list = raw.split(/[\s,]+/).filter(Boolean)
  for (const p of list)
    if (!/^https?:\/\/[^/\s]+/.test(p)) problems.push(`${key}: '${p}' is not an http(s) URL prefix`)
  return list
}

/** An http(s) URL in ASCII (it goes into certificates as an IA5String), or undefined when unset. */
function httpUrl(env: Env, key: string, problems: string[]): string | undefined {
  const raw = env[key]
  if (raw === undefined || raw === '') return undefined
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(raw)) {
    problems.push(`${key} must be an http(s) URL in ASCII, got '${raw}'`)
    return undefined
  }
  return raw
}

function csc(env: Env, problems: string[]): Config['csc'] {
  const baseUrl = env.KYSO_CSC_URL
  if (!baseUrl) return undefined
  const clientId = env.KYSO_CSC_CLIENT_ID ?? ''
  const clientSecret = env.KYSO_CSC_CLIENT_SECRET ?? ''
  if (!/^https?:\/\//.test(baseUrl)) problems.push('KYSO_CSC_URL must be an http(s) URL')
  if (!clientId || !clientSecret)
    problems.push('KYSO_CSC_CLIENT_ID and KYSO_CSC_CLIENT_SECRET are required with KYSO_CSC_URL')
  const provider = env.KYSO_CSC_PROVIDER || 'csc'
  if (!/^[a-z0-9-]{1,40}$/.test(provider))
    problems.push('KYSO_CSC_PROVIDER: lower-case letters, digits and dashes')
  return { provider, baseUrl: baseUrl.replace(/\/+$/, ''), clientId, clientSecret }
}

/** Beside the data folder, never inside it: `./data` -> `./secrets/data.kwk`. */
export function defaultKeyWrapFile(dataDir: string): string {
  return join(dirname(dataDir), 'secrets', `${basename(dataDir)}.kwk`)
}

function inside(dir: string, file: string): boolean {
  const rel = relative(dir, file)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

function keyWrap(env: Env, dataDir: string, problems: string[]): KeyWrapConfig {
  const file = resolve(env.KYSO_KEY_WRAP_FILE || defaultKeyWrapFile(dataDir))
  const previousFiles = (env.KYSO_KEY_WRAP_PREVIOUS_FILES ?? '')
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((f) => resolve(f))
  for (const f of [file, ...previousFiles]) {
    // A copy of the data folder (or `kyso backup`) must open nothing: the key lives elsewhere.
    if (inside(dataDir, f)) {
      problems.push(`KYSO_KEY_WRAP_FILE / KYSO_KEY_WRAP_PREVIOUS_FILES must be outside KYSO_DATA_DIR (${f})`)
    }
  }
  const config: KeyWrapConfig = { file, previousFiles }
  const raw = env.KYSO_KEY_WRAP_KEY
  if (raw) {
    const key = Buffer.from(raw, 'base64')
    // Never echo the value: it is the key.
    if (key.length !== 32) problems.push('KYSO_KEY_WRAP_KEY must be 32 bytes in base64')
    else config.key = key
  }
  if (env.KYSO_KEY_WRAP_PKCS11_LABEL) {
    if (!env.KYSO_PKCS11_MODULE) problems.push('KYSO_KEY_WRAP_PKCS11_LABEL needs KYSO_PKCS11_MODULE')
    config.pkcs11Label = env.KYSO_KEY_WRAP_PKCS11_LABEL
  }
  return config
}

function pkcs11(env: Env, problems: string[]): Config['pkcs11'] {
  const module = env.KYSO_PKCS11_MODULE
  if (!module) return undefined
  let pin = env.KYSO_PKCS11_PIN ?? ''
  if (env.KYSO_PKCS11_PIN_FILE) {
    try {
      pin = readFileSync(env.KYSO_PKCS11_PIN_FILE, 'utf8').trim()
    } catch {
      problems.push(`KYSO_PKCS11_PIN_FILE cannot be read (${env.KYSO_PKCS11_PIN_FILE})`)
    }
  }
  if (!pin)
    problems.push('KYSO_PKCS11_MODULE needs the HSM user PIN: KYSO_PKCS11_PIN_FILE or KYSO_PKCS11_PIN')
  const slot = int(env, 'KYSO_PKCS11_SLOT', 0, problems, 0, 1000)
  return {
    module,
    pin,
    ...(env.KYSO_PKCS11_TOKEN_LABEL ? { tokenLabel: env.KYSO_PKCS11_TOKEN_LABEL } : { slot }),
  }
}

/**
 * Express's `trust proxy` values: true/false, a number of hops, or a comma-separated list of
 * addresses, CIDR ranges and the names loopback, linklocal, uniquelocal.
 */
function trustProxy(env: Env, problems: string[]): Config['trustProxy'] {
  const raw = (env.KYSO_TRUST_PROXY ?? '').trim()
  if (raw === '' || raw === 'false') return false
  if (raw === 'true') return true
  if (/^\d+$/.test(raw)) return Number(raw)
  const names = ['loopback', 'linklocal', 'uniquelocal']
  const bad = raw
    .split(',')
    .map((v) => v.trim())
    .filter((v) => {
      const [address, bits, ...more] = v.split('/')
      return !(
        names.includes(v) ||
        (isIP(address ?? '') && more.length === 0 && (bits === undefined || /^\d{1,3}$/.test(bits)))
      )
    })
  if (bad.length)
    problems.push(
      `KYSO_TRUST_PROXY: '${bad.join("', '")}' is not an address, a CIDR range, loopback, linklocal or uniquelocal`,
    )
  return raw
}

function powerOfTwo(env: Env, key: string, dflt: number, problems: string[]): number {
  const n = int(env, key, dflt, problems, 16384, 1 << 20)
  if ((n & (n - 1)) !== 0) problems.push(`${key} must be a power of two (16384 to 1048576), got '${n}'`)
  return n
}

/** Parses the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = []
  const dataDir = resolve(env.KYSO_DATA_DIR || './data')
  const url = databaseUrl(env, problems)
  const config: Config = {
    port: int(env, 'PORT', 8080, problems, 0, 65535),
    host: env.KYSO_HOST || '0.0.0.0',
    dataDir,
    demo: bool(env, 'KYSO_DEMO', true, problems),
    maxUploadBytes: int(env, 'KYSO_MAX_UPLOAD_BYTES', 50 * 1024 * 1024, problems, 1024),
    sessionTtlSeconds: int(env, 'KYSO_SESSION_TTL_SECONDS', 8 * 3600, problems, 60),
    loginMaxFailures: int(env, 'KYSO_LOGIN_MAX_FAILURES', 5, problems, 1),
    loginWindowSeconds: int(env, 'KYSO_LOGIN_WINDOW_SECONDS', 900, problems, 1),
    validationTimeoutMs: int(env, 'KYSO_VALIDATION_TIMEOUT_MS', 30_000, problems, 100),
    layoutTimeoutMs: int(env, 'KYSO_LAYOUT_TIMEOUT_MS', 10_000, problems, 50),
    ...(url && { databaseUrl: url }),
    dbPoolMax: int(env, 'KYSO_DB_POOL_MAX', 10, problems, 2, 1000),
    blobStore: oneOf(env, 'KYSO_BLOB_STORE', ['files', 'database'] as const, 'files', problems),
    blobDir: resolve(env.KYSO_BLOB_DIR || `${dataDir}/blobs`),
    logLevel: oneOf(
      env,
      'KYSO_LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
      problems,
    ),
    shutdownTimeoutMs: int(env, 'KYSO_SHUTDOWN_TIMEOUT_MS', 30_000, problems, 0),
    revocationFetchPrefixes: urlPrefixes(env, 'KYSO_REVOCATION_FETCH_PREFIXES', problems),
    signingSessionTtlSeconds: int(env, 'KYSO_SIGNING_SESSION_TTL_SECONDS', 300, problems, 10, 86_400),
    remoteConfirmTimeoutSeconds: int(env, 'KYSO_REMOTE_CONFIRM_TIMEOUT_SECONDS', 300, problems, 5, 3600),
    agentUrl: env.KYSO_AGENT_URL || 'http://127.0.0.1:8765',
    issueLevel: oneOf(env, 'KYSO_ISSUE_LEVEL', ['B-T', 'B-LT', 'B-LTA'] as const, 'B-LTA', problems),
    retimestamp: {
      intervalSeconds: int(env, 'KYSO_RETIMESTAMP_INTERVAL_SECONDS', 3600, problems, 0, 7 * 86_400),
      marginDays: int(env, 'KYSO_RETIMESTAMP_MARGIN_DAYS', 180, problems, 1, 3650),
      batch: int(env, 'KYSO_RETIMESTAMP_BATCH', 20, problems, 1, 10_000),
    },
    keyWrap: keyWrap(env, dataDir, problems),
    pinPolicy: {
      minLength: int(env, 'KYSO_PIN_MIN_LENGTH', 4, problems, 4, 64),
      maxTries: int(env, 'KYSO_PIN_MAX_TRIES', 5, problems, 1, 20),
    },
    trustProxy: trustProxy(env, problems),
    passwordHashN: powerOfTwo(env, 'KYSO_PASSWORD_HASH_N', 1 << 17, problems),
    auditCheckpoint: {
      dir: resolve(env.KYSO_AUDIT_CHECKPOINT_DIR || `${dataDir}/audit-checkpoints`),
      intervalSeconds: int(env, 'KYSO_AUDIT_CHECKPOINT_SECONDS', 300, problems, 1, 86_400),
    },
  }
  const hsm = pkcs11(env, problems)
  if (hsm) config.pkcs11 = hsm
  if (env.KYSO_CA_PIN) config.caPin = env.KYSO_CA_PIN
  const remote = csc(env, problems)
  if (remote) config.csc = remote
  if (env.KYSO_VGCA_PLUGIN_URL) config.vgcaPluginUrl = env.KYSO_VGCA_PLUGIN_URL
  const publicUrl = httpUrl(env, 'KYSO_PUBLIC_URL', problems)
  if (publicUrl) config.publicUrl = publicUrl.replace(/\/+$/, '')
  const tsaUrl = httpUrl(env, 'KYSO_TSA_URL', problems)
  if (tsaUrl) config.tsaUrl = tsaUrl
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(config.agentUrl)) {
    problems.push('KYSO_AGENT_URL must be a loopback http URL with a port, e.g. http://127.0.0.1:8765')
  }
  if (problems.length) throw new ConfigError(problems)
  return config
}
