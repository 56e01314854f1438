import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The version in package.json (dist/cli/version.js -> the package root), or 'unknown'. */
export function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'))
    const version = (pkg as { version?: unknown }).version
    return typeof version === 'string' ? version : 'unknown'
  } catch {
    return 'unknown'
  }
}
