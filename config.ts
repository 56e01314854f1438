/**
 * The one reader of process.env (the CLI entry may read KYSO_PIN / KYSO_CA_PIN itself). Everything
 * is parsed once and checked; start-up stops with every problem listed by its variable name.
 */
import { resolve } from 'node:path'

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
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`)
  }
}

type Env = Record<string, string | undefined>

function int(env: Env, key: string, dflt: number, problems: string[], min = 0, max = Number.MAX_SAFE_INTEGER): number {
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

/** Parses the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = []
  const config: Config = {
    port: int(env, 'PORT', 8080, problems, 0, 65535),
    host: env.KYSO_HOST || '0.0.0.0',
    dataDir: resolve(env.KYSO_DATA_DIR || './data'),
    demo: bool(env, 'KYSO_DEMO', true, problems),
    maxUploadBytes: int(env, 'KYSO_MAX_UPLOAD_BYTES', 50 * 1024 * 1024, problems, 1024),
    sessionTtlSeconds: int(env, 'KYSO_SESSION_TTL_SECONDS', 8 * 3600, problems, 60),
    loginMaxFailures: int(env, 'KYSO_LOGIN_MAX_FAILURES', 5, problems, 1),
    loginWindowSeconds: int(env, 'KYSO_LOGIN_WINDOW_SECONDS', 900, problems, 1),
    validationTimeoutMs: int(env, 'KYSO_VALIDATION_TIMEOUT_MS', 30_000, problems, 100),
  }
  if (problems.length) throw new ConfigError(problems)
  return config
}
